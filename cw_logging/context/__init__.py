"""Correlation ids (trace, request, span) and bound fields carried in ``contextvars``.

Ids are resolved in this order: explicitly bound (:func:`bind`, :func:`correlation` or a direct
``set`` of a context var), the active OpenTelemetry span, ``_X_AMZN_TRACE_ID`` (AWS Lambda), and a
generated id when auto-generation is configured. See ``docs/correlation.md``.
"""

from __future__ import annotations

from ._capture import capture, current
from ._filter import CorrelationFilter
from ._ids import (
    ID_KEYS,
    RECORD_ATTRIBUTE,
    REQUEST_ID,
    SPAN_ID,
    TRACE_ID,
    XRAY_TRACE_ID,
    TraceHeader,
    ids_from_headers,
    new_span_id,
    new_trace_id,
    parse_amzn_trace_id,
    parse_request_id,
    parse_traceparent,
)
from ._scope import bind, clear, correlation
from ._sources import configure
from ._threads import ContextThreadPoolExecutor, wrap
from ._vars import (
    FIELDS_VAR,
    ID_VARS,
    REQUEST_ID_VAR,
    SPAN_ID_VAR,
    TRACE_ID_VAR,
    XRAY_TRACE_ID_VAR,
)

__all__ = [
    "FIELDS_VAR",
    "ID_KEYS",
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
