"""Where a client's region, endpoint and credentials come from (one order for the handler, the
read path and the CLI), and the placeholders a loopback endpoint gets, and no other endpoint."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from cw_logging import CloudWatchHandler, ConfigurationError, JsonFormatter
from cw_logging.delivery.transport import (
    LOOPBACK_CREDENTIALS,
    LOOPBACK_REGION,
    build_client,
    configured_endpoint,
    is_loopback_url,
    resolve_region,
)
from cw_logging.errors import NO_REGION_MESSAGE
from cw_logging.local import LocalServer
from cw_logging.query import filter_log_events

REAL = "https://logs.example.com"


@pytest.fixture
def no_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with nothing of AWS (the suite's conftest sets fake credentials and a region
    for every other test). Returns the path of the AWS config file, not yet written."""
    import os

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    config = tmp_path / "aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return config


def credentials(client: Any) -> tuple[str, str] | None:
    found = client._request_signer._credentials
    return None if found is None else (found.access_key, found.secret_key)


def session() -> Any:
    import boto3

    return boto3.session.Session()


# ---------------------------------------------------------------------------------- region


@pytest.mark.usefixtures("no_aws")
def test_the_region_order_is_argument_aws_region_aws_default_region_then_profile(
    no_aws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_aws.write_text("[default]\nregion = ap-south-1\n")
    assert resolve_region(None, session()) == "ap-south-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert resolve_region(None, session()) == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert resolve_region(None, session()) == "eu-west-3"  # boto3 alone would say eu-central-1
    assert session().region_name == "eu-central-1"
    assert resolve_region("sa-east-1", session()) == "sa-east-1"


@pytest.mark.usefixtures("no_aws")
def test_a_session_made_with_a_region_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert resolve_region(None, boto3.session.Session(region_name="us-west-2")) == "us-west-2"


@pytest.mark.usefixtures("no_aws")
def test_aws_region_alone_is_enough_for_every_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert build_client().meta.region_name == "eu-west-3"
    assert build_client(endpoint_url=REAL).meta.region_name == "eu-west-3"


@pytest.mark.usefixtures("no_aws")
def test_no_region_for_a_real_endpoint_says_the_lookup_order() -> None:
    for endpoint in (None, REAL, "https://localhost.example.com", "https://127.0.0.1.nip.io"):
        with pytest.raises(ConfigurationError) as raised:
            build_client(endpoint_url=endpoint)
        assert raised.value.code == "NoRegionError"
        assert raised.value.message == NO_REGION_MESSAGE
    assert NO_REGION_MESSAGE == (
        "no AWS region configured; pass region_name= or set AWS_REGION, AWS_DEFAULT_REGION or a "
        "region in the AWS profile (looked up in that order)"
    )


# -------------------------------------------------------------------------------- loopback


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(
    "endpoint",
    ["http://127.0.0.1:4588", "http://127.9.8.7:1", "http://[::1]:4588", "http://localhost:80"],
)
def test_a_loopback_endpoint_gets_placeholders_when_nothing_is_configured(endpoint: str) -> None:
    client = build_client(endpoint_url=endpoint)
    assert client.meta.region_name == LOOPBACK_REGION
    assert credentials(client) == LOOPBACK_CREDENTIALS
    assert client.meta.endpoint_url == endpoint


@pytest.mark.usefixtures("no_aws")
def test_a_loopback_endpoint_keeps_what_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    client = build_client(endpoint_url="http://127.0.0.1:4588")
    assert client.meta.region_name == "eu-west-3"
    assert credentials(client) == ("AKIDEXAMPLE", "secret")


@pytest.mark.usefixtures("no_aws")
def test_a_real_endpoint_never_gets_placeholder_credentials() -> None:
    for endpoint in (None, REAL, "https://localhost.example.com"):
        client = build_client(endpoint_url=endpoint, region_name="eu-west-1")
        assert credentials(client) is None, endpoint  # the first call fails: NoCredentialsError


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:4588", True),
        ("http://LOCALHOST:1", True),
        ("http://[::1]/", True),
        ("https://127.0.0.1.nip.io", False),  # a name is judged as written, never resolved
        ("https://localhost.example.com", False),
        ("http://[::1", False),  # malformed
        (None, False),
    ],
)
def test_is_loopback_url(url: str | None, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


# ---------------------------------------------------------------------- configured endpoint


@pytest.mark.usefixtures("no_aws")
def test_aws_endpoint_url_counts_as_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4588")
    client = build_client()
    assert client.meta.endpoint_url == "http://127.0.0.1:4588"
    assert (client.meta.region_name, credentials(client)) == (LOOPBACK_REGION, LOOPBACK_CREDENTIALS)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://localhost:9999")
    assert build_client().meta.endpoint_url == "http://localhost:9999"  # the service's own wins
    assert build_client(endpoint_url=REAL, region_name="eu-west-1").meta.endpoint_url == REAL


@pytest.mark.usefixtures("no_aws")
def test_a_profiles_endpoint_counts_too(no_aws: Path) -> None:
    no_aws.write_text("[default]\nendpoint_url = http://127.0.0.1:4599\n")
    assert configured_endpoint(session()) == "http://127.0.0.1:4599"
    assert credentials(build_client()) == LOOPBACK_CREDENTIALS


@pytest.mark.usefixtures("no_aws")
def test_configured_endpoints_can_be_ignored_as_botocore_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4588")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert configured_endpoint(session()) is None
    with pytest.raises(ConfigurationError, match=r"no AWS region"):
        build_client()  # AWS itself, which needs a region: no placeholders


@pytest.mark.usefixtures("no_aws")
def test_a_configured_plain_http_endpoint_elsewhere_is_refused_naming_where_it_came_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://logs.example.com")
    with pytest.raises(ConfigurationError) as raised:
        build_client(region_name="eu-west-1")
    assert raised.value.code == "InsecureEndpoint"
    assert "AWS_ENDPOINT_URL" in raised.value.message


@pytest.mark.usefixtures("no_aws")
def test_a_missing_profile_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    with pytest.raises(ConfigurationError) as raised:
        build_client(endpoint_url="http://127.0.0.1:4588")
    assert raised.value.code == "ProfileNotFound" and "'nope'" in raised.value.message


# ------------------------------------------------------------- the handler and the read path


@pytest.mark.usefixtures("no_aws")
def test_the_handler_and_a_query_need_only_the_loopback_endpoint(
    cw_local_server: LocalServer,
) -> None:
    handler = CloudWatchHandler("/offline", create_log_group=True, endpoint_url=cw_local_server.url)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("test.offline")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning("no AWS set-up at all")
        assert handler.flush(timeout=10), handler.stats()
    finally:
        log.removeHandler(handler)
        handler.close()
    events = list(filter_log_events("/offline", endpoint_url=cw_local_server.url))
    assert [e.message for e in events if "no AWS set-up at all" in e.message] != []
    assert handler.stats()["last_error"] is None


@pytest.mark.usefixtures("no_aws")
def test_the_handler_reads_aws_endpoint_url(
    cw_local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", cw_local_server.url)
    handler = CloudWatchHandler("/offline-env", create_log_group=True)
    handler.setFormatter(JsonFormatter())
    handler.handle(logging.makeLogRecord({"msg": "via the variable", "levelno": 30}))
    try:
        assert handler.flush(timeout=10), handler.stats()
    finally:
        handler.close()
    assert [e.message for e in filter_log_events("/offline-env")] != []
