"""Redaction on every path a message can take: the formatter's fast path and its fallback, dict
%-arguments rendered on the caller's thread by the handler, and PiiFilter's failed formats."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from cw_logging.formatter import JsonFormatter
from cw_logging.handler import CloudWatchHandler
from cw_logging.local import LocalServer, serve
from cw_logging.pii import REDACTED, PiiFilter, PiiRedactor
from cw_logging.pii._messages import masked_record
from tests.integration.helpers import stream_events
from tests.support.faults import MemoryTransport

GROUP = "/pii/paths"


def plain_record(message: str) -> logging.LogRecord:
    return logging.getLogger("paths").makeRecord(
        "paths", logging.INFO, __file__, 1, message, (), None
    )


def test_a_record_the_fast_path_would_take_is_redacted() -> None:
    record = plain_record("mail ann@example.com token=tk-99")
    plain = json.loads(JsonFormatter().format(record))
    assert plain["message"] == "mail ann@example.com token=tk-99"  # what the fast path gives
    redacted = json.loads(JsonFormatter(redact=True).format(record))
    assert redacted["message"] == "mail [REDACTED:email] token=[REDACTED:secret]"


class BreakTimestamps(logging.Filter):
    """A record the formatter cannot timestamp: it takes its fallback document."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msecs = "n/a"  # type: ignore[assignment]
        return True


def test_the_fallback_document_is_redacted() -> None:
    record = plain_record("mail ann@example.com card 4111 1111 1111 1111")
    BreakTimestamps().filter(record)
    out = json.loads(JsonFormatter(redact=True).format(record))
    assert "formatError" in out
    assert out["message"] == "mail [REDACTED:email] card [REDACTED:card]"
    unredacted = json.loads(JsonFormatter().format(record))
    assert unredacted["message"] == "mail ann@example.com card 4111 1111 1111 1111"


@pytest.fixture
def shipped() -> Iterator[tuple[logging.Logger, Any]]:
    import boto3

    server: LocalServer = serve()
    client = boto3.client("logs", region_name="us-east-1", endpoint_url=server.url)
    client.create_log_group(logGroupName=GROUP)
    handler = CloudWatchHandler(GROUP, "s", endpoint_url=server.url, region_name="us-east-1")
    handler.setFormatter(JsonFormatter(redact=True))
    logger = logging.getLogger("test_paths.shipped")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield logger, lambda: _stored(handler, client)
    finally:
        logger.removeHandler(handler)
        handler.close()
        server.stop()


def _stored(handler: CloudWatchHandler, client: Any) -> list[dict[str, Any]]:
    assert handler.flush(20)
    return [json.loads(event["message"]) for event in stream_events(client, GROUP, "s")]


def test_dict_arguments_are_masked_before_the_handler_renders_them(
    shipped: tuple[logging.Logger, Any],
) -> None:
    logger, stored = shipped
    user = {"user": "ann", "password": "hunter2", "profile": {"apiKey": "k-55", "plan": "pro"}}
    logger.warning("login %(user)s %(password)s", user)
    logger.warning("profile %(profile)s", user)
    assert [event["message"] for event in stored()] == [
        "login ann [REDACTED]",
        "profile {'apiKey': '[REDACTED]', 'plan': 'pro'}",
    ]
    assert user["password"] == "hunter2"  # the caller's dict is untouched


def test_a_fallback_through_the_handler_is_redacted(shipped: tuple[logging.Logger, Any]) -> None:
    logger, stored = shipped
    logger.addFilter(BreakTimestamps())
    logger.warning("mail ann@example.com with %s", "password=hunter2")
    (event,) = stored()
    assert "formatError" in event
    assert event["message"] == "mail [REDACTED:email] with password=[REDACTED:secret]"


def test_a_failed_format_shows_masked_arguments() -> None:
    """The handler and PiiFilter render dict arguments the same way: sensitive keys masked."""
    record = logging.getLogger("paths").makeRecord(
        "paths", logging.INFO, __file__, 1, "%(user)s %(password)d", None, None
    )
    record.args = {"user": "ann", "password": "hunter2"}
    transport = MemoryTransport(groups=[GROUP])
    handler = CloudWatchHandler(GROUP, "s", transport=transport)
    handler.setFormatter(JsonFormatter(redact=True))
    try:
        handler.handle(record)
        assert handler.flush(timeout=10)
    finally:
        handler.close()
    (stored,) = transport.messages(GROUP)
    document = json.loads(stored)
    assert "hunter2" not in stored
    assert "'password': '[REDACTED]'" in document["formatError"]
    PiiFilter().filter(record)
    assert "hunter2" not in record.msg and "'password': '[REDACTED]'" in record.msg
    assert "message formatting failed" in record.msg


def test_a_record_is_copied_only_when_its_arguments_hold_a_sensitive_key() -> None:
    redactor = PiiRedactor()
    record = plain_record("%(user)s %(plan)s")
    record.args = {"user": "ann", "plan": "pro"}
    assert masked_record(record, redactor) is record
    record.args = {"user": "ann", "password": "hunter2"}
    masked = masked_record(record, redactor)
    assert masked is not record and masked.args == {"user": "ann", "password": REDACTED}
    assert record.args["password"] == "hunter2"
