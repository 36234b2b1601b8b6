"""What a filter-pattern match gives back: extracted fields and values named as metric filters
name them (``$.a``, ``$name``, ``$3``), and None for what the pattern kind does not hold."""

from __future__ import annotations

import json

import pytest

from cw_logging.local import compile_filter_pattern
from cw_logging.local.filterpattern import PatternMatch


def match(pattern: str, message: str) -> PatternMatch:
    found = compile_filter_pattern(pattern).match(message)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ('{ $.ip = "10.0.0.1" }', json.dumps({"ip": "10.0.0.1", "size": 5})),
        ("ERROR", "ERROR 10.0.0.1 5"),
        ("%ERR%", "ERROR 10.0.0.1 5"),
        ("", "ERROR 10.0.0.1 5"),
    ],
)
def test_only_a_space_delimited_match_extracts_fields(pattern: str, message: str) -> None:
    assert match(pattern, message).extracted() == {}


def test_a_space_delimited_match_extracts_its_named_fields() -> None:
    assert match("[ip, ..., size]", "10.0.0.1 GET / 5").extracted() == {
        "$ip": "10.0.0.1",
        "$size": "5",
    }


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("$1", "10.0.0.1"), ("$2", "GET"), ("$3", "5"), ("$4", None), ("$5", None)],
)
def test_a_field_position_past_the_last_field_is_none(reference: str, expected: object) -> None:
    assert match("[ip, method, size]", "10.0.0.1 GET 5").value(reference) == expected


@pytest.mark.parametrize("reference", ["$size", "$.size"])
def test_a_named_field_reads_with_or_without_a_dot(reference: str) -> None:
    assert match("[ip, method, size]", "10.0.0.1 GET 5").value(reference) == "5"


@pytest.mark.parametrize("reference", ["$ip", "$1"])
def test_a_json_match_has_no_named_or_numbered_fields(reference: str) -> None:
    found = match('{ $.ip = "10.0.0.1" }', json.dumps({"ip": "10.0.0.1"}))
    assert found.value("$.ip") == "10.0.0.1"
    assert found.value(reference) is None


@pytest.mark.parametrize("reference", ["$ERROR", "$1", "$.ERROR"])
def test_a_term_match_has_no_values(reference: str) -> None:
    assert match("ERROR", "ERROR 5").value(reference) is None


@pytest.mark.parametrize("reference", ["$.nope", "$.a.b", "$.a..", "$.", "$.list[5]"])
def test_a_json_match_gives_none_for_what_it_cannot_reach(reference: str) -> None:
    found = match("{ $.a = 1 }", json.dumps({"a": 1, "list": [1], "n": None}))
    assert found.value(reference) is None
    assert found.value("$.list[0]") == 1
