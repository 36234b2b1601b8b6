"""``PiiRedactor``: applies the text rules and the sensitive key names to text and values."""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._options import INVALID_SETTING
from ..errors import ConfigurationError
from ._keys import DEFAULT_KEYS, KeyMatcher
from ._rule import Rule, Scanner, Trigger, compile_trigger, token, trigger_words
from ._rules import DEFAULT_RULES, OPTIONAL_RULES

__all__ = ["MAX_DEPTH", "REDACTED", "PiiRedactor"]

REDACTED = "[REDACTED]"
"""Replacement for the whole value of a sensitive key."""

MAX_DEPTH = 32
"""Nested containers deeper than this are replaced by ``REDACTED`` rather than inspected."""

_ATOMS = frozenset({int, float, bool, type(None)})
_UNKNOWN = object()  # not in the text cache yet
_CACHED_TEXT_LENGTH = 64
_TEXT_CACHE_LIMIT = 4096
_MIN_GATED_RUN = 3

# (the rule's trigger or None, text and its lowercased form -> redacted text)
_Detector = tuple[Trigger | None, Callable[[str, str], str]]
# rules applied one after the other; a group is skipped when its gate (one search for any of
# its rules' trigger words) finds nothing
_Group = tuple[Callable[[str], object] | None, tuple[_Detector, ...]]


class PiiRedactor:
    """Redact sensitive text and values: the message, extra fields (nested) and exception text.

    ``rules``: replaces the default rule set (names from ``DEFAULT_RULES``/``OPTIONAL_RULES`` or
    ``Rule`` objects); ``disable``/``enable``: switch named rules off/on; ``extra_rules``: more
    rules (``Rule`` or ``(name, regex)`` pairs) applied too; ``keys``: replaces the sensitive key
    names; ``extra_keys``: more key names. Redaction returns new objects and never mutates input.
    """

    def __init__(
        self,
        rules: Iterable[str | Rule | Scanner] | None = None,
        *,
        disable: Iterable[str] = (),
        enable: Iterable[str] = (),
        extra_rules: Iterable[Rule | Scanner | tuple[str, str]] = (),
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
                item
                if isinstance(item, (Rule, Scanner))
                else Rule(item[0], item[1], token(item[0]))
            )
        self.rules: tuple[Rule | Scanner, ...] = tuple(
            rule
            for index, rule in enumerate(chosen)
            if rule.name not in disabled and rule not in chosen[:index]
        )
        self._keys = KeyMatcher((*(DEFAULT_KEYS if keys is None else keys), *extra_keys))
        self.keys = self._keys.names
        self._text_cache: dict[str, str | None] = {}
        self._plan = _grouped(self.rules, [self._compile(rule) for rule in self.rules])

    @staticmethod
    def _unknown(name: str) -> Rule:
        names = ", ".join(rule.name for rule in (*DEFAULT_RULES, *OPTIONAL_RULES))
        raise ConfigurationError(
            f"unknown PII rule {name!r}; known rules: {names}", code=INVALID_SETTING
        )

    @classmethod
    def _resolve(cls, item: str | Rule | Scanner, known: Mapping[str, Rule | Scanner]) -> Any:
        if isinstance(item, (Rule, Scanner)):
            return item
        return known[item] if item in known else cls._unknown(item)

    def _compile(self, rule: Rule | Scanner) -> _Detector:
        try:
            trigger = None if rule.trigger is None else compile_trigger(rule.trigger)
            if isinstance(rule, Scanner):
                scan, keys = rule.scan, self._keys
                return trigger, lambda text, lowered: scan(text, lowered, keys)
            pattern = re.compile(rule.pattern)
        except re.error as exc:
            raise ConfigurationError(
                f"PII rule {rule.name!r} has an invalid regex: {exc}", code=INVALID_SETTING
            ) from None
        replace = rule.replace
        if isinstance(replace, str):
            literal = replace.replace("\\", "\\\\")  # the text as is, never a group reference
            return trigger, lambda text, lowered: pattern.sub(literal, text)
        convert = replace
        return trigger, lambda text, lowered: pattern.sub(
            lambda match: convert(match.group(0)), text
        )

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
        if not text:
            return text
        lowered = text.lower()  # triggers look at the text as given
        current: str = text
        current_lowered: str | None = lowered
        for gate, detectors in self._plan:
            if gate is not None and gate(lowered) is None:
                continue
            for trigger, detect in detectors:
                if trigger is not None and not trigger(lowered):
                    continue
                if current_lowered is None:
                    current_lowered = current.lower()
                redacted = detect(current, current_lowered)
                if redacted is not current:
                    current, current_lowered = redacted, None
        return text if current == text else current

    def render_message(self, record: logging.LogRecord) -> str:
        """Return ``record.getMessage()`` rendered from %-arguments whose sensitive keys are
        masked (a dict argument never reveals them); raises as ``getMessage`` does. The text
        itself still needs ``redact_text``."""
        args = record.args
        if not args:
            return record.getMessage()
        masked = self.mask_keys(args)
        if masked is args:
            return record.getMessage()
        return str(str(record.msg) % masked)

    def is_sensitive_key(self, key: object) -> bool:
        """Return True when values under ``key`` are to be replaced whole."""
        return self._keys(key)

    def mask_keys(self, value: Any, _depth: int = 0) -> Any:
        """Return ``value`` with the values of sensitive keys replaced at any depth, and nothing
        else changed (no text rules: cheap enough for the caller's thread); copies only what
        changes."""
        if type(value) in _ATOMS or isinstance(value, (str, bytes, int, float)):
            return value
        if _depth >= MAX_DEPTH:
            return REDACTED
        if isinstance(value, Mapping):
            changed: dict[Any, Any] | None = None
            for key, item in value.items():
                new = REDACTED if self._keys(key) else self.mask_keys(item, _depth + 1)
                if new is not item:
                    if changed is None:
                        changed = dict(value)
                    changed[key] = new
            return value if changed is None else changed
        if isinstance(value, (list, tuple)):
            items = [self.mask_keys(item, _depth + 1) for item in value]
            if not any(map(operator.is_not, items, value)):
                return value
            return items if isinstance(value, list) else tuple(items)
        return value

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
        is_sensitive = self._keys
        for key, item in mapping.items():
            new = REDACTED if is_sensitive(key) else self.redact(item, convert, _depth + 1)
            if new is not item:
                if changed is None:
                    changed = dict(mapping)
                changed[key] = new
        return mapping if changed is None else changed


def _grouped(rules: tuple[Rule | Scanner, ...], detectors: list[_Detector]) -> tuple[_Group, ...]:
    """The detectors in order, runs of consecutive rules triggered by plain words gathered
    behind one search for any of their words: ordinary text holds none of them, and one search
    is cheaper than a check per rule."""
    plan: list[_Group] = []
    start = 0
    while start < len(rules):
        end, words = start, list[str]()
        while end < len(rules) and rules[end].trigger is not None:
            found = trigger_words(str(rules[end].trigger))
            if found is None:
                break
            words += found
            end += 1
        if end - start >= _MIN_GATED_RUN:
            gate = re.compile("|".join(map(re.escape, words))).search
            plan.append((gate, tuple(detectors[start:end])))
            start = end
        else:
            plan.append((None, (detectors[start],)))
            start += 1
    return tuple(plan)
