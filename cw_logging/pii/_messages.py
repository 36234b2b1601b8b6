"""Redaction where a record is turned into text outside a redacting formatter's normal path: the
handler rendering a message on the caller's thread, and a formatter's fallback document."""

from __future__ import annotations

import copy
import logging
from collections.abc import Collection, Mapping
from typing import Any

from .._records import message_text
from ._redactor import REDACTED, PiiRedactor

__all__ = ["masked_record", "redact_fallback", "redactor_of", "render_masked_message"]


def redactor_of(formatter: object) -> PiiRedactor | None:
    """The redactor ``formatter`` applies (``JsonFormatter(redact=...)``), or None."""
    redactor = getattr(formatter, "redactor", None)
    return redactor if isinstance(redactor, PiiRedactor) else None


def masked_record(record: logging.LogRecord, redactor: PiiRedactor) -> logging.LogRecord:
    """``record`` with the values of sensitive keys in its %-arguments masked: a copy when that
    changes them, else ``record`` itself."""
    args = redactor.mask_keys(record.args)
    if args is record.args:
        return record
    masked = copy.copy(record)
    masked.args = args
    return masked


def render_masked_message(record: logging.LogRecord, redactor: PiiRedactor) -> str:
    """Return the record's message rendered from %-arguments whose sensitive keys are masked
    (``log.info("login %(user)s %(password)s", {...})``); never raises: a failed format shows
    the format string and the masked arguments, as ``message_text`` does."""
    try:
        return redactor.render_message(record)
    except Exception:
        return message_text(masked_record(record, redactor))


def redact_fallback(
    redactor: PiiRedactor, document: Mapping[str, Any], keep: Collection[str]
) -> dict[str, Any]:
    """Return a formatter's fallback ``document`` with every value but those under ``keep``
    (timestamp, level, logger) redacted; never raises: a value the redactor fails on is
    replaced whole."""
    redacted: dict[str, Any] = {}
    for key, value in document.items():
        if key in keep:
            redacted[key] = value
            continue
        try:
            redacted[key] = (
                REDACTED if redactor.is_sensitive_key(key) else redactor.redact_text(str(value))
            )
        except Exception:
            redacted[key] = REDACTED
    return redacted
