"""Queries over stored events answer exactly what the evaluator answers over the same events as
dicts, while filtering stored fields before building rows (hypothesis over generated logs)."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cw_logging.local import LocalEngine, _query_scan, _timeline
from cw_logging.local._query_scan import query_blocks
from cw_logging.local.insights import _scan, compile_query, discover_json_fields
from cw_logging.local.insights._ingest import discover_batch
from tests.local.conftest import NOW_S, FakeClock

START_MS = int(NOW_S * 1000) - 3_600_000
QUERIES = [
    'filter level = "ERROR"',
    'filter level = "ERROR" | stats count(*) by service',
    'filter level != "INFO" and latency > 100 | fields @timestamp, level, latency',
    "filter @message like /timeout/ | sort @timestamp desc | limit 3",
    'filter @message = "plain ERROR timeout" | fields @logStream',
    'filter level in ["WARN", "ERROR"] or latency < 10 '
    "| stats avg(latency), pct(latency, 50), count(*) by bin(5m)",
    "stats count(*), latest(level), earliest(service), sortsFirst(level) by service",
    'filter not (level = "INFO") | stats count_distinct(service)',
    "fields @timestamp, @message | sort @timestamp desc | limit 5",
    "sort @timestamp desc | limit 4",
    'parse @message "* *" as a, b | filter a = "plain" | stats count(*) by b',
    'filter latency >= "50" | dedup service',
    'filter service like "ca" | stats sum(latency) by service, level',
    "filter nested.x = 1 | fields @ptr",
    'filter @@at = "v" | fields @ptr, @log, @ingestionTime',
    "stats max(latency), min(level) by bin(1h)",
    "sort @timestamp asc | limit 6",
    "display @logStream, level | limit 100",
    "filter latency > 10 | filter service =~ /^c/ | stats count(*) as n by level | sort n desc",
    "fields latency * 2 as double | filter double > 100 | stats count(*)",
    "filter ispresent(level) | stats count(*) by level",
    "stats count(level), count(*) by bin(1m), service",
    "filter nested.list.0 = 1 | stats count(*) by nested.x",
    'filter @type = "REPORT" | stats avg(@duration), count(*)',
    "filter @duration > 100 or latency = 7 | fields @type, level",
    'fields jsonParse(@message) as js | filter js.level = "ERROR" | fields js.nested.x',
    "fields jsonParse(@message) as js | unnest js.nested.list into item | stats count(*) by item",
    "filter @timestamp < now() * 1000 - 60000 | stats count(*) by bin(300s)",
    "filter latency > 100 | stats count(*) as n by service | filter n > 1 | sort n desc",
]

messages = st.one_of(
    st.builds(
        lambda level, service, latency: json.dumps(
            {"level": level, "service": service, "latency": latency}
        ),
        st.sampled_from(["INFO", "WARN", "ERROR"]),
        st.sampled_from(["cart", "checkout", "auth"]),
        st.integers(0, 300),
    ),
    st.builds(
        lambda level, x: json.dumps({"level": level, "nested": {"x": x, "list": [1, None]}}),
        st.sampled_from(["INFO", "ERROR"]),
        st.integers(0, 2),
    ),
    st.just('{"@at": "v", "level": null, "latency": "75"}'),
    st.just("plain ERROR timeout"),
    st.just(  # Lambda's lines are tab-separated
        "REPORT RequestId: 8f1e2d3c-0000-4000-8000-000000000001\tDuration: 102.25 ms\t"
        "Billed Duration: 103 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB"
    ),
    st.just('2024-05-01T12:00:00.000Z\treq-1\tINFO\t{"level": "ERROR", "latency": 7}'),
    st.just("{broken json timeout"),
    st.just('  {"service": "cart", "latency": 5.5}'),
)
logs = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20), messages), min_size=0, max_size=60)


def engine_with(rows: list[tuple[int, int, str]], groups: int = 1) -> LocalEngine:
    """An engine holding ``(stream, minute, message)`` rows, put one call per row in order."""
    engine = LocalEngine(clock=FakeClock(), query_polls_before_complete=0)
    for number in range(groups):
        engine.call("CreateLogGroup", {"logGroupName": f"/g{number}"})
        for stream in range(3):
            params = {"logGroupName": f"/g{number}", "logStreamName": f"s{stream}"}
            engine.call("CreateLogStream", params)
    for index, (stream, minute, message) in enumerate(rows):
        event = {"timestamp": START_MS + minute * 60_000, "message": message}
        engine.call(
            "PutLogEvents",
            {
                "logGroupName": f"/g{index % groups}",
                "logStreamName": f"s{stream}",
                "logEvents": [event],
            },
        )
    return engine


def both_ways(engine: LocalEngine, query: str, groups: int, limit: int | None) -> tuple[Any, Any]:
    ctx = engine.context
    chosen = [ctx.group(f"/g{number}") for number in range(groups)]
    blocks = query_blocks(chosen, ctx.account_id, START_MS, START_MS + 3_600_000)
    as_dicts = [
        block.system_fields(i) for block in reversed(blocks) for i in range(len(block.timestamps))
    ]
    as_dicts.sort(key=lambda event: (event["@timestamp"], int(event["@ptr"].rsplit("/", 1)[1])))
    window = {"now_ms": START_MS + 1_800_000, "start_ms": START_MS, "end_ms": START_MS + 3_600_000}
    stored = compile_query(query).run_blocks(blocks, limit=limit, **window)
    mapped = compile_query(query).run(as_dicts, limit=limit, **window)
    return stored, mapped


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=logs, groups=st.integers(1, 3), first=st.integers(0, 20), last=st.integers(0, 20))
@example(rows=[(0, minute, f"m{minute}") for minute in range(12)], groups=1, first=0, last=20)
@example(rows=[(1, minute // 2, f"m{minute}") for minute in range(12)], groups=2, first=1, last=4)
def test_blocks_hold_exactly_the_events_of_the_window_in_time_and_arrival_order(
    rows: list[tuple[int, int, str]], groups: int, first: int, last: int
) -> None:
    # The property below reads its dicts from the blocks, so it cannot see which events the
    # blocks hold; this one checks that against what was put.
    with mock.patch.object(_timeline, "SEGMENT_EVENTS", 2):  # many segments, many blocks
        engine = engine_with(rows, groups)
    ctx = engine.context
    chosen = [ctx.group(f"/g{number}") for number in range(groups)]
    with mock.patch.object(_query_scan, "MERGED_BLOCK_EVENTS", 2):
        blocks = query_blocks(
            chosen, ctx.account_id, START_MS + first * 60_000, START_MS + last * 60_000
        )
    read = [
        (int(fields["@timestamp"]), fields["@message"], fields["@log"].rsplit(":", 1)[1])
        for block in reversed(blocks)
        for fields in (block.system_fields(i) for i in range(len(block.timestamps)))
    ]
    put = [
        (START_MS + minute * 60_000, message, f"/g{index % groups}")
        for index, (_, minute, message) in enumerate(rows)
        if first <= minute <= last
    ]
    assert read == sorted(put, key=lambda event: event[0])  # stable: arrival order in a tie


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=logs, groups=st.integers(1, 2), limit=st.sampled_from([None, 2]))
def test_stored_events_answer_like_the_same_events_as_dicts(
    rows: list[tuple[int, int, str]], groups: int, limit: int | None
) -> None:
    engine = engine_with(rows, groups)
    for query in QUERIES:
        stored, mapped = both_ways(engine, query, groups, limit)
        assert list(stored) == list(mapped), query
        assert stored.statistics == mapped.statistics, query
        assert stored.fields == mapped.fields, query


def test_ties_across_segments_read_in_arrival_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_timeline, "SEGMENT_EVENTS", 3)
    rows = [(0, 5, json.dumps({"n": n})) for n in range(10)] + [(1, 4, '{"n": 99}')]
    engine = engine_with(rows)
    assert len(engine.context.group("/g0").events.segments) > 2
    for query, expected in [
        ("fields n | sort @timestamp asc", [99, *range(10)]),
        ("fields n | sort @timestamp desc", [*range(10), 99]),
        ("fields n", [*range(10), 99]),
    ]:
        stored, mapped = both_ways(engine, query, 1, None)
        assert [row["n"] for row in stored] == expected
        assert list(stored) == list(mapped)


def test_leading_filters_are_tested_before_rows_are_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [
        (n % 3, n % 50, json.dumps({"traceId": f"t{n}", "service": "cart"})) for n in range(2000)
    ]
    engine = engine_with(rows)
    built: list[int] = []
    real = _scan.make_row

    def counting(block: Any, index: int) -> Any:
        built.append(index)
        return real(block, index)

    monkeypatch.setattr(_scan, "make_row", counting)
    found = query(
        engine, 'fields @timestamp, @message | filter traceId = "t1234" | sort @timestamp desc'
    )
    assert [json.loads(row[1]["value"])["traceId"] for row in found] == ["t1234"]
    assert len(built) == 1
    counted = query(engine, 'filter service = "cart" | stats count(*) by service')
    assert counted == [
        [{"field": "service", "value": "cart"}, {"field": "count(*)", "value": "2000"}]
    ]
    assert len(built) == 1  # aggregated from stored columns: no row at all


def test_a_selective_query_copies_no_events(clock: FakeClock) -> None:
    rows = [
        (n % 3, n % 50, json.dumps({"traceId": f"t{n}", "pad": "x" * 200})) for n in range(20_000)
    ]
    engine = engine_with(rows)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        query(engine, 'filter traceId = "t77" | fields traceId')
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    # what a query may hold: the scanned blocks' columns of pointers and its reading order;
    # 20,000 events copied into rows would take over 20 MB
    assert peak < 5_000_000


def test_fields_are_discovered_once_at_ingest(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engine_with([(0, n, json.dumps({"level": "ERROR", "n": n})) for n in range(20)])

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a query parsed a message again")

    monkeypatch.setattr("cw_logging.local.insights._fields.json.loads", refuse)
    rows = query(engine, 'filter level = "ERROR" | stats count(*), sum(n)')
    assert rows == [[{"field": "count(*)", "value": "20"}, {"field": "sum(n)", "value": "190"}]]


def query(engine: LocalEngine, text: str) -> list[Any]:
    query_id = engine.call(
        "StartQuery",
        {
            "logGroupName": "/g0",
            "startTime": START_MS // 1000,
            "endTime": int(NOW_S),
            "queryString": text,
        },
    )["queryId"]
    return list(engine.call("GetQueryResults", {"queryId": query_id})["results"])


json_texts = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "@b", "c.d", ""]), inner, max_size=3),
    ),
    max_leaves=8,
).map(json.dumps)
fragments = st.sampled_from(
    ['{"a":1},{"b":2}', '{"c":["x"', '{"d":1}]}', "{", "}", " {}", '"#', "[1]"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(json_texts, fragments, st.text(max_size=8)), max_size=12))
def test_batch_discovery_finds_what_one_by_one_discovery_finds(batch: list[str]) -> None:
    found = discover_batch(batch)
    for message, fields in zip(batch, found, strict=True):
        assert (fields or {}) == discover_json_fields(message)
