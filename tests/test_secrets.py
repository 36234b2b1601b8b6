"""Diagnostics never carry credentials: the masking itself, and the real paths where a password in
``endpoint_url`` or a service error echoing a session token and a signature would reach stderr,
``stats()`` or an exception a user logs."""

from __future__ import annotations

import json
import logging
import socket
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cw_logging._secrets import MASK, mask_secrets
from cw_logging.errors import CloudWatchLogsError, ConfigurationError
from cw_logging.handler import CloudWatchHandler
from cw_logging.query import admin
from tests.integration.helpers import wait_until
from tests.support.cpu_time import least_cpu_seconds

SESSION_TOKEN = (
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx7Kp2Vb9Lm4Nq8Rs0Tu3Wx6Yz"
    "1Ac5De9Fg2Hi4Jk7Lm0No3Pq6Rs9Tu2Vw5Xy8Za1Bc4De7Fg0Hi3Jk6Lm9No2Pq5Rs8Tu1Vw4Xy7Za0Bc"
)
SIGNATURE = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
SECRET_KEY = "Zt8k3Vq0pLm9Rx2WcYb7Nf4Hs6Ud1Ae5Gj8Ki0Olq"[:40]
PASSWORD = "Sup3r-S3cret-pw"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f'Could not connect to the endpoint URL: "http://admin:{PASSWORD}@127.0.0.1:9/"',
            f'Could not connect to the endpoint URL: "http://admin:{MASK}@127.0.0.1:9/"',
        ),
        ("https://ghp_a1B2c3D4e5F6@github.com/org", f"https://{MASK}@github.com/org"),
        (f"x-amz-security-token:{SESSION_TOKEN}\n", f"x-amz-security-token:{MASK}\n"),
        (
            f"?X-Amz-Security-Token={SESSION_TOKEN}&X-Amz-Signature={SIGNATURE}&X-Amz-Date=1",
            f"?X-Amz-Security-Token={MASK}&X-Amz-Signature={MASK}&X-Amz-Date=1",
        ),
        (
            f"Authorization: AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/logs/"
            f"aws4_request, SignedHeaders=host, Signature={SIGNATURE}",
            f"Authorization: AWS4-HMAC-SHA256 {MASK}, SignedHeaders=host, Signature={MASK}",
        ),
        (f"{{'SessionToken': '{SESSION_TOKEN}'}}", f"{{'SessionToken': '{MASK}'}}"),
        (
            f"{{'X-Amz-Security-Token': b'{SESSION_TOKEN}'}}",
            f"{{'X-Amz-Security-Token': b'{MASK}'}}",
        ),
        (f"aws_secret_access_key={SECRET_KEY}", f"aws_secret_access_key={MASK}"),
        (f"the key {SECRET_KEY} was refused", f"the key {MASK} was refused"),
        (f"session token {SESSION_TOKEN} expired", f"session token {MASK} expired"),
    ],
)
def test_credentials_are_masked(text: str, expected: str) -> None:
    assert mask_secrets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "spool: /tmp/pytest-of-root/pytest-1/test0/cwspool-0123456789abcdef-"
        "0123456789abcdef0123456789abcdef.db is corrupt; moved it aside",
        "log group '/aws/lambda/CheckoutServiceProduction2024Handler', stream 'web-1'",
        "AccessDeniedException: denied (request id 4bf92f35-77b3-4da6-a3ce-929d0e0e4736)",
        "endpoint_url 'http://10.0.0.5:4566' uses plain http to a non-loopback host: use https",
        "dropped 3 records larger than max_event_bytes=1048550; max_tokens=5 tokens=7",
        "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 and sha256 "
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ],
)
def test_diagnostics_without_credentials_are_unchanged(text: str) -> None:
    assert mask_secrets(text) is text


@pytest.mark.parametrize(
    "unit", ["@", "a", "A1b2", "://", "://a:", "://" + "a" * 300, "token=", "x-amz-", "/", "+"]
)
def test_masking_is_linear_time(unit: str) -> None:
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    spent = least_cpu_seconds(mask_secrets, text, rounds=10, enough=0.025)
    assert spent < 0.05, f"{spent * 1000:.1f} ms for 100 KB of {unit!r}"


def test_errors_mask_their_message_and_the_cause_a_traceback_shows() -> None:
    from botocore.exceptions import ClientError

    from cw_logging.errors import from_exception

    response: Any = {
        "Error": {"Code": "ExpiredTokenException", "Message": f"token {SESSION_TOKEN}"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    error = ClientError(response, "PutLogEvents")
    try:
        try:
            raise error
        except ClientError as exc:
            raise from_exception(exc) from exc
    except CloudWatchLogsError as mapped:
        shown = traceback.format_exc()
        assert SESSION_TOKEN not in str(mapped) and SESSION_TOKEN not in mapped.message
    assert SESSION_TOKEN not in shown and MASK in shown
    with pytest.raises(ConfigurationError) as refused:
        CloudWatchHandler("/g", endpoint_url=f"ftp://ann:{PASSWORD}@logs.example.com")
    assert PASSWORD not in str(refused.value) and "ftp://ann:" in str(refused.value)


class _EchoingService(BaseHTTPRequestHandler):
    """Answers every call like AWS answers a bad signature: the canonical request it expected,
    session token and signature included."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        message = (
            "The request signature we calculated does not match the signature you provided. "
            "The Canonical String for this request should have been 'POST\n/\n\n"
            f"host:{self.headers.get('Host')}\nx-amz-security-token:{SESSION_TOKEN}\n' "
            f"and you sent Signature={SIGNATURE}"
        )
        body = json.dumps({"__type": "InvalidSignatureException", "message": message}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echoing_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingService)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def _logger_with(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.addHandler(handler)
    return logger


def test_a_service_error_echoing_a_token_is_masked_in_stderr_stats_and_exceptions(
    echoing_service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = CloudWatchHandler("/secrets/echo", "s", endpoint_url=echoing_service)
    logger = _logger_with(handler, "test_secrets.echo")
    try:
        logger.warning("one record")
        handler.wake()
        wait_until(lambda: handler.stats()["last_error"] is not None, 10, "a refused call")
        last_error = handler.stats()["last_error"]
    finally:
        logger.removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert last_error is not None and "InvalidSignatureException" in last_error
    assert "InvalidSignatureException" in err
    for shown in (last_error, err):
        assert SESSION_TOKEN not in shown and SIGNATURE not in shown
        assert f"x-amz-security-token:{MASK}" in shown and f"Signature={MASK}" in shown
    with pytest.raises(CloudWatchLogsError) as raised:
        list(admin.describe_log_groups(endpoint_url=echoing_service, region_name="us-east-1"))
    shown = "".join(traceback.format_exception(raised.value))
    assert "InvalidSignatureException" in shown and SESSION_TOKEN not in shown


def test_a_password_in_endpoint_url_is_masked_in_stderr_and_stats(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on: connections refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = CloudWatchHandler(
        "/secrets/down",
        "s",
        endpoint_url=f"http://admin:{PASSWORD}@127.0.0.1:{port}",
        close_timeout=0.5,
    )
    logger = _logger_with(handler, "test_secrets.down")
    try:
        logger.warning("one record")
        handler.wake()
        wait_until(lambda: handler.stats()["last_error"] is not None, 10, "a connection error")
        last_error = handler.stats()["last_error"]
    finally:
        logger.removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert last_error is not None and "127.0.0.1" in last_error
    assert "Could not connect" in err
    for shown in (last_error, err):
        assert PASSWORD not in shown and f"admin:{MASK}@127.0.0.1" in shown
