"""CloudWatch Logs filter patterns, compiled once and evaluated per event.

Supports the documented syntax: terms, quoted phrases, ``?`` alternatives, ``-`` exclusions,
``%regex%``, JSON patterns ``{ ... }`` and space-delimited patterns ``[ ... ]``. A malformed
pattern raises :class:`~cw_logging.errors.InvalidParameterError` with the service's code
``InvalidParameterException``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..._limits import MAX_FILTER_PATTERN_CHARS
from ._delimited import compile_delimited
from ._json_pattern import compile_json
from ._lexer import Kind, Token, TokenStream, pattern_error
from ._match import PatternMatch
from ._terms import compile_terms
from ._values import compile_regex

__all__ = ["FilterPattern", "PatternMatch", "compile_filter_pattern"]


@dataclass(frozen=True)
class FilterPattern:
    """A compiled filter pattern: ``matches(message)`` says whether an event message matches;
    ``match(message)`` also gives what it extracted (fields of a space-delimited pattern,
    the parsed event of a JSON pattern)."""

    text: str
    kind: str
    _predicate: Callable[[str], bool] = field(repr=False, compare=False)
    _finder: Callable[[str], Any] | None = field(default=None, repr=False, compare=False)

    def matches(self, message: str) -> bool:
        """Whether ``message`` (an event's raw message) matches the pattern."""
        return self._predicate(message)

    def match(self, message: str) -> PatternMatch | None:
        """What the pattern extracted from ``message``, or None when it does not match."""
        if self._finder is None:
            return PatternMatch(self.kind, message) if self._predicate(message) else None
        found = self._finder(message)
        return None if found is None else PatternMatch(self.kind, message, found)


def compile_filter_pattern(text: str | None) -> FilterPattern:
    """Compile ``text``; an empty or missing pattern matches every event.

    Raises InvalidParameterError (code InvalidParameterException) saying where the pattern is
    malformed.
    """
    text = text or ""
    if len(text) > MAX_FILTER_PATTERN_CHARS:
        raise pattern_error(
            text, MAX_FILTER_PATTERN_CHARS, f"longer than {MAX_FILTER_PATTERN_CHARS} characters"
        )
    stripped = text.strip()
    if not stripped:
        return FilterPattern(text, "all", lambda message: True)
    if stripped.startswith("{"):
        return _structured(text, "json", compile_json(text))
    if stripped.startswith("["):
        return _structured(text, "delimited", compile_delimited(text))
    if stripped.startswith("%"):
        return FilterPattern(text, "regex", _compile_standalone_regex(text, stripped))
    return FilterPattern(text, "terms", compile_terms(text))


def _structured(text: str, kind: str, finder: Callable[[str], Any]) -> FilterPattern:
    return FilterPattern(text, kind, lambda message: finder(message) is not None, finder)


def _compile_standalone_regex(text: str, stripped: str) -> Callable[[str], bool]:
    start = text.index("%")
    if "%" not in stripped[1:]:
        raise pattern_error(text, start, "unterminated regular expression (missing closing %)")
    if not stripped.endswith("%") or "%" in stripped[1:-1]:
        raise pattern_error(text, start, "a regex pattern is one %regex% and nothing else")
    token = Token(Kind.REGEX, stripped[1:-1], start)
    regex = compile_regex(TokenStream(text, [token]), token)
    return lambda message: regex.search(message) is not None
