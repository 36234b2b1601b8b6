"""Every service error of DESIGN section 5 surfaces from the read path as its taxonomy class."""

from __future__ import annotations

import socket
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cw_logging.errors import (
    AuthenticationError,
    CloudWatchLogsError,
    DataAlreadyAcceptedError,
    EntityTooLargeError,
    InvalidParameterError,
    LimitExceededError,
    MalformedQueryError,
    NetworkError,
    QueryCancelledError,
    QueryFailedError,
    QueryNotFoundError,
    QueryTimeout,
    RateLimitError,
    RequestError,
    ResourceAlreadyExistsError,
    ResourceError,
    ResourceNotFoundError,
    ServerError,
)
from cw_logging.query import admin, filter_log_events, get_query_results, start_query
from tests.query.test_insights import SPAN

SERVICE_CODES = [
    ("AccessDeniedException", 400, AuthenticationError, False),
    ("ExpiredTokenException", 400, AuthenticationError, False),
    ("UnrecognizedClientException", 400, AuthenticationError, False),
    ("ResourceNotFoundException", 400, ResourceNotFoundError, False),
    ("ResourceAlreadyExistsException", 400, ResourceAlreadyExistsError, False),
    ("LimitExceededException", 400, LimitExceededError, False),
    ("ValidationException", 400, InvalidParameterError, False),
    ("InvalidParameterException", 400, InvalidParameterError, False),
    ("RequestEntityTooLargeException", 413, EntityTooLargeError, False),
    ("DataAlreadyAcceptedException", 400, DataAlreadyAcceptedError, False),
    ("MalformedQueryException", 400, MalformedQueryError, False),
    ("ThrottlingException", 400, RateLimitError, True),
    ("ServiceQuotaExceededException", 402, RateLimitError, True),
    ("ServiceUnavailableException", 503, ServerError, True),
    ("InternalServerError", 500, ServerError, True),
    ("SomethingNewException", 503, ServerError, True),  # unknown code: by HTTP status
    ("SomethingElseException", 400, RequestError, False),
]


def operations(client: Any) -> list[tuple[str, Any]]:
    return [
        ("start_query", lambda: start_query("fields @message", ["/app/a"], SPAN, client=client)),
        ("filter_log_events", lambda: list(filter_log_events("/app/a", client=client))),
        ("create_log_group", lambda: admin.create_log_group("/a", exist_ok=False, client=client)),
    ]


@pytest.mark.parametrize(("code", "status", "error", "retryable"), SERVICE_CODES)
def test_service_errors_map_to_the_taxonomy(
    stubbed: Any, code: str, status: int, error: type[CloudWatchLogsError], retryable: bool
) -> None:
    client, stubber = stubbed
    for operation, invoke in operations(client):
        stubber.add_client_error(
            operation,
            code,
            f"{code} says no",
            http_status_code=status,
            response_meta={"RequestId": "req-123"},
        )
        with pytest.raises(error) as info:
            invoke()
        assert type(info.value) is error
        assert info.value.code == code
        assert info.value.request_id == "req-123"
        assert info.value.retryable is retryable
        assert f"{code} says no" in str(info.value)


@pytest.mark.parametrize(
    ("category", "members"),
    [
        (ResourceError, (ResourceNotFoundError, ResourceAlreadyExistsError, LimitExceededError)),
        (RequestError, (InvalidParameterError, EntityTooLargeError, DataAlreadyAcceptedError)),
        (
            CloudWatchLogsError,
            (MalformedQueryError, QueryFailedError, QueryCancelledError, QueryTimeout),
        ),
    ],
)
def test_categories_catch_their_members(category: type, members: tuple[type, ...]) -> None:
    assert all(issubclass(member, category) for member in members)


def test_query_not_found_from_the_service(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "get_query_results", "ResourceNotFoundException", "gone", response_meta={"RequestId": "r9"}
    )
    with pytest.raises(QueryNotFoundError) as info:
        get_query_results("q-old", client=client)
    assert info.value.request_id == "r9"


def test_an_unreachable_endpoint_is_a_network_error() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = boto3.client(
        "logs",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2),
    )
    with pytest.raises(NetworkError) as info:
        admin.create_log_group("/app/a", client=client)
    assert info.value.retryable is True
