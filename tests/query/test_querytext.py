from __future__ import annotations

import pytest

from cw_logging._limits import MAX_QUERY_CHARS
from cw_logging.errors import MalformedQueryError, QueryError
from cw_logging.query import validate_query

VALID = [
    "fields @timestamp, @message | sort @timestamp desc | limit 20",
    "filter @message like /\\[ERROR\\]/ | stats count(*) by bin(5m)",
    'filter @message like /"traceId":\\s*"abc"/',  # quotes inside a regex literal
    "filter @message like /unbalanced ( paren/",
    "parse @message /(?<method>\\w+) (?<path>\\S+)/ | display method, path",
    "parse @message 'user=* action=*' as user, action",
    "stats sum(bytes) / count(*) as avg_bytes",  # division, not a regex
    "fields a / b, c / 2 as half",
    "filter status =~ /5\\d\\d/ and path not like /health/",
    "fields `weird field(`, @message",  # bracket inside backticks
    "# a comment with an apostrophe ' and a ( bracket\nfields @message",
    "filter msg = 'it\\'s fine'",
    "filter @logStream in ['a', 'b'] | fields @message",
]


@pytest.mark.parametrize("query", VALID)
def test_valid_queries_pass(query: str) -> None:
    assert validate_query(query) == query


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ('filter @message = "abc', 'unterminated string starting with "'),
        ("filter @message = 'abc", "unterminated string starting with '"),
        ("filter @message like /abc", "unterminated regex"),
        ("stats count(*) by bin(5m", "'\\(' is never closed"),
        ("stats count(*)) by x", "'\\)' closes nothing"),
        ("filter x in [1, 2)", "'\\)' does not match '\\['"),
        ("fields `a", "unterminated string starting with `"),
    ],
)
def test_malformed_queries_are_refused(query: str, problem: str) -> None:
    with pytest.raises(MalformedQueryError, match=problem) as info:
        validate_query(query)
    assert isinstance(info.value, QueryError)


def test_error_points_at_line_and_column() -> None:
    with pytest.raises(MalformedQueryError, match=r"line 2, column 14"):
        validate_query("fields @message\n| filter x = 'open")


def test_length_limit_is_exact() -> None:
    longest = "fields @message | " + "x" * (MAX_QUERY_CHARS - len("fields @message | "))
    assert len(longest) == MAX_QUERY_CHARS
    assert validate_query(longest) == longest
    with pytest.raises(MalformedQueryError, match="10001 characters, over the limit of 10000"):
        validate_query(longest + "x")


def test_sql_has_no_regex_literals_or_hash_comments() -> None:
    sql = "SELECT a / b FROM `/my/group` WHERE c = 'it''s'"
    assert validate_query(sql, "SQL") == sql
    with pytest.raises(MalformedQueryError, match="never closed"):
        validate_query("SELECT count(* FROM `g`", "SQL")
    # In Insights the apostrophe after # is a comment; in SQL it opens a string.
    with pytest.raises(MalformedQueryError, match="unterminated string"):
        validate_query("SELECT 1 # it's\n", "SQL")


def test_unknown_query_language_is_refused() -> None:
    with pytest.raises(MalformedQueryError, match="unknown query language 'KQL'"):
        validate_query("fields @message", "KQL")
