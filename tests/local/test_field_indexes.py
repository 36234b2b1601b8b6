"""Field indexes, SOURCE and query statistics in the local engine: what a query reads and skips,
and responses that match botocore's output shapes."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cw_logging.errors import InvalidParameterError, MalformedQueryError
from cw_logging.local import LocalEngine
from cw_logging.local._query_source import split_source
from tests.local.conftest import FakeClock


def group_with(engine: LocalEngine, name: str, messages: list[dict[str, Any]], at_ms: int) -> None:
    if name not in engine.context.groups:
        engine.call("CreateLogGroup", {"logGroupName": name})
        engine.call("CreateLogStream", {"logGroupName": name, "logStreamName": "s"})
    events = [{"timestamp": at_ms + i, "message": json.dumps(m)} for i, m in enumerate(messages)]
    engine.call("PutLogEvents", {"logGroupName": name, "logStreamName": "s", "logEvents": events})


def run(engine: LocalEngine, query: str, clock: FakeClock, **params: Any) -> dict[str, Any]:
    started = engine.call(
        "StartQuery",
        {
            "queryString": query,
            "startTime": int(clock.now) - 3600,
            "endTime": int(clock.now),
            **params,
        },
    )
    engine.context.queries.polls_before_complete = 0
    return engine.call("GetQueryResults", {"queryId": started["queryId"]})


def test_filter_index_reads_only_indexed_events_after_the_policy(
    engine: LocalEngine, clock: FakeClock
) -> None:
    before = [{"requestId": "r-1", "n": 1}, {"requestId": "r-2", "n": 2}]
    group_with(engine, "/a", before, clock.ms - 10_000)
    clock.now += 1
    policy = json.dumps({"Fields": ["requestId"]})
    engine.call("PutIndexPolicy", {"logGroupIdentifier": "/a", "policyDocument": policy})
    group_with(
        engine, "/a", [{"requestId": "r-1", "n": 3}, {"requestId": "r-9", "n": 4}], clock.ms - 5_000
    )
    indexed = run(engine, 'filterIndex requestId = "r-1" | fields n', clock, logGroupName="/a")
    plain = run(engine, 'filter requestId = "r-1" | fields n', clock, logGroupName="/a")
    assert [r[0]["value"] for r in indexed["results"]] == ["3"]  # only what the index holds
    assert sorted(r[0]["value"] for r in plain["results"]) == ["1", "3"]  # filter reads all
    assert indexed["statistics"]["recordsScanned"] == 1.0
    assert indexed["statistics"]["estimatedRecordsSkipped"] == 3.0
    assert plain["statistics"]["recordsScanned"] == 3.0  # the 2 un-indexed events and r-1
    assert plain["statistics"]["estimatedRecordsSkipped"] == 1.0  # r-9, after the policy


def test_in_lists_and_log_stream_use_the_index_and_or_does_not(
    engine: LocalEngine, clock: FakeClock
) -> None:
    group_with(engine, "/a", [{"traceId": f"t{i}"} for i in range(10)], clock.ms - 10_000)
    listed = run(engine, 'filterIndex traceId in ["t1", "t2"]', clock, logGroupName="/a")
    assert listed["statistics"]["recordsScanned"] == 2.0
    stream = run(engine, 'filterIndex @logStream = "s" | stats count(*)', clock, logGroupName="/a")
    assert stream["statistics"]["recordsScanned"] == 10.0
    either = run(engine, 'filter traceId = "t1" or traceId = "t2"', clock, logGroupName="/a")
    assert either["statistics"]["recordsScanned"] == 10.0
    assert len(either["results"]) == 2


def test_source_selects_by_prefix_and_class_and_lists_its_groups(
    engine: LocalEngine, clock: FakeClock
) -> None:
    for name in ("/shop/a", "/shop/b", "/shopping/c", "/other/d"):
        group_with(engine, name, [{"traceId": "t"}], clock.ms - 1000)
    engine.call(
        "CreateLogGroup", {"logGroupName": "/shop/ia", "logGroupClass": "INFREQUENT_ACCESS"}
    )
    response = run(
        engine, "SOURCE logGroups(namePrefix: ['/shop/', '/other/']) | stats count(*) as n", clock
    )
    assert response["results"] == [[{"field": "n", "value": "3"}]]
    assert response["statistics"]["logGroupsScanned"] == 3.0
    started = engine.call(
        "StartQuery",
        {
            "queryString": "SOURCE logGroups(class: 'INFREQUENT_ACCESS') | fields a",
            "startTime": 0,
            "endTime": 1,
        },
    )
    listed = engine.call("ListLogGroupsForQuery", {"queryId": started["queryId"]})
    assert listed == {
        "logGroupIdentifiers": ["arn:aws:logs:us-east-1:123456789012:log-group:/shop/ia"]
    }


def test_a_running_query_reports_growing_statistics(engine: LocalEngine, clock: FakeClock) -> None:
    group_with(engine, "/a", [{"n": i} for i in range(100)], clock.ms - 10_000)
    engine.context.queries.polls_before_complete = 3
    query_id = engine.call(
        "StartQuery",
        {
            "queryString": "fields n",
            "logGroupName": "/a",
            "startTime": int(clock.now) - 3600,
            "endTime": int(clock.now),
        },
    )["queryId"]
    seen = [engine.call("GetQueryResults", {"queryId": query_id}) for _ in range(4)]
    scanned = [page["statistics"]["bytesScanned"] for page in seen]
    assert [page["status"] for page in seen] == ["Scheduled", "Running", "Running", "Complete"]
    assert scanned[0] == 0 < scanned[1] < scanned[2] < scanned[3]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("SOURCE logGroups(namePrefix: ['a', 'b', 'c', 'd', 'e', 'f']) | fields a", "at most 5"),
        ("SOURCE logGroups(namePrefix: ['']) | fields a", "empty"),
        ("SOURCE logGroups(class: ['COLD']) | fields a", "unknown log class"),
        ("SOURCE logGroups(tags: ['x']) | fields a", "unknown SOURCE keyword"),
        ("SOURCE logGroups(namePrefix: ['a') | fields a", "expected"),
        ("SOURCE logGroups(namePrefix: ['a]) | fields a", "unterminated"),
        ("SOURCE files() | fields a", "logGroups"),
        ("SOURCE logGroups()", "expected '|'"),
    ],
)
def test_malformed_source_clauses_are_refused(query: str, problem: str) -> None:
    with pytest.raises(MalformedQueryError, match=problem):
        split_source(query)


def test_source_scanning_is_linear_on_hostile_input() -> None:
    hostile = "SOURCE logGroups(namePrefix: [" + "'a'," * 20_000 + "'a']) | fields a"
    with pytest.raises(MalformedQueryError, match="at most 5"):
        split_source(hostile)
    assert split_source("fields a | filter b = 'SOURCE logGroups()'") is None


def test_index_policy_rules(engine: LocalEngine) -> None:
    engine.call("CreateLogGroup", {"logGroupName": "/a"})
    for document, problem in (
        ("not json", "not valid JSON"),
        ('{"Fields": "requestId"}', "a list of field names"),
        (json.dumps({"Fields": [f"f{i}" for i in range(21)]}), "at most 20"),
        (json.dumps({"Fields": ["x" * 101]}), "at most 100"),
    ):
        with pytest.raises(InvalidParameterError, match=problem):
            engine.call("PutIndexPolicy", {"logGroupIdentifier": "/a", "policyDocument": document})


def test_responses_match_botocore_output_shapes(engine: LocalEngine, clock: FakeClock) -> None:
    group_with(engine, "/a", [{"requestId": "r", "traceId": "t"}], clock.ms - 1000)
    policy = '{"Fields": ["requestId"]}'
    calls = [
        (
            "put_index_policy",
            "PutIndexPolicy",
            {"logGroupIdentifier": "/a", "policyDocument": policy},
        ),
        ("describe_index_policies", "DescribeIndexPolicies", {"logGroupIdentifiers": ["/a"]}),
        ("describe_field_indexes", "DescribeFieldIndexes", {"logGroupIdentifiers": ["/a"]}),
    ]
    query = "SOURCE logGroups(namePrefix: ['/a']) | filterIndex traceId = 't'"
    query_id = engine.call(
        "StartQuery", {"queryString": query, "startTime": 0, "endTime": int(clock.now)}
    )["queryId"]
    calls += [
        ("get_query_results", "GetQueryResults", {"queryId": query_id}),
        ("list_log_groups_for_query", "ListLogGroupsForQuery", {"queryId": query_id}),
        ("delete_index_policy", "DeleteIndexPolicy", {"logGroupIdentifier": "/a"}),
    ]
    client = boto3.client(
        "logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        for method, operation, params in calls:
            stubber.add_response(method, engine.call(operation, params), params)  # validates
            getattr(client, method)(**params)
    stubber.assert_no_pending_responses()


def test_field_indexes_report_the_first_and_last_indexed_event_times(
    engine: LocalEngine, clock: FakeClock
) -> None:
    engine.call("CreateLogGroup", {"logGroupName": "/a"})
    engine.call("CreateLogStream", {"logGroupName": "/a", "logStreamName": "s"})
    policy = json.dumps({"Fields": ["requestId", "unseen"]})
    engine.call("PutIndexPolicy", {"logGroupIdentifier": "/a", "policyDocument": policy})
    # Put out of time order: the oldest and newest requestId events arrive first and last.
    group_with(engine, "/a", [{"requestId": "r-2"}, {"other": 1}], clock.ms - 5_000)
    group_with(engine, "/a", [{"requestId": "r-1"}, {"traceId": "t"}], clock.ms - 9_000)
    group_with(engine, "/a", [{"other": 2}, {"requestId": "r-3"}], clock.ms - 7_000)
    answer = engine.call("DescribeFieldIndexes", {"logGroupIdentifiers": ["/a"]})
    found = {entry["fieldIndexName"]: entry for entry in answer["fieldIndexes"]}

    def span(name: str) -> tuple[int, int]:
        return found[name]["firstEventTime"] - clock.ms, found[name]["lastEventTime"] - clock.ms

    assert span("requestId") == (-9_000, -5_000)
    assert span("traceId") == (-8_999, -8_999)
    assert span("@logStream") == (-9_000, -4_999)
    assert "firstEventTime" not in found["unseen"]
