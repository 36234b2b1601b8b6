"""Edges of how structured filter patterns are split into tokens: spacing, keywords in any case,
operators written without spaces, selector brackets and escapes in quoted strings."""

from __future__ import annotations

import json

import pytest

from cw_logging.local import compile_filter_pattern

from .filter_pattern_checks import refusal


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ("{ $.a is null }", {"a": None}, True),
        ("{ $.a Is True }", {"a": True}, True),
        ("{ $.a IS false }", {"a": True}, False),
        ("{ $.a not exists }", {}, True),
        ("{ $.a Not Exists }", {"a": 1}, False),
    ],
)
def test_keywords_are_read_in_any_case(pattern: str, event: object, expected: bool) -> None:
    assert compile_filter_pattern(pattern).matches(json.dumps(event)) is expected


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ("{$.a=1}", {"a": 1}, True),
        ("{$.a=1}", {"a": 2}, False),
        ("{\t$.a\n=\r1 }", {"a": 1}, True),
        ("{ $.a = 1&&$.b = 2 }", {"a": 1, "b": 2}, True),
        ("{ $.a = 1&&$.b = 2 }", {"a": 1, "b": 3}, False),
        ("{ $.a<=1||$.b>=2 }", {"a": 3, "b": 2}, True),
        ("{ $.a<=1||$.b>=2 }", {"a": 3, "b": 1}, False),
        ("{ $.a<1||$.b>2 }", {"a": 1, "b": 2}, False),
        ("{ $.a!=1 }", {"a": 3}, True),
        ("{ $.a!=1 }", {"a": 1}, False),
        ("{ $.a[0]= 1 }", {"a": [1]}, True),
        ("{ $.a[1].b= 1 }", {"a": [0, {"b": 1}]}, True),
        ("{ $.['x y']= 1 }", {"x y": 1}, True),
    ],
)
def test_operators_and_selectors_need_no_spaces(
    pattern: str, event: object, expected: bool
) -> None:
    assert compile_filter_pattern(pattern).matches(json.dumps(event)) is expected


def test_delimited_operators_need_no_spaces() -> None:
    assert compile_filter_pattern("[a,b=1]").matches("x 1")
    assert not compile_filter_pattern("[a,b=1]").matches("x 2")
    assert compile_filter_pattern("[a,b>=1&&b<3]").matches("x 2")
    assert not compile_filter_pattern("[a,b>=1&&b<3]").matches("x 3")


@pytest.mark.parametrize(
    ("text", "value"),
    [('"x\\"y"', 'x"y'), ('"x\\\\y"', "x\\y"), ('"a,b]"', "a,b]"), ('"a && b"', "a && b")],
)
def test_a_quoted_string_keeps_escaped_and_special_characters(text: str, value: str) -> None:
    pattern = compile_filter_pattern(f"{{ $.a = {text} }}")
    assert pattern.matches(json.dumps({"a": value}))
    assert not pattern.matches(json.dumps({"a": value + "!"}))


@pytest.mark.parametrize(
    ("pattern", "position", "words"),
    [
        ('{ $.a = "x\\', 9, "unterminated quoted string"),
        ('{ $.a = "x\\"', 9, "unterminated quoted string"),
        ("{ $.a[0 = 1 }", 6, "expected a comparison operator"),
        ("{ $.a = 1 &| $.b = 2 }", 11, "unexpected '&'"),
    ],
)
def test_malformed_tokens_are_refused(pattern: str, position: int, words: str) -> None:
    message = refusal(pattern)
    assert f"at character {position}:" in message
    assert words in message
