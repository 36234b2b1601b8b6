"""How ``tail`` shows an event: for people (a colour per group, level, origin, chosen JSON
fields or the expanded JSON, search terms highlighted, a marker on sampled events) or as one
JSON object per line."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..query._records import CorrelationKeys, decode_message, lookup_field
from ._output import Style, format_time
from ._read_commands import event_source

__all__ = ["GROUP_COLOURS", "SAMPLED_MARK", "TailView", "TailedEvent", "search_terms"]

GROUP_COLOURS = ("36", "35", "34", "33", "32", "96", "95", "94", "93", "92")
"""ANSI colours given to the groups in turn, so each group's lines can be told apart."""
SAMPLED_MARK = "[sampled]"
"""Shown on events of a Live Tail update the service sampled (over 500 events a second)."""
_HIGHLIGHT = "1;4"  # bold, underlined
_TERM = re.compile(r'\??"([^"]*)"|(\S+)')


class TailedEvent(Protocol):
    """What ``tail`` shows of an event (a polled :class:`LogEvent` or a Live Tail event)."""

    @property
    def timestamp(self) -> datetime: ...

    @property
    def stream(self) -> str | None: ...

    @property
    def message(self) -> str: ...

    @property
    def ingestion_time(self) -> datetime | None: ...


def search_terms(pattern: str | None) -> list[str]:
    """The words and quoted phrases a plain filter pattern searches for (``ERROR "timed
    out"`` gives ``ERROR`` and ``timed out``; ``?A ?B`` gives both; ``-x`` excludes ``x`` and
    gives nothing); none for JSON, space-delimited or regex patterns."""
    text = (pattern or "").strip()
    if not text or text.startswith(("{", "[", "%")):
        return []
    terms: list[str] = []
    for match in _TERM.finditer(text):
        quoted, word = match.group(1), match.group(2)
        term = quoted if quoted is not None else word.lstrip("?")
        if word is not None and word.startswith("-"):
            continue
        if term and term not in terms:
            terms.append(term)
    return terms


def highlight(text: str, terms: Sequence[str], style: Style) -> str:
    """``text`` with every occurrence of ``terms`` (as CloudWatch matches them: case-sensitive)
    emphasised; ``text`` unchanged without colour."""
    if not terms or not style.enabled:
        return text
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = text.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term, start + len(term))
    if not spans:
        return text
    spans.sort()
    pieces, position = [], 0
    for start, end in spans:
        if end <= position:
            continue
        start = max(start, position)
        pieces += [text[position:start], style.paint(text[start:end], _HIGHLIGHT)]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


@dataclass
class TailView:
    """The choices that shape every line: raw, expanded JSON, chosen fields, terms to
    highlight, whether to name the group, and each group's colour."""

    style: Style
    raw: bool = False
    expand: bool = False
    fields: Sequence[str] = ()
    terms: Sequence[str] = ()
    show_group: bool = False
    colours: dict[str, str] = field(default_factory=dict)

    def group_label(self, group: str) -> str:
        """The group's name in its colour (each new group takes the next colour)."""
        colour = self.colours.setdefault(
            group, GROUP_COLOURS[len(self.colours) % len(GROUP_COLOURS)]
        )
        return self.style.paint(group, colour)

    def line(self, group: str, event: TailedEvent, sampled: bool = False) -> str:
        """The event for people: time, [group], stream, then level, origin and message (or
        the chosen fields, or the expanded JSON below)."""
        style = self.style
        head = [style.dim(format_time(event.timestamp))]
        if sampled:
            head.append(style.paint(SAMPLED_MARK, "33"))
        if self.show_group:
            head.append(self.group_label(group))
        head.append(style.dim(event.stream or "-"))
        decoded = decode_message(
            event.message, timestamp=event.timestamp, group=None, stream=None, keys=_KEYS
        )
        prefix = " ".join(head)
        if self.raw or not decoded.fields:
            return f"{prefix} {highlight(event.message.rstrip(), self.terms, style)}"
        if self.fields:
            shown = " ".join(
                f"{name}={_shown(lookup_field(decoded.fields, name))}" for name in self.fields
            )
            return f"{prefix} {highlight(shown, self.terms, style)}"
        origin = event_source(decoded)
        trace = style.dim(f"  traceId={decoded.trace_id}") if decoded.trace_id else ""
        text = highlight(decoded.message, self.terms, style)
        line = f"{prefix} {style.level(decoded.level, 7)} {origin}: {text}{trace}"
        if self.expand:
            body = json.dumps(decoded.fields, indent=2, ensure_ascii=False, default=str)
            line += "\n" + "\n".join(
                "    " + highlight(row, self.terms, style) for row in body.splitlines()
            )
        return line

    def document(
        self, group: str, event: TailedEvent, *, live: bool, sampled: bool = False
    ) -> dict[str, Any]:
        """The ``--json`` shape: ``timestamp``, ``group``, ``stream``, ``message``, then
        ``eventId`` (polled) or ``ingestionTime`` and ``sampled`` (Live Tail), and
        ``fields`` with ``--fields``."""
        document: dict[str, Any] = {
            "timestamp": event.timestamp,
            "group": group,
            "stream": event.stream,
            "message": event.message,
        }
        if live:
            document["ingestionTime"] = event.ingestion_time
            document["sampled"] = sampled
        else:
            document["eventId"] = getattr(event, "event_id", None)
        if self.fields:
            decoded = decode_message(
                event.message, timestamp=event.timestamp, group=None, stream=None, keys=_KEYS
            )
            document["fields"] = {name: lookup_field(decoded.fields, name) for name in self.fields}
        return document


_KEYS = CorrelationKeys()


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
