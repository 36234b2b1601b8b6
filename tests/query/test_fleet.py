"""Following a request across a fleet, against the local server over real HTTP and boto3:
SOURCE by prefix, filterIndex, log classes, the query governor, the scan budget."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cw_logging.errors import ConfigurationError, MalformedQueryError
from cw_logging.local import LocalEngine, serve
from cw_logging.query import (
    Governor,
    Polling,
    ScanLimitExceeded,
    TimeRange,
    find_by_request_id,
    find_by_trace_id,
    run_query,
    source_clause,
)

NOW_S = 1_767_225_600.0
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER = "0af7651916cd43dd8448eb211c80319c"
WINDOW = TimeRange(
    datetime.fromtimestamp(NOW_S - 3600, timezone.utc),
    datetime.fromtimestamp(NOW_S + 60, timezone.utc),
)


class FakeTime:
    """A clock that moves only when slept on; ``on_sleep`` runs at every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.on_sleep: Any = None

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep()

    def polling(self) -> Polling:
        return Polling(sleep=self.sleep, clock=lambda: self.now)


@pytest.fixture
def engine() -> Iterator[LocalEngine]:
    # queries stay Running for two polls, as on the service: the governor and the scan budget
    # act on queries that are still running
    with LocalEngine(clock=lambda: NOW_S, query_polls_before_complete=2) as eng:
        yield eng


@pytest.fixture
def logs(engine: LocalEngine) -> Iterator[Any]:
    with serve(port=0, engine=engine) as server:
        yield boto3.client(
            "logs",
            region_name="us-east-1",
            endpoint_url=server.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"mode": "standard", "max_attempts": 1}),
        )


def fleet(
    engine: LocalEngine,
    prefix: str,
    count: int,
    *,
    per_group: int = 20,
    log_class: str = "STANDARD",
    trace_every: int = 7,
) -> set[str]:
    """``count`` groups under ``prefix``, each with ``per_group`` JSON events; every
    ``trace_every``-th group has one event of TRACE. Returns the messages of TRACE's events."""
    expected: set[str] = set()
    for number in range(count):
        group = f"{prefix}svc-{number:03d}"
        engine.call("CreateLogGroup", {"logGroupName": group, "logGroupClass": log_class})
        engine.call("CreateLogStream", {"logGroupName": group, "logStreamName": "s"})
        events = []
        for index in range(per_group):
            trace = TRACE if index == 0 and number % trace_every == 0 else OTHER
            message = f"{group} event {index}"
            if trace == TRACE:
                expected.add(message)
            document = {"message": message, "traceId": trace, "requestId": f"r-{number}-{index}"}
            events.append(
                {"timestamp": int(NOW_S * 1000) - 60_000 + index, "message": json.dumps(document)}
            )
        engine.call(
            "PutLogEvents", {"logGroupName": group, "logStreamName": "s", "logEvents": events}
        )
    return expected


def query_strings(engine: LocalEngine) -> list[str]:
    return [q.query_string for q in engine.context.queries.queries.values()]


def test_one_query_finds_every_event_of_the_trace_under_the_prefix_and_none_outside(
    engine: LocalEngine, logs: Any
) -> None:
    expected = fleet(engine, "/fleet/", 500)
    fleet(engine, "/other/", 30, trace_every=1)  # the trace is there too, outside the prefix
    found = find_by_trace_id(
        TRACE, prefixes=["/fleet/"], time_range=WINDOW, polling=FakeTime().polling(),
        client=logs,
    )  # fmt: skip
    assert {e.message for e in found} == expected
    assert all(e.group is not None and e.group.startswith("/fleet/") for e in found)
    assert found.queries == 1
    [sent] = query_strings(engine)
    assert sent.startswith("SOURCE logGroups(namePrefix: ['/fleet/'], class: ['STANDARD'])")
    assert f'filterIndex traceId = "{TRACE}"' in sent
    assert found.scan.groups_scanned == 500
    assert found.scan.records_scanned == len(expected)
    assert found.scan.records_skipped == 500 * 20 - len(expected)
    assert found.estimated_cost == pytest.approx(found.scan.bytes_scanned / 1024**3 * 0.005)


def test_the_indexed_field_scans_far_fewer_bytes_than_an_unindexed_one(
    engine: LocalEngine, logs: Any
) -> None:
    fleet(engine, "/fleet/", 100)
    polling = FakeTime().polling()
    indexed = find_by_trace_id(
        TRACE, prefixes=["/fleet/"], time_range=WINDOW, polling=polling, client=logs
    )
    unindexed = find_by_request_id(
        "r-7-0", prefixes=["/fleet/"], time_range=WINDOW, polling=polling,
        client=logs,
    )  # fmt: skip
    assert len(unindexed) == 1
    assert 'filter requestId = "r-7-0"' in query_strings(engine)[-1]
    assert any("requestId is indexed in 0 of 100" in note for note in unindexed.notes)
    assert unindexed.scan.records_skipped == 0
    assert indexed.scan.bytes_scanned * 10 < unindexed.scan.bytes_scanned


def test_filter_index_scans_fewer_bytes_than_filter_and_skips_groups_without_the_index(
    engine: LocalEngine, logs: Any
) -> None:
    fleet(engine, "/fleet/", 10, trace_every=1)
    for number in range(1, 10):  # every group but svc-000 indexes requestId...
        policy = json.dumps({"Fields": ["requestId"]})
        logs.put_index_policy(logGroupIdentifier=f"/fleet/svc-{number:03d}", policyDocument=policy)
    engine.call(  # ...from now on: events written after the policy are indexed
        "PutLogEvents",
        {
            "logGroupName": "/fleet/svc-000",
            "logStreamName": "s",
            "logEvents": [{"timestamp": int(NOW_S * 1000), "message": '{"requestId": "r-x"}'}],
        },
    )
    for number in range(1, 10):
        engine.call(
            "PutLogEvents",
            {
                "logGroupName": f"/fleet/svc-{number:03d}",
                "logStreamName": "s",
                "logEvents": [{"timestamp": int(NOW_S * 1000), "message": '{"requestId": "r-x"}'}],
            },
        )
    polling = FakeTime().polling()
    window = WINDOW
    by_index = find_by_request_id(
        "r-x", prefixes=["/fleet/"], use_index=True, time_range=window, polling=polling, client=logs
    )
    by_filter = find_by_request_id(
        "r-x",
        prefixes=["/fleet/"],
        use_index=False,
        time_range=window,
        polling=polling,
        client=logs,
    )
    automatic = find_by_request_id(
        "r-x", prefixes=["/fleet/"], time_range=window, polling=polling, client=logs
    )
    assert by_index.scan.bytes_scanned < by_filter.scan.bytes_scanned
    assert by_index.scan.groups_scanned == 9  # filterIndex passes over svc-000
    assert len(by_index) == 9 and len(by_filter) == 10
    assert len(automatic) == 10  # not indexed everywhere: the lookup chose filter
    assert any("indexed in 9 of 10" in note for note in automatic.notes)


def test_infrequent_access_groups_are_searched_with_filter_and_the_result_says_so(
    engine: LocalEngine, logs: Any
) -> None:
    standard = fleet(engine, "/fleet/", 14)
    infrequent = fleet(engine, "/fleet/ia-", 3, log_class="INFREQUENT_ACCESS", trace_every=1)
    polling = FakeTime().polling()
    only_standard = find_by_trace_id(
        TRACE, prefixes=["/fleet/"], time_range=WINDOW, polling=polling, client=logs
    )
    both = find_by_trace_id(
        TRACE, prefixes=["/fleet/"], log_classes=("STANDARD", "INFREQUENT_ACCESS"),
        time_range=WINDOW, polling=polling, client=logs,
    )  # fmt: skip
    assert {e.message for e in only_standard} == standard
    assert {e.message for e in both} == standard | infrequent
    assert both.queries == 2
    ia_query = query_strings(engine)[-1]
    assert "class: ['INFREQUENT_ACCESS']" in ia_query and "| filter traceId" in ia_query
    assert any("INFREQUENT_ACCESS" in note and "no field indexes" in note for note in both.notes)


def test_list_lookups_over_fifty_groups_run_side_by_side_within_the_governor(
    engine: LocalEngine, logs: Any
) -> None:
    expected = fleet(engine, "/fleet/", 160)
    groups = [f"/fleet/svc-{n:03d}" for n in range(160)]
    time = FakeTime()
    in_flight: list[int] = []
    time.on_sleep = lambda: in_flight.append(engine.context.queries.running())
    found = find_by_trace_id(
        TRACE, groups, time_range=WINDOW, polling=time.polling(),
        governor=Governor(max_in_flight=2), client=logs,
    )  # fmt: skip
    assert {e.message for e in found} == expected
    assert found.queries == 4
    assert max(in_flight) == 2


def test_a_start_refused_for_the_account_quota_backs_off_and_then_proceeds(
    engine: LocalEngine, logs: Any
) -> None:
    expected = fleet(engine, "/fleet/", 60)
    blockers = [
        logs.start_query(
            logGroupName="/fleet/svc-001", startTime=0, endTime=1, queryString="fields @message"
        )["queryId"]
        for _ in range(100)
    ]
    time = FakeTime()
    time.on_sleep = lambda: [logs.stop_query(queryId=q) for q in blockers if time.sleeps == [0.25]]
    found = find_by_trace_id(
        TRACE, [f"/fleet/svc-{n:03d}" for n in range(60)], time_range=WINDOW,
        polling=time.polling(), governor=Governor(max_in_flight=4, backoff_initial=0.25),
        client=logs,
    )  # fmt: skip
    assert time.sleeps[0] == 0.25  # nothing of ours ran: the governor backed off
    assert {e.message for e in found} == expected


def test_a_query_passing_max_scanned_bytes_is_stopped_with_a_clear_error(
    logs: Any, engine: LocalEngine
) -> None:
    fleet(engine, "/fleet/", 5, per_group=200)
    with pytest.raises(ScanLimitExceeded) as caught:
        run_query(
            "fields @message", [f"/fleet/svc-{n:03d}" for n in range(5)], WINDOW,
            polling=FakeTime().polling(), max_scanned_bytes=1000, client=logs,
        )  # fmt: skip
    assert "max_scanned_bytes=1,000" in caught.value.message
    [query] = engine.context.queries.queries.values()
    assert query.status == "Cancelled"  # stopped while running, not after
    result = run_query(
        "fields @message", ["/fleet/svc-000"], WINDOW,
        polling=FakeTime().polling(), max_scanned_bytes=10**9, client=logs,
    )  # fmt: skip
    assert result.scan.records_scanned == 200
    assert result.scan.bytes_scanned == sum(len(r["@message"].encode()) for r in result.rows)


def test_a_lookup_budget_counts_every_query_of_the_lookup(engine: LocalEngine, logs: Any) -> None:
    fleet(engine, "/fleet/", 100, per_group=50)
    groups = [f"/fleet/svc-{n:03d}" for n in range(100)]
    one = run_query(
        "fields @message", groups[:50], WINDOW, polling=FakeTime().polling(),
        client=logs,
    )  # fmt: skip
    with pytest.raises(ScanLimitExceeded):
        find_by_request_id(
            "r-0-0", groups, time_range=WINDOW, polling=FakeTime().polling(),
            governor=Governor(max_in_flight=1), max_scanned_bytes=one.scan.bytes_scanned + 10,
            client=logs,
        )  # fmt: skip


def test_the_local_engine_refuses_more_than_five_prefixes_and_so_does_the_client(
    logs: Any,
) -> None:
    six = ", ".join(f"'/p{n}/'" for n in range(6))
    with pytest.raises(logs.exceptions.MalformedQueryException):
        logs.start_query(
            startTime=0, endTime=1, queryString=f"SOURCE logGroups(namePrefix: [{six}]) | fields a"
        )
    with pytest.raises(ConfigurationError, match="1 to 5"):
        source_clause([f"/p{n}/" for n in range(6)])
    with pytest.raises(ConfigurationError, match="refused log group prefix"):
        source_clause(["/ok/", "x'] ) | fields @message | filter 1=1 #"])


def test_a_query_with_both_source_and_log_groups_is_refused(logs: Any, engine: LocalEngine) -> None:
    fleet(engine, "/fleet/", 1)
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.start_query(
            logGroupNames=["/fleet/svc-000"], startTime=0, endTime=1,
            queryString="SOURCE logGroups(namePrefix: ['/fleet/']) | fields a",
        )  # fmt: skip


def test_prefix_lookups_need_insights_and_exactly_one_scope(logs: Any) -> None:
    with pytest.raises(ConfigurationError, match="one of the two"):
        find_by_trace_id(TRACE, client=logs)
    with pytest.raises(ConfigurationError, match="one of the two"):
        find_by_trace_id(TRACE, ["/a"], prefixes=["/a"], client=logs)
    with pytest.raises(ConfigurationError, match="needs log_groups"):
        find_by_trace_id(TRACE, prefixes=["/a"], method="filter", client=logs)


def test_source_clause_is_malformed_without_a_pipe(logs: Any) -> None:
    with pytest.raises((logs.exceptions.MalformedQueryException, MalformedQueryError)):
        logs.start_query(startTime=0, endTime=1, queryString="SOURCE logGroups() fields a")


@pytest.mark.parametrize("scope", ["prefix", "insights", "filter"])
def test_keys_either_finds_events_written_with_either_spelling(
    engine: LocalEngine, logs: Any, scope: str
) -> None:
    for group, key in (("/fleet/camel", "traceId"), ("/fleet/snake", "trace_id")):
        engine.call("CreateLogGroup", {"logGroupName": group})
        engine.call("CreateLogStream", {"logGroupName": group, "logStreamName": "s"})
        message = json.dumps({"message": f"written as {key}", key: TRACE})
        event = {"timestamp": int(NOW_S * 1000) - 1000, "message": message}
        engine.call(
            "PutLogEvents", {"logGroupName": group, "logStreamName": "s", "logEvents": [event]}
        )
    options: dict[str, Any] = {
        "time_range": WINDOW,
        "polling": FakeTime().polling(),
        "client": logs,
    }
    if scope == "prefix":
        options["prefixes"] = ["/fleet/"]
    else:
        options.update(log_groups=["/fleet/camel", "/fleet/snake"], method=scope)
    found = find_by_trace_id(TRACE, keys="either", **options)
    assert sorted(e.message for e in found) == ["written as traceId", "written as trace_id"]
    assert all(e.trace_id == TRACE for e in found)
    camel_only = find_by_trace_id(TRACE, **options)
    assert [e.message for e in camel_only] == ["written as traceId"]
    if scope == "prefix":
        assert any("cannot use a field index" in note for note in found.notes)
        assert f'| filter traceId = "{TRACE}" or trace_id = "{TRACE}"' in query_strings(engine)[0]


def test_the_budget_counts_queries_still_running_side_by_side(
    engine: LocalEngine, logs: Any
) -> None:
    fleet(engine, "/fleet/", 100, per_group=50)
    groups = [f"/fleet/svc-{n:03d}" for n in range(100)]
    one = run_query(
        "fields @message", groups[:50], WINDOW, polling=FakeTime().polling(), client=logs
    )
    engine.context.queries.polls_before_complete = 3  # each poll shows a quarter more
    with pytest.raises(ScanLimitExceeded, match="was stopped"):
        find_by_request_id(
            "r-0-0", groups, time_range=WINDOW, polling=FakeTime().polling(),
            governor=Governor(max_in_flight=2),
            max_scanned_bytes=int(one.scan.bytes_scanned * 0.4), client=logs,
        )  # fmt: skip
    lookups = [q for q in engine.context.queries.queries.values() if q.query_id != one.query_id]
    assert [q.status for q in lookups] == ["Cancelled", "Cancelled"]  # a quarter each: 0.5 > 0.4


def test_which_fields_are_indexed_is_asked_once_and_cached(engine: LocalEngine, logs: Any) -> None:
    fleet(engine, "/fleet/", 3)
    asked: list[str] = []
    logs.meta.events.register(
        "before-call.logs.DescribeFieldIndexes", lambda **kw: asked.append("fields")
    )
    logs.meta.events.register(
        "before-call.logs.DescribeLogGroups", lambda **kw: asked.append("groups")
    )
    polling = FakeTime().polling()
    for _ in range(3):
        find_by_request_id(
            "r-3-0", prefixes=["/fleet/"], time_range=WINDOW, polling=polling, client=logs
        )
    assert asked == ["groups", "fields"]
    find_by_trace_id(TRACE, prefixes=["/fleet/"], time_range=WINDOW, polling=polling, client=logs)
    assert asked == ["groups", "fields"]  # traceId is a default index: nothing to ask
