"""The transport seam: PutLogEvents results, the boto3 transport's calls and error mapping,
endpoint checks, client defaults, and where a sender's transport comes from."""

from __future__ import annotations

import os
import warnings
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from cw_logging.delivery.transport import (
    Boto3Transport,
    ClientOptions,
    PutLogEventsSerializer,
    PutResult,
    Transport,
    TransportProvider,
    check_endpoint_url,
    default_botocore_config,
    is_loopback_host,
)
from cw_logging.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidParameterError,
    RateLimitError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
    ServerError,
)

GROUP, STREAM = "/app", "s"
ONE: list[Any] = [{"timestamp": 1, "message": "m"}]


def logs_client(**options: Any) -> Any:
    return boto3.client(
        "logs",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        **options,
    )


# -- PutResult ---------------------------------------------------------------------------------


def test_a_response_without_rejections_rejects_nothing() -> None:
    result = PutResult.from_response({"nextSequenceToken": "x"})
    assert result == PutResult()
    assert result.rejected_by_reason(5) == {}


def test_rejections_are_counted_by_reason_without_double_counting() -> None:
    info = {
        "tooOldLogEventEndIndex": 1,
        "expiredLogEventEndIndex": 2,
        "tooNewLogEventStartIndex": 4,
    }
    result = PutResult.from_response({"rejectedLogEventsInfo": info})
    # events 0-1 too old, 2 expired (0-1 not counted again), 4-5 too new, 3 stored
    assert result.rejected_by_reason(6) == {"too_old": 2, "expired": 1, "too_new": 2}


def test_rejection_indexes_beyond_the_batch_are_capped() -> None:
    result = PutResult(too_old_end=10)
    assert result.rejected_by_reason(3) == {"too_old": 3}
    assert PutResult(too_new_start=0).rejected_by_reason(3) == {"too_new": 3}


# -- endpoints and client defaults -------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.5.6.7", "::1"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "128.0.0.1", "localhost.evil.com"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    "url",
    [None, "https://logs.eu-west-1.amazonaws.com", "http://127.0.0.1:4566", "http://[::1]:9"],
)
def test_https_and_loopback_http_endpoints_are_accepted(url: str | None) -> None:
    assert check_endpoint_url(url) == url


def test_plain_http_to_another_host_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="use https") as caught:
        check_endpoint_url("http://logs.example.com")
    assert caught.value.code == "InsecureEndpoint"


@pytest.mark.parametrize("url", ["logs.example.com", "ftp://x", "https://", "http:///path"])
def test_malformed_endpoints_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="expected https://host"):
        check_endpoint_url(url)


def test_default_client_settings_and_overrides() -> None:
    config = default_botocore_config()
    assert (config.connect_timeout, config.read_timeout, config.tcp_keepalive) == (5, 30, True)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert default_botocore_config(read_timeout=2).read_timeout == 2


# -- the boto3 transport -----------------------------------------------------------------------


def test_put_log_events_sends_the_batch_and_reads_rejections() -> None:
    client = logs_client()
    events = [{"timestamp": 1, "message": "a"}, {"timestamp": 2, "message": "b"}]
    with Stubber(client) as stub:
        stub.add_response(
            "put_log_events",
            {"rejectedLogEventsInfo": {"tooOldLogEventEndIndex": 0}},
            {"logGroupName": GROUP, "logStreamName": STREAM, "logEvents": events},
        )
        result = Boto3Transport(client).put_log_events(GROUP, STREAM, events)  # type: ignore[arg-type]
        stub.assert_no_pending_responses()
    assert result.rejected_by_reason(2) == {"too_old": 1}


def test_data_already_accepted_counts_as_success() -> None:
    client = logs_client()
    with Stubber(client) as stub:
        stub.add_client_error("put_log_events", "DataAlreadyAcceptedException", "seen it")
        assert Boto3Transport(client).put_log_events(GROUP, STREAM, ONE) == PutResult()


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("ResourceNotFoundException", 400, ResourceNotFoundError),
        ("InvalidParameterException", 400, InvalidParameterError),
        ("ThrottlingException", 400, RateLimitError),
        ("ServiceUnavailableException", 503, ServerError),
        ("AccessDeniedException", 400, AuthenticationError),
        ("SomethingNew", 429, RateLimitError),
        ("SomethingNew", 500, ServerError),
    ],
)
def test_service_errors_become_taxonomy_errors(
    code: str, status: int, error: type[Exception]
) -> None:
    client = logs_client()
    with Stubber(client) as stub:
        stub.add_client_error("put_log_events", code, "no", http_status_code=status)
        with pytest.raises(error) as caught:
            Boto3Transport(client).put_log_events(GROUP, STREAM, ONE)
    assert caught.value.code == code  # type: ignore[attr-defined]


def test_create_calls_and_retention() -> None:
    client = logs_client()
    with Stubber(client) as stub:
        stub.add_response("create_log_group", {}, {"logGroupName": GROUP})
        stub.add_response("create_log_stream", {}, {"logGroupName": GROUP, "logStreamName": STREAM})
        stub.add_response("put_retention_policy", {}, {"logGroupName": GROUP, "retentionInDays": 7})
        stub.add_client_error("create_log_group", "ResourceAlreadyExistsException", "exists")
        transport = Boto3Transport(client)
        transport.create_log_group(GROUP)
        transport.create_log_stream(GROUP, STREAM)
        transport.put_retention_policy(GROUP, 7)
        with pytest.raises(ResourceAlreadyExistsError):
            transport.create_log_group(GROUP)
        stub.assert_no_pending_responses()


def test_the_boto3_transport_is_a_transport() -> None:
    assert isinstance(Boto3Transport(logs_client()), Transport)


# -- where the transport comes from ------------------------------------------------------------


class OwnTransport:
    def put_log_events(self, log_group: str, log_stream: str, events: Any) -> PutResult:
        return PutResult()

    def create_log_group(self, log_group: str) -> None: ...

    def create_log_stream(self, log_group: str, log_stream: str) -> None: ...

    def put_retention_policy(self, log_group: str, days: int) -> None: ...


def test_a_ready_transport_is_used_as_is_also_in_a_child() -> None:
    own = OwnTransport()
    provider = TransportProvider(transport=own)
    assert provider.get() is own
    assert provider.for_child().get() is own


def test_a_users_client_is_wrapped_and_copied_for_a_child() -> None:
    client = logs_client(endpoint_url="http://127.0.0.1:9")
    provider = TransportProvider(client=client)
    transport = provider.get()
    assert isinstance(transport, Boto3Transport) and transport.client is client
    child = provider.for_child().get()
    assert isinstance(child, Boto3Transport)
    assert child.client is not client
    assert child.client.meta.endpoint_url == client.meta.endpoint_url
    assert child.client.meta.region_name == "us-east-1"
    frozen = child.client._request_signer._credentials.get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key) == ("testing", "testing")


def test_a_client_is_built_on_first_use_with_the_package_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    provider = TransportProvider(
        options=ClientOptions(
            region_name="eu-west-1",
            endpoint_url="http://127.0.0.1:9",
            botocore_config=Config(read_timeout=3),
        )
    )
    transport = provider.get()
    assert isinstance(transport, Boto3Transport)
    config = transport.client.meta.config
    assert (config.read_timeout, config.connect_timeout) == (3, 5)
    assert transport.client.meta.region_name == "eu-west-1"
    assert provider.get() is transport, "built once"
    # parameter validation off: botocore would wrap the serialiser in its validating decorator
    assert isinstance(transport.client._serializer, PutLogEventsSerializer)


def test_building_nothing_before_the_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    provider = TransportProvider(options=ClientOptions())  # no region: fails only when used
    with pytest.raises(ConfigurationError, match="region"):
        provider.get()


@pytest.mark.parametrize(
    "arguments",
    [
        {"client": "x", "transport": OwnTransport()},
        {"client": "not a client"},
        {"transport": object()},
        {"transport": OwnTransport(), "options": ClientOptions(region_name="eu-west-1")},
    ],
)
def test_conflicting_or_wrong_sources_are_refused(arguments: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ConfigurationError):
            TransportProvider(**arguments)


def test_client_options_are_checked() -> None:
    with pytest.raises(ConfigurationError, match=r"botocore\.config\.Config"):
        ClientOptions(botocore_config={"read_timeout": 1})
    with pytest.raises(ConfigurationError, match="not both"):
        ClientOptions(boto3_session=boto3.session.Session(), profile_name="x")
    with pytest.raises(ConfigurationError, match="use https"):
        ClientOptions(endpoint_url="http://logs.example.com")
    assert repr(ClientOptions(region_name="eu-west-1")) == "ClientOptions(region_name='eu-west-1')"
