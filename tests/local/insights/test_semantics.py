"""Behaviour the documentation leaves implicit, pinned down so changes are deliberate."""

from __future__ import annotations

import json

import pytest

from cw_logging.errors import MalformedQueryError
from cw_logging.local.insights import (
    DEFAULT_LIMIT,
    MAX_DISCOVERED_FIELDS,
    Timestamp,
    compile_query,
    discover_json_fields,
    format_value,
)

from .events import BASE_MS, event, events, run


def test_format_value_renders_like_get_query_results() -> None:
    assert format_value(Timestamp(BASE_MS + 42)) == "2024-05-01 12:00:00.042"
    assert format_value(2.0) == "2"
    assert format_value(2.5) == "2.5"
    assert format_value(True) == "1"
    assert format_value(None) == ""
    assert format_value("text") == "text"


def test_discovery_stops_at_two_hundred_fields() -> None:
    message = json.dumps({f"k{i:03d}": i for i in range(250)})
    found = discover_json_fields(message)
    assert len(found) == MAX_DISCOVERED_FIELDS
    assert "k199" in found and "k200" not in found


def test_non_object_and_broken_json_discover_nothing() -> None:
    assert discover_json_fields("[1, 2]") == {}
    assert discover_json_fields('{"a": ') == {}
    assert discover_json_fields("plain text") == {}


def test_json_nulls_are_missing_and_nested_arrays_are_indexed() -> None:
    found = discover_json_fields('{"a": null, "b": [[1, 2], {"c": "d"}], "e": {}}')
    assert found == {"b.0.0": 1, "b.0.1": 2, "b.1.c": "d"}


def test_fields_set_by_the_query_win_over_discovered_ones() -> None:
    rows = run('fields "mine" as level | fields level', events({"level": "json"}))
    assert rows[0]["level"] == "mine"


def test_missing_fields_make_comparisons_unknown_so_rows_are_dropped() -> None:
    evts = events({"x": 1}, {"y": 1})
    assert len(run("filter x != 2", evts)) == 1
    assert len(run("filter not (x = 2)", evts)) == 1
    assert len(run("filter not ispresent(x)", evts)) == 1
    assert len(run("filter isempty(x)", evts)) == 1


def test_numeric_strings_compare_as_numbers_against_numbers() -> None:
    evts = events("status=404", "status=1000", "status=abc")
    rows = run('parse @message "status=*" as status | filter status > 500 | fields status', evts)
    assert [row["status"] for row in rows] == ["1000"]
    rows = run('parse @message "status=*" as status | filter status = 404 | fields status', evts)
    assert [row["status"] for row in rows] == ["404"]


def test_json_booleans_match_true_and_one() -> None:
    evts = events({"ok": True}, {"ok": False})
    assert len(run('filter ok = "true"', evts)) == 1
    assert len(run("filter ok = 1", evts)) == 1
    assert run("fields ok", evts)[0]["ok"] == "0"


def test_division_by_zero_and_non_numbers_give_missing_values() -> None:
    row = run('fields 1 / 0 as a, "x" * 2 as b, 7 / 2 as c, -7 % 3 as d', events("m"))[0]
    assert "a" not in row and "b" not in row
    assert (row["c"], row["d"]) == ("3.5", "-1")


def test_month_and_quarter_bins_follow_the_calendar() -> None:
    evts = [event("a", BASE_MS), event("b", BASE_MS + 40 * 86_400_000)]  # 1 May, 10 June
    months = run("stats count(*) by bin(1mo)", evts)
    assert sorted(row["bin(1mo)"] for row in months) == [
        "2024-05-01 00:00:00.000",
        "2024-06-01 00:00:00.000",
    ]
    quarter = run("stats count(*) as n by bin(1q)", evts)
    assert [(row["bin(1q)"], row["n"]) for row in quarter] == [("2024-04-01 00:00:00.000", "2")]


@pytest.mark.parametrize("unit", ["5m", "5min", "5mins", "5minute", "5minutes"])
def test_period_spellings_are_equivalent(unit: str) -> None:
    evts = [event("a", BASE_MS + 4 * 60_000), event("b", BASE_MS + 6 * 60_000)]
    rows = run(f"stats count(*) as n by bin({unit}) as t", evts)
    assert sorted(row["t"] for row in rows) == [
        "2024-05-01 12:00:00.000",
        "2024-05-01 12:05:00.000",
    ]


@pytest.mark.parametrize(
    ("unit", "same_as", "uncapped", "step_ms"),
    [
        ("300s", "1m", "5m", 37_000),
        ("90m", "60m", "2h", 23 * 60_000),
        ("5000ms", "1s", "5s", 700),
    ],
)
def test_periods_are_capped_per_unit(unit: str, same_as: str, uncapped: str, step_ms: int) -> None:
    """Functions page (CWL_QuerySyntax-operations-functions.html): CloudWatch caps ``ms`` at
    1000, ``s`` and ``m`` at 60, ``h`` at 24; ``bin(300s)`` is implemented as 60 seconds."""
    evts = [event(str(i), BASE_MS + i * step_ms) for i in range(30)]
    capped = run(f"stats count(*) as n by bin({unit}) as t", evts)
    assert capped == run(f"stats count(*) as n by bin({same_as}) as t", evts)
    assert capped != run(f"stats count(*) as n by bin({uncapped}) as t", evts)


def test_default_fields_include_parsed_fields_and_ptr() -> None:
    query = compile_query('parse @message "user=*" as user')
    assert query.fields == ["@timestamp", "@message", "user", "@ptr"]
    assert compile_query("stats count(*) by k").fields == ["k", "count(*)"]


def test_statistics_count_matched_before_limit_and_scanned_bytes() -> None:
    evts = events("héllo", "error one", "error two")
    query = compile_query("filter @message like /error/ | limit 1")
    result = query.run(evts)
    assert len(result) == 1
    assert result.statistics.records_matched == 2
    assert result.statistics.records_scanned == 3
    assert result.statistics.bytes_scanned == len("héllo".encode()) + 9 + 9
    assert query.records_matched == 2
    assert result.statistics.as_api()["recordsMatched"] == 2.0


def test_start_query_limit_caps_rows_and_default_limit_applies_otherwise() -> None:
    evts = [event("x", BASE_MS + i) for i in range(DEFAULT_LIMIT + 5)]
    query = compile_query("fields @message")
    assert len(query.run(evts)) == DEFAULT_LIMIT
    assert len(query.run(evts, limit=7)) == 7
    assert len(compile_query("fields @message | limit 10005").run(evts)) == DEFAULT_LIMIT + 5


def test_stats_over_no_events_returns_no_rows() -> None:
    assert run("stats count(*)", []) == []


def test_stats_expressions_combine_aggregates_and_later_commands_see_columns() -> None:
    evts = events({"ok": 1}, {"ok": 0}, {"ok": 1}, {"ok": 1})
    rows = run("stats sum(ok) / count(*) * 100 as rate, count(*) | sort count(*) desc", evts)
    assert (rows[0]["rate"], rows[0]["count(*)"]) == ("75", "4")


def test_second_stats_aggregates_the_first_ones_rows() -> None:
    evts = events(*({"svc": s} for s in "aabbbc"))
    rows = run("stats count(*) as n by svc | stats max(n) as most, count(*) as services", evts)
    assert rows == [{"most": "3", "services": "3"}]


def test_regex_named_groups_and_back_references_in_java_syntax() -> None:
    rows = run(
        r"parse @message /(?<word>\w+) \k<word>/ | filter ispresent(word) | fields word",
        events("hello hello", "hello world"),
    )
    assert [row["word"] for row in rows] == ["hello"]


def test_parse_non_matching_events_keep_flowing_with_missing_fields() -> None:
    rows = run('parse @message "id=*;" as id | fields @message, id', events("id=7;", "nothing"))
    assert [(row["@message"], row.get("id")) for row in rows] == [("nothing", None), ("id=7;", "7")]


def test_string_functions_on_missing_values_stay_missing() -> None:
    row = run(
        "fields toupper(nope) as u, strlen(nope) as n, coalesce(nope, 'dflt') as c", events("m")
    )[0]
    assert "u" not in row and "n" not in row
    assert row["c"] == "dflt"


def test_ip_functions() -> None:
    evts = events({"ip": "10.1.2.3"}, {"ip": "2001:db8::1"}, {"ip": "nope"})
    rows = run(
        'fields isValidIpV4(ip) as v4, isValidIp(ip) as any, isIpInSubnet(ip, "10.0.0.0/8") as lan',
        evts,
    )
    assert [(r["v4"], r["any"], r["lan"]) for r in rows] == [
        ("0", "0", "0"),
        ("0", "1", "0"),
        ("1", "1", "1"),
    ]


def test_later_commands_refer_to_unaliased_stats_columns_by_their_text() -> None:
    evts = [event("a", BASE_MS + 3_600_000), event("b", BASE_MS), event("c", BASE_MS + 1)]
    rows = run("stats count(*) by bin(1h) | sort bin(1h) asc", evts)
    assert [(r["bin(1h)"], r["count(*)"]) for r in rows] == [
        ("2024-05-01 12:00:00.000", "2"),
        ("2024-05-01 13:00:00.000", "1"),
    ]


def test_an_aggregate_that_is_not_a_stats_column_is_refused_after_stats() -> None:
    with pytest.raises(MalformedQueryError, match=r"'avg\(x\)' is not a column of the stats"):
        compile_query("stats count(*) by k | sort avg(x)")
