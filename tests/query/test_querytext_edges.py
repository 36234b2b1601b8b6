"""Edges of the query-text checks: where ``/`` is division and where it opens a regex, limits on
both sides, and the bounds of ids and field names."""

from __future__ import annotations

import pytest

from cw_logging.errors import ConfigurationError, MalformedQueryError
from cw_logging.query._ids import (
    MAX_ID_CHARS,
    equality_condition,
    validate_field_name,
    validate_id,
)
from cw_logging.query._querytext import validate_query

ACCEPTED = [
    "fields bytes / 1024 as kb",  # division after a field name
    "fields bytes / 1024 as kb | stats avg(kb) by bin(5m)",
    "fields (a + b) / 2 as half | sort half desc",  # division after ')'
    "fields x[0] / 2 as half",  # division after ']'
    'fields "a" / 2 as x',  # after a literal
    "filter @message =~ /a(b/",  # regex after =~ : its '(' is not a bracket
    "filter strcontains(/a(b/)",  # regex after '('
    "filter strcontains(@message, /a(b/)",  # regex after ','
    "filter @message like /a(b/ or @message like /c[d/",
    "filter x in [/a(/] and not /b{/",
    "parse @message /(?<user>\\w+) (/ as u",  # parse <field> /regex/
    "parse /x(/",
    "stats count(*) by /a(/",
    "filter @message like /a\\/(b/",  # an escaped '/' inside the regex
    'filter msg = "a\\"(b"',  # an escaped quote inside a string
    'filter a = "" and b = ""',  # empty strings
    'filter n = "10" / 2',  # division after a string, even where a regex could start
    "filter @message =~ /a/ / 2",  # division after a regex literal
    "parse x /a(/",  # a one-letter field after parse
    "fields a # a comment at the very end, without a newline",
]


@pytest.mark.parametrize("query", ACCEPTED)
def test_queries_the_service_accepts_pass(query: str) -> None:
    assert validate_query(query) == query


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("fields a / b( as x", "'(' is never closed"),  # '/' after a word is division
        ("filter @message =~ /ab", "unterminated regex"),
        ("filter f(@message, /ab)", "unterminated regex"),
        ("fields (a) / b(", "'(' is never closed"),
        ("fields ]", "']' closes nothing"),
        ("fields (a]", "']' does not match '('"),
        ('filter a = "x', "unterminated string"),
        ("fields a\n  | filter (b", "line 2, column 12"),
        ("\nfields (a", "line 2, column 8"),  # the first character is a newline
        ("# comment\n(x", "line 2, column 1"),  # right after a comment line
        ("fields (a, [b", "'[' is never closed"),  # the innermost open bracket
    ],
)
def test_malformed_queries_are_refused(query: str, words: str) -> None:
    with pytest.raises(MalformedQueryError, match=words.replace("(", r"\(").replace("[", r"\[")):
        validate_query(query)


def test_sql_and_ppl_have_neither_regex_literals_nor_comments() -> None:
    assert validate_query("SELECT a / b FROM t", "SQL")
    with pytest.raises(MalformedQueryError, match="never closed"):
        validate_query("SELECT 1 # (", "SQL")
    with pytest.raises(MalformedQueryError, match="never closed"):
        validate_query("source = t | where a = /x(/", "PPL")


def test_a_query_that_is_not_text_is_refused() -> None:
    with pytest.raises(MalformedQueryError, match="empty"):
        validate_query(None)  # type: ignore[arg-type]


def test_unknown_languages_are_refused_and_known_ones_accepted() -> None:
    for language in ("CWLI", "SQL", "PPL"):
        assert validate_query("fields a", language)
    with pytest.raises(MalformedQueryError, match="unknown query language"):
        validate_query("fields a", "cwli")


def test_id_length_limit_on_both_sides() -> None:
    assert validate_id("a" * MAX_ID_CHARS) == "a" * MAX_ID_CHARS
    assert validate_id("a") == "a"
    for bad in ("a" * (MAX_ID_CHARS + 1), ""):
        with pytest.raises(ConfigurationError):
            validate_id(bad)


def test_a_long_refused_id_is_shown_shortened() -> None:
    with pytest.raises(ConfigurationError) as refused:
        validate_id("x" * 78 + " ")  # repr is 81 characters
    assert "'" + "x" * 76 + "..." in str(refused.value)
    with pytest.raises(ConfigurationError) as refused:
        validate_id("x" * 77 + " ")  # repr is exactly 80 characters: shown whole
    assert repr("x" * 77 + " ") in str(refused.value)


def test_field_name_length_limit_on_both_sides() -> None:
    assert validate_field_name("f" * 128) == "f" * 128
    with pytest.raises(ConfigurationError, match="refused field name"):
        validate_field_name("f" * 129)
    assert validate_field_name("a.b_c.d1") == "a.b_c.d1"
    for bad in ("", "1a", "a..b", "a-b", None):
        with pytest.raises(ConfigurationError):
            validate_field_name(bad)  # type: ignore[arg-type]


def test_ids_are_limited_to_256_characters() -> None:
    assert MAX_ID_CHARS == 256
    assert validate_id("f" * 256) == "f" * 256
    with pytest.raises(ConfigurationError):
        validate_id("f" * 257)


def test_an_equality_condition_names_its_first_field_when_the_id_is_refused() -> None:
    assert equality_condition(["traceId", "trace_id"], "abc") == (
        'traceId = "abc" or trace_id = "abc"'
    )
    with pytest.raises(ConfigurationError, match="refused traceId "):
        equality_condition(["traceId", "trace_id"], 'a"b')
