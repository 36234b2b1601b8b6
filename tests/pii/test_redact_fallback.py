"""``redact_fallback``: a formatter's fallback document keeps its kept fields as they are and
never raises, replacing a value it cannot turn into text."""

from __future__ import annotations

from cw_logging.pii import REDACTED, PiiRedactor, redact_fallback


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for bob@example.com")


def test_kept_fields_are_kept_as_they_are() -> None:
    document = {"timestamp": 1700000000000, "level": "INFO", "note": "mail bob@example.com"}
    redacted = redact_fallback(PiiRedactor(), document, keep=("timestamp", "level"))
    assert redacted == {
        "timestamp": 1700000000000,  # still a number, not its text
        "level": "INFO",
        "note": "mail [REDACTED:email]",
    }


def test_sensitive_keys_and_values_without_text_are_replaced_whole() -> None:
    document = {"level": "INFO", "password": "hunter2", "detail": _Unprintable(), "n": 7}
    redacted = redact_fallback(PiiRedactor(), document, keep=("level",))
    assert redacted == {"level": "INFO", "password": REDACTED, "detail": REDACTED, "n": "7"}
