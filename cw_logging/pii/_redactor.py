"""``PiiRedactor``: applies the text rules and the sensitive key names to text and values."""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._options import INVALID_SETTING
from ..errors import ConfigurationError
from ._keys import DEFAULT_KEYS, normalise_key
from ._rules import DEFAULT_RULES, OPTIONAL_RULES, Rule, token

__all__ = ["MAX_DEPTH", "REDACTED", "PiiRedactor"]

REDACTED = "[REDACTED]"
"""Replacement for the whole value of a sensitive key."""

MAX_DEPTH = 32
"""Nested containers deeper than this are replaced by ``REDACTED`` rather than inspected."""

_ATOMS = frozenset({int, float, bool, type(None)})
_UNKNOWN = object()  # not in the text cache yet
_CACHED_TEXT_LENGTH = 64
_TEXT_CACHE_LIMIT = 4096
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
                item if isinstance(item, Rule) else Rule(item[0], item[1], token(item[0]))
            )
        self.rules: tuple[Rule, ...] = tuple(
            rule
            for index, rule in enumerate(chosen)
            if rule.name not in disabled and rule not in chosen[:index]
        )
        self.keys = frozenset(
            normalise_key(key) for key in (*(DEFAULT_KEYS if keys is None else keys), *extra_keys)
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
        raise ConfigurationError(
            f"unknown PII rule {name!r}; known rules: {names}", code=INVALID_SETTING
        )

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
            raise ConfigurationError(
                f"PII rule {rule.name!r} has an invalid regex: {exc}", code=INVALID_SETTING
            ) from None
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
            normal = normalise_key(key)
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
