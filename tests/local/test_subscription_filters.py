"""Subscription filters over HTTP with boto3, and the records delivered in process.

Pages: "Real-time processing of log data with subscriptions" (Subscriptions.html: two
subscription filters per log group) and "Using subscription filters" (SubscriptionFilters.html:
the gzipped, base64-encoded record with messageType, owner, logGroup, logStream,
subscriptionFilters and logEvents; CONTROL_MESSAGE records to check a destination).
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cw_logging.local import LocalEngine, SubscriptionDelivery

from .conftest import FakeClock

GROUP = "/aws/lambda/orders"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:consumer"
KINESIS = "arn:aws:kinesis:us-east-1:123456789012:stream/logs"


def _setup(boto_logs: Any) -> None:
    boto_logs.create_log_group(logGroupName=GROUP)
    boto_logs.create_log_stream(logGroupName=GROUP, logStreamName="2024/05/01/[$LATEST]abc")


def _subscribe(boto_logs: Any, name: str, pattern: str, arn: str = LAMBDA) -> None:
    boto_logs.put_subscription_filter(
        logGroupName=GROUP, filterName=name, filterPattern=pattern, destinationArn=arn
    )


def _put(boto_logs: Any, clock: FakeClock, *messages: str) -> None:
    boto_logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="2024/05/01/[$LATEST]abc",
        logEvents=[{"timestamp": clock.ms + i, "message": m} for i, m in enumerate(messages)],
    )


def test_matching_events_reach_a_callback_in_cloudwatch_envelope(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    _setup(boto_logs)
    _subscribe(boto_logs, "errors", "ERROR")
    received: list[dict[str, Any]] = []

    def lambda_handler(event: dict[str, Any]) -> None:
        received.append(json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"]))))

    engine.subscriptions.deliver_to(LAMBDA, lambda d: lambda_handler(d.lambda_event()))
    _put(boto_logs, clock, "ERROR one", "INFO two", "ERROR three")
    assert len(received) == 1  # delivered before put_log_events returned
    envelope = received[0]
    assert {k: v for k, v in envelope.items() if k != "logEvents"} == {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": GROUP,
        "logStream": "2024/05/01/[$LATEST]abc",
        "subscriptionFilters": ["errors"],
    }
    assert [(e["timestamp"] - clock.ms, e["message"]) for e in envelope["logEvents"]] == [
        (0, "ERROR one"),
        (2, "ERROR three"),
    ]
    assert all(isinstance(e["id"], str) and len(e["id"]) == 56 for e in envelope["logEvents"])


def test_no_delivery_when_nothing_matches_and_deliveries_are_inspectable(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    _setup(boto_logs)
    _subscribe(boto_logs, "json", '{ $.level = "ERROR" }')
    _put(boto_logs, clock, '{"level": "INFO"}')
    assert engine.subscriptions.deliveries(LAMBDA) == []
    _put(boto_logs, clock, '{"level": "ERROR", "n": 1}')
    [delivery] = engine.subscriptions.deliveries(LAMBDA)
    assert [e["message"] for e in delivery.log_events] == ['{"level": "ERROR", "n": 1}']


def test_kinesis_destination_first_gets_a_control_message(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    _setup(boto_logs)
    _subscribe(boto_logs, "all", "", KINESIS)
    _put(boto_logs, clock, "anything")
    kinds = [d.message["messageType"] for d in engine.subscriptions.deliveries(KINESIS)]
    assert kinds == ["CONTROL_MESSAGE", "DATA_MESSAGE"]


def test_a_failing_callback_never_breaks_put_log_events(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    _setup(boto_logs)
    _subscribe(boto_logs, "all", "")

    def broken(delivery: SubscriptionDelivery) -> None:
        raise RuntimeError("consumer bug")

    stop = engine.subscriptions.deliver_to(LAMBDA, broken)
    _put(boto_logs, clock, "x")
    assert engine.subscriptions.errors == 1
    stop()
    _put(boto_logs, clock, "y")
    assert engine.subscriptions.errors == 1


def test_callback_may_call_the_engine_again_without_deadlock(
    engine: LocalEngine, clock: FakeClock
) -> None:
    engine.call("CreateLogGroup", {"logGroupName": GROUP})
    engine.call("CreateLogStream", {"logGroupName": GROUP, "logStreamName": "s"})
    engine.call(
        "PutSubscriptionFilter",
        {"logGroupName": GROUP, "filterName": "f", "filterPattern": "", "destinationArn": LAMBDA},
    )
    seen = threading.Event()

    def consumer(delivery: SubscriptionDelivery) -> None:
        described = engine.call("DescribeSubscriptionFilters", {"logGroupName": GROUP})
        if described["subscriptionFilters"]:
            seen.set()

    engine.subscriptions.deliver_to(LAMBDA, consumer)
    event = {"timestamp": clock.ms, "message": "m"}
    engine.call("PutLogEvents", {"logGroupName": GROUP, "logStreamName": "s", "logEvents": [event]})
    assert seen.is_set()


def test_two_filters_per_group_and_replacing_keeps_creation_time(boto_logs: Any) -> None:
    """Subscriptions.html: each log group can have up to two subscription filters."""
    _setup(boto_logs)
    _subscribe(boto_logs, "a", "ERROR")
    created = boto_logs.describe_subscription_filters(logGroupName=GROUP)["subscriptionFilters"]
    _subscribe(boto_logs, "a", "WARN")
    _subscribe(boto_logs, "b", "")
    with pytest.raises(ClientError) as caught:
        _subscribe(boto_logs, "c", "")
    assert caught.value.response["Error"]["Code"] == "LimitExceededException"
    described = boto_logs.describe_subscription_filters(logGroupName=GROUP)["subscriptionFilters"]
    assert [(f["filterName"], f["filterPattern"]) for f in described] == [("a", "WARN"), ("b", "")]
    assert described[0]["creationTime"] == created[0]["creationTime"]
    assert described[0]["destinationArn"] == LAMBDA
    assert described[0]["distribution"] == "ByLogStream"


def test_errors_name_what_is_wrong(boto_logs: Any) -> None:
    _setup(boto_logs)
    cases = [
        (dict(logGroupName="nope"), "ResourceNotFoundException"),
        (dict(destinationArn="arn:aws:s3:::bucket"), "InvalidParameterException"),
        (dict(filterPattern='{ $.a = "x }'), "InvalidParameterException"),
    ]
    for override, code in cases:
        params = dict(logGroupName=GROUP, filterName="f", filterPattern="", destinationArn=LAMBDA)
        with pytest.raises(ClientError) as caught:
            boto_logs.put_subscription_filter(**{**params, **override})
        assert caught.value.response["Error"]["Code"] == code
    with pytest.raises(ClientError) as missing:
        boto_logs.delete_subscription_filter(logGroupName=GROUP, filterName="f")
    assert missing.value.response["Error"]["Message"] == (
        "The specified subscription filter does not exist."
    )
