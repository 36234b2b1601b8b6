"""Edges of a whole-pattern ``%regex%``, of the pattern length limit, and how a compiled
pattern compares and prints."""

from __future__ import annotations

import pytest

from cw_logging._limits import MAX_FILTER_PATTERN_CHARS
from cw_logging.errors import InvalidParameterError
from cw_logging.local import compile_filter_pattern

from .filter_pattern_checks import refusal


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("%", "unterminated regular expression"),
        ("%%", "empty regular expression"),
        ("%%a%", "one %regex% and nothing else"),
        ("%a%%", "one %regex% and nothing else"),
        ("%a%b%", "one %regex% and nothing else"),
        ("%a%b", "one %regex% and nothing else"),
    ],
)
def test_a_regex_pattern_is_exactly_one_regex(pattern: str, words: str) -> None:
    message = refusal(pattern)
    assert "at character 1:" in message
    assert words in message


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ("%ERROR%", "an ERROR here", True),
        ("%ERROR%", "an ERRO here", False),
        ("  %ERROR%  ", "an ERROR here", True),
        ("%^E%", "ERROR", True),
        ("%^E%", "an ERROR", False),
    ],
)
def test_a_regex_pattern_searches_with_its_whole_body(
    pattern: str, message: str, expected: bool
) -> None:
    assert compile_filter_pattern(pattern).matches(message) is expected


@pytest.mark.parametrize(
    ("length", "accepted"),
    [
        (MAX_FILTER_PATTERN_CHARS - 1, True),
        (MAX_FILTER_PATTERN_CHARS, True),
        (MAX_FILTER_PATTERN_CHARS + 1, False),
    ],
)
def test_the_pattern_length_limit(length: int, accepted: bool) -> None:
    pattern = "a" * length
    if accepted:
        assert compile_filter_pattern(pattern).matches(pattern)
    else:
        with pytest.raises(InvalidParameterError, match=f"longer than {MAX_FILTER_PATTERN_CHARS}"):
            compile_filter_pattern(pattern)


@pytest.mark.parametrize("text", ["ERROR", "{ $.a = 1 }", "[a, b]", "%x%", ""])
def test_compiled_patterns_compare_and_print_by_their_text(text: str) -> None:
    first, second = compile_filter_pattern(text), compile_filter_pattern(text)
    assert first == second
    assert repr(first) == f"FilterPattern(text={text!r}, kind={first.kind!r})"
