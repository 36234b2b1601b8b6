"""Edges of unstructured (term) filter patterns: where a term's word boundaries are, spacing,
quoted phrases and the errors a user meets for a dangling ``?`` / ``-`` or a stray quote."""

from __future__ import annotations

import pytest

from cw_logging.local import compile_filter_pattern

from .filter_pattern_checks import refusal


def matches(pattern: str, message: str) -> bool:
    return compile_filter_pattern(pattern).matches(message)


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        # a word character at the start needs a boundary before it, not after a trailing ':'
        ("code:", "code: 7", True),
        ("code:", "xcode: 7", False),
        ("code:", "code:7", True),
        # a word character at the end needs a boundary after it, not before a leading ':'
        (":code", "a:code", True),
        (":code", ":codes", False),
    ],
)
def test_term_boundaries_follow_its_first_and_last_character(
    pattern: str, message: str, expected: bool
) -> None:
    assert matches(pattern, message) is expected


@pytest.mark.parametrize("pattern", ["ERROR  WARN", "ERROR WARN ", "  ERROR\tWARN  "])
def test_extra_spaces_between_and_around_terms_are_ignored(pattern: str) -> None:
    compiled = compile_filter_pattern(pattern)
    assert compiled.matches("ERROR and WARN")
    assert not compiled.matches("ERROR alone")


@pytest.mark.parametrize("phrase", ['" "', '""', '"   "'])
def test_a_blank_quoted_phrase_matches_every_event(phrase: str) -> None:
    compiled = compile_filter_pattern(phrase)
    assert compiled.matches("single-word")
    assert compiled.matches("")


def test_a_quoted_phrase_needs_its_first_character() -> None:
    assert matches('"error 42"', "an error 42 here")
    assert not matches('"error 42"', "an Error 42 here")
    assert not matches('"xERROR"', "ERROR")


@pytest.mark.parametrize(
    ("pattern", "position", "words"),
    [
        ("?", 1, "'?' must be followed by a term"),
        ("ERROR ?", 7, "'?' must be followed by a term"),
        ("ERROR -", 7, "'-' must be followed by a term"),
        ("ERROR -  ", 7, "'-' must be followed by a term"),
        ("ERROR ? WARN", 7, "'?' must be followed by a term"),
        ('ab"cd', 3, "quote the whole term"),
        ('ERROR "abc', 7, "unterminated quoted phrase"),
    ],
)
def test_malformed_terms_are_refused(pattern: str, position: int, words: str) -> None:
    message = refusal(pattern)
    assert f"at character {position}:" in message
    assert words in message


def test_an_exclusion_may_be_written_with_a_space() -> None:
    compiled = compile_filter_pattern('"ERROR" - "Exiting"')
    assert compiled.matches("ERROR in handler")
    assert not compiled.matches("ERROR Exiting now")
