"""Checks of a query string before it is sent: length, quotes, brackets and regex literals.

Not a parser: it catches the mistakes that would otherwise cost a round trip and come back as a
terse MalformedQueryException (an unterminated string, a missing bracket), and never refuses a
query the service would accept.
"""

from __future__ import annotations

from typing import NoReturn

from .._limits import MAX_QUERY_CHARS
from ..errors import MalformedQueryError

__all__ = ["QUERY_LANGUAGES", "validate_query"]

QUERY_LANGUAGES = ("CWLI", "SQL", "PPL")
"""The ``queryLanguage`` values StartQuery accepts (CWLI is the Logs Insights language)."""

_QUOTES = "\"'`"
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {close: open_ for open_, close in _OPENERS.items()}
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@.$")
# After these words a "/" opens a regex literal (filter x like /re/, parse @message /re/ ...).
_REGEX_AFTER_WORDS = frozenset({"like", "in", "and", "or", "not", "parse", "filter", "by"})


def validate_query(query: str, query_language: str | None = None) -> str:
    """Return ``query`` if it is sendable, else raise :class:`MalformedQueryError`.

    Refuses an empty query, one over 10,000 characters, an unterminated string or regex literal,
    and unbalanced or mismatched brackets. ``query_language`` None or ``"CWLI"`` also knows the
    Logs Insights regex literals (``/…/``) and ``#`` comments.
    """
    if query_language is not None and query_language not in QUERY_LANGUAGES:
        raise MalformedQueryError(
            f"unknown query language {query_language!r}: use one of {', '.join(QUERY_LANGUAGES)}",
            code="InvalidQueryLanguage",
        )
    if not isinstance(query, str) or not query.strip():
        raise MalformedQueryError(
            "the query is empty: write e.g. 'fields @timestamp, @message | limit 20'",
            code="MalformedQuery",
        )
    if len(query) > MAX_QUERY_CHARS:
        raise MalformedQueryError(
            f"the query has {len(query)} characters, over the limit of {MAX_QUERY_CHARS}: "
            "shorten it or split it into several queries",
            code="MalformedQuery",
        )
    _Scanner(query, insights=query_language in (None, "CWLI")).run()
    return query


class _Scanner:
    """One left-to-right pass tracking strings, regex literals, comments and brackets."""

    def __init__(self, text: str, *, insights: bool) -> None:
        self.text = text
        self.insights = insights
        self.stack: list[tuple[str, int]] = []
        self.previous: str | None = None  # last significant token
        self.before_previous: str | None = None

    def run(self) -> None:
        text, index = self.text, 0
        while index < len(text):
            char = text[index]
            if char.isspace():
                index += 1
            elif self.insights and char == "#":
                newline = text.find("\n", index)
                index = len(text) if newline < 0 else newline + 1
            elif char in _QUOTES:
                index = self._skip_literal(index, char, "string")
                self._note("literal")
            elif char == "/" and self.insights and self._regex_allowed():
                index = self._skip_literal(index, "/", "regex")
                self._note("literal")
            elif char in _WORD_CHARS:
                end = index
                while end < len(text) and text[end] in _WORD_CHARS:
                    end += 1
                self._note(text[index:end].lower())
                index = end
            else:
                self._bracket(char, index)
                self._note(char)
                index += 1
        if self.stack:
            opener, position = self.stack[-1]
            self._fail(f"'{opener}' is never closed", position)

    def _skip_literal(self, start: int, delimiter: str, kind: str) -> int:
        index = start + 1
        while index < len(self.text):
            char = self.text[index]
            if char == "\\":
                index += 2
                continue
            if char == delimiter:
                return index + 1
            index += 1
        self._fail(f"unterminated {kind} starting with {delimiter}", start)

    def _bracket(self, char: str, index: int) -> None:
        if char in _OPENERS:
            self.stack.append((char, index))
        elif char in _CLOSERS:
            if not self.stack:
                self._fail(f"'{char}' closes nothing", index)
            opener, _ = self.stack.pop()
            if _OPENERS[opener] != char:
                self._fail(f"'{char}' does not match '{opener}'", index)

    def _regex_allowed(self) -> bool:
        previous = self.previous
        if previous is None or previous in _REGEX_AFTER_WORDS:
            return True
        if self.before_previous == "parse" and previous[0] in _WORD_CHARS:
            return True  # parse <field> /regex/
        return previous not in (")", "]", "literal") and previous[0] not in _WORD_CHARS

    def _note(self, token: str) -> None:
        self.before_previous, self.previous = self.previous, token

    def _fail(self, problem: str, index: int) -> NoReturn:
        line = self.text.count("\n", 0, index) + 1
        column = index - (self.text.rfind("\n", 0, index) + 1) + 1
        raise MalformedQueryError(
            f"query syntax: {problem} (line {line}, column {column}); check quotes and brackets",
            code="MalformedQuery",
        )
