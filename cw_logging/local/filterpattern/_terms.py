"""Unstructured filter patterns: terms, ``"quoted phrases"``, ``?alternatives``, ``-exclusions``.

A plain term matches a whole term of the event; a quoted one matches its exact text anywhere,
even inside a longer word (the filter-pattern page: ``"ERROR"`` matches
``Exiting with ERRORCODE: -1``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ._lexer import pattern_error

_WORD_CHAR = r"[A-Za-z0-9_]"


@dataclass(frozen=True)
class _Term:
    prefix: str  # "", "?" or "-"
    regex: re.Pattern[str]


def compile_terms(pattern: str) -> Callable[[str], bool]:
    """Compile a term pattern: all plain terms, at least one ``?`` term, no ``-`` term."""
    terms = list(_parse(pattern))
    required = [t.regex for t in terms if t.prefix == ""]
    alternatives = [t.regex for t in terms if t.prefix == "?"]
    excluded = [t.regex for t in terms if t.prefix == "-"]
    if not required and not alternatives and not excluded:
        return lambda message: True

    def matches(message: str) -> bool:
        return (
            all(regex.search(message) for regex in required)
            and (not alternatives or any(regex.search(message) for regex in alternatives))
            and not any(regex.search(message) for regex in excluded)
        )

    return matches


def term_regex(term: str) -> re.Pattern[str]:
    """Return a case-sensitive regex finding ``term`` as a whole term, not inside a word."""
    before = f"(?<!{_WORD_CHAR})" if re.match(_WORD_CHAR, term[0]) else ""
    after = f"(?!{_WORD_CHAR})" if re.match(_WORD_CHAR, term[-1]) else ""
    return re.compile(before + re.escape(term) + after)


def _parse(pattern: str) -> list[_Term]:
    terms: list[_Term] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern[i].isspace():
            i += 1
            continue
        start = i
        prefix = pattern[i] if pattern[i] in "?-" else ""
        i += len(prefix)
        if prefix == "-":
            # the page writes its exclusion example with a space: "ERROR" - "Exiting"
            while i < n and pattern[i].isspace():
                i += 1
        if i >= n or pattern[i].isspace():
            raise pattern_error(pattern, start, f"{prefix!r} must be followed by a term")
        if pattern[i] == '"':
            end = pattern.find('"', i + 1)
            if end < 0:
                raise pattern_error(pattern, i, 'unterminated quoted phrase (missing closing ")')
            text = pattern[i + 1 : end]
            i = end + 1
            if i < n and not pattern[i].isspace():
                raise pattern_error(pattern, i, "expected a space after the quoted phrase")
            if not text.strip():
                continue  # '" "' matches every event
            terms.append(_Term(prefix, re.compile(re.escape(text))))
            continue
        term_start = i
        while i < n and not pattern[i].isspace():
            if pattern[i] == '"':
                raise pattern_error(pattern, i, 'quote the whole term: "..."')
            i += 1
        terms.append(_Term(prefix, term_regex(pattern[term_start:i])))
    return terms
