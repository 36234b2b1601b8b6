"""How scalar functions are described, and wrappers for the usual argument handling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._values import as_text, to_number


@dataclass(frozen=True)
class ScalarFunction:
    """A function's arity, which arguments are time periods, and its implementation."""

    min_args: int
    max_args: int | None
    impl: Callable[..., Any]
    period_args: frozenset[int] = frozenset()


def numeric(op: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``op`` applied to its argument as a number; missing when it is not one or ``op``
    has no value there."""

    def apply(value: Any) -> Any:
        number = to_number(value)
        if number is None:
            return None
        try:
            return op(number)
        except (ValueError, OverflowError):
            return None

    return apply


def textual(op: Callable[..., Any]) -> Callable[..., Any]:
    """``op`` applied to its arguments as text; missing when any of them is missing."""

    def apply(value: Any, *rest: Any) -> Any:
        text = as_text(value)
        if text is None or any(item is None for item in rest):
            return None
        return op(text, *(as_text(item) for item in rest))

    return apply
