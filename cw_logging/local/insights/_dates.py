"""Reading and writing dates: ISO 8601 text, Java ``DateTimeFormatter`` patterns (parseDate)
and strftime formats (formatDate)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ._values import to_number

_JAVA_LETTERS = re.compile(r"'[^']*'|([A-Za-z])\1*")
_JAVA_TO_STRPTIME = {
    "yyyy": "%Y",
    "uuuu": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "dd": "%d",
    "HH": "%H",
    "hh": "%I",
    "mm": "%M",
    "ss": "%S",
    "SSS": "%f",
    "SSSSSS": "%f",
    "a": "%p",
    "EEEE": "%A",
    "EEE": "%a",
    "Z": "%z",
    "X": "%z",
    "XX": "%z",
    "XXX": "%z",
    "xxx": "%z",
}


def to_millis(value: Any) -> int | None:
    """Epoch milliseconds of a timestamp, a number, or ISO 8601 text; None otherwise."""
    if isinstance(value, str) and to_number(value) is None:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return int(moment.timestamp() * 1000)
    number = to_number(value)
    return None if number is None else int(number)


def strptime_format(java_pattern: str) -> str | None:
    """The strptime format of a Java DateTimeFormatter pattern, or None when the pattern uses
    letters this translation does not know."""
    parts: list[str] = []
    position = 0
    for match in _JAVA_LETTERS.finditer(java_pattern):
        parts.append(java_pattern[position : match.start()].replace("%", "%%"))
        token = match.group(0)
        if token.startswith("'"):
            parts.append(token[1:-1].replace("%", "%%") or "'")
        else:
            translated = _JAVA_TO_STRPTIME.get(token)
            if translated is None:
                return None
            parts.append(translated)
        position = match.end()
    parts.append(java_pattern[position:].replace("%", "%%"))
    return "".join(parts)


def parse_date(text: str, java_pattern: str, zone: dt.tzinfo) -> int | None:
    """Epoch ms of ``text`` read with ``java_pattern``; ``zone`` applies when the text has no
    offset. None when it does not fit (or the pattern is not understood)."""
    form = strptime_format(java_pattern)
    if form is None:
        return None
    try:
        moment = dt.datetime.strptime(text.strip(), form)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return int(moment.timestamp() * 1000)


def format_date(value: Any, strftime_format: str, zone: dt.tzinfo) -> str | None:
    """``value`` (a timestamp) written with ``strftime_format`` in ``zone``."""
    millis = to_millis(value)
    if millis is None:
        return None
    moment = dt.datetime.fromtimestamp(millis / 1000, tz=dt.timezone.utc).astimezone(zone)
    return moment.strftime(strftime_format)
