"""Malformed filter patterns fail with InvalidParameterException and say where and why."""

from __future__ import annotations

import pytest

from cw_logging.errors import InvalidParameterError
from cw_logging.local import compile_filter_pattern


@pytest.mark.parametrize(
    ("pattern", "position", "words"),
    [
        ("{ $.a = }", 9, "expected a value"),
        ("{ $.a = 1", 10, "'}'"),
        ("{ a = 1 }", 3, "selector"),
        ('{ $.a > "x" }', 9, "needs a number"),
        ("{ $.a IS MAYBE }", 10, "NULL, TRUE or FALSE"),
        ("{ $.a NOT THERE }", 11, "EXISTS"),
        ("{ ($.a = 1 }", 12, "')'"),
        ("{ $.a = 1 } trailing", 13, "end of the pattern"),
        ("[a,", 4, "field name"),
        ("[a, b", 6, "',' or ']'"),
        ("[a, a]", 7, "used twice"),
        ("[a, b = 1 || c = 2]", 14, "unknown field 'c'"),
        ('"abc', 1, "unterminated"),
        ("? x", 1, "followed by a term"),
        ("%a(b)%", 1, "parentheses"),
        ("%a!b%", 1, "'!'"),
        ("%abc", 1, "unterminated"),
        ("%a% b", 1, "nothing else"),
        ("{ $.a = %x% && $.b = %y% && $.c = %z% }", 1, "at most 2"),
    ],
)
def test_malformed_pattern_reports_position_and_reason(
    pattern: str, position: int, words: str
) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        compile_filter_pattern(pattern)
    assert caught.value.code == "InvalidParameterException"
    assert f"at character {position}:" in caught.value.message
    assert words in caught.value.message


def test_pattern_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="longer than 1024"):
        compile_filter_pattern("a" * 1025)


@pytest.mark.parametrize("pattern", [None, "", "   "])
def test_empty_pattern_matches_everything(pattern: str | None) -> None:
    compiled = compile_filter_pattern(pattern)
    assert compiled.matches("anything at all")
    assert compiled.matches("")
