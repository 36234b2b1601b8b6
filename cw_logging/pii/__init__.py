"""PII redaction: precise text rules and sensitive key names, never mutating the caller's objects.

:class:`PiiRedactor` is what ``JsonFormatter(redact=...)`` uses; :class:`PiiFilter` applies it as
a ``logging.Filter`` for other handlers. See ``docs/pii.md``.
"""

from __future__ import annotations

from ._filter import PiiFilter
from ._keys import DEFAULT_KEYS
from ._redactor import REDACTED, PiiRedactor
from ._rules import DEFAULT_RULES, OPTIONAL_RULES, Rule, luhn_valid

__all__ = [
    "DEFAULT_KEYS",
    "DEFAULT_RULES",
    "OPTIONAL_RULES",
    "REDACTED",
    "PiiFilter",
    "PiiRedactor",
    "Rule",
    "luhn_valid",
]
