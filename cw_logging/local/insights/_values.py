"""Values as Logs Insights treats them: numbers, strings, timestamps; comparing, sorting, rendering.

A missing field is ``None``. Comparisons involving a missing value are unknown (``None``), and
a filter keeps only rows whose condition is true, as in SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from typing import Any

_NUMERIC_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_CHUNKS = re.compile(r"\d+|\D+")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class Timestamp(int):
    """A point in time in epoch milliseconds; rendered as ``YYYY-MM-DD HH:MM:SS.mmm`` (UTC)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Timestamp({int(self)})"


def to_number(value: Any) -> int | float | None:
    """The numeric value of ``value`` (numbers, booleans and numeric strings), else None."""
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        return int(value) if _INTEGER_TEXT.fullmatch(value) else float(value)
    return None


def format_timestamp(epoch_ms: int) -> str:
    """``epoch_ms`` as the service writes timestamps: ``2024-05-01 12:00:00.000`` (UTC)."""
    moment = _EPOCH + dt.timedelta(milliseconds=int(epoch_ms))
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def format_value(value: Any) -> str:
    """Render a result value as GetQueryResults shows it (timestamps, whole numbers, booleans,
    maps and lists as JSON)."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, Timestamp):
        return format_timestamp(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def as_text(value: Any) -> str | None:
    """The string form used by string functions and ``like``; None stays None, and maps and
    lists count as missing (as the functions page says)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return None
    return format_value(value)


def values_equal(left: Any, right: Any) -> bool | None:
    """``left = right``: strings exactly, numbers numerically, numeric strings against numbers."""
    if left is None or right is None:
        return None
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return False  # comparing a map or list with anything is false (functions page)
    left_number, right_number = to_number(left), to_number(right)
    if left_number is not None and right_number is not None:
        return left_number == right_number
    return as_text(left) == as_text(right) or _boolean_text_equal(left, right)


def _boolean_text_equal(left: Any, right: Any) -> bool:
    for flag, other in ((left, right), (right, left)):
        if isinstance(flag, bool) and isinstance(other, str):
            return other.lower() == ("true" if flag else "false")
    return False


def ordering(left: Any, right: Any) -> int | None:
    """-1, 0 or 1 comparing ``left`` with ``right``; None when either is missing or they differ
    in kind (a number against text that is not a number)."""
    if left is None or right is None:
        return None
    left_number, right_number = to_number(left), to_number(right)
    if left_number is not None and right_number is not None:
        return (left_number > right_number) - (left_number < right_number)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    return None


def _test(accept: Callable[[int], bool]) -> Callable[[Any, Any], bool | None]:
    def compare(left: Any, right: Any) -> bool | None:
        result = ordering(left, right)
        return None if result is None else accept(result)

    return compare


def _not_equal(left: Any, right: Any) -> bool | None:
    result = values_equal(left, right)
    return None if result is None else not result


COMPARISONS: dict[str, Callable[[Any, Any], bool | None]] = {
    "=": values_equal,
    "!=": _not_equal,
    "<": _test(lambda order: order < 0),
    "<=": _test(lambda order: order <= 0),
    ">": _test(lambda order: order > 0),
    ">=": _test(lambda order: order >= 0),
}


def group_key(value: Any) -> Any:
    """A value usable to group or deduplicate rows: maps and lists (not supported there by the
    service) count as missing."""
    return None if isinstance(value, (dict, list)) else value


def is_number_value(value: Any) -> bool:
    """Whether the sort treats ``value`` as a number (a number, or text made only of a number)."""
    return to_number(value) is not None


def _chunk_key(chunk: str) -> tuple[Any, ...]:
    if chunk[0].isdigit():
        return (ord("0"), 0, len(chunk), int(chunk))
    return (ord(chunk[0]), 1, chunk)


def natural_key(value: Any) -> tuple[Any, ...]:
    """Sort key of the service's natural sort: text first (digit runs by length, then value,
    other runs by code point), then numbers by value."""
    number = to_number(value)
    if number is not None:
        return (1, number, as_text(value) or "")
    text = as_text(value) or ""
    return (0, tuple(_chunk_key(chunk) for chunk in _CHUNKS.findall(text)))


def truthy(value: Any) -> bool | None:
    """The truth of a value used as a condition: booleans, non-zero numbers; missing is unknown."""
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return bool(value)
    if isinstance(value, str):
        return value.lower() == "true" or (to_number(value) or 0) != 0
    return bool(value)
