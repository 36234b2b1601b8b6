"""Edges of JSON and space-delimited pattern structure: what may follow the closing bracket,
selectors, field names, tokens, quoted fields, and how long a pattern an error message shows."""

from __future__ import annotations

import json

import pytest

from cw_logging.local import compile_filter_pattern

from .filter_pattern_checks import refusal


def matches(pattern: str, message: str) -> bool:
    return compile_filter_pattern(pattern).matches(message)


@pytest.mark.parametrize(
    ("pattern", "position", "words"),
    [
        ("[a] x", 5, "expected the end of the pattern after ']', found 'x'"),
        ("[] x", 4, "expected the end of the pattern after ']', found 'x'"),
        ("{ }", 3, "expected a condition such as $.field"),
        ("{ $.a = 1 }}", 12, "expected the end of the pattern after '}'"),
        ("{ $.a.. = 1 }", 3, "invalid selector '$.a..'"),
        ("{ $ = 1 }", 3, "a selector needs a field"),
        ("{ $.a[*][*] = 1 }", 3, "only one wildcard step"),
        ("{ 1 = 1 }", 3, "expected a selector starting with '$.'"),
        ("{ $.a IS }", 10, "expected NULL, TRUE or FALSE after IS"),
        ("[=]", 2, "expected a field name or '...', found '='"),
        ('[a, "x"]', 5, "expected a field name or '...'"),
        ("[a,,b]", 4, "expected a field name or '...', found ','"),
        ("[a b]", 4, "expected ',' or ']', found 'b'"),
        ("[a, b = 1 || (b = 2]", 20, "expected ')' to close '('"),
        ("{ $.a = 1 ! }", 11, "unexpected '!'"),
        ("{ $.a = 1 & }", 11, "unexpected '&'"),
        ("{ $.a = 1 | }", 11, "unexpected '|'"),
        ('{ $.a = "x', 9, "unterminated quoted string"),
        ("{ $.a = %x }", 9, "unterminated regular expression"),
        ("{ $.a = 1", 10, "found end of pattern"),
    ],
)
def test_malformed_structures_say_where_and_why(pattern: str, position: int, words: str) -> None:
    message = refusal(pattern)
    assert f"at character {position}:" in message
    assert words in message


@pytest.mark.parametrize(
    ("length", "shown"),
    [(79, None), (80, None), (81, 77)],
)
def test_an_error_shows_the_pattern_up_to_80_characters(length: int, shown: int | None) -> None:
    pattern = "{ $.a = " + "x" * (length - 8)
    assert len(pattern) == length
    expected = pattern if shown is None else pattern[:shown] + "..."
    assert refusal(pattern).endswith(f"(pattern: {expected!r})")


@pytest.mark.parametrize(
    ("selector", "event"),
    [
        ("$.a[0]", {"a": ["v"]}),
        ("$.a[1]", {"a": ["x", "v"]}),
        ("$['a b']", {"a b": "v"}),
        ('$.["a b"]', {"a b": "v"}),
        ("$.a.b", {"a": {"b": "v"}}),
        ("$.*", {"x": "v"}),
        ("$.a[*]", {"a": ["x", "v"]}),
        ("$.a.*", {"a": {"k": "v"}}),
    ],
)
def test_selector_steps_reach_the_value(selector: str, event: dict[str, object]) -> None:
    assert matches(f"{{ {selector} = v }}", json.dumps(event))
    assert not matches(f"{{ {selector} = w }}", json.dumps(event))


@pytest.mark.parametrize(
    "event",
    [{"a": ["x"]}, {"a": "v"}, {"a": "xv"}, {"a": {"0": "v"}}, {"b": ["v", "v"]}, ["v"]],
)
def test_an_index_step_needs_an_array_long_enough(event: object) -> None:
    assert not matches("{ $.a[1] = v }", json.dumps(event))


@pytest.mark.parametrize("event", [{"a": "v"}, {"a": 5}, {"b": {"k": "v"}}])
def test_a_wildcard_step_needs_an_object_or_array(event: object) -> None:
    assert not matches("{ $.a[*] = v }", json.dumps(event))


def test_a_quoted_string_may_escape_a_quote() -> None:
    assert matches('{ $.a = "say \\"hi\\"" }', json.dumps({"a": 'say "hi"'}))
    assert not matches('{ $.a = "say \\"hi\\"" }', json.dumps({"a": "say hi"}))


@pytest.mark.parametrize("name", ["a-b", "a.b", "a_b", "A9"])
def test_field_names_may_hold_dashes_dots_and_underscores(name: str) -> None:
    assert matches(f"[w, {name} = 200]", "GET 200")
    assert not matches(f"[w, {name} = 200]", "GET 404")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('GET "a b" 200', True),
        ("GET [a b] 200", True),
        ('GET "a b 200', False),  # an unclosed quote does not join fields
        ("GET [a b 200", False),
    ],
)
def test_quoted_and_bracketed_fields_are_one_field(message: str, expected: bool) -> None:
    assert matches("[m, q, code = 200]", message) is expected


def test_the_last_field_takes_the_rest_only_without_an_ellipsis() -> None:
    found = compile_filter_pattern("[m, rest]").match("GET a b")
    assert found is not None and found.extracted() == {"$m": "GET", "$rest": "a b"}
    assert not matches("[m, rest, ...]", "GET")
    assert matches("[m, rest, ...]", "GET a b")


@pytest.mark.parametrize(
    ("message", "expected"),
    [('GET "a b"200', True), ("GET [a b]200", True), ('GET "a b"201', False)],
)
def test_a_field_may_follow_a_closing_quote_or_bracket_directly(
    message: str, expected: bool
) -> None:
    assert matches("[m, q, code = 200]", message) is expected


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ("[..., a = z, ..., ...]", "x y z", True),
        ("[..., a = z, ..., ...]", "z", True),
        ("[..., a = z, ..., ...]", "x y", False),
        ("[..., ..., a = z]", "x y z", True),
        ("[..., a = z, ..., b = w]", "x z y w", True),
        ("[..., a = z, ..., b = w]", "x w y z", False),
    ],
)
def test_each_ellipsis_may_take_any_number_of_fields(
    pattern: str, message: str, expected: bool
) -> None:
    assert matches(pattern, message) is expected
