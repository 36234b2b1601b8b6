"""The ids themselves: their snapshot keys, generation, and parsing from tracing headers."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import NamedTuple

__all__ = [
    "ID_KEYS",
    "MAX_HEADER_LENGTH",
    "RECORD_ATTRIBUTE",
    "REQUEST_ID",
    "SPAN_ID",
    "TRACE_ID",
    "XRAY_TRACE_ID",
    "TraceHeader",
    "ids_from_headers",
    "new_span_id",
    "new_trace_id",
    "parse_amzn_trace_id",
    "parse_request_id",
    "parse_traceparent",
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

HEX32 = re.compile(r"[0-9a-f]{32}")
HEX16 = re.compile(r"[0-9a-f]{16}")
XRAY_ID = re.compile(r"1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})")
TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,200}")


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
    match = TRACEPARENT.fullmatch(value.strip())
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
    match = XRAY_ID.fullmatch(root)
    if match is None:
        return None
    trace_id = (match.group(1) + match.group(2)).lower()
    if trace_id == "0" * 32:
        return None
    parent = pairs.get("parent", "").lower()
    span_id = parent if HEX16.fullmatch(parent) and parent != "0" * 16 else None
    sampled = {"1": True, "0": False}.get(pairs.get("sampled", ""))
    return TraceHeader(trace_id, span_id, sampled, root.lower())


def parse_request_id(value: str | None) -> str | None:
    """Validate an ``X-Request-Id`` value: 1-200 of ``[A-Za-z0-9._:-]``; None when it is not."""
    if not value:
        return None
    value = value.strip()
    return value if REQUEST_ID_PATTERN.fullmatch(value) else None


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
