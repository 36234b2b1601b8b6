"""What the caller's thread keeps of a record: its attributes as of the call, in one dict.

The message is rendered with its %-arguments, an exception becomes text, mutable ``extra=``
values become their JSON text (so later changes to them do not change the record), and the
correlation ids of the context are attached. The dict is the only object the queue holds per
record, and its cost is what it occupies in memory.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .._records import (
    EXCEPTION_ATTRIBUTE,
    FORMAT_ERROR_ATTRIBUTE,
    RECORD_CLASS_KEY,
    exception_summary,
    render_message,
    standard_attributes,
)
from ..context import RECORD_ATTRIBUTE, capture
from ..formatter import JsonFormatter
from ..formatter._values import SCALARS

__all__ = ["Freeze", "take_snapshot"]

Freeze = Callable[[Any], Any]
"""Turns a value into what the record keeps of it now (see ``JsonFormatter.freeze_value``)."""

_STANDARD = standard_attributes()
_BASE_LENGTH = len(logging.LogRecord("", 0, "", 0, "", None, None).__dict__)
_LogRecord = logging.LogRecord
_getsizeof = sys.getsizeof
_STR_HEADER = _getsizeof("")
_DICT_MESSAGE_KEYS = 32  # a dict message counts like this many text fields besides its values


def take_snapshot(
    record: logging.LogRecord, formatter: logging.Formatter
) -> tuple[dict[str, Any], int]:
    """Return the record's attributes as of now and what they cost in memory (bytes)."""
    values = record.__dict__.copy()  # a shallow copy: other handlers see the record as is
    msg = record.msg
    cost = 0
    if record.args:
        try:
            msg = msg % record.args if msg.__class__ is str else record.getMessage()
        except Exception:
            msg, failure = render_message(record)
            values[FORMAT_ERROR_ATTRIBUTE] = failure
            cost += len(failure or "")
        values["msg"] = msg
        values["args"] = None
    elif msg.__class__ is not str:
        if isinstance(msg, Mapping):
            msg = values["msg"] = _freeze_mapping(msg, formatter)
            cost += _DICT_MESSAGE_KEYS * _STR_HEADER + sum(map(len, map(str, msg.values())))
        else:
            msg, failure = render_message(record)
            values["msg"] = msg
            if failure:
                values[FORMAT_ERROR_ATTRIBUTE] = failure
    if msg.__class__ is str:
        cost += _STR_HEADER + len(msg)
    if record.exc_info:
        cost += _capture_exception(record, values, formatter)
    if record.stack_info:
        cost += _STR_HEADER + len(record.stack_info)
    if len(values) > _BASE_LENGTH:
        cost += _freeze_extras(values, formatter)
    if RECORD_ATTRIBUTE not in values:
        values[RECORD_ATTRIBUTE] = capture()
    if record.__class__ is not _LogRecord:
        values[RECORD_CLASS_KEY] = record.__class__
    return values, cost + _getsizeof(values)


def _freezer(formatter: logging.Formatter) -> Freeze:
    freeze_value: Freeze | None = getattr(formatter, "freeze_value", None)
    return freeze_value if callable(freeze_value) else _default_freeze


_default_freeze: Freeze = JsonFormatter().freeze_value
"""How values are frozen for formatters that cannot do it themselves (their text is JSON)."""


def _freeze_extras(values: dict[str, Any], formatter: logging.Formatter) -> int:
    """Freeze the ``extra=`` values that could change after the call; return their cost."""
    cost = 0
    freeze_value: Freeze | None = None
    for key in values.keys() - _STANDARD:
        value = values[key]
        kind = value.__class__
        if kind in SCALARS:
            if kind is str:
                cost += _STR_HEADER + len(value)
            continue
        if key[:1] == "_":  # the package's own attributes (ids snapshot, exception summary)
            continue
        if freeze_value is None:
            freeze_value = _freezer(formatter)
        frozen = values[key] = freeze_value(value)
        cost += _STR_HEADER + len(frozen) if isinstance(frozen, str) else _getsizeof(frozen)
    return cost


def _freeze_mapping(msg: Mapping[Any, Any], formatter: logging.Formatter) -> dict[Any, Any]:
    freeze_value = _freezer(formatter)
    return {
        key: value if value.__class__ in SCALARS else freeze_value(value)
        for key, value in msg.items()
    }


def _capture_exception(
    record: logging.LogRecord, values: dict[str, Any], formatter: logging.Formatter
) -> int:
    """Turn ``exc_info`` into text now (the traceback must not outlive the call); return the
    text's cost."""
    exc_info = record.exc_info
    values["exc_info"] = None
    if not exc_info or exc_info[0] is None:
        return 0
    text = record.exc_text
    if not text:
        text = values["exc_text"] = formatter.formatException(exc_info)
    if EXCEPTION_ATTRIBUTE not in values:
        values[EXCEPTION_ATTRIBUTE] = exception_summary(exc_info)
    return _STR_HEADER + len(text)
