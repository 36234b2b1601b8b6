"""Edges of the filter-pattern evaluator: every operand of && / || counts, numbers compare as
numbers, and the two-regex limit sits exactly at two."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cw_logging.errors import InvalidParameterError
from cw_logging.local import compile_filter_pattern
from cw_logging.local.filterpattern._delimited import split_fields

EVENT = json.dumps({"a": 1, "b": 2, "c": 3, "s": "x"})


def matches(pattern: str, message: str = EVENT) -> bool:
    return compile_filter_pattern(pattern).matches(message)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.a = 1 && $.b = 2 }", True),
        ("{ $.a = 1 && $.b = 9 }", False),  # A true, B false
        ("{ $.a = 9 && $.b = 2 }", False),  # A false, B true
        ("{ $.a = 1 && $.b = 2 && $.c = 9 }", False),  # only the third fails
        ("{ $.a = 9 || $.b = 2 }", True),  # A false, B true
        ("{ $.a = 1 || $.b = 9 }", True),
        ("{ $.a = 9 || $.b = 9 }", False),
        ("{ $.a = 9 || $.b = 9 || $.c = 3 }", True),  # only the third holds
        ("{ $.a = 9 || $.b = 2 && $.c = 3 }", True),  # && binds tighter
        ("{ $.a = 9 || $.b = 2 && $.c = 9 }", False),
        ("{ ($.a = 9 || $.b = 2) && $.c = 9 }", False),
        ("{ ($.a = 9 || $.b = 2) && $.c = 3 }", True),
    ],
)
def test_json_chains_use_every_operand(pattern: str, expected: bool) -> None:
    assert matches(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[w, code = 200 && code != 404]", True),
        ("[w, code = 200 && code = 404]", False),  # A true, B false
        ("[w, code = 404 || code = 200]", True),  # A false, B true
        ("[w, code = 404 || code = 500]", False),
    ],
)
def test_delimited_chains_on_one_field(pattern: str, expected: bool) -> None:
    assert matches(pattern, "GET 200") is expected


def test_delimited_chains_on_two_fields() -> None:
    assert matches("[w, code, size = 5 && code = 200]", "GET 200 5")
    assert not matches("[w, code, size = 5 && code = 404]", "GET 200 5")
    assert matches("[w, code, size = 9 || code = 200]", "GET 200 5")
    assert not matches("[w, code, size = 9 || code = 404]", "GET 200 5")


_CONDITIONS = st.sampled_from(["$.a = 1", "$.a = 2", "$.b = 2", "$.b != 2", "$.c > 2", "$.c < 3"])


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    """A random && / || / () expression: (pattern text, the same in Python)."""
    if depth >= 2 or draw(st.booleans()):
        condition = draw(_CONDITIONS)
        python = condition.replace("$.", "v_").replace(" = ", " == ")
        return condition, python
    left = draw(_expressions(depth + 1))
    right = draw(_expressions(depth + 1))
    pattern_op, python_op = draw(st.sampled_from([("&&", "and"), ("||", "or")]))
    return f"({left[0]} {pattern_op} {right[0]})", f"({left[1]} {python_op} {right[1]})"


@given(_expressions(), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
def test_combined_conditions_agree_with_python(
    expression: tuple[str, str], a: int, b: int, c: int
) -> None:
    pattern, python = expression
    event = json.dumps({"a": a, "b": b, "c": c})
    expected = eval(python, {}, {"v_a": a, "v_b": b, "v_c": c})  # built from the fixed set above
    assert matches("{ " + pattern + " }", event) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("{ $.code = 200 }", 200, True),
        ("{ $.code = 200 }", 200.0, True),
        ("{ $.code = 200 }", 2e2, True),
        ("{ $.code = 1e2 }", 100, True),
        ("{ $.code = 200.0 }", 200, True),
        ("{ $.code = 200 }", 201, False),
        ("{ $.code != 200 }", 200.0, False),
        ("{ $.code != 200 }", 201, True),
        # JSON patterns compare numerically with JSON numbers only; a string is compared as text
        ("{ $.code = 200 }", "200", True),
        ("{ $.code = 200 }", "200.0", False),
        ("{ $.code = 1e2 }", "100", False),
    ],
)
def test_json_numeric_equality(pattern: str, value: object, expected: bool) -> None:
    assert matches(pattern, json.dumps({"code": value})) is expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [("GET 200", True), ("GET 200.0", True), ("GET 2e2", True), ("GET 201", False)],
)
def test_delimited_numeric_equality_reads_numeric_text(message: str, expected: bool) -> None:
    assert matches("[w, code = 200]", message) is expected


def test_two_regex_terms_are_allowed_and_three_refused() -> None:
    assert matches("{ $.a = %^1$% && $.s = %x% }", EVENT)
    assert not matches("{ $.a = %^1$% && $.s = %y% }", EVENT)
    with pytest.raises(InvalidParameterError, match="at most 2 regular expressions"):
        compile_filter_pattern("{ $.a = %1% && $.s = %x% && $.b = %2% }")
    assert matches("[w = %^G%, code = %^2%]", "GET 200")
    with pytest.raises(InvalidParameterError, match="at most 2 regular expressions"):
        compile_filter_pattern("[w = %G%, code = %2%, size = %5%]")


def test_one_wildcard_step_per_selector_and_three_wildcard_selectors_per_pattern() -> None:
    event = json.dumps({"a": [{"b": 1}, {"b": 2}], "c": [5], "d": [6]})
    assert matches("{ $.a[*].b = 2 }", event)
    assert not matches("{ $.a[*].b = 3 }", event)
    with pytest.raises(InvalidParameterError, match="only one wildcard step"):
        compile_filter_pattern("{ $.a[*].b[*] = 1 }")
    assert matches("{ $.a[*].b = 9 || $.c[*] = 9 || $.d[*] = 6 }", event)
    with pytest.raises(InvalidParameterError, match="at most 3 wildcard selectors"):
        compile_filter_pattern("{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }")


def test_a_selector_that_reaches_nothing_is_missing() -> None:
    assert matches("{ $.nope NOT EXISTS }")
    assert not matches("{ $.s NOT EXISTS }")
    assert matches("{ $.list[*] NOT EXISTS }", json.dumps({"list": []}))
    assert not matches("{ $.list[*] = 1 }", json.dumps({"list": []}))


def test_an_ellipsis_is_not_a_field_name_in_a_condition() -> None:
    with pytest.raises(InvalidParameterError, match="expected a field name in a condition"):
        compile_filter_pattern("[a, b = 1 || ... = 2]")


def test_empty_quoted_and_bracketed_fields() -> None:
    assert split_fields('GET "" [] 200') == ["GET", "", "", "200"]
    assert split_fields('GET "a b" [c d] 200') == ["GET", "a b", "c d", "200"]
    assert matches("[m, q, b, code = 200]", 'GET "" [] 200')


def test_a_quoted_phrase_must_end_a_term() -> None:
    with pytest.raises(InvalidParameterError, match="expected a space after the quoted phrase"):
        compile_filter_pattern('"abc"def')


def test_an_empty_regex_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="empty regular expression"):
        compile_filter_pattern("{ $.a = %% }")


def test_a_match_reads_values_and_none_for_what_the_event_lacks() -> None:
    found = compile_filter_pattern("{ $.a = 1 }").match(EVENT)
    assert found is not None
    assert found.value("$.b") == 2
    assert found.value("$.nope") is None
    assert found.value("$.s.deeper") is None
