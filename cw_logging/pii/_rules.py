"""The text rules of PII redaction: what each category looks like and how a match is replaced.

A :class:`PiiRedactor` is used by ``JsonFormatter(redact=...)`` and by :class:`PiiFilter`.
Default rules (see :data:`DEFAULT_RULES`): emails, card numbers that pass Luhn and match a card
brand, US SSNs with separators and valid ranges, AWS access key ids, bearer/basic credentials,
JWTs, passwords in URLs, ``password=…``-style assignments and PEM private keys. ``phone`` and
``ipv4`` exist but are off by default because naive matches hit timestamps and ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["DEFAULT_RULES", "OPTIONAL_RULES", "Rule", "luhn_valid", "token"]


class Rule(NamedTuple):
    """A text redaction rule.

    ``pattern`` is a regular expression (string); ``replace`` is either the replacement text or a
    function from the matched text to its replacement (returning the text unchanged keeps it);
    ``trigger`` optionally is a cheap regex, run on the *lowercased* text, that matches wherever
    ``pattern`` can (a pre-check; without it the pattern itself, case-insensitively, is used).
    """

    name: str
    pattern: str
    replace: str | Callable[[str], str]
    trigger: str | None = None


def token(name: str) -> str:
    """Return the replacement text of a match of rule ``name``: ``[REDACTED:<name>]``."""
    return f"[REDACTED:{name}]"


def luhn_valid(digits: str) -> bool:
    """Return True when the string of digits passes the Luhn checksum."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_brand_length_ok(digits: str) -> bool:
    length = len(digits)
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":
        return length in (13, 16, 19)  # Visa
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return length == 16  # Mastercard
    if two in (34, 37):
        return length == 15  # American Express
    if four == 6011 or two == 65 or 644 <= four <= 649 or 622126 <= six <= 622925 or two == 62:
        return 16 <= length <= 19  # Discover, UnionPay
    if 3528 <= four <= 3589:
        return 16 <= length <= 19  # JCB
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return 14 <= length <= 19  # Diners Club
    return False


def _redact_card(text: str) -> str:
    digits = text.replace(" ", "").replace("-", "")
    if _card_brand_length_ok(digits) and luhn_valid(digits):
        return token("card")
    return text


def _looks_like_credential(token: str) -> bool:
    if len(token) < 8:
        return False
    rest = token[1:]
    return any(char.isdigit() or char in "+/=._~-" for char in token) or (
        any(char.isupper() for char in rest) and any(char.islower() for char in rest)
    )


_CREDENTIALS = re.compile(r"((?i:bearer|basic)\s+)(\S+)")


def _redact_credentials(text: str) -> str:
    match = _CREDENTIALS.fullmatch(text)
    if match is None or not _looks_like_credential(match.group(2)):
        return text
    return match.group(1) + token("credentials")


_URL_PASSWORD = re.compile(r"([^:]*://[^:/@\s]*:)[^@\s/]+(@)")


def _redact_url_password(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: m.group(1) + token("password") + m.group(2), text, 1)


_ASSIGNMENT = re.compile(r"([^=:]+\s*[=:]\s*)(.+)", re.DOTALL)


def _redact_assignment(text: str) -> str:
    match = _ASSIGNMENT.fullmatch(text)
    return text if match is None else match.group(1) + token("secret")


def _redact_ssn(text: str) -> str:
    area, group, serial = text[:3], text[4:6], text[7:]
    if area in ("000", "666") or group == "00" or serial == "0000":
        return text
    return token("ssn")


# Patterns start with a digit class (not a look-behind) so that re can skip ahead quickly;
# the look-behind then checks the character before the first digit.
_NOT_IN_WORD_BEFORE = r"(?<![\w.:/+-][0-9])"
_NOT_IN_WORD_AFTER = r"(?![\w-]|\.[0-9])"
# 11+ characters of ASCII digits, spaces and dashes: every SSN and card number is one
_DIGIT_RUN = r"[0-9][0-9 -]{9,}[0-9]"

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        "private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"
        r"(?s:.*?)-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----",
        token("private_key"),
        r"private key",
    ),
    Rule(
        "url_password",
        r"\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:[^@\s/]+@",
        _redact_url_password,
        r"://",
    ),
    Rule(
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        token("jwt"),
        r"eyj",
    ),
    Rule(
        "credentials",
        r"\b(?i:bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*",
        _redact_credentials,
        r"bearer|basic",
    ),
    Rule(
        "secret_assignment",
        r"\b(?i:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)"
        r"\s*[=:]\s*(?:\"[^\"]*\"|'[^']*'|[^\s,;&\"']+)",
        _redact_assignment,
        r"pass|pwd|secret|key|token",
    ),
    Rule(
        "email",
        r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        token("email"),
        r"@",
    ),
    Rule(
        "aws_access_key_id",
        r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
        token("aws_key"),
        r"akia|asia",
    ),
    Rule(
        "ssn",
        r"[0-8]"
        + _NOT_IN_WORD_BEFORE
        + r"[0-9]{2}(?P<ssn_sep>[- ])[0-9]{2}(?P=ssn_sep)[0-9]{4}"
        + _NOT_IN_WORD_AFTER,
        _redact_ssn,
        _DIGIT_RUN,
    ),
    Rule(
        "card",
        r"[2-6]" + _NOT_IN_WORD_BEFORE + r"[0-9]{3}(?:[ -]?[0-9]){9,15}" + _NOT_IN_WORD_AFTER,
        _redact_card,
        _DIGIT_RUN,
    ),
)
"""The rules a default :class:`PiiRedactor` applies, in priority order."""

OPTIONAL_RULES: tuple[Rule, ...] = (
    Rule(
        "phone",
        r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\w)"
        r"|(?<![\w+])\+\d{1,3}[ .-]?\d{2,4}(?:[ .-]?\d{2,4}){2,3}(?!\w)",
        token("phone"),
        r"[+(]",
    ),
    Rule(
        "ipv4",
        r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
        r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.])",
        token("ip"),
        r"\d\.\d",
    ),
)
"""Rules that exist but are off by default; enable with ``PiiRedactor(enable=["phone"])``."""
