"""``PiiFilter``: redaction as a ``logging.Filter``, for handlers other than ours."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .._options import INVALID_SETTING
from .._records import EXCEPTION_ATTRIBUTE, exception_summary, standard_attributes
from ..errors import ConfigurationError
from ._messages import render_masked_message
from ._redactor import REDACTED, PiiRedactor

__all__ = ["PiiFilter"]


class PiiFilter(logging.Filter):
    """A ``logging.Filter`` that redacts the message, extra fields and exception text of records.

    Replaces record attributes with redacted copies (the rendered message becomes ``msg`` with
    ``args=None``); objects the caller passed are never modified. Never drops a record. Takes a
    ``PiiRedactor`` or its keyword options (handy from dictConfig).
    """

    def __init__(
        self, redactor: PiiRedactor | None = None, name: str = "", **redactor_options: Any
    ) -> None:
        super().__init__(name)
        if redactor is not None and redactor_options:
            raise ConfigurationError(
                "pass either a PiiRedactor or its options, not both", code=INVALID_SETTING
            )
        self.redactor = redactor or PiiRedactor(**redactor_options)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place (attribute replacement only); always True."""
        redactor = self.redactor
        if isinstance(record.msg, Mapping):
            record.msg = redactor.redact_mapping(record.msg)
        else:
            message = render_masked_message(record, redactor)
            record.msg, record.args = redactor.redact_text(message), None
        reserved = standard_attributes()
        for key, value in list(record.__dict__.items()):
            if key in reserved or key.startswith("_"):
                continue
            new = REDACTED if redactor.is_sensitive_key(key) else redactor.redact(value)
            if new is not value:
                setattr(record, key, new)
        if record.exc_info and record.exc_info[1] is not None:
            error_type, error_message = exception_summary(record.exc_info)
            setattr(record, EXCEPTION_ATTRIBUTE, (error_type, redactor.redact_text(error_message)))
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redactor.redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor.redact_text(record.stack_info)
        return True
