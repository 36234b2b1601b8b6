"""``PiiFilter`` on the records logging makes: mapping messages, exceptions logged without a
traceback, stack information, and the attributes it must leave alone."""

from __future__ import annotations

import logging
from types import TracebackType

from cw_logging.pii import REDACTED, PiiFilter

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

LOGGER = logging.getLogger("tests.pii.filter_records")


def _record(
    msg: object, exc_info: ExcInfo | None = None, sinfo: str | None = None
) -> logging.LogRecord:
    return logging.LogRecord(
        LOGGER.name, logging.ERROR, __file__, 1, msg, None, exc_info, sinfo=sinfo
    )


def test_the_filter_keeps_its_name() -> None:
    pii_filter = PiiFilter(name="app.payments")
    assert pii_filter.name == "app.payments"
    assert PiiFilter().name == ""


def test_a_mapping_message_is_redacted_into_a_copy() -> None:
    message = {"user": "bob@example.com", "password": "hunter2", "count": 3}
    record = _record(message)
    assert PiiFilter().filter(record) is True
    assert record.msg == {"user": "[REDACTED:email]", "password": REDACTED, "count": 3}
    assert message["password"] == "hunter2"  # the caller's mapping is untouched


def test_an_exception_logged_without_traceback_is_redacted() -> None:
    error = ValueError("no mailbox bob@example.com")  # never raised: no traceback
    record = _record("failed", (ValueError, error, None))
    PiiFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "bob@example.com" not in text
    assert "ValueError: no mailbox [REDACTED:email]" in text


def test_stack_information_is_redacted() -> None:
    record = _record("here", sinfo='Stack (most recent call last):\n  send("bob@example.com")')
    PiiFilter().filter(record)
    assert record.stack_info == 'Stack (most recent call last):\n  send("[REDACTED:email]")'


def test_standard_attributes_are_left_alone() -> None:
    # the logger's name is logging's, not a field the caller passed
    record = logging.LogRecord(
        "mail.bob@example.com", logging.INFO, __file__, 1, "sent to bob@example.com", None, None
    )
    record.to = "bob@example.com"
    PiiFilter().filter(record)
    assert record.name == "mail.bob@example.com"
    assert record.msg == "sent to [REDACTED:email]"
    assert record.__dict__["to"] == "[REDACTED:email]"
