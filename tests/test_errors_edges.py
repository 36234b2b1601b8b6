"""Edges of the error mapping: an unknown code is classified by its HTTP status (429 and 5xx are
retried, other statuses are not), and the mapped error keeps what the response said."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import exceptions as bex
from botocore.exceptions import ClientError

from cw_logging._secrets import MASK
from cw_logging.errors import (
    AuthenticationError,
    CloudWatchLogsError,
    ConfigurationError,
    NetworkError,
    RateLimitError,
    RequestError,
    ResourceNotFoundError,
    ServerError,
    from_exception,
    hint_for,
    region_hint,
)
from tests.test_secrets import SECRET_KEY


def client_error(
    code: str | None = "SomethingNewException",
    status: int | None = 400,
    *,
    message: str | None = "what the service said",
    headers: dict[str, str] | None = None,
) -> ClientError:
    error: dict[str, Any] = {}
    if code is not None:
        error["Code"] = code
    if message is not None:
        error["Message"] = message
    meta: dict[str, Any] = {"RequestId": "req-1", "HTTPHeaders": headers or {}}
    if status is not None:
        meta["HTTPStatusCode"] = status
    return ClientError({"Error": error, "ResponseMetadata": meta}, "PutLogEvents")


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (429, RateLimitError, True),
        (428, RequestError, False),
        (430, RequestError, False),
        (499, RequestError, False),
        (500, ServerError, True),
        (501, ServerError, True),
        (503, ServerError, True),
        (400, RequestError, False),
        (None, RequestError, False),
    ],
)
def test_an_unknown_code_is_classified_by_its_http_status(
    status: int | None, cls: type[CloudWatchLogsError], retryable: bool
) -> None:
    mapped = from_exception(client_error(status=status))
    assert type(mapped) is cls
    assert mapped.retryable is retryable
    assert mapped.code == "SomethingNewException"
    assert mapped.request_id == "req-1"
    assert mapped.message == "what the service said"


def test_a_known_code_wins_over_the_status() -> None:
    assert type(from_exception(client_error("ThrottlingException", 400))) is RateLimitError
    assert type(from_exception(client_error("ResourceNotFoundException", 503))) is (
        ResourceNotFoundError
    )


def test_missing_code_and_message_are_filled_in() -> None:
    mapped = from_exception(client_error(code=None, message=None, status=429))
    assert mapped.code == "Unknown"
    assert type(mapped) is RateLimitError
    assert "PutLogEvents" in mapped.message  # botocore's own text of the error


@pytest.mark.parametrize(("header", "expected"), [("2.5", 2.5), ("0", 0.0), ("soon", None)])
def test_retry_after_is_read_when_it_is_a_number(header: str, expected: float | None) -> None:
    mapped = from_exception(client_error(status=429, headers={"retry-after": header}))
    assert mapped.retry_after == expected


def test_no_retry_after_header_means_none() -> None:
    assert from_exception(client_error(status=429)).retry_after is None


def test_an_already_mapped_error_is_returned_as_is() -> None:
    error = ServerError("down")
    assert from_exception(error) is error


@pytest.mark.parametrize(
    ("exc", "cls", "retryable"),
    [
        (bex.EndpointConnectionError(endpoint_url="https://x"), NetworkError, True),
        (bex.ReadTimeoutError(endpoint_url="https://x"), NetworkError, True),
        (bex.NoCredentialsError(), AuthenticationError, False),
        (bex.PartialCredentialsError(provider="env", cred_var="k"), AuthenticationError, False),
        (bex.NoRegionError(), ConfigurationError, False),
        (ConnectionResetError(), NetworkError, True),
        (TimeoutError("slow"), NetworkError, True),
        (KeyError("x"), CloudWatchLogsError, False),
    ],
)
def test_other_failures_map_by_type(
    exc: BaseException, cls: type[CloudWatchLogsError], retryable: bool
) -> None:
    mapped = from_exception(exc)
    assert type(mapped) is cls
    assert mapped.retryable is retryable
    assert mapped.__cause__ is exc
    assert mapped.code == (
        "NoRegionError" if isinstance(exc, bex.NoRegionError) else type(exc).__name__
    )


def test_a_builtin_network_error_without_text_is_named_by_its_type() -> None:
    assert from_exception(ConnectionResetError()).message == "ConnectionResetError"
    assert from_exception(TimeoutError("slow")).message == "slow"


def test_credentials_are_masked_along_the_whole_chain_behind_an_error() -> None:
    root = ValueError(f"aws_secret_access_key={SECRET_KEY}", 7)
    middle = RuntimeError(f"key {SECRET_KEY!s} again")
    middle.__context__ = root  # implicit chaining only: no __cause__
    top = OSError(f"aws_secret_access_key={SECRET_KEY}")
    top.__cause__ = middle
    from_exception(top)
    for exc in (top, middle, root):
        assert SECRET_KEY not in " ".join(map(str, exc.args))
    assert root.args[0] == f"aws_secret_access_key={MASK}" and root.args[1] == 7
    clean = ValueError("nothing secret", 3)
    args = clean.args
    from_exception(clean)
    assert clean.args is args  # untouched when there is nothing to mask


def test_the_service_request_id_is_shown_with_the_error() -> None:
    assert str(ServerError("down", code="X", request_id="r-9")) == "X: down (request id r-9)"
    assert str(ServerError("down", code="X")) == "X: down"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (AuthenticationError("x"), "credentials"),
        (ResourceNotFoundError("x"), "create the log group"),
        (RateLimitError("x"), "retried with backoff"),
        (NetworkError("x"), "endpoint_url"),
        (RequestError("x"), None),
        (ServerError("x"), None),
    ],
)
def test_hints_say_what_to_do(error: CloudWatchLogsError, words: str | None) -> None:
    hint = hint_for(error)
    if words is None:
        assert hint is None
    else:
        assert hint is not None and words in hint


def test_an_error_keeps_its_message_as_its_argument() -> None:
    error = ServerError(f"token {SECRET_KEY}")
    assert error.args == (error.message,) and SECRET_KEY not in error.args[0]


def _chain(length: int) -> list[BaseException]:
    chain: list[BaseException] = [ValueError(f"aws_secret_access_key={SECRET_KEY}")]
    for _ in range(length - 1):
        link = ValueError(f"aws_secret_access_key={SECRET_KEY}")
        chain[-1].__context__ = link
        chain.append(link)
    return chain


def test_the_masked_chain_is_eight_exceptions_deep() -> None:
    chain = _chain(9)
    from_exception(chain[0])
    assert all(SECRET_KEY not in str(exc.args) for exc in chain[:8])
    assert SECRET_KEY in str(chain[8].args)  # the walk is bounded: a cycle cannot loop forever


def test_a_cyclic_chain_is_masked_and_ends() -> None:
    first, second = _chain(2)
    second.__context__ = first
    from_exception(first)
    assert SECRET_KEY not in str(first.args) + str(second.args)


@pytest.mark.parametrize("option", ["region_name=", "--region"])
def test_the_region_hint_names_the_option_and_the_lookup_order(option: str) -> None:
    hint = region_hint(option)
    assert hint.startswith(f"pass {option} or set ")
    order = [hint.index(name) for name in ("AWS_REGION,", "AWS_DEFAULT_REGION", "AWS profile")]
    assert order == sorted(order)
