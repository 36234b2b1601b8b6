"""Correlation context: trace, request and span ids (plus bound fields) carried in contextvars.

All bound state lives in one ``ContextVar`` holding an immutable mapping, so every asyncio task
and thread sees its own ids and :func:`capture` (run on the caller thread for every record) is a
single lookup in the common cases. Ids are resolved in this order: explicitly bound, the active
OpenTelemetry span (when ``opentelemetry-api`` is in use), ``_X_AMZN_TRACE_ID`` (AWS Lambda), and
finally a generated id when auto-generation is configured.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import random
import re
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from types import MappingProxyType, ModuleType, TracebackType
from typing import Any, NamedTuple, ParamSpec, TypeVar

__all__ = [
    "RECORD_ATTRIBUTE",
    "REQUEST_ID",
    "SPAN_ID",
    "TRACE_ID",
    "XRAY_TRACE_ID",
    "ContextThreadPoolExecutor",
    "CorrelationFilter",
    "TraceHeader",
    "bind",
    "capture",
    "clear",
    "configure",
    "correlation",
    "current",
    "ids_from_headers",
    "new_span_id",
    "new_trace_id",
    "parse_amzn_trace_id",
    "parse_request_id",
    "parse_traceparent",
    "wrap",
]

RECORD_ATTRIBUTE = "_cw_context"
"""LogRecord attribute holding the caller's correlation snapshot (a mapping or None).

The leading underscore keeps it out of every JSON formatter's extra fields."""

TRACE_ID = "trace_id"
"""Snapshot key of the trace id (32 lowercase hex when it comes from a known source)."""
REQUEST_ID = "request_id"
"""Snapshot key of the request id."""
SPAN_ID = "span_id"
"""Snapshot key of the span id (16 lowercase hex when it comes from a known source)."""
XRAY_TRACE_ID = "xray_trace_id"
"""Snapshot key of the original AWS X-Ray trace id (``1-xxxxxxxx-<24 hex>``)."""

ID_KEYS = (TRACE_ID, REQUEST_ID, SPAN_ID, XRAY_TRACE_ID)
"""The snapshot keys that are ids rather than user-bound fields."""

MAX_HEADER_LENGTH = 1024
"""Header values longer than this are rejected without being parsed."""

_P = ParamSpec("_P")
_R = TypeVar("_R")

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class _State(NamedTuple):
    bound: Mapping[str, Any]  # explicitly bound ids and fields
    generated_trace_id: str | None  # lowest-priority fallback from auto-generation


_NO_STATE = _State(_EMPTY, None)
_STATE: contextvars.ContextVar[_State] = contextvars.ContextVar("cw_logging_correlation")

_settings = {"auto_generate": False}

_OTEL_MODULE = "opentelemetry.trace"
_otel_trace: ModuleType | None = None

_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX16 = re.compile(r"[0-9a-f]{16}")
_XRAY_ID = re.compile(r"1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")


# --------------------------------------------------------------------------- id generation


def new_trace_id() -> str:
    """Return a new random W3C trace id: 32 lowercase hex characters, never all zeros."""
    return f"{random.getrandbits(128) or 1:032x}"


def new_span_id() -> str:
    """Return a new random W3C span id: 16 lowercase hex characters, never all zeros."""
    return f"{random.getrandbits(64) or 1:016x}"


# --------------------------------------------------------------------------- header parsers


class TraceHeader(NamedTuple):
    """Ids parsed from a tracing header; ``xray_trace_id`` only for X-Ray headers."""

    trace_id: str
    span_id: str | None
    sampled: bool | None
    xray_trace_id: str | None = None


def parse_traceparent(value: str | None) -> TraceHeader | None:
    """Parse a W3C ``traceparent`` header; None when it is absent, malformed or oversized."""
    if not value or len(value) > MAX_HEADER_LENGTH:
        return None
    match = _TRACEPARENT.fullmatch(value.strip())
    if match is None:
        return None
    version, trace_id, span_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest is not None):
        return None
    if trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return TraceHeader(trace_id, span_id, bool(int(flags, 16) & 1))


def parse_amzn_trace_id(value: str | None) -> TraceHeader | None:
    """Parse an ``X-Amzn-Trace-Id`` header or ``_X_AMZN_TRACE_ID`` value (``Root=…;Parent=…``).

    The X-Ray root ``1-xxxxxxxx-<24 hex>`` becomes a 32-hex ``trace_id``; the original is kept as
    ``xray_trace_id``. Returns None when the value is absent, malformed or oversized.
    """
    if not value or len(value) > MAX_HEADER_LENGTH:
        return None
    pairs: dict[str, str] = {}
    for part in value.split(";"):
        key, sep, item = part.strip().partition("=")
        if not sep or not key:
            if part.strip():
                return None
            continue
        pairs[key.strip().lower()] = item.strip()
    root = pairs.get("root")
    if root is None:
        return None
    match = _XRAY_ID.fullmatch(root)
    if match is None:
        return None
    trace_id = (match.group(1) + match.group(2)).lower()
    if trace_id == "0" * 32:
        return None
    parent = pairs.get("parent", "").lower()
    span_id = parent if _HEX16.fullmatch(parent) and parent != "0" * 16 else None
    sampled = {"1": True, "0": False}.get(pairs.get("sampled", ""))
    return TraceHeader(trace_id, span_id, sampled, root.lower())


def parse_request_id(value: str | None) -> str | None:
    """Validate an ``X-Request-Id`` value: 1-200 of ``[A-Za-z0-9._:-]``; None when it is not."""
    if not value:
        return None
    value = value.strip()
    return value if _REQUEST_ID.fullmatch(value) else None


def ids_from_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return ``correlation()`` keyword arguments from incoming HTTP headers (case-insensitive).

    ``traceparent`` wins over ``X-Amzn-Trace-Id``; malformed values are ignored.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    ids: dict[str, str] = {}
    parsed = parse_traceparent(lowered.get("traceparent")) or parse_amzn_trace_id(
        lowered.get("x-amzn-trace-id")
    )
    if parsed is not None:
        ids[TRACE_ID] = parsed.trace_id
        if parsed.xray_trace_id:
            ids[XRAY_TRACE_ID] = parsed.xray_trace_id
    request_id = parse_request_id(lowered.get("x-request-id"))
    if request_id is not None:
        ids[REQUEST_ID] = request_id
    return ids


# --------------------------------------------------------------------------- sources


def configure(*, auto_generate: bool) -> None:
    """Set process-wide correlation options.

    ``auto_generate``: every ``correlation()`` scope that gets no trace id from its arguments,
    an outer scope, OpenTelemetry or Lambda generates one shared by its records; records logged
    outside any scope get a fresh trace id each.
    """
    _settings["auto_generate"] = bool(auto_generate)


def _active_span_context() -> Any:
    """The current OpenTelemetry SpanContext when it is valid, else None."""
    global _otel_trace
    if _otel_trace is None:
        # No span can be active unless the application imported the tracing API.
        _otel_trace = sys.modules.get(_OTEL_MODULE)
        if _otel_trace is None:
            return None
    span_context = _otel_trace.get_current_span().get_span_context()
    return span_context if span_context.is_valid else None


# (bound state, span context, snapshot) of the last span-derived snapshot: records logged in
# one span with one bound state reuse it instead of formatting ids and copying each time.
_span_snapshot: tuple[object, object, Mapping[str, Any]] = (None, None, _EMPTY)


def _with_span(bound: Mapping[str, Any], span_context: Any) -> Mapping[str, Any]:
    global _span_snapshot
    cached_bound, cached_context, snapshot = _span_snapshot
    if cached_context is span_context and cached_bound is bound:
        return snapshot
    ids = {TRACE_ID: f"{span_context.trace_id:032x}", SPAN_ID: f"{span_context.span_id:016x}"}
    # An explicitly bound id wins over the same id from the span.
    snapshot = MappingProxyType({**ids, **bound})
    _span_snapshot = (bound, span_context, snapshot)
    return snapshot


_lambda_cache: tuple[str | None, TraceHeader | None] = (None, None)
# Read once: os.environ.get of a missing key costs a raised KeyError on every record.
_IN_LAMBDA = "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def _lambda_ids() -> TraceHeader | None:
    global _lambda_cache
    if not _IN_LAMBDA:
        return None
    raw = os.environ.get("_X_AMZN_TRACE_ID")
    if raw is None:
        return None
    cached_raw, cached = _lambda_cache
    if raw != cached_raw:
        cached = parse_amzn_trace_id(raw)
        _lambda_cache = (raw, cached)
    return cached


def _fallback_ids(generated: str | None) -> dict[str, str] | None:
    aws = _lambda_ids()
    if aws is not None:
        ids = {TRACE_ID: aws.trace_id, XRAY_TRACE_ID: aws.xray_trace_id or ""}
        if aws.span_id:
            ids[SPAN_ID] = aws.span_id
        return ids
    if generated is not None:
        return {TRACE_ID: generated}
    if _settings["auto_generate"]:
        return {TRACE_ID: new_trace_id()}
    return None


def capture() -> Mapping[str, Any] | None:
    """Return a read-only snapshot of the current ids and bound fields, or None when empty.

    Keys: ``trace_id``, ``request_id``, ``span_id``, ``xray_trace_id`` (each only when known) and
    every bound field. Cheap enough to call for every record on the application's thread.
    """
    state = _STATE.get(_NO_STATE)
    bound = state.bound
    if TRACE_ID in bound:
        return bound
    span_context = _active_span_context()
    if span_context is not None:
        return _with_span(bound, span_context)
    fallback = _fallback_ids(state.generated_trace_id)
    if fallback is None:
        return bound or None
    # An explicitly bound id wins over the same id from a fallback source.
    return MappingProxyType({**fallback, **bound})


def current() -> dict[str, Any]:
    """Return the current ids and bound fields as a new dict (empty when there are none)."""
    return dict(capture() or _EMPTY)


# --------------------------------------------------------------------------- binding


def _normalised(updates: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce ids to strings; an X-Ray trace id becomes 32 hex plus ``xray_trace_id``."""
    result: dict[str, Any] = {}
    for key, value in updates.items():
        if key in ID_KEYS and value is not None:
            value = str(value) or None  # an empty id is no id
            if key == TRACE_ID and value is not None:
                xray = _XRAY_ID.fullmatch(value)
                if xray is not None:
                    result[XRAY_TRACE_ID] = value.lower()
                    value = (xray.group(1) + xray.group(2)).lower()
                elif _HEX32.fullmatch(value.lower()):
                    value = value.lower()
        result[key] = value
    return result


def _merged(state: _State, updates: Mapping[str, Any], generate: bool) -> _State:
    bound = dict(state.bound)
    normalised = _normalised(updates)
    if TRACE_ID in normalised and XRAY_TRACE_ID not in normalised:
        bound.pop(XRAY_TRACE_ID, None)  # it described the trace id being replaced
    for key, value in normalised.items():
        if value is None:
            bound.pop(key, None)
        else:
            bound[key] = value
    generated = state.generated_trace_id
    if generate and generated is None and TRACE_ID not in bound and _fallback_source() is None:
        generated = new_trace_id()
    return _State(MappingProxyType(bound), generated)


def _fallback_source() -> object:
    return _active_span_context() or _lambda_ids()


def bind(**ids_and_fields: Any) -> None:
    """Bind ids (``trace_id``, ``request_id``, ``span_id``) and fields for the rest of the current
    context (thread or asyncio task and what it starts); a value of None unbinds that key."""
    _STATE.set(_merged(_STATE.get(_NO_STATE), ids_and_fields, generate=False))


def clear() -> None:
    """Unbind every id and field in the current context."""
    _STATE.set(_NO_STATE)


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
        self._tokens: list[tuple[contextvars.Token[_State], _State]] = []

    def __enter__(self) -> correlation:
        generate = _settings["auto_generate"] if self._generate is None else self._generate
        previous = _STATE.get(_NO_STATE)
        token = _STATE.set(_merged(previous, self._updates, generate))
        self._tokens.append((token, previous))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        token, previous = self._tokens.pop()
        try:
            _STATE.reset(token)
        except ValueError:  # exited in another context than it was entered (e.g. another task)
            _STATE.set(previous)

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
        if asyncio.iscoroutinefunction(fn):

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


# --------------------------------------------------------------------------- threads


def wrap(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Return ``fn`` bound to the caller's current context, for running in another thread.

    Each call runs in its own copy of that context, so concurrent calls do not interfere.
    """
    context = contextvars.copy_context()

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return context.copy().run(fn, *args, **kwargs)

    return run


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` whose tasks run with the submitter's correlation context."""

    def submit(self, fn: Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_R]:
        """Schedule ``fn(*args, **kwargs)`` in a copy of the caller's context."""
        context = contextvars.copy_context()
        return super().submit(functools.partial(context.run, fn, *args, **kwargs))


# --------------------------------------------------------------------------- logging filter


class CorrelationFilter(logging.Filter):
    """Attach the caller's correlation snapshot to records, for handlers other than ours.

    Sets ``RECORD_ATTRIBUTE`` (unless already set), which ``cw_logging.JsonFormatter`` reads.
    With ``attributes=True`` it also sets ``trace_id``, ``request_id`` and ``span_id`` ("" when
    unknown) so that text formats can use ``%(trace_id)s``. It never drops a record.
    """

    def __init__(self, name: str = "", *, attributes: bool = False) -> None:
        super().__init__(name)
        self.attributes = attributes

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the snapshot (and optionally the id attributes) to ``record``; always True."""
        snapshot = getattr(record, RECORD_ATTRIBUTE, None)
        if snapshot is None:
            snapshot = capture()
            setattr(record, RECORD_ATTRIBUTE, snapshot)
        if self.attributes:
            ids = snapshot or _EMPTY
            for key in (TRACE_ID, REQUEST_ID, SPAN_ID):
                if key not in record.__dict__:
                    setattr(record, key, ids.get(key, ""))
        return True
