"""The context vars that carry the ids and bound fields, one per id plus one for the fields."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ._ids import REQUEST_ID, SPAN_ID, TRACE_ID, XRAY_TRACE_ID

__all__ = [
    "ALL_VARS",
    "BOUND_VAR",
    "EMPTY",
    "FIELDS_VAR",
    "GENERATED_VAR",
    "ID_VARS",
    "REQUEST_ID_VAR",
    "SPAN_ID_VAR",
    "TRACE_ID_VAR",
    "XRAY_TRACE_ID_VAR",
    "BoundIds",
    "BoundState",
    "Packed",
]

EMPTY: Mapping[str, Any] = MappingProxyType({})
"""The empty read-only mapping: no fields bound."""

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
    "cw_logging_fields", default=EMPTY
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
GENERATED_VAR: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cw_logging_generated_trace_id", default=None
)
ALL_VARS: tuple[contextvars.ContextVar[Any], ...] = (*ID_VARS.values(), FIELDS_VAR, GENERATED_VAR)


BoundIds = tuple[str | None, str | None, str | None, str | None]
"""The values of TRACE_ID_VAR, REQUEST_ID_VAR, SPAN_ID_VAR and XRAY_TRACE_ID_VAR."""

Packed = tuple[Any, ...]
"""A snapshot as one flat tuple ``(key, value, key, value, ...)``: see ``capture_packed``."""

BoundState = tuple[BoundIds, Mapping[str, Any], Mapping[str, Any], Packed | None]
"""The var values a snapshot was made of, the snapshot, and its packed form (None when empty)."""

# The explicit snapshot of the last var values seen in this context, so that an unchanged
# context costs no copy. Per context, so that interleaved tasks of different requests do not
# evict each other's snapshot (and the formatter, which caches by snapshot identity, keeps hitting
# its own cache).
BOUND_VAR: contextvars.ContextVar[BoundState] = contextvars.ContextVar(
    "cw_logging_bound_snapshot", default=((None,) * 4, EMPTY, EMPTY, None)
)
