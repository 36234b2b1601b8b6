"""``lambda_handler``: deliver an AWS Lambda invocation's records before it returns.

Lambda freezes the execution environment as soon as the handler returns; a background sender
does not run while frozen and may never run again. The decorator flushes every
``CloudWatchHandler`` before returning, within the time the invocation has left.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .._options import require_int, require_seconds
from ._registry import flush_all

__all__ = ["DEFAULT_SAFETY_MARGIN_MS", "lambda_handler"]

DEFAULT_SAFETY_MARGIN_MS = 500
"""Time kept back from ``context.get_remaining_time_in_millis()`` so the function still returns
before Lambda's own timeout."""

_F = TypeVar("_F", bound=Callable[..., Any])


def _flush_budget(context: Any, safety_margin_ms: int, limit: float) -> float:
    """Seconds the flush may take: what the invocation has left minus the margin, at most limit."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return limit
    try:
        left_ms = float(remaining())
    except Exception:  # a stub context that cannot tell: use the limit
        return limit
    return max(0.0, min(limit, (left_ms - safety_margin_ms) / 1000.0))


@overload
def lambda_handler(function: _F) -> _F: ...


@overload
def lambda_handler(
    function: None = None, *, safety_margin_ms: int = ..., max_flush_seconds: float = ...
) -> Callable[[_F], _F]: ...


def lambda_handler(
    function: Any = None,
    *,
    safety_margin_ms: int = DEFAULT_SAFETY_MARGIN_MS,
    max_flush_seconds: float = 10.0,
) -> Any:
    """Decorate a Lambda handler ``(event, context)`` so its records are delivered before return.

    After the function returns or raises, every open CloudWatchHandler is flushed, for at most
    ``context.get_remaining_time_in_millis()`` minus ``safety_margin_ms`` (and never longer than
    ``max_flush_seconds``). The function's result or exception is passed on unchanged.
    Use as ``@lambda_handler`` or ``@lambda_handler(safety_margin_ms=1000)``.
    """
    require_int("safety_margin_ms", safety_margin_ms, 0)
    require_seconds("max_flush_seconds", max_flush_seconds, allow_zero=True)

    def decorate(handler: _F) -> _F:
        @functools.wraps(handler)
        def invoke(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return handler(event, context, *args, **kwargs)
            finally:
                flush_all(_flush_budget(context, safety_margin_ms, max_flush_seconds))

        return invoke  # type: ignore[return-value]

    return decorate if function is None else decorate(function)
