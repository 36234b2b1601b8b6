"""Metric filters over HTTP with boto3: the API's shapes and rules, and the datapoints the
engine keeps for what the filters publish.

Pages: "Creating metrics from log events using filters" / "Filter pattern syntax for metric
filters" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html,
sections "Configuring metric values", "Publishing dimensions", "Using values in log events")
and "Example: Extract fields from an Apache log and assign dimensions" (ExtractBytesExample.html).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cw_logging.local import LocalEngine

from .conftest import FakeClock

GROUP = "MyApp/access.log"
APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


def _setup(boto_logs: Any) -> None:
    boto_logs.create_log_group(logGroupName=GROUP)
    boto_logs.create_log_stream(logGroupName=GROUP, logStreamName="s")


def _put(boto_logs: Any, clock: FakeClock, *messages: str) -> None:
    boto_logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="s",
        logEvents=[{"timestamp": clock.ms + i, "message": m} for i, m in enumerate(messages)],
    )


def _filter(boto_logs: Any, name: str, pattern: str, **transformation: Any) -> None:
    boto_logs.put_metric_filter(
        logGroupName=GROUP,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[
            {"metricName": name, "metricNamespace": "MyNamespace", **transformation}
        ],
    )


def test_apache_bytes_example_publishes_the_size_field_with_an_ip_dimension(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    """ExtractBytesExample.html: pattern [ip, id, user, timestamp, request, status_code, size],
    metricValue $size, unit Bytes, dimension IP from $ip."""
    _setup(boto_logs)
    _filter(
        boto_logs,
        "BytesTransferred",
        "[ip, id, user, timestamp, request, status_code, size]",
        metricValue="$size",
        unit="Bytes",
        dimensions={"IP": "$ip"},
    )
    _put(boto_logs, clock, APACHE, APACHE.replace("1534", "66"), "not an access line")
    points = engine.metrics.datapoints("MyNamespace", "BytesTransferred")
    assert [(p.value, dict(p.dimensions), p.unit) for p in points] == [
        (1534.0, {"IP": "127.0.0.1"}, "Bytes"),
        (66.0, {"IP": "127.0.0.1"}, "Bytes"),
    ]


def test_numeric_field_reference_reads_the_nth_field(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    """ExtractBytesExample.html: 'The metric value is the value of the seventh matched token
    ... "$7"'."""
    _setup(boto_logs)
    _filter(
        boto_logs,
        "Seventh",
        "[ip, id, user, timestamp, request, status_code, size]",
        metricValue="$7",
    )
    _put(boto_logs, clock, APACHE)
    assert [p.value for p in engine.metrics.datapoints(metric_name="Seventh")] == [1534.0]


def test_json_latency_example_and_default_value_per_minute(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    """FilterAndPatternSyntax.html: '{ $.latency = * } metricValue: $.latency' publishes 50 for
    {"latency": 50, ...}; a default value is reported for a minute without a match."""
    _setup(boto_logs)
    _filter(boto_logs, "myMetric", "{ $.latency = * }", metricValue="$.latency", defaultValue=0)
    _put(boto_logs, clock, '{"latency": 50, "requestType": "GET"}', '{"latency": 7}')
    clock.now += 120
    _put(boto_logs, clock, '{"requestType": "GET"}')
    sums = engine.metrics.sums("MyNamespace", "myMetric")
    assert list(sums.values()) == [57.0, 0.0]
    defaults = [p for p in engine.metrics.datapoints(metric_name="myMetric") if p.is_default]
    assert [p.timestamp % 60_000 for p in defaults] == [0]


def test_counting_filter_with_a_constant_value_counts_matches(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    _setup(boto_logs)
    _filter(boto_logs, "Errors", "ERROR", metricValue="1")
    _put(boto_logs, clock, "[ERROR 400] BAD REQUEST", "[SUCCESS 200] OK", "[ERROR 500] X")
    assert sum(p.value for p in engine.metrics.datapoints("MyNamespace", "Errors")) == 2.0


def test_events_stored_before_the_filter_are_not_counted(
    boto_logs: Any, engine: LocalEngine, clock: FakeClock
) -> None:
    _setup(boto_logs)
    _put(boto_logs, clock, "ERROR early")
    _filter(boto_logs, "Errors", "ERROR", metricValue="1")
    _put(boto_logs, clock, "ERROR late")
    assert len(engine.metrics.datapoints(metric_name="Errors")) == 1


@pytest.mark.parametrize(
    ("pattern", "transformation", "words"),
    [
        ("ERROR", {"metricValue": "$.latency"}, "needs a JSON filter pattern"),
        ("{ $.a = 1 }", {"metricValue": "$size"}, "needs a space-delimited filter pattern"),
        ("ERROR", {"metricValue": "lots"}, "Invalid metricValue 'lots'"),
        ("ERROR", {"metricValue": "1", "dimensions": {"a": "$x"}}, "JSON and space-delimited"),
        (
            "{ $.a = 1 }",
            {"metricValue": "1", "defaultValue": 0, "dimensions": {"a": "$.a"}},
            "cannot have a default value",
        ),
        (
            "{ $.a = 1 }",
            {"metricValue": "1", "dimensions": {k: "$.a" for k in "abcd"}},
            "at most 3 dimensions",
        ),
        ('{ $.a = "x }', {"metricValue": "1"}, "Invalid filter pattern"),
    ],
)
def test_invalid_metric_filters_are_refused(
    boto_logs: Any, pattern: str, transformation: dict[str, Any], words: str
) -> None:
    _setup(boto_logs)
    with pytest.raises(ClientError) as caught:
        _filter(boto_logs, "f", pattern, **transformation)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert words in caught.value.response["Error"]["Message"]


def test_describe_and_delete_and_counts(boto_logs: Any) -> None:
    _setup(boto_logs)
    _filter(boto_logs, "b-filter", "ERROR", metricValue="1", defaultValue=0)
    _filter(boto_logs, "a-filter", "{ $.x = * }", metricValue="$.x", dimensions={"d": "$.d"})
    described = boto_logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert [f["filterName"] for f in described] == ["a-filter", "b-filter"]
    assert described[1]["metricTransformations"] == [
        {
            "metricName": "b-filter",
            "metricNamespace": "MyNamespace",
            "metricValue": "1",
            "defaultValue": 0.0,
        }
    ]
    assert isinstance(described[0]["creationTime"], int)
    by_metric = boto_logs.describe_metric_filters(
        metricName="a-filter", metricNamespace="MyNamespace"
    )
    assert [f["filterName"] for f in by_metric["metricFilters"]] == ["a-filter"]
    by_prefix = boto_logs.describe_metric_filters(logGroupName=GROUP, filterNamePrefix="b")
    assert [f["filterName"] for f in by_prefix["metricFilters"]] == ["b-filter"]
    group = boto_logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]
    assert group["metricFilterCount"] == 2
    boto_logs.delete_metric_filter(logGroupName=GROUP, filterName="a-filter")
    with pytest.raises(ClientError) as caught:
        boto_logs.delete_metric_filter(logGroupName=GROUP, filterName="a-filter")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    transformation = {"metricName": "m", "metricNamespace": "n", "metricValue": "1"}
    with pytest.raises(ClientError) as missing_group:
        boto_logs.put_metric_filter(
            logGroupName="nope",
            filterName="x",
            filterPattern="ERROR",
            metricTransformations=[transformation],
        )
    assert missing_group.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_test_metric_filter_shows_extracted_values_of_the_page_example(boto_logs: Any) -> None:
    """FilterAndPatternSyntax.html, "Example: Extracted fields and values": the space-delimited
    pattern extracts $ip, $user, ... from the Apache line."""
    page_event = (
        '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
    )
    response = boto_logs.test_metric_filter(
        filterPattern="[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
        logEventMessages=[page_event, "no match here"],
    )
    assert response["matches"] == [
        {
            "eventNumber": 1,
            "eventMessage": page_event,
            "extractedValues": {
                "$bytes": "1534",
                "$status_code": "404",
                "$request": "GET /index.html HTTP/1.0",
                "$timestamp": "10/Oct/2000:13:25:15 -0700",
                "$username": "frank",
                "$user": "Prod",
                "$ip": "127.0.0.1",
            },
        }
    ]
