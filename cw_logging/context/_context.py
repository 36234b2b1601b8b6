"""Correlation context: trace, request and span ids (plus bound fields) carried in contextvars.

Each id has its own public ``ContextVar`` (:data:`TRACE_ID_VAR`, :data:`REQUEST_ID_VAR`,
:data:`SPAN_ID_VAR`, :data:`XRAY_TRACE_ID_VAR`) and the other bound fields share one
(:data:`FIELDS_VAR`), so every asyncio task and thread sees its own ids, and middleware or other
libraries can read and set them directly. Ids are resolved in this order: explicitly bound (by
:func:`bind`, :func:`correlation` or a direct ``set``), the active OpenTelemetry span (when
``opentelemetry-api`` is in use), ``_X_AMZN_TRACE_ID`` (AWS Lambda), and finally a generated id
when auto-generation is configured.
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
    "FIELDS_VAR",
    "ID_VARS",
    "RECORD_ATTRIBUTE",
    "REQUEST_ID",
    "REQUEST_ID_VAR",
    "SPAN_ID",
    "SPAN_ID_VAR",
    "TRACE_ID",
    "TRACE_ID_VAR",
    "XRAY_TRACE_ID",
    "XRAY_TRACE_ID_VAR",
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


TRACE_ID_VAR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cw_logging_trace_id", default=None
)
"""The explicitly bound trace id, or None. Written as is: set the canonical 32 lowercase hex
(``bind``/``correlation`` convert other forms), and unset or None :data:`XRAY_TRACE_ID_VAR` when
replacing a trace id that came with an X-Ray form."""
REQUEST_ID_VAR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cw_logging_request_id", default=None
)
"""The bound request id, or None."""
SPAN_ID_VAR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cw_logging_span_id", default=None
)
"""The explicitly bound span id, or None (16 lowercase hex by convention)."""
XRAY_TRACE_ID_VAR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cw_logging_xray_trace_id", default=None
)
"""The original X-Ray form (``1-xxxxxxxx-<24 hex>``) of the bound trace id, or None."""
FIELDS_VAR: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "cw_logging_fields", default=_EMPTY
)
"""The bound fields other than ids, as a mapping that is never mutated: to change it, set a new
one (e.g. ``MappingProxyType({**FIELDS_VAR.get(), "user": "u-7"})``). Keys named like an id are
ignored; ids come only from their own vars."""

ID_VARS: Mapping[str, contextvars.ContextVar[str | None]] = MappingProxyType(
    {
        TRACE_ID: TRACE_ID_VAR,
        REQUEST_ID: REQUEST_ID_VAR,
        SPAN_ID: SPAN_ID_VAR,
        XRAY_TRACE_ID: XRAY_TRACE_ID_VAR,
    }
)
"""The id var of each snapshot key in :data:`ID_KEYS`."""

# A scope's generated trace id is the lowest-priority source (an OpenTelemetry span started inside
# the scope wins over it), so it cannot live in TRACE_ID_VAR.
_GENERATED_VAR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cw_logging_generated_trace_id", default=None
)
_ALL_VARS: tuple[contextvars.ContextVar[Any], ...] = (*ID_VARS.values(), FIELDS_VAR, _GENERATED_VAR)


_BoundIds = tuple[str | None, str | None, str | None, str | None]
"""The values of TRACE_ID_VAR, REQUEST_ID_VAR, SPAN_ID_VAR and XRAY_TRACE_ID_VAR."""
# Bound methods, so that capture() does not look up ``.get`` on each var for every record.
_get_trace_id = TRACE_ID_VAR.get
_get_request_id = REQUEST_ID_VAR.get
_get_span_id = SPAN_ID_VAR.get
_get_xray_trace_id = XRAY_TRACE_ID_VAR.get
_get_fields = FIELDS_VAR.get

# The explicit snapshot of the last var values seen in this context, so that an unchanged
# context costs no copy. Per context, so that interleaved tasks of different requests do not
# evict each other's snapshot (and the formatter, which caches by snapshot identity, keeps hitting
# its own cache).
_BOUND: contextvars.ContextVar[tuple[_BoundIds, Mapping[str, Any], Mapping[str, Any]]] = (
    contextvars.ContextVar("cw_logging_bound_snapshot", default=((None,) * 4, _EMPTY, _EMPTY))
)


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
    every bound field. Values set directly on the module's context vars count as bound. Cheap
    enough to call for every record on the application's thread.
    """
    ids = (_get_trace_id(), _get_request_id(), _get_span_id(), _get_xray_trace_id())
    fields = _get_fields()
    cached_ids, cached_fields, bound = _BOUND.get()
    # Fields by identity only: comparing their values could run arbitrary __eq__ methods.
    if fields is not cached_fields or ids != cached_ids:
        bound = _bound_snapshot(ids, fields)
    if ids[0] is not None:
        return bound
    span_context = _active_span_context()
    if span_context is not None:
        return _with_span(bound, span_context)
    generated = _GENERATED_VAR.get()
    if generated is None and not _IN_LAMBDA and not _settings["auto_generate"]:
        return None if bound is _EMPTY else bound  # no fallback source can apply
    fallback = _fallback_ids(generated)
    if fallback is None:
        return None if bound is _EMPTY else bound
    # An explicitly bound id wins over the same id from a fallback source.
    return MappingProxyType({**fallback, **bound})


def _bound_snapshot(ids: _BoundIds, fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """Build the explicit snapshot from these var values and cache it in the current context."""
    merged = {key: value for key, value in zip(ID_KEYS, ids, strict=True) if value is not None}
    merged.update((key, value) for key, value in fields.items() if key not in ID_VARS)
    snapshot = MappingProxyType(merged) if merged else _EMPTY
    _BOUND.set((ids, fields, snapshot))
    return snapshot


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
        changes[FIELDS_VAR] = MappingProxyType(fields) if fields else _EMPTY
    if (
        generate
        and _GENERATED_VAR.get() is None
        and changes.get(TRACE_ID_VAR, TRACE_ID_VAR.get()) is None
        and _fallback_source() is None
    ):
        changes[_GENERATED_VAR] = new_trace_id()
    return changes


def _fallback_source() -> object:
    return _active_span_context() or _lambda_ids()


def bind(**ids_and_fields: Any) -> None:
    """Bind ids (``trace_id``, ``request_id``, ``span_id``) and fields for the rest of the current
    context (thread or asyncio task and what it starts); a value of None unbinds that key."""
    for var, value in _apply(ids_and_fields, generate=False).items():
        var.set(value)


def clear() -> None:
    """Unbind every id and field in the current context."""
    for var in _ALL_VARS:
        var.set(_EMPTY if var is FIELDS_VAR else None)


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
        generate = _settings["auto_generate"] if self._generate is None else self._generate
        changes = _apply(self._updates, generate)
        # Every var gets a token, so that exit also undoes what was bound inside the scope.
        tokens = [var.set(changes[var] if var in changes else var.get()) for var in _ALL_VARS]
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
                    previous = _EMPTY if token.var is FIELDS_VAR else None
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
