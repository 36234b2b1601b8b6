"""Binding ids and fields: :func:`bind`, :func:`clear` and the :class:`correlation` scope."""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType, TracebackType
from typing import Any, ParamSpec, TypeVar

from ._ids import (
    HEX32,
    ID_KEYS,
    REQUEST_ID,
    SPAN_ID,
    TRACE_ID,
    XRAY_ID,
    XRAY_TRACE_ID,
    new_trace_id,
)
from ._sources import fallback_source, settings
from ._vars import ALL_VARS, EMPTY, FIELDS_VAR, GENERATED_VAR, ID_VARS, TRACE_ID_VAR

__all__ = ["bind", "clear", "correlation"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _normalised(updates: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce ids to strings; an X-Ray trace id becomes 32 hex plus ``xray_trace_id``."""
    result: dict[str, Any] = {}
    for key, value in updates.items():
        if key in ID_KEYS and value is not None:
            value = str(value) or None  # an empty id is no id
            if key == TRACE_ID and value is not None:
                xray = XRAY_ID.fullmatch(value)
                if xray is not None:
                    result[XRAY_TRACE_ID] = value.lower()
                    value = (xray.group(1) + xray.group(2)).lower()
                elif HEX32.fullmatch(value.lower()):
                    value = value.lower()
        result[key] = value
    if TRACE_ID in result:
        result.setdefault(XRAY_TRACE_ID, None)  # it described the trace id being replaced
    return result


def _apply(updates: Mapping[str, Any], generate: bool) -> dict[contextvars.ContextVar[Any], Any]:
    """Return the new value of each var that ``updates`` (and generation) change."""
    changes: dict[contextvars.ContextVar[Any], Any] = {}
    fields: dict[str, Any] | None = None
    for key, value in _normalised(updates).items():
        id_var = ID_VARS.get(key)
        if id_var is not None:
            changes[id_var] = value
            continue
        if fields is None:
            fields = dict(FIELDS_VAR.get())
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    if fields is not None:
        changes[FIELDS_VAR] = MappingProxyType(fields) if fields else EMPTY
    if (
        generate
        and GENERATED_VAR.get() is None
        and changes.get(TRACE_ID_VAR, TRACE_ID_VAR.get()) is None
        and fallback_source() is None
    ):
        changes[GENERATED_VAR] = new_trace_id()
    return changes


def bind(**ids_and_fields: Any) -> None:
    """Bind ids (``trace_id``, ``request_id``, ``span_id``) and fields for the rest of the current
    context (thread or asyncio task and what it starts); a value of None unbinds that key."""
    for var, value in _apply(ids_and_fields, generate=False).items():
        var.set(value)


def clear() -> None:
    """Unbind every id and field in the current context."""
    for var in ALL_VARS:
        var.set(EMPTY if var is FIELDS_VAR else None)


class correlation:
    """Bind ids and fields for a block, function or coroutine, restoring the previous ones after.

    Usable as ``with correlation(request_id=...)``, ``async with``, and as a decorator of sync
    and async functions (each call gets its own scope). With ``generate=True`` (or after
    ``configure(auto_generate=True)``) a scope without any trace id source generates one.
    """

    def __init__(
        self,
        trace_id: str | None = None,
        request_id: str | None = None,
        span_id: str | None = None,
        *,
        generate: bool | None = None,
        **fields: Any,
    ) -> None:
        updates: dict[str, Any] = {TRACE_ID: trace_id, REQUEST_ID: request_id, SPAN_ID: span_id}
        self._updates = {key: value for key, value in updates.items() if value is not None}
        self._updates.update(fields)
        self._generate = generate
        self._tokens: list[list[contextvars.Token[Any]]] = []

    def __enter__(self) -> correlation:
        generate = settings["auto_generate"] if self._generate is None else self._generate
        changes = _apply(self._updates, generate)
        # Every var gets a token, so that exit also undoes what was bound inside the scope.
        tokens = [var.set(changes[var] if var in changes else var.get()) for var in ALL_VARS]
        self._tokens.append(tokens)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for token in self._tokens.pop():
            try:
                token.var.reset(token)
            except ValueError:  # exited in another context than it was entered (e.g. another task)
                previous = token.old_value
                if previous is contextvars.Token.MISSING:
                    previous = EMPTY if token.var is FIELDS_VAR else None
                token.var.set(previous)

    async def __aenter__(self) -> correlation:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def _fresh(self) -> correlation:
        scope = correlation(generate=self._generate)
        scope._updates = self._updates
        return scope

    def __call__(self, fn: Callable[_P, _R]) -> Callable[_P, _R]:
        """Decorate ``fn`` so that each call (or each awaited coroutine) runs in this scope."""
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return await fn(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with self._fresh():
                return fn(*args, **kwargs)

        return run
