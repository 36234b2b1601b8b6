"""Malformed and unsupported queries fail with MalformedQueryException pointing at the place."""

from __future__ import annotations

import pytest

from cw_logging.errors import MalformedQueryError
from cw_logging.local.insights import compile_query


def error_for(query: str) -> MalformedQueryError:
    with pytest.raises(MalformedQueryError) as caught:
        compile_query(query)
    assert caught.value.code == "MalformedQueryException"
    return caught.value


def test_error_names_line_and_column_with_a_caret_under_the_token() -> None:
    error = error_for("fields @timestamp\n| filter level = = 3")
    assert "line 2, column 18" in error.message
    lines = error.message.splitlines()
    excerpt, caret = lines[1], lines[2]
    assert excerpt.strip() == "| filter level = = 3"
    assert caret.index("^") == excerpt.index("= 3")


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("fields a,", 10, "Expected an expression but found the end of the query"),
        ("fields a b", 10, "Expected '|' or the end of the query but found name 'b'"),
        ('filter a = "open', 12, "Unterminated string"),
        ("fields `foo-bar", 8, "Unterminated field name"),
        ("filter a like /ab", 15, "Unterminated regular expression"),
        ("filter a like /ab/i", 19, "Expected '|' or the end of the query but found name 'i'"),
        ("filter a like /(/", 15, "Invalid regular expression"),
        ("frobnicate a", 1, "Unknown command 'frobnicate'"),
        ("fields a | | limit 1", 12, "Expected a command"),
        ("stats count(*) by bin(5x)", 24, "Unknown time unit 'x'"),
        ("filter duration > 5m", 19, "A time period is only valid as an argument of bin"),
        ("stats count(*) by bin(level)", 23, "Expected a time period"),
        ("fields strlen(a, b)", 8, "takes 1 argument(s), not 2"),
        ("fields frob(a)", 8, "Unknown function 'frob'"),
        ("filter count(*) > 2", 8, "aggregate function 'count' is only valid in stats"),
        ("stats level by service", 7, "Each stats item must be an aggregate"),
        ("stats count(*) + level", 18, "Each stats item must be an aggregate"),
        ("stats pct(latency, 150)", 20, "percentile must be a number from 0 to 100"),
        ("parse @message 'a * b *' as x", 16, "The pattern has 2 '*' but 1 field names"),
        ("parse @message /no (groups)/", 16, "has no named group"),
        ("fields a | dedup a | sort a", 22, "Only 'limit' may follow 'dedup'"),
        ("limit 0", 7, "The limit must be between 1 and 100,000"),
        ("limit 100001", 7, "The limit must be between 1 and 100,000"),
        ("limit 2.5", 7, "Expected a whole number of results after 'limit'"),
        ("filter a ! b", 10, "Unexpected character '!'"),
        ("   ", 4, "The query is empty"),
    ],
)
def test_malformed_queries_point_at_the_problem(query: str, column: int, words: str) -> None:
    error = error_for(query)
    assert words in error.message
    assert f"line 1, column {column}:" in error.message


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("fields @message | pattern @message", "'pattern' command"),
        ("filter a = 1 | diff", "'diff' command"),
        ("fields @message | anomaly", "'anomaly' command"),
        ("fields @message | addtotals", "'addtotals' command"),
        ("fields a | lookup table key", "'lookup' command"),
        ("fields a | countFrequent a", "'countFrequent' command"),
        ("SOURCE logGroups() | fields a", "'SOURCE' command"),
        ("SELECT * FROM `logGroups`", "SQL"),
        ("fields @message | head 5", "'head' command"),
        ("fields isReservedIP(ip) as r", "the function 'isReservedIP'"),
        ("stats histogram(latency, 10)", "the function 'histogram'"),
        ("stats count(*) by bin(5m) offset 1h", "'offset' after 'stats ... by bin()'"),
    ],
)
def test_unsupported_syntax_fails_loudly_naming_it(query: str, named: str) -> None:
    error = error_for(query)
    assert named in error.message
    assert "not supported by the cw_logging local engine" in error.message


def test_error_message_says_what_to_do() -> None:
    assert "Fix the query" in error_for("fields").message
