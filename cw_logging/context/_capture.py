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
)

__all__ = ["capture", "current"]

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
    ids = (_get_trace_id(), _get_request_id(), _get_span_id(), _get_xray_trace_id())
    fields = _get_fields()
    cached_ids, cached_fields, bound = _get_bound()
    # Fields by identity only: comparing their values could run arbitrary __eq__ methods.
    if fields is not cached_fields or ids != cached_ids:
        bound = _bound_snapshot(ids, fields)
    if ids[0] is not None:
        return bound
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


def _bound_snapshot(ids: BoundIds, fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """Build the explicit snapshot from these var values and cache it in the current context."""
    merged = {key: value for key, value in zip(ID_KEYS, ids, strict=True) if value is not None}
    merged.update((key, value) for key, value in fields.items() if key not in ID_VARS)
    snapshot = MappingProxyType(merged) if merged else EMPTY
    BOUND_VAR.set((ids, fields, snapshot))
    return snapshot


def current() -> dict[str, Any]:
    """Return the current ids and bound fields as a new dict (empty when there are none)."""
    return dict(capture() or EMPTY)
