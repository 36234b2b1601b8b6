"""What the package knows about ``logging.LogRecord``: its standard attributes, the exception
summary captured on the caller's thread, and text that never raises."""

from __future__ import annotations

import logging
from types import TracebackType

__all__ = [
    "EXCEPTION_ATTRIBUTE",
    "ExcInfo",
    "cap_text",
    "exception_summary",
    "message_text",
    "safe_repr",
    "safe_str",
    "standard_attributes",
    "summary_from_text",
]

EXCEPTION_ATTRIBUTE = "_cw_exception"
"""Optional LogRecord attribute: ``(errorType, errorMessage)`` captured where ``exc_info`` was
available (the caller thread). When present it wins over ``exc_info`` and over parsing
``exc_text``; the leading underscore keeps it out of the output."""

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def standard_attributes() -> frozenset[str]:
    """Return the names of attributes every LogRecord has (never treated as extra fields)."""
    return _STANDARD


_STANDARD = frozenset(
    {*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime", "taskName"}
)


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
    return text if len(text) <= limit else text[:limit] + f"...[{len(text) - limit} more chars]"


def safe_str(value: object, limit: int) -> str:
    try:
        return cap_text(str(value), limit)
    except Exception:
        return safe_repr(value, limit)


def safe_repr(value: object, limit: int) -> str:
    try:
        return cap_text(repr(value), limit)
    except Exception:
        return f"<unrepresentable {type(value).__qualname__}>"


def message_text(record: logging.LogRecord) -> str:
    """Return the record's formatted message; never raises (bad %-args are shown, not lost)."""
    try:
        return record.getMessage()
    except Exception as exc:
        try:
            text, args = str(record.msg), repr(record.args)
        except Exception:
            text, args = object.__repr__(record.msg), object.__repr__(record.args)
        return f"{text} [message formatting failed: {exc!r}; args={args}]"
