"""Decoding one log message into a :class:`CorrelatedEvent`: JSON fields, or ids found by regex."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import ConfigurationError

__all__ = [
    "ID_NAMES",
    "CorrelatedEvent",
    "CorrelationKeys",
    "decode_message",
    "extract_ids",
    "normalize_trace_id",
]

ID_NAMES = ("trace_id", "request_id", "span_id", "xray_trace_id")
"""The keys of :attr:`CorrelatedEvent.ids`, whatever the key style of the logs."""

_LEVEL_KEYS = ("severityText", "level", "levelname", "severity", "log.level", "lvl")
_MESSAGE_KEYS = ("message", "msg")
_LEVEL_WORD = re.compile(r"\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b")
_ID_VALUE = r"[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9._:-]+)"
_TRACEPARENT = re.compile(r"\b[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}\b")
_XRAY_ROOT = re.compile(r"Root=(1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24})")
_XRAY_ID = re.compile(r"1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})")
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class CorrelationKeys:
    """The JSON keys the formatter writes the ids under (``traceId`` … by default).

    ``CorrelationKeys.for_style("snake")`` gives ``trace_id``, ``request_id``, ``span_id``,
    ``xray_trace_id``; ``"either"`` the camel keys with the snake ones in ``also``: ids are read
    (and lookups search) under both spellings.
    """

    trace: str = "traceId"
    request: str = "requestId"
    span: str = "spanId"
    xray_trace: str = "xrayTraceId"
    also: CorrelationKeys | None = None

    @classmethod
    def for_style(cls, style: str | CorrelationKeys) -> CorrelationKeys:
        """Return the keys for ``"camel"``, ``"snake"`` or ``"either"`` (a CorrelationKeys
        passes through)."""
        if isinstance(style, CorrelationKeys):
            return style
        if style == "camel":
            return cls()
        if style == "snake":
            return cls("trace_id", "request_id", "span_id", "xray_trace_id")
        if style == "either":
            return cls(also=cls.for_style("snake"))
        raise ConfigurationError(
            f"unknown key style {style!r}: use 'camel', 'snake', 'either' or a "
            "CorrelationKeys(...)",
            code="InvalidKeyStyle",
        )

    def spellings(self, key: str) -> tuple[str, ...]:
        """``key`` and, when it is one of these keys and ``also`` is set, its other spelling."""
        if self.also is None:
            return (key,)
        other = dict(zip(self.by_id_name().values(), self.also.by_id_name().values(), strict=True))
        return (key, other[key]) if key in other and other[key] != key else (key,)

    def by_id_name(self) -> dict[str, str]:
        """Return ``{id name: JSON key}`` for the names in :data:`ID_NAMES`."""
        return dict(
            zip(ID_NAMES, (self.trace, self.request, self.span, self.xray_trace), strict=True)
        )


@dataclass(frozen=True)
class CorrelatedEvent:
    """One log event on a request's timeline.

    ``message`` is the JSON ``message`` when the event is JSON, else the raw text (kept in
    ``raw``). ``ids`` maps names from :data:`ID_NAMES` to the ids found; ``fields`` holds the
    whole JSON object (empty for plain text).
    """

    timestamp: datetime
    group: str | None
    stream: str | None
    level: str | None
    message: str
    ids: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict, repr=False)
    raw: str = field(default="", repr=False)

    @property
    def trace_id(self) -> str | None:
        """The event's trace id, if it carries one."""
        return self.ids.get("trace_id")

    @property
    def request_id(self) -> str | None:
        """The event's request id, if it carries one."""
        return self.ids.get("request_id")

    @property
    def span_id(self) -> str | None:
        """The event's span id, if it carries one."""
        return self.ids.get("span_id")

    def identity(self) -> tuple[str, str, datetime, str]:
        """What makes two results the same event (for de-duplication across queries)."""
        return (self.group or "", self.stream or "", self.timestamp, self.raw)


def decode_message(
    raw: str,
    *,
    timestamp: datetime,
    group: str | None,
    stream: str | None,
    keys: CorrelationKeys,
) -> CorrelatedEvent:
    """Return the :class:`CorrelatedEvent` for one raw log message."""
    document = _json_object(raw)
    if document is None:
        return CorrelatedEvent(
            timestamp, group, stream, _level_in_text(raw), raw, extract_ids(raw, keys), {}, raw
        )
    ids: dict[str, str] = {}
    alternates = keys.also.by_id_name() if keys.also is not None else {}
    for name, key in keys.by_id_name().items():
        value = _lookup(document, key)
        if value is None and name in alternates:
            value = _lookup(document, alternates[name])
        if value is not None and not isinstance(value, (dict, list)):
            ids[name] = str(value)
    level = next((str(v).upper() for k in _LEVEL_KEYS if (v := _lookup(document, k))), None)
    text = next((v for k in _MESSAGE_KEYS if isinstance(v := document.get(k), str)), raw)
    return CorrelatedEvent(timestamp, group, stream, level, text, ids, document, raw)


def extract_ids(text: str, keys: CorrelationKeys) -> dict[str, str]:
    """Return the ids written in plain ``text`` (``traceId=…``, ``RequestId: …``, headers)."""
    ids: dict[str, str] = {}
    xray = _XRAY_ROOT.search(text)
    if xray is not None:
        ids["trace_id"] = normalize_trace_id(xray.group(1))
        ids["xray_trace_id"] = xray.group(1).lower()
    traceparent = _TRACEPARENT.search(text)
    if traceparent is not None:
        ids.setdefault("trace_id", traceparent.group(1))
        ids.setdefault("span_id", traceparent.group(2))
    for name, pattern in _id_patterns(keys).items():
        if name not in ids and (match := pattern.search(text)) is not None:
            ids[name] = match.group(1)
    return ids


def normalize_trace_id(trace_id: str) -> str:
    """Return the W3C form of ``trace_id``: X-Ray ids and upper-case hex become 32 lower hex.

    ``1-5759e988-bd862e3fe1be46a994272793`` becomes ``5759e988bd862e3fe1be46a994272793`` (the
    same conversion the write path applies); any other id is returned unchanged.
    """
    xray = _XRAY_ID.fullmatch(trace_id)
    if xray is not None:
        return (xray.group(1) + xray.group(2)).lower()
    if _HEX32.fullmatch(trace_id):
        return trace_id.lower()
    return trace_id


@functools.lru_cache(maxsize=32)
def _id_patterns(keys: CorrelationKeys) -> dict[str, re.Pattern[str]]:
    words = {"trace_id": "trace", "request_id": "request", "span_id": "span"}
    configured = keys.by_id_name()
    return {
        name: re.compile(
            rf"(?i)(?<![A-Za-z0-9_-])[\"']?(?:{word}[_-]?id|{re.escape(configured[name])})"
            + _ID_VALUE
        )
        for name, word in words.items()
    }


def _json_object(raw: str) -> dict[str, Any] | None:
    text = raw.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _lookup(document: Mapping[str, Any], key: str) -> Any:
    """Return ``document[key]``, or the value at the dotted path ``key`` in nested objects."""
    if key in document:
        return document[key]
    value: Any = document
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _level_in_text(text: str) -> str | None:
    match = _LEVEL_WORD.search(text)
    return match.group(1) if match else None
