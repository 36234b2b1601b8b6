"""The built-in rules, in the order a redactor applies them, and the optional ones.

Order matters where matches could overlap: a private key block goes first (nothing inside it
is worth a second look), then passwords in URLs (before emails: ``user:pw@host.com``), then
key-value pairs (the key decides, whatever the value looks like), then emails, shaped tokens
and checksummed numbers.
"""

from __future__ import annotations

from ._contact import EMAIL, IPV4, PHONE
from ._key_values import redact_key_values
from ._numbers import NUMBER_RULES
from ._rule import Rule, Scanner
from ._structured import PRIVATE_KEY, URL_PASSWORD
from ._tokens import TOKEN_RULES

__all__ = ["DEFAULT_RULES", "OPTIONAL_RULES", "SECRET_ASSIGNMENT"]

SECRET_ASSIGNMENT = Scanner("secret_assignment", redact_key_values)
"""Values of sensitive keys written in text: ``password=…``, ``"api_key": "…"``,
``Authorization: Bearer …`` (the key, quotes and authentication scheme are kept)."""

DEFAULT_RULES: tuple[Rule | Scanner, ...] = (
    PRIVATE_KEY,
    URL_PASSWORD,
    SECRET_ASSIGNMENT,
    EMAIL,
    *TOKEN_RULES,
    *NUMBER_RULES,
)
"""The rules a default :class:`PiiRedactor` applies, in priority order."""

OPTIONAL_RULES: tuple[Rule | Scanner, ...] = (PHONE, IPV4)
"""Rules that exist but are off by default; enable with ``PiiRedactor(enable=["phone"])``."""
