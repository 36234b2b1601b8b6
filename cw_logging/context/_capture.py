"""The snapshot of the current ids and bound fields that a record carries."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ._ids import ID_KEYS
from ._sources import IN_LAMBDA, active_span_context, fallback_ids, settings, with_span
from ._vars import (
    BOUND_VAR,
    EMPTY,
    FIELDS_VAR,
    GENERATED_VAR,
    ID_VARS,
    REQUEST_ID_VAR,
    SPAN_ID_VAR,
    TRACE_ID_VAR,
    XRAY_TRACE_ID_VAR,
    BoundIds,
    BoundState,
    Packed,
)

__all__ = ["capture", "capture_packed", "current", "unpack"]

# Bound methods, so that capture() does not look up ``.get`` on each var for every record.
_get_trace_id = TRACE_ID_VAR.get
_get_request_id = REQUEST_ID_VAR.get
_get_span_id = SPAN_ID_VAR.get
_get_xray_trace_id = XRAY_TRACE_ID_VAR.get
_get_fields = FIELDS_VAR.get
_get_bound = BOUND_VAR.get
_get_generated = GENERATED_VAR.get


def capture() -> Mapping[str, Any] | None:
    """Return a read-only snapshot of the current ids and bound fields, or None when empty.

    Keys: ``trace_id``, ``request_id``, ``span_id``, ``xray_trace_id`` (each only when known) and
    every bound field. Values set directly on the module's context vars count as bound. Cheap
    enough to call for every record on the application's thread.
    """
    has_trace_id, state = _bound_state()
    if has_trace_id:
        return state[2]
    return _with_fallbacks(state[2])


def capture_packed() -> Packed | None:
    """Return :func:`capture`'s snapshot as a flat ``(key, value, ...)`` tuple, or None.

    Records of one correlation scope share one tuple. A queued record holding it can be
    untracked by the garbage collector (a mapping would keep the record's dict tracked until it
    is delivered); :func:`unpack` gives the mapping back.
    """
    # _bound_state() written out: this runs for every record the handler takes
    ids = (_get_trace_id(), _get_request_id(), _get_span_id(), _get_xray_trace_id())
    fields = _get_fields()
    state = _get_bound()
    if fields is not state[1] or ids != state[0]:
        state = _new_bound_state(ids, fields)
    if ids[0] is not None:
        return state[3]
    bound = state[2]
    snapshot = _with_fallbacks(bound)
    if snapshot is None or snapshot is bound:
        return state[3]
    return _packed_once(snapshot)


def unpack(packed: Packed) -> Mapping[str, Any]:
    """The read-only snapshot that :func:`capture_packed` packed into ``packed``."""
    global _last_unpacked
    last_packed, snapshot = _last_unpacked
    if packed is not last_packed:  # records of one scope come in runs: unpack each run once
        snapshot = MappingProxyType(dict(zip(packed[::2], packed[1::2], strict=True)))
        _last_unpacked = (packed, snapshot)
    return snapshot


def _bound_state() -> tuple[bool, BoundState]:
    """Whether a trace id is bound, and the explicit snapshot of the current var values."""
    ids = (_get_trace_id(), _get_request_id(), _get_span_id(), _get_xray_trace_id())
    fields = _get_fields()
    state = _get_bound()
    # Fields by identity only: comparing their values could run arbitrary __eq__ methods.
    if fields is not state[1] or ids != state[0]:
        state = _new_bound_state(ids, fields)
    return ids[0] is not None, state


def _with_fallbacks(bound: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The snapshot when no trace id is bound: ``bound`` plus the ids of the first source
    that applies (OpenTelemetry span, Lambda, generated), or None when it is all empty."""
    span_context = active_span_context()
    if span_context is not None:
        return with_span(bound, span_context)
    generated = _get_generated()
    if generated is None and not IN_LAMBDA and not settings["auto_generate"]:
        return None if bound is EMPTY else bound  # no fallback source can apply
    fallback = fallback_ids(generated)
    if fallback is None:
        return None if bound is EMPTY else bound
    # An explicitly bound id wins over the same id from a fallback source.
    return MappingProxyType({**fallback, **bound})


def _new_bound_state(ids: BoundIds, fields: Mapping[str, Any]) -> BoundState:
    """Build the explicit snapshot from these var values and cache it in the current context."""
    merged = {key: value for key, value in zip(ID_KEYS, ids, strict=True) if value is not None}
    merged.update((key, value) for key, value in fields.items() if key not in ID_VARS)
    state: BoundState = (
        (ids, fields, MappingProxyType(merged), _pack(merged))
        if merged
        else (ids, fields, EMPTY, None)
    )
    BOUND_VAR.set(state)
    return state


def _pack(snapshot: Mapping[str, Any]) -> Packed:
    return tuple(item for pair in snapshot.items() for item in pair)


def _packed_once(snapshot: Mapping[str, Any]) -> Packed:
    """``snapshot`` packed, once per snapshot object (a span's snapshot is reused while the
    span is current)."""
    global _last_packed
    last_snapshot, packed = _last_packed
    if snapshot is not last_snapshot:
        packed = _pack(snapshot)
        _last_packed = (snapshot, packed)
    return packed


_last_packed: tuple[Mapping[str, Any] | None, Packed] = (None, ())
_last_unpacked: tuple[Packed | None, Mapping[str, Any]] = (None, EMPTY)


def current() -> dict[str, Any]:
    """Return the current ids and bound fields as a new dict (empty when there are none)."""
    return dict(capture() or EMPTY)
