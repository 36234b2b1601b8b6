"""Where ids come from when none is bound: OpenTelemetry, AWS Lambda, or generation."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from types import MappingProxyType, ModuleType
from typing import Any

from ._ids import SPAN_ID, TRACE_ID, XRAY_TRACE_ID, TraceHeader, new_trace_id, parse_amzn_trace_id
from ._vars import EMPTY

__all__ = [
    "IN_LAMBDA",
    "active_span_context",
    "configure",
    "fallback_ids",
    "fallback_source",
    "settings",
    "with_span",
]

settings = {"auto_generate": False}
"""Process-wide options set by :func:`configure`."""

_OTEL_MODULE = "opentelemetry.trace"
_otel_trace: ModuleType | None = None


def configure(*, auto_generate: bool) -> None:
    """Set process-wide correlation options.

    ``auto_generate``: every ``correlation()`` scope that gets no trace id from its arguments,
    an outer scope, OpenTelemetry or Lambda generates one shared by its records; records logged
    outside any scope get a fresh trace id each.
    """
    settings["auto_generate"] = bool(auto_generate)


def active_span_context() -> Any:
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
_span_snapshot: tuple[object, object, Mapping[str, Any]] = (None, None, EMPTY)


def with_span(bound: Mapping[str, Any], span_context: Any) -> Mapping[str, Any]:
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
IN_LAMBDA = "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def _lambda_ids() -> TraceHeader | None:
    global _lambda_cache
    if not IN_LAMBDA:
        return None
    raw = os.environ.get("_X_AMZN_TRACE_ID")
    if raw is None:
        return None
    cached_raw, cached = _lambda_cache
    if raw != cached_raw:
        cached = parse_amzn_trace_id(raw)
        _lambda_cache = (raw, cached)
    return cached


def fallback_ids(generated: str | None) -> dict[str, str] | None:
    aws = _lambda_ids()
    if aws is not None:
        ids = {TRACE_ID: aws.trace_id, XRAY_TRACE_ID: aws.xray_trace_id or ""}
        if aws.span_id:
            ids[SPAN_ID] = aws.span_id
        return ids
    if generated is not None:
        return {TRACE_ID: generated}
    if settings["auto_generate"]:
        return {TRACE_ID: new_trace_id()}
    return None


def fallback_source() -> object:
    """The OpenTelemetry span context or the Lambda trace header in force, if any."""
    return active_span_context() or _lambda_ids()
