"""The output key names of :class:`~cw_logging.formatter.JsonFormatter`, per key style."""

from __future__ import annotations

from ..context import REQUEST_ID, SPAN_ID, TRACE_ID, XRAY_TRACE_ID

__all__ = ["FROM_FORMATTER", "ID_NAMES", "INDEXED_KEY_RENAMES", "KEY_STYLES", "PROTECTED"]

# canonical name -> output key, per style
KEY_STYLES: dict[str, dict[str, str]] = {
    "camel": {
        "timestamp": "timestamp",
        "level": "level",
        "logger": "logger",
        "message": "message",
        TRACE_ID: "traceId",
        REQUEST_ID: "requestId",
        SPAN_ID: "spanId",
        XRAY_TRACE_ID: "xrayTraceId",
        "location": "location",
        "error_type": "errorType",
        "error_message": "errorMessage",
        "stack_trace": "stackTrace",
        "stack_info": "stackInfo",
        "format_error": "formatError",
        "truncated": "truncated",
        "original_size": "originalSize",
    },
    "snake": {
        "timestamp": "timestamp",
        "level": "level",
        "logger": "logger",
        "message": "message",
        TRACE_ID: TRACE_ID,
        REQUEST_ID: REQUEST_ID,
        SPAN_ID: SPAN_ID,
        XRAY_TRACE_ID: XRAY_TRACE_ID,
        "location": "location",
        "error_type": "error_type",
        "error_message": "error_message",
        "stack_trace": "stack_trace",
        "stack_info": "stack_info",
        "format_error": "format_error",
        "truncated": "truncated",
        "original_size": "original_size",
    },
}
"""Output key names per ``key_style``; ``rename_fields`` applies on top."""

INDEXED_KEY_RENAMES: dict[str, dict[str, str]] = {
    "camel": {"level": "severityText"},
    "snake": {"level": "severityText", TRACE_ID: "traceId"},
}
"""``indexed_keys=True``: output key -> the name CloudWatch indexes by default, per style."""

ID_NAMES = (TRACE_ID, REQUEST_ID, SPAN_ID, XRAY_TRACE_ID)
PROTECTED = (
    "timestamp",
    "level",
    "logger",
    "message",
    "location",
    "error_type",
    "error_message",
    "stack_trace",
    "stack_info",
    "format_error",
    "truncated",
    "original_size",
)
FROM_FORMATTER = frozenset({"message", "exc_text", *ID_NAMES})
