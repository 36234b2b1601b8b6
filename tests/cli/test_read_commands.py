"""``tail``, ``query`` and ``trace`` end to end against the local engine over HTTP (the engine
really evaluates filter patterns and Insights queries, so the results prove the commands)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.conftest import Run, put_events

Cli = Callable[..., Run]

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture
def shop(logs: Any) -> None:
    """Two services' groups: one trace across both, another trace, one old event, plain text."""
    put_events(
        logs,
        "/shop/api",
        "api-1",
        [
            (7_200_000, {"level": "INFO", "message": "two hours ago", "service": "api"}),
            (
                3_000,
                {"level": "INFO", "message": "POST /orders", "traceId": TRACE, "service": "api"},
            ),
            (
                2_500,
                {"level": "INFO", "message": "GET /health", "traceId": OTHER, "service": "api"},
            ),
            (1_000, {"level": "ERROR", "message": "-> 502", "traceId": TRACE, "service": "api"}),
        ],
    )
    put_events(
        logs,
        "/shop/payments",
        "pay-1",
        [
            (
                2_000,
                {
                    "level": "ERROR",
                    "message": "card declined",
                    "traceId": TRACE,
                    "service": "payments",
                },
            ),
            (1_500, "WARN plain text line without json"),
        ],
    )


@pytest.mark.usefixtures("shop")
def test_tail_prints_recent_events_oldest_first(cli: Cli) -> None:
    tailed = cli("tail", "/shop/api", "--json")
    assert tailed.code == 0
    messages = [line["message"] for line in tailed.json_lines()]
    assert len(messages) == 3  # the two-hour-old event is outside the default --since 10m
    assert ['"POST /orders"' in messages[0], '"GET /health"' in messages[1]] == [True, True]
    assert all(
        line["stream"] == "api-1" and line["timestamp"].endswith("Z")
        for line in tailed.json_lines()
    )

    wider = cli("tail", "/shop/api", "--since", "3h", "--json")
    assert len(wider.json_lines()) == 4


@pytest.mark.usefixtures("shop")
def test_tail_filter_pattern_and_limit(cli: Cli) -> None:
    errors = cli("tail", "/shop/api", "--filter", '{ $.level = "ERROR" }', "--json")
    assert [('"-> 502"' in line["message"]) for line in errors.json_lines()] == [True]

    limited = cli("tail", "/shop/api", "--limit", "1", "--json")
    assert len(limited.json_lines()) == 1


@pytest.mark.usefixtures("shop")
def test_tail_human_output(cli: Cli) -> None:
    lines = cli("tail", "/shop/payments").out.splitlines()
    assert len(lines) == 2
    assert "ERROR" in lines[0] and "payments: card declined" in lines[0] and TRACE in lines[0]
    assert lines[1].endswith("WARN plain text line without json")
    assert "\x1b[" not in "".join(lines)  # not a terminal: no colours


@pytest.mark.usefixtures("shop")
def test_query_json_rows_come_from_the_engine(cli: Cli) -> None:
    ran = cli(
        "query",
        "stats count(*) as n by level | sort level asc",
        "-g",
        "/shop/api",
        "-g",
        "/shop/payments",
        "--json",
    )
    assert ran.code == 0
    document = ran.json()
    assert document["status"] == "Complete" and document["queryId"]
    # 3 api events in the last hour (one ERROR), payments: one ERROR JSON event, one plain text
    assert {row.get("level"): row["n"] for row in document["rows"]} == {
        None: "1",
        "ERROR": "2",
        "INFO": "2",
    }
    assert document["statistics"]["recordsMatched"] == 5


@pytest.mark.usefixtures("shop")
def test_query_csv_and_table(cli: Cli) -> None:
    query = 'filter level = "ERROR" | fields service, message | sort service asc'
    as_csv = cli("query", query, "-g", "/shop/api", "-g", "/shop/payments", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert [(r["service"], r["message"]) for r in rows] == [
        ("api", "-> 502"),
        ("payments", "card declined"),
    ]

    table = cli("query", query, "-g", "/shop/api", "-g", "/shop/payments")
    lines = table.out.splitlines()
    assert lines[0].split() == ["service", "message"]
    assert lines[1].split(maxsplit=1) == ["api", "-> 502"]
    assert lines[0].index("message") == lines[2].index("card")
    assert table.err.startswith("2 row(s)")


@pytest.mark.usefixtures("shop")
def test_query_since_limits_the_range(cli: Cli) -> None:
    recent = cli("query", "stats count(*) as n", "-g", "/shop/api", "--since", "10m", "--json")
    old = cli("query", "stats count(*) as n", "-g", "/shop/api", "--since", "3h", "--json")
    assert (recent.json()["rows"], old.json()["rows"]) == ([{"n": "3"}], [{"n": "4"}])


def test_query_malformed_is_one_line(cli: Cli, logs: Any) -> None:
    logs.create_log_group(logGroupName="/g")
    ran = cli("query", "fields @message | frobnicate", "-g", "/g")
    assert ran.code == 1
    assert ran.out == "" and ran.err.count("\n") == 1
    assert ran.err.startswith("cw-logging: error: MalformedQuery")


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize("method", ["insights", "filter", "auto"])
def test_trace_timeline_across_groups(cli: Cli, method: str) -> None:
    found = cli(
        "trace", TRACE, "-g", "/shop/api", "-g", "/shop/payments", "--method", method, "--json"
    )
    assert found.code == 0
    document = found.json()
    assert document["traceId"] == TRACE
    assert [(e["group"], e["source"], e["level"], e["message"]) for e in document["events"]] == [
        ("/shop/api", "api", "INFO", "POST /orders"),
        ("/shop/payments", "payments", "ERROR", "card declined"),
        ("/shop/api", "api", "ERROR", "-> 502"),
    ]
    assert all(e["ids"]["trace_id"] == TRACE for e in document["events"])


@pytest.mark.usefixtures("shop")
def test_trace_human_timeline(cli: Cli) -> None:
    lines = cli("trace", TRACE, "-g", "/shop/api", "-g", "/shop/payments").out.splitlines()
    assert len(lines) == 3
    assert "+     0 ms" in lines[0] and "+  2000 ms" in lines[2]
    assert lines[1].split()[4:7] == ["payments", "ERROR", "card"]
    offsets = {line.index("ms") for line in lines}
    assert len(offsets) == 1  # aligned


@pytest.mark.usefixtures("shop")
def test_trace_not_found_exits_1(cli: Cli) -> None:
    missing = cli("trace", "ffffffffffffffffffffffffffffffff", "-g", "/shop/api", "--since", "1h")
    assert missing.code == 1
    assert missing.out == "" and "no events with trace id" in missing.err


def test_trace_refuses_an_id_that_could_alter_the_query(cli: Cli) -> None:
    refused = cli("trace", 'x" or 1=1', "-g", "/shop/api")
    assert refused.code == 1 and "InvalidCorrelationId" in refused.err


@pytest.mark.usefixtures("shop")
def test_trace_by_prefix_is_one_indexed_query_with_its_cost(cli: Cli, logs: Any) -> None:
    put_events(logs, "/elsewhere", "x-1", [(1_200, {"message": "not ours", "traceId": TRACE})])
    found = cli("trace", TRACE, "--prefix", "/shop/", "--since", "1h", "--json")
    assert found.code == 0
    document = found.json()
    assert [e["message"] for e in document["events"]] == ["POST /orders", "card declined", "-> 502"]
    assert document["queries"] == 1 and document["notes"] == []
    scan = document["scan"]
    assert scan["logGroupsScanned"] == 2 and scan["recordsScanned"] == 3
    assert scan["estimatedRecordsSkipped"] == 2  # OTHER's event and the plain-text line
    assert scan["estimatedCostUsd"] == pytest.approx(scan["bytesScanned"] / 1024**3 * 0.005)
    human = cli("trace", TRACE, "--prefix", "/shop/", "--since", "1h", "--price-per-gb", "1")
    assert len(human.out.splitlines()) == 3
    assert "1 query; scanned" in human.err and "index skipped" in human.err
    assert f"${scan['bytesScanned'] / 1024**3:.6f}" in human.err


@pytest.mark.usefixtures("shop")
def test_trace_by_prefix_searches_infrequent_access_with_filter_and_says_so(
    cli: Cli, logs: Any
) -> None:
    logs.create_log_group(logGroupName="/shop/archive", logGroupClass="INFREQUENT_ACCESS")
    put_events(logs, "/shop/archive", "a-1", [(900, {"message": "archived", "traceId": TRACE})])
    standard = cli("trace", TRACE, "--prefix", "/shop/", "--since", "1h", "--json").json()
    assert "archived" not in [e["message"] for e in standard["events"]]
    both = cli(
        "trace", TRACE, "--prefix", "/shop/", "--since", "1h",
        "--class", "STANDARD", "--class", "INFREQUENT_ACCESS", "--json",
    ).json()  # fmt: skip
    assert "archived" in [e["message"] for e in both["events"]]
    assert both["queries"] == 2 and "no field indexes" in both["notes"][0]


@pytest.mark.usefixtures("shop")
def test_query_by_prefix_prints_what_it_scanned_and_obeys_the_budget(cli: Cli) -> None:
    ran = cli("query", "stats count(*) as n", "--prefix", "/shop/", "--json")
    assert ran.code == 0
    assert ran.json()["rows"] == [{"n": "5"}]  # 3 api events within the hour, 2 payments ones
    assert ran.json()["scan"]["logGroupsScanned"] == 2
    human = cli("query", "fields @message", "-g", "/shop/api")
    assert "row(s); scanned" in human.err and "estimated cost $" in human.err
    stopped = cli("query", "fields @message", "-g", "/shop/api", "--max-scanned-bytes", "10")
    assert stopped.code == 1 and "ScanLimitExceeded" in stopped.err


def test_group_and_prefix_are_exclusive(cli: Cli) -> None:
    both = cli("trace", TRACE, "-g", "/a", "--prefix", "/a")
    assert both.code == 2 and "not allowed with" in both.err
    neither = cli("trace", TRACE)
    assert neither.code == 2 and "one of the arguments" in neither.err
