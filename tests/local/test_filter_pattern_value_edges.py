"""Edges of filter-pattern values: numbers that are not finite, ``!=`` on values that are not
scalars, comparisons on both sides of a bound, wildcards and the regex subset."""

from __future__ import annotations

import json

import pytest

from cw_logging.errors import InvalidParameterError
from cw_logging.local import compile_filter_pattern

from .filter_pattern_checks import refusal


def matches(pattern: str, message: str) -> bool:
    return compile_filter_pattern(pattern).matches(message)


@pytest.mark.parametrize(
    ("message", "expected"),
    [("x 6", True), ("x 5", False), ("x 1e3", True), ("x 1e999", False), ("x -1e999", False)],
)
def test_a_number_too_large_for_a_float_is_not_a_number(message: str, expected: bool) -> None:
    assert matches("[w, n > 5]", message) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, True),
        ("x", True),
        (True, True),
        (1, False),
        (None, False),
        ([2], False),
        ({"b": 2}, False),
    ],
)
def test_not_equal_holds_only_for_other_scalars(value: object, expected: bool) -> None:
    assert matches("{ $.a != 1 }", json.dumps({"a": value})) is expected


def test_not_equal_never_matches_a_missing_value() -> None:
    assert not matches("{ $.a != 1 }", json.dumps({"b": 2}))
    assert not matches("[w, n, m != 1]", "x 2")


@pytest.mark.parametrize(
    ("op", "below", "at", "above"),
    [
        ("<", True, False, False),
        ("<=", True, True, False),
        (">", False, False, True),
        (">=", False, True, True),
        ("=", False, True, False),
        ("!=", True, False, True),
    ],
)
def test_space_delimited_comparisons_on_both_sides_of_the_bound(
    op: str, below: bool, at: bool, above: bool
) -> None:
    pattern = f"[w, n {op} 10]"
    assert [matches(pattern, f"x {n}") for n in ("9", "10", "11")] == [below, at, above]


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_ordering_never_matches_text_or_booleans(op: str) -> None:
    assert not matches(f"[w, n {op} 10]", "x ten")
    assert not matches(f"{{ $.n {op} 1 }}", json.dumps({"n": True}))
    assert not matches(f"{{ $.n {op} 1 }}", json.dumps({"n": "1"}))


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("{ $.a = true }", True, True),
        ("{ $.a = 1 }", True, False),
        ("{ $.a = * }", "", True),
        ("{ $.a = ** }", "anything", True),
        ("{ $.a = ab* }", "ab", True),
        ("{ $.a = ab* }", "xab", False),
        ("{ $.a = *ab }", "ab", True),
        ("{ $.a = *ab }", "abx", False),
        ("{ $.a = %b% }", "abc", True),
        ("{ $.a = %b% }", "ac", False),
        ("{ $.a = %b% }", ["b"], False),
        ("{ $.a = ab }", {"ab": 1}, False),
        ('{ $.a = "a b" }', "a b", True),
    ],
)
def test_equality_by_value_kind(pattern: str, value: object, expected: bool) -> None:
    assert matches(pattern, json.dumps({"a": value})) is expected


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("{ $.a = %[a% }", "invalid regular expression"),
        ("{ $.a = %a(b)% }", "parentheses are not supported"),
        ("{ $.a = %a~b% }", "'~' is not supported"),
        ("{ $.a = && }", "expected a value after '='"),
        ("{ $.a = ( }", "expected a value after '='"),
        ("{ $.a > %x% }", "'>' needs a number"),
        ("[w, n < x]", "'<' needs a number"),
        # a quoted value is text, even when it reads as a number
        ('[w, n >= "5"]', "'>=' needs a number, not '5'"),
        ('{ $.n <= "5" }', "'<=' needs a number, not '5'"),
    ],
)
def test_malformed_values_are_refused(pattern: str, words: str) -> None:
    message = refusal(pattern)
    assert words in message


@pytest.mark.parametrize(
    ("count", "accepted"),
    [(1, True), (2, True), (3, False)],
)
def test_at_most_two_regexes_in_a_space_delimited_pattern(count: int, accepted: bool) -> None:
    names = ["a", "b", "c"][:count]
    pattern = "[" + ", ".join(f"{name} = %^{name}%" for name in names) + "]"
    message = " ".join(names)
    if accepted:
        assert matches(pattern, message)
        assert not matches(pattern, message.replace("a", "z"))
    else:
        with pytest.raises(InvalidParameterError, match="at most 2 regular expressions"):
            compile_filter_pattern(pattern)


@pytest.mark.parametrize(
    ("count", "accepted"),
    [(1, True), (2, True), (3, False)],
)
def test_at_most_two_regexes_in_a_json_pattern(count: int, accepted: bool) -> None:
    names = ["a", "b", "c"][:count]
    pattern = "{ " + " && ".join(f"$.{name} = %^{name}%" for name in names) + " }"
    event = {name: name + "1" for name in names}
    if accepted:
        assert matches(pattern, json.dumps(event))
        assert not matches(pattern, json.dumps({**event, "a": "z"}))
    else:
        with pytest.raises(InvalidParameterError, match="at most 2 regular expressions"):
            compile_filter_pattern(pattern)
