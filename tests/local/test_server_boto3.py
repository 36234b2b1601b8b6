"""Every operation through real boto3 over HTTP to ``serve(port=0)``: shapes, errors, paging."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cw_logging.local import LocalServer
from tests.local.conftest import FakeClock

pytestmark = pytest.mark.integration

GROUP = "/app/web"


def code_of(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


def seed(logs: Any, clock: FakeClock, streams: dict[str, list[tuple[int, str]]]) -> None:
    """Create GROUP and ``streams``, each with (offset ms from now, message) events."""
    logs.create_log_group(logGroupName=GROUP)
    for name, events in streams.items():
        logs.create_log_stream(logGroupName=GROUP, logStreamName=name)
        if events:
            logs.put_log_events(
                logGroupName=GROUP,
                logStreamName=name,
                logEvents=[{"timestamp": clock.ms + off, "message": m} for off, m in events],
            )


def test_log_group_lifecycle_and_shapes(boto_logs: Any, clock: FakeClock) -> None:
    boto_logs.create_log_group(
        logGroupName=GROUP, tags={"team": "web"}, kmsKeyId="arn:aws:kms:us-east-1:1:key/k",
        logGroupClass="INFREQUENT_ACCESS",
    )  # fmt: skip
    (group,) = boto_logs.describe_log_groups()["logGroups"]
    assert group["logGroupName"] == GROUP
    assert group["creationTime"] == clock.ms
    assert group["arn"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:*"
    assert group["logGroupArn"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}"
    assert group["logGroupClass"] == "INFREQUENT_ACCESS"
    assert group["kmsKeyId"] == "arn:aws:kms:us-east-1:1:key/k"
    assert "retentionInDays" not in group
    boto_logs.put_retention_policy(logGroupName=GROUP, retentionInDays=30)
    assert boto_logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 30
    boto_logs.delete_retention_policy(logGroupName=GROUP)
    assert "retentionInDays" not in boto_logs.describe_log_groups()["logGroups"][0]
    with pytest.raises(ClientError) as caught:
        boto_logs.create_log_group(logGroupName=GROUP)
    assert code_of(caught) == "ResourceAlreadyExistsException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    boto_logs.delete_log_group(logGroupName=GROUP)
    with pytest.raises(ClientError) as caught:
        boto_logs.delete_log_group(logGroupName=GROUP)
    assert code_of(caught) == "ResourceNotFoundException"
    assert caught.value.response["Error"]["Message"] == "The specified log group does not exist."


def test_describe_log_groups_filters_and_pages(boto_logs: Any) -> None:
    names = ["/a/1", "/a/2", "/a/3", "/b/Service-x", "/b/other"]
    for name in names:
        boto_logs.create_log_group(logGroupName=name)
    first = boto_logs.describe_log_groups(limit=2)
    assert [g["logGroupName"] for g in first["logGroups"]] == names[:2]
    second = boto_logs.describe_log_groups(limit=2, nextToken=first["nextToken"])
    assert [g["logGroupName"] for g in second["logGroups"]] == names[2:4]
    pages = boto_logs.get_paginator("describe_log_groups").paginate(
        PaginationConfig={"PageSize": 2}
    )
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == names
    last = boto_logs.describe_log_groups(limit=2, nextToken=second["nextToken"])
    assert "nextToken" not in last
    by_prefix = boto_logs.describe_log_groups(logGroupNamePrefix="/a/")["logGroups"]
    assert [g["logGroupName"] for g in by_prefix] == names[:3]
    by_pattern = boto_logs.describe_log_groups(logGroupNamePattern="service")["logGroups"]
    assert [g["logGroupName"] for g in by_pattern] == ["/b/Service-x"]
    with pytest.raises(ClientError) as caught:
        boto_logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="x")
    assert code_of(caught) == "InvalidParameterException"


def test_log_streams_order_and_paging(boto_logs: Any, clock: FakeClock) -> None:
    seed(boto_logs, clock, {"b": [(-10, "x")], "a": [(-5, "y")], "c": [(-20, "z")], "d": []})
    by_name = boto_logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert [s["logStreamName"] for s in by_name] == ["a", "b", "c", "d"]
    a = by_name[0]
    assert a["firstEventTimestamp"] == a["lastEventTimestamp"] == clock.ms - 5
    assert a["arn"].endswith(f"log-group:{GROUP}:log-stream:a")
    assert "firstEventTimestamp" not in by_name[3]
    newest = boto_logs.describe_log_streams(
        logGroupName=GROUP, orderBy="LastEventTime", descending=True
    )["logStreams"]
    assert [s["logStreamName"] for s in newest] == ["a", "b", "c", "d"]  # d has no events
    pages = boto_logs.get_paginator("describe_log_streams").paginate(
        logGroupName=GROUP, descending=True, PaginationConfig={"PageSize": 3}
    )
    assert [s["logStreamName"] for p in pages for s in p["logStreams"]] == ["d", "c", "b", "a"]
    prefixed = boto_logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix="c")
    assert [s["logStreamName"] for s in prefixed["logStreams"]] == ["c"]
    with pytest.raises(ClientError) as caught:
        boto_logs.describe_log_streams(
            logGroupName=GROUP, orderBy="LastEventTime", logStreamNamePrefix="a"
        )
    assert code_of(caught) == "InvalidParameterException"
    boto_logs.delete_log_stream(logGroupName=GROUP, logStreamName="d")
    with pytest.raises(ClientError) as caught:
        boto_logs.delete_log_stream(logGroupName=GROUP, logStreamName="d")
    assert caught.value.response["Error"]["Message"] == "The specified log stream does not exist."


def test_tags_by_name_and_by_arn(boto_logs: Any) -> None:
    boto_logs.create_log_group(logGroupName=GROUP, tags={"a": "1"})
    boto_logs.tag_log_group(logGroupName=GROUP, tags={"b": "2"})
    assert boto_logs.list_tags_log_group(logGroupName=GROUP)["tags"] == {"a": "1", "b": "2"}
    boto_logs.untag_log_group(logGroupName=GROUP, tags=["a"])
    arn = boto_logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    boto_logs.tag_resource(resourceArn=arn, tags={"c": "3"})
    assert boto_logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2", "c": "3"}
    boto_logs.untag_resource(resourceArn=arn, tagKeys=["b", "c"])
    assert boto_logs.list_tags_for_resource(resourceArn=arn)["tags"] == {}
    with pytest.raises(ClientError) as caught:
        boto_logs.list_tags_for_resource(resourceArn=arn + "-missing")
    assert code_of(caught) == "ResourceNotFoundException"
    boto_logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(30)})
    with pytest.raises(ClientError) as caught:
        boto_logs.tag_resource(resourceArn=arn, tags={f"x{i}": "v" for i in range(21)})
    assert code_of(caught) == "TooManyTagsException"
    assert len(boto_logs.list_tags_for_resource(resourceArn=arn)["tags"]) == 30


def test_put_log_events_response_and_errors(boto_logs: Any, clock: FakeClock) -> None:
    seed(boto_logs, clock, {"s": []})
    response = boto_logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="s",
        logEvents=[
            {"timestamp": clock.ms - 15 * 86_400_000, "message": "old"},
            {"timestamp": clock.ms, "message": "now"},
            {"timestamp": clock.ms + 3 * 3_600_000, "message": "future"},
        ],
    )
    assert response["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 0,
        "tooNewLogEventStartIndex": 2,
    }
    with pytest.raises(ClientError) as caught:
        boto_logs.put_log_events(
            logGroupName=GROUP,
            logStreamName="s",
            logEvents=[{"timestamp": clock.ms, "message": "b"},
                       {"timestamp": clock.ms - 1, "message": "a"}],
        )  # fmt: skip
    assert code_of(caught) == "InvalidParameterException"
    assert "chronological" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        boto_logs.put_log_events(
            logGroupName=GROUP, logStreamName="nope", logEvents=[{"timestamp": 1, "message": "x"}]
        )
    assert code_of(caught) == "ResourceNotFoundException"


def test_get_log_events_tokens(boto_logs: Any, clock: FakeClock) -> None:
    seed(boto_logs, clock, {"s": [(i, f"m{i}") for i in range(5)]})
    newest = boto_logs.get_log_events(logGroupName=GROUP, logStreamName="s", limit=2)
    assert [e["message"] for e in newest["events"]] == ["m3", "m4"]
    older = boto_logs.get_log_events(
        logGroupName=GROUP, logStreamName="s", limit=2, nextToken=newest["nextBackwardToken"]
    )
    assert [e["message"] for e in older["events"]] == ["m1", "m2"]
    head = boto_logs.get_log_events(
        logGroupName=GROUP, logStreamName="s", limit=3, startFromHead=True
    )
    assert [e["message"] for e in head["events"]] == ["m0", "m1", "m2"]
    assert head["events"][0] == {"timestamp": clock.ms, "message": "m0", "ingestionTime": clock.ms}
    token, seen = head["nextForwardToken"], []
    while True:
        page = boto_logs.get_log_events(
            logGroupName=GROUP, logStreamName="s", startFromHead=True, limit=3, nextToken=token
        )
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == ["m3", "m4"]
    boto_logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="s",
        logEvents=[{"timestamp": clock.ms + 9, "message": "m9"}],
    )
    tail = boto_logs.get_log_events(
        logGroupName=GROUP, logStreamName="s", startFromHead=True, nextToken=token
    )
    assert [e["message"] for e in tail["events"]] == ["m9"]
    arn = boto_logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    window = boto_logs.get_log_events(
        logGroupIdentifier=arn, logStreamName="s", startTime=clock.ms + 1, endTime=clock.ms + 3,
        startFromHead=True,
    )  # fmt: skip
    assert [e["message"] for e in window["events"]] == ["m1", "m2"]
    with pytest.raises(ClientError) as caught:
        boto_logs.get_log_events(logGroupName=GROUP, logStreamName="s", nextToken="garbage")
    assert code_of(caught) == "InvalidParameterException"
    # the group's "arn" (ending ":*") is not an identifier; AWS's message leaves the value out
    with pytest.raises(ClientError) as caught:
        boto_logs.get_log_events(logGroupIdentifier=arn + ":*", logStreamName="s")
    assert code_of(caught) == "InvalidParameterException"
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*"
    )
    with pytest.raises(ClientError) as caught:
        boto_logs.get_log_events(logGroupName="x!x", logStreamName="s")
    assert "Value 'x!x' at 'logGroupName' failed" in caught.value.response["Error"]["Message"]


def test_filter_log_events_pattern_streams_interleaving_and_paging(
    boto_logs: Any, clock: FakeClock
) -> None:
    seed(
        boto_logs,
        clock,
        {
            "web-1": [(0, "ERROR a"), (2, "INFO b"), (4, "ERROR c")],
            "web-2": [(1, "ERROR d"), (3, "ERROR e")],
            "db-1": [(5, "ERROR f")],
        },
    )
    everything = boto_logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR")
    assert [e["message"] for e in everything["events"]] == [
        "ERROR a", "ERROR d", "ERROR e", "ERROR c", "ERROR f",
    ]  # fmt: skip
    assert "nextToken" not in everything
    event = everything["events"][0]
    assert set(event) == {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}
    assert event["logStreamName"] == "web-1"
    web = boto_logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="web-")
    assert len(web["events"]) == 5
    named = boto_logs.filter_log_events(logGroupName=GROUP, logStreamNames=["web-2", "db-1"])
    assert [e["message"] for e in named["events"]] == ["ERROR d", "ERROR e", "ERROR f"]
    timed = boto_logs.filter_log_events(
        logGroupName=GROUP, startTime=clock.ms + 1, endTime=clock.ms + 3
    )
    assert [e["message"] for e in timed["events"]] == ["ERROR d", "INFO b", "ERROR e"]
    first = boto_logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR", limit=2)
    assert len(first["events"]) == 2 and "nextToken" in first
    pages = boto_logs.get_paginator("filter_log_events").paginate(
        logGroupName=GROUP, filterPattern="ERROR -e", PaginationConfig={"PageSize": 2}
    )
    assert [e["message"] for p in pages for e in p["events"]] == [
        "ERROR a", "ERROR d", "ERROR c", "ERROR f",
    ]  # fmt: skip
    with pytest.raises(ClientError) as caught:
        boto_logs.filter_log_events(logGroupName=GROUP, filterPattern="{ $.a = ")
    assert code_of(caught) == "InvalidParameterException"
    assert "Invalid filter pattern" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        boto_logs.filter_log_events(
            logGroupName=GROUP, logStreamNames=["web-1"], logStreamNamePrefix="web"
        )
    assert code_of(caught) == "InvalidParameterException"


def test_a_finished_query_is_complete_on_the_first_poll(boto_logs: Any, clock: FakeClock) -> None:
    seed(boto_logs, clock, {"s": [(0, "one"), (1000, "two")]})
    start_s = int(clock.now) - 60
    query_id = boto_logs.start_query(
        logGroupName=GROUP, startTime=start_s, endTime=start_s + 600,
        queryString="stats count(*) as n",
    )["queryId"]  # fmt: skip
    first = boto_logs.get_query_results(queryId=query_id)
    assert first["status"] == "Complete"
    assert first["results"] == [[{"field": "n", "value": "2"}]]
    described = boto_logs.describe_queries(logGroupName=GROUP)["queries"]
    assert [q["status"] for q in described] == ["Complete"]
    assert boto_logs.describe_queries(logGroupName=GROUP, status="Scheduled")["queries"] == []


@pytest.mark.parametrize("engine", [2], indirect=True)
def test_queries_progress_and_return_rows(boto_logs: Any, clock: FakeClock) -> None:
    lines = [json.dumps({"level": lvl, "ms": ms}) for lvl, ms in
             [("INFO", 10), ("ERROR", 250), ("ERROR", 40), ("INFO", 70)]]  # fmt: skip
    seed(boto_logs, clock, {"s": [(i * 1000, line) for i, line in enumerate(lines)]})
    start_s = int(clock.now) - 60
    query_id = boto_logs.start_query(
        logGroupNames=[GROUP], startTime=start_s, endTime=start_s + 600,
        queryString='filter level = "ERROR" | stats count(*) as errors, max(ms) as worst',
    )["queryId"]  # fmt: skip
    statuses = []
    while True:
        result = boto_logs.get_query_results(queryId=query_id)
        statuses.append(result["status"])
        if result["status"] == "Complete":
            break
        assert result["results"] == []
    assert statuses == ["Scheduled", "Running", "Complete"]
    assert result["results"] == [[{"field": "errors", "value": "2"},
                                  {"field": "worst", "value": "250"}]]  # fmt: skip
    assert result["statistics"]["recordsScanned"] == 4.0
    described = boto_logs.describe_queries(logGroupName=GROUP, status="Complete")["queries"]
    assert [q["queryId"] for q in described] == [query_id]
    assert described[0]["queryString"].startswith("filter level")


@pytest.mark.parametrize("engine", [2], indirect=True)
def test_stop_query_and_query_errors(boto_logs: Any, clock: FakeClock) -> None:
    seed(boto_logs, clock, {"s": [(0, "x")]})
    arn = boto_logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    start_s = int(clock.now) - 60
    query_id = boto_logs.start_query(
        logGroupIdentifiers=[arn], startTime=start_s, endTime=start_s + 120,
        queryString="fields @message",
    )["queryId"]  # fmt: skip
    assert boto_logs.stop_query(queryId=query_id)["success"] is True
    assert boto_logs.get_query_results(queryId=query_id)["status"] == "Cancelled"
    running = boto_logs.describe_queries(status="Running")["queries"]
    assert running == []
    with pytest.raises(ClientError) as caught:
        boto_logs.stop_query(queryId=query_id)
    assert code_of(caught) == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        boto_logs.get_query_results(queryId="no-such-query")
    assert code_of(caught) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        boto_logs.start_query(
            logGroupName=GROUP, startTime=start_s, endTime=start_s + 1, queryString="fields | |"
        )
    assert code_of(caught) == "MalformedQueryException"
    assert "line 1, column" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        boto_logs.start_query(
            logGroupName="/missing", startTime=start_s, endTime=start_s + 1, queryString="fields a"
        )
    assert code_of(caught) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        boto_logs.start_query(
            logGroupNames=[GROUP], logGroupIdentifiers=[arn], startTime=start_s,
            endTime=start_s + 1, queryString="fields a",
        )  # fmt: skip
    assert code_of(caught) == "InvalidParameterException"


def test_put_index_policy_is_accepted(boto_logs: Any) -> None:
    boto_logs.create_log_group(logGroupName=GROUP)
    document = json.dumps({"Fields": ["traceId", "requestId"]})
    policy = boto_logs.put_index_policy(logGroupIdentifier=GROUP, policyDocument=document)
    assert policy["indexPolicy"]["policyDocument"] == document
    with pytest.raises(ClientError) as caught:
        boto_logs.put_index_policy(logGroupIdentifier=GROUP, policyDocument="{not json")
    assert code_of(caught) == "InvalidParameterException"


def raw_post(server: LocalServer, target: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(server.url + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_wire_protocol_errors(local_server: LocalServer) -> None:
    status, body = raw_post(local_server, "Logs_20140328.DescribeLogGroups", b"{}")
    assert (status, body) == (200, {"logGroups": []})
    status, body = raw_post(local_server, "Logs_20140328.CreateLogStream", b'{"logGroupName":"g"}')
    assert status == 400 and body["__type"] == "InvalidParameterException"
    assert "Value null at 'logStreamName'" in body["message"]
    status, body = raw_post(local_server, None, b"{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"
    status, body = raw_post(local_server, "Logs_20140328.DescribeLogGroups", b"{oops")
    assert status == 400 and body["__type"] == "SerializationException"
