"""PII redaction: precise text rules and sensitive key names, never mutating the caller's objects.

:class:`PiiRedactor` is what ``JsonFormatter(redact=...)`` uses; :class:`PiiFilter` applies it as
a ``logging.Filter`` for other handlers. See ``docs/pii.md``.
"""

from __future__ import annotations

from ._checksums import iban_valid, luhn_valid
from ._filter import PiiFilter
from ._keys import DEFAULT_KEYS, normalise_key
from ._messages import redact_fallback, redactor_of, render_masked_message
from ._redactor import REDACTED, PiiRedactor
from ._rule import Rule, Scanner
from ._rules import DEFAULT_RULES, OPTIONAL_RULES

__all__ = [
    "DEFAULT_KEYS",
    "DEFAULT_RULES",
    "OPTIONAL_RULES",
    "REDACTED",
    "PiiFilter",
    "PiiRedactor",
    "Rule",
    "Scanner",
    "iban_valid",
    "luhn_valid",
    "normalise_key",
    "redact_fallback",
    "redactor_of",
    "render_masked_message",
]
