"""The read-side limits of ``cw_logging._limits`` where a user meets them, at N-1, N and N+1:
query length, log groups per query, the query ``limit`` cap and filter-pattern length."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cw_logging.errors import ConfigurationError, InvalidParameterError, MalformedQueryError
from cw_logging.local.filterpattern import compile_filter_pattern
from cw_logging.query import TimeRange, filter_log_events, start_query, validate_query

UTC = timezone.utc
SPAN = TimeRange.between(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 1, tzinfo=UTC))
QUERY = "fields @message"


@pytest.fixture
def client() -> Iterator[tuple[Any, Stubber]]:
    """A real boto3 client whose calls botocore's Stubber answers after checking them exactly."""
    logs = boto3.client("logs", region_name="us-east-1")
    with Stubber(logs) as stubber:
        yield logs, stubber
        stubber.assert_no_pending_responses()


def query_of(length: int) -> str:
    return QUERY + " " * (length - len(QUERY))


@pytest.mark.parametrize("length", [9_999, 10_000])
def test_a_query_up_to_10000_characters_is_accepted(length: int) -> None:
    assert validate_query(query_of(length)) == query_of(length)


def test_a_query_of_10001_characters_is_refused() -> None:
    with pytest.raises(MalformedQueryError, match="10001 characters, over the limit of 10000"):
        validate_query(query_of(10_001))


def expect_start(stubber: Stubber, groups: list[str], **params: Any) -> None:
    start, end = SPAN.epoch_seconds()
    expected = {"queryString": QUERY, "logGroupNames": groups, "startTime": start, "endTime": end}
    stubber.add_response("start_query", {"queryId": "q-1"}, {**expected, **params})


@pytest.mark.parametrize("count", [49, 50])
def test_a_query_may_name_up_to_50_log_groups(client: tuple[Any, Stubber], count: int) -> None:
    logs, stubber = client
    groups = [f"/app/g{i}" for i in range(count)]
    expect_start(stubber, groups)
    assert start_query(QUERY, groups, SPAN, client=logs) == "q-1"


def test_51_log_groups_are_refused_before_sending(client: tuple[Any, Stubber]) -> None:
    logs, _ = client
    groups = [f"/app/g{i}" for i in range(51)]
    with pytest.raises(ConfigurationError, match="51 log groups exceed the 50") as refused:
        start_query(QUERY, groups, SPAN, client=logs)
    assert refused.value.code == "TooManyLogGroups"


@pytest.mark.parametrize(
    ("asked", "sent"), [(99_999, 99_999), (100_000, 100_000), (100_001, 100_000)]
)
def test_the_query_limit_is_capped_at_100000(
    client: tuple[Any, Stubber], asked: int, sent: int
) -> None:
    logs, stubber = client
    expect_start(stubber, ["/app/a"], limit=sent)
    assert start_query(QUERY, ["/app/a"], SPAN, limit=asked, client=logs) == "q-1"


@pytest.mark.parametrize("length", [1_023, 1_024])
def test_a_filter_pattern_up_to_1024_characters_is_sent(
    client: tuple[Any, Stubber], length: int
) -> None:
    logs, stubber = client
    pattern = "x" * length
    expected = {"logGroupName": "/app/a", "filterPattern": pattern}
    stubber.add_response("filter_log_events", {"events": []}, expected)
    assert list(filter_log_events("/app/a", pattern, client=logs)) == []


def test_a_filter_pattern_of_1025_characters_is_refused_before_sending(
    client: tuple[Any, Stubber],
) -> None:
    logs, _ = client
    with pytest.raises(ConfigurationError, match="1025 characters exceeds the limit of 1024"):
        filter_log_events("/app/a", "x" * 1_025, client=logs)


@pytest.mark.parametrize("length", [1_023, 1_024])
def test_the_local_engine_compiles_a_pattern_up_to_1024_characters(length: int) -> None:
    assert compile_filter_pattern("x" * length).matches("y " + "x" * length)


def test_the_local_engine_refuses_a_pattern_of_1025_characters() -> None:
    with pytest.raises(InvalidParameterError, match="longer than 1024 characters"):
        compile_filter_pattern("x" * 1_025)
