"""PII redaction: precise text patterns and sensitive key names, without mutating caller objects.

A :class:`PiiRedactor` is used by ``JsonFormatter(redact=...)`` and by :class:`PiiFilter`.
Default rules (see :data:`DEFAULT_RULES`): emails, card numbers that pass Luhn and match a card
brand, US SSNs with separators and valid ranges, AWS access key ids, bearer/basic credentials,
JWTs, passwords in URLs, ``password=…``-style assignments and PEM private keys. ``phone`` and
``ipv4`` exist but are off by default because naive matches hit timestamps and ids.
"""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

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

REDACTED = "[REDACTED]"
"""Replacement for the whole value of a sensitive key."""

MAX_DEPTH = 32
"""Nested containers deeper than this are replaced by ``REDACTED`` rather than inspected."""


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


def _token(name: str) -> str:
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
        return _token("card")
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
    return match.group(1) + _token("credentials")


_URL_PASSWORD = re.compile(r"([^:]*://[^:/@\s]*:)[^@\s/]+(@)")


def _redact_url_password(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: m.group(1) + _token("password") + m.group(2), text, 1)


_ASSIGNMENT = re.compile(r"([^=:]+\s*[=:]\s*)(.+)", re.DOTALL)


def _redact_assignment(text: str) -> str:
    match = _ASSIGNMENT.fullmatch(text)
    return text if match is None else match.group(1) + _token("secret")


def _redact_ssn(text: str) -> str:
    area, group, serial = text[:3], text[4:6], text[7:]
    if area in ("000", "666") or group == "00" or serial == "0000":
        return text
    return _token("ssn")


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
        _token("private_key"),
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
        _token("jwt"),
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
        _token("email"),
        r"@",
    ),
    Rule(
        "aws_access_key_id",
        r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
        _token("aws_key"),
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
        _token("phone"),
        r"[+(]",
    ),
    Rule(
        "ipv4",
        r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
        r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.])",
        _token("ip"),
        r"\d\.\d",
    ),
)
"""Rules that exist but are off by default; enable with ``PiiRedactor(enable=["phone"])``."""

DEFAULT_KEYS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "x_api_key",
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        "session",
        "session_id",
        "credentials",
        "credential",
        "private_key",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "aws_secret_access_key",
        "aws_session_token",
        "credit_card",
        "card_number",
        "cvv",
        "ssn",
    }
)
"""Sensitive key names (compared after normalising case, ``-`` and camelCase to snake_case);
a key also matches when it ends with ``_<name>`` (``db_password``, ``githubToken``)."""

_ATOMS = frozenset({int, float, bool, type(None)})
_UNKNOWN = object()  # not in the text cache yet
_CACHED_TEXT_LENGTH = 64
_TEXT_CACHE_LIMIT = 4096
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_CACHE_LIMIT = 4096


class PiiRedactor:
    """Redact sensitive text and values: the message, extra fields (nested) and exception text.

    ``rules``: replaces the default rule set (names from ``DEFAULT_RULES``/``OPTIONAL_RULES`` or
    ``Rule`` objects); ``disable``/``enable``: switch named rules off/on; ``extra_rules``: more
    rules (``Rule`` or ``(name, regex)`` pairs) applied too; ``keys``: replaces the sensitive key
    names; ``extra_keys``: more key names. Redaction returns new objects and never mutates input.
    """

    def __init__(
        self,
        rules: Iterable[str | Rule] | None = None,
        *,
        disable: Iterable[str] = (),
        enable: Iterable[str] = (),
        extra_rules: Iterable[Rule | tuple[str, str]] = (),
        keys: Iterable[str] | None = None,
        extra_keys: Iterable[str] = (),
    ) -> None:
        known = {rule.name: rule for rule in (*DEFAULT_RULES, *OPTIONAL_RULES)}
        chosen = [
            self._resolve(item, known) for item in (DEFAULT_RULES if rules is None else rules)
        ]
        chosen += [known[name] if name in known else self._unknown(name) for name in enable]
        disabled = set(disable)
        unknown = disabled - known.keys() - {rule.name for rule in chosen}
        if unknown:
            self._unknown(sorted(unknown)[0])
        for item in extra_rules:
            chosen.append(
                item if isinstance(item, Rule) else Rule(item[0], item[1], _token(item[0]))
            )
        self.rules: tuple[Rule, ...] = tuple(
            rule
            for index, rule in enumerate(chosen)
            if rule.name not in disabled and rule not in chosen[:index]
        )
        self.keys = frozenset(
            _normalise_key(key) for key in (*(DEFAULT_KEYS if keys is None else keys), *extra_keys)
        )
        self._key_cache: dict[str, bool] = {}
        self._text_cache: dict[str, str | None] = {}
        self._compiled = tuple(self._compile(rule) for rule in self.rules)
        rule_triggers = [
            f"(?i:{rule.pattern})" if rule.trigger is None else rule.trigger for rule in self.rules
        ]
        if any(rule.trigger is None and re.compile(rule.pattern).groups for rule in self.rules):
            # group numbers (backreferences) would shift inside a combined pattern
            rule_triggers.append("(?s:.)")
        self._text_trigger = _any_of(rule_triggers)

    @staticmethod
    def _unknown(name: str) -> Rule:
        names = ", ".join(rule.name for rule in (*DEFAULT_RULES, *OPTIONAL_RULES))
        raise ValueError(f"unknown PII rule {name!r}; known rules: {names}")

    @classmethod
    def _resolve(cls, item: str | Rule, known: Mapping[str, Rule]) -> Rule:
        if isinstance(item, Rule):
            return item
        return known[item] if item in known else cls._unknown(item)

    @staticmethod
    def _compile(rule: Rule) -> tuple[re.Pattern[str], Callable[[re.Match[str]], str]]:
        try:
            pattern = re.compile(rule.pattern)
            if rule.trigger is not None:
                re.compile(rule.trigger)
        except re.error as exc:
            raise ValueError(f"PII rule {rule.name!r} has an invalid regex: {exc}") from None
        replace = rule.replace
        if isinstance(replace, str):
            token = replace
            return pattern, lambda match: token
        convert = replace
        return pattern, lambda match: convert(match.group(0))

    def redact_text(self, text: str) -> str:
        """Return ``text`` with every rule match replaced (the same object when nothing matched)."""
        short = len(text) <= _CACHED_TEXT_LENGTH
        if short:
            # short values ("eu", "sku-1", status words) repeat across records
            known = self._text_cache.get(text, _UNKNOWN)
            if known is None:
                return text
            if isinstance(known, str):
                return known
        result = self._redacted_text(text)
        if short:
            if len(self._text_cache) >= _TEXT_CACHE_LIMIT:
                self._text_cache.clear()
            self._text_cache[text] = None if result is text else result
        return result

    def _redacted_text(self, text: str) -> str:
        if not text or self._text_trigger(text.lower()) is None:
            return text
        result = text
        for pattern, replace in self._compiled:
            if pattern.search(result) is not None:
                result = pattern.sub(replace, result)
        return text if result == text else result

    def render_message(self, record: logging.LogRecord) -> str:
        """Return ``record.getMessage()`` rendered from redacted %-arguments (so a dict argument
        does not reveal its sensitive keys); the text itself still needs ``redact_text``."""
        args = record.args
        if not args:
            return record.getMessage()
        redacted = self.redact(args)
        if redacted is args:
            return record.getMessage()
        return str(str(record.msg) % redacted)

    def is_sensitive_key(self, key: object) -> bool:
        """Return True when values under ``key`` are to be replaced whole."""
        if not isinstance(key, str):
            return False
        cached = self._key_cache.get(key)
        if cached is None:
            normal = _normalise_key(key)
            cached = normal in self.keys or any(normal.endswith("_" + name) for name in self.keys)
            if len(self._key_cache) < _KEY_CACHE_LIMIT:
                self._key_cache[key] = cached
        return cached

    def redact(
        self, value: Any, convert: Callable[[Any], Any] | None = None, _depth: int = 0
    ) -> Any:
        """Return ``value`` with sensitive text and keys redacted, copying only what changes.

        Strings, mappings, lists, tuples and sets are walked; other objects are passed through
        ``convert`` (e.g. a JSON converter) when given and the result is walked, else kept.
        """
        kind = type(value)
        if kind is str:
            return self.redact_text(value)
        if kind in _ATOMS:
            return value
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, (bool, int, float)):
            return value
        if _depth >= MAX_DEPTH:
            return REDACTED
        if isinstance(value, Mapping):
            return self.redact_mapping(value, convert, _depth)
        if isinstance(value, (list, tuple, set, frozenset)):
            items = [self.redact(item, convert, _depth + 1) for item in value]
            if not any(map(operator.is_not, items, value)):
                return value
            return items if not isinstance(value, tuple) else tuple(items)
        if convert is not None:
            converted = convert(value)
            if converted is not value:
                return self.redact(converted, convert, _depth + 1)
        return value

    def redact_mapping(
        self,
        mapping: Mapping[Any, Any],
        convert: Callable[[Any], Any] | None = None,
        _depth: int = 0,
    ) -> Mapping[Any, Any]:
        """Return ``mapping`` redacted (a new dict if anything changed, else the same object)."""
        changed: dict[Any, Any] | None = None
        for key, item in mapping.items():
            new = REDACTED if self.is_sensitive_key(key) else self.redact(item, convert, _depth + 1)
            if new is not item:
                if changed is None:
                    changed = dict(mapping)
                changed[key] = new
        return mapping if changed is None else changed


def _never(text: str) -> None:
    return None


def _always(text: str) -> bool:
    return True


def _any_of(patterns: list[str]) -> Callable[[str], object]:
    """One search that finds something wherever any of ``patterns`` would."""
    if not patterns:
        return _never
    try:
        return re.compile("|".join(f"(?:{pattern})" for pattern in patterns)).search
    except re.error:  # e.g. user patterns reusing a group name: no shortcut
        return _always


def _normalise_key(key: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", key).lower().replace("-", "_").replace(" ", "_")


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
            raise ValueError("pass either a PiiRedactor or its options, not both")
        self.redactor = redactor or PiiRedactor(**redactor_options)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place (attribute replacement only); always True."""
        from ..formatter._json import EXCEPTION_ATTRIBUTE, exception_summary, standard_attributes

        redactor = self.redactor
        if isinstance(record.msg, Mapping):
            record.msg = redactor.redact_mapping(record.msg)
        else:
            try:
                message = redactor.render_message(record)
            except Exception:  # a broken format string is the formatter's to report
                message = str(record.msg)
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
