"""Every command and function the pages document is evaluated or refused by name, and
docs/insights-conformance.md shows exactly the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from cw_logging.errors import MalformedQueryError
from cw_logging.local.insights import compile_query
from cw_logging.local.insights._catalogue import CATALOGUE, Entry, markdown_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "insights-conformance.md"
_ARGS = {
    "bin": "5m",
    "datefloor": "@timestamp, 1h",
    "dateceil": "@timestamp, 1h",
    "now": "",
    "queryStartTime": "",
    "queryEndTime": "",
    "queryTimeRange": "",
    "pct": "x, 50",
    "haversine": "1, 2, 3, 4",
    "case": "x > 1, 'a', 'b'",
    "if": "x > 1, 'a', 'b'",
    "isIpInSubnet": "x, '10.0.0.0/8'",
    "isIpv4InSubnet": "x, '10.0.0.0/8'",
    "isIpv6InSubnet": "x, '::/0'",
    "substr": "x, 1",
    "replace": "x, 'a', 'b'",
    "regexReplace": "x, 'a', 'b'",
    "strcontains": "x, 'a'",
    "startsWith": "x, 'a'",
    "endsWith": "x, 'a'",
    "split": "x, ','",
    "jsonArrayContains": "x, 'a'",
    "parseDate": "x, 'yyyy-MM-dd'",
    "formatDate": "@timestamp, '%Y'",
    "strftime": "@timestamp, '%Y'",
    "greatest": "x, 1",
    "least": "x, 1",
    "concat": "x, 'a'",
    "coalesce": "x, 1",
}
_COMMANDS = {
    "fields": "fields x",
    "display": "display x",
    "filter": "filter x > 1",
    "where": "where x > 1",
    "parse": 'parse @message "a*" as x',
    "stats": "stats count(*)",
    "sort": "sort x",
    "limit": "limit 1",
    "dedup": "dedup x",
    "unnest": "unnest x into y",
}


def _query(entry: Entry) -> str:
    if entry.kind == "command":
        return _COMMANDS.get(entry.name, f"fields x | {entry.name} x")
    call = f"{entry.name}({_ARGS.get(entry.name, 'x')})"
    return f"stats {call} as v" if entry.kind == "aggregate" else f"fields {call} as v"


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e.name for e in CATALOGUE])
def test_each_documented_name_is_evaluated_or_refused_by_name(entry: Entry) -> None:
    assert entry.page.startswith("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/")
    if entry.supported:
        compile_query(_query(entry)).run([])
        return
    with pytest.raises(MalformedQueryError) as caught:
        compile_query(_query(entry))
    assert "not supported by the cw_logging local engine" in caught.value.message
    assert entry.name.lower() in caught.value.message.lower()


def test_conformance_page_holds_the_generated_table() -> None:
    assert markdown_table() in DOC.read_text(encoding="utf-8"), (
        "regenerate the table: python -m cw_logging.local.insights._catalogue"
    )


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("fields @timestamp, @message | pattern @message", "pattern"),
        ("pattern @message | sort @sampleCount desc", "pattern"),
        ("fields @timestamp, @message | lookup users userId OUTPUT name, email", "lookup"),
        ("stats count(*) by bin(5m) | anomaly", "anomaly"),
        ("fields x | head 5", "head"),
        ("stats rate(bytes) by bin(5m)", "rate"),
        ("fields isReservedIP(srcAddr) as reserved", "isReservedIP"),
    ],
)
def test_documented_forms_of_refused_names_are_refused_by_name(query: str, named: str) -> None:
    """A refused command or function is refused by name wherever it stands and whatever its
    arguments, never reported as a syntax error elsewhere in the query."""
    with pytest.raises(MalformedQueryError) as caught:
        compile_query(query)
    message = caught.value.message
    assert f"'{named}'" in message
    assert "not supported by the cw_logging local engine" in message
