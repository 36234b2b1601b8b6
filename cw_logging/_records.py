"""What the package knows about ``logging.LogRecord``: its standard attributes, the exception
summary captured on the caller's thread, and text that never raises."""

from __future__ import annotations

import logging
from itertools import islice
from types import TracebackType
from typing import Any

__all__ = [
    "EXCEPTION_ATTRIBUTE",
    "FORMAT_ERROR_ATTRIBUTE",
    "INITIAL_COUNT",
    "LAST_INITIAL",
    "RECORD_CLASS_KEY",
    "ExcInfo",
    "added_attributes",
    "cap_text",
    "exception_summary",
    "message_text",
    "render_message",
    "restore_record",
    "safe_repr",
    "safe_str",
    "standard_attributes",
    "summary_from_text",
]

EXCEPTION_ATTRIBUTE = "_cw_exception"
"""Optional LogRecord attribute: ``(errorType, errorMessage)`` captured where ``exc_info`` was
available (the caller thread). When present it wins over ``exc_info`` and over parsing
``exc_text``; the leading underscore keeps it out of the output."""

FORMAT_ERROR_ATTRIBUTE = "_cw_format_error"
"""Optional LogRecord attribute: why the record's message could not be made as asked (its
%-arguments did not fit the format, or its creation time was unusable). JsonFormatter writes it
as ``formatError``."""

RECORD_CLASS_KEY = "_cw_record_class"
"""Snapshot key of a record's class, set by the handler only when it is not ``LogRecord``."""

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def standard_attributes() -> frozenset[str]:
    """Return the names of attributes every LogRecord has (never treated as extra fields)."""
    return _STANDARD


_INITIAL = logging.LogRecord("", 0, "", 0, "", None, None).__dict__
_STANDARD = frozenset({*_INITIAL, "message", "asctime", "taskName"})
INITIAL_COUNT = len(_INITIAL)
"""How many attributes ``LogRecord.__init__`` sets."""
LAST_INITIAL = next(reversed(_INITIAL))
"""The attribute ``LogRecord.__init__`` sets last: a record with ``INITIAL_COUNT`` attributes
whose last one is this one has none added (see :func:`added_attributes`)."""


def added_attributes(attributes: dict[str, Any]) -> list[str] | None:
    """The keys set on a record after ``LogRecord.__init__`` (``extra=`` fields, attributes set
    by filters, a formatter's ``message``), in the order they were set; None when the record's
    keys are not where ``__init__`` leaves them (one was deleted, or set before ``__init__``),
    and only a look at every key can tell its extra fields."""
    count = len(attributes) - INITIAL_COUNT
    if count < 0:
        return None
    added = list(islice(reversed(attributes), count + 1))
    if added[-1] != LAST_INITIAL:
        return None
    added.pop()
    added.reverse()
    return added


def exception_summary(exc_info: ExcInfo | tuple[None, None, None]) -> tuple[str, str]:
    """Return ``(errorType, errorMessage)`` for an exc_info tuple, named as tracebacks name it."""
    exc_type, exc, _ = exc_info
    if exc_type is None:
        return "", ""
    name = exc_type.__qualname__
    if exc_type.__module__ not in ("builtins", "__main__"):
        name = f"{exc_type.__module__}.{name}"
    try:
        message = str(exc)
    except Exception:
        message = f"<unprintable {name} object>"
    return name, message


def summary_from_text(text: str) -> tuple[str, str]:
    """Best effort ``(errorType, errorMessage)`` from traceback text (last exception block)."""
    lines = text.rstrip("\n").splitlines()
    start = len(lines)
    # The final exception starts at the last unindented line after the last frame line.
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if line.startswith((" ", "\t")) or line.startswith("Traceback ("):
            break
        start = index
    if start >= len(lines):
        return "", ""
    head, _, first = lines[start].partition(": ")
    message = "\n".join([first, *lines[start + 1 :]]) if first or start + 1 < len(lines) else ""
    return head.strip(), message.strip("\n")


def cap_text(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with a note of how many were left out."""
    return text if len(text) <= limit else text[:limit] + f"...[{len(text) - limit} more chars]"


def safe_str(value: object, limit: int) -> str:
    """``str(value)`` capped at ``limit`` characters; never raises."""
    try:
        return cap_text(str(value), limit)
    except Exception:
        return safe_repr(value, limit)


def safe_repr(value: object, limit: int) -> str:
    """``repr(value)`` capped at ``limit`` characters; never raises."""
    try:
        return cap_text(repr(value), limit)
    except Exception:
        return f"<unrepresentable {type(value).__qualname__}>"


def render_message(record: logging.LogRecord, limit: int = 1000) -> tuple[str, str | None]:
    """Return the record's message and, when its %-arguments fail, why (else None).

    On failure the message is the format string itself and the reason lists a safe ``repr`` of
    each argument (an argument whose ``repr`` fails shows as ``<unrepresentable Type>``), so
    nothing the caller passed is lost and nothing raises.
    """
    try:
        return record.getMessage(), None
    except Exception as exc:
        return safe_str(record.msg, limit * 100), _format_failure(exc, record.args, limit)


def _format_failure(exc: Exception, args: object, limit: int) -> str:
    if isinstance(args, dict):
        shown = ", ".join(f"{safe_repr(k, limit)}: {safe_repr(v, limit)}" for k, v in args.items())
        listed = "{" + shown + "}"
    elif isinstance(args, tuple):
        listed = "(" + ", ".join(safe_repr(arg, limit) for arg in args) + ")"
    else:
        listed = safe_repr(args, limit)
    return f"{type(exc).__name__}: {safe_str(exc, limit)}; args={listed}"


def message_text(record: logging.LogRecord) -> str:
    """Return the record's formatted message; never raises (a failure is described inline)."""
    message, failure = render_message(record)
    return message if failure is None else f"{message} [message formatting failed: {failure}]"


_new_object = object.__new__


def restore_record(values: dict[str, Any]) -> logging.LogRecord:
    """A record (of its original class) whose attributes are the snapshot ``values``."""
    cls = values.pop(RECORD_CLASS_KEY, logging.LogRecord)
    record: logging.LogRecord = _new_object(cls)
    record.__dict__ = values
    return record
