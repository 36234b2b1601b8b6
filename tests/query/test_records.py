"""Decoding messages into CorrelatedEvents: JSON fields, regex fallback, the timeline."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.query import CorrelatedEvent, CorrelationKeys, timeline
from cw_logging.query._records import decode_message, extract_ids

UTC = timezone.utc
T0 = datetime(2024, 1, 1, tzinfo=UTC)
CAMEL = CorrelationKeys()
SNAKE = CorrelationKeys.for_style("snake")
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def decode(raw: str, keys: CorrelationKeys = CAMEL) -> CorrelatedEvent:
    return decode_message(raw, timestamp=T0, group="/g", stream="s", keys=keys)


def test_json_event_gives_ids_level_message_and_fields() -> None:
    raw = json.dumps(
        {
            "level": "warning",
            "message": "payment slow",
            "traceId": TRACE,
            "requestId": "r-1",
            "spanId": "00f067aa0ba902b7",
            "xrayTraceId": "1-4bf92f35-77b34da6a3ce929d0e0e4736",
            "order_id": 42,
        }
    )
    event = decode(raw)
    assert event.ids == {
        "trace_id": TRACE,
        "request_id": "r-1",
        "span_id": "00f067aa0ba902b7",
        "xray_trace_id": "1-4bf92f35-77b34da6a3ce929d0e0e4736",
    }
    assert (event.trace_id, event.request_id, event.span_id) == (TRACE, "r-1", "00f067aa0ba902b7")
    assert event.level == "WARNING"
    assert event.message == "payment slow"
    assert event.fields["order_id"] == 42
    assert event.raw == raw
    assert (event.group, event.stream, event.timestamp) == ("/g", "s", T0)


def test_snake_keys_and_nested_dotted_keys() -> None:
    keys = CorrelationKeys(trace="trace.id", request="http.request_id")
    raw = json.dumps({"trace": {"id": TRACE}, "http": {"request_id": "r-9"}, "msg": "hi"})
    event = decode(raw, keys)
    assert event.ids == {"trace_id": TRACE, "request_id": "r-9"}
    assert event.message == "hi"
    snake = decode(json.dumps({"trace_id": TRACE, "levelname": "ERROR"}), SNAKE)
    assert snake.ids == {"trace_id": TRACE}
    assert snake.level == "ERROR"


def test_camel_keys_do_not_read_snake_json() -> None:
    assert decode(json.dumps({"trace_id": TRACE}), CAMEL).ids == {}


def test_non_object_json_is_treated_as_text() -> None:
    event = decode('["traceId=abc"]')
    assert event.fields == {}
    assert event.ids == {"trace_id": "abc"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f'2024-01-01 INFO traceId={TRACE} requestId: r-1 span_id="s1" done',
            {"trace_id": TRACE, "request_id": "r-1", "span_id": "s1"},
        ),
        (
            "START RequestId: 8f507cfc-0d6c-4f4a-9c3e-2b0f1f0e5a11 Version: $LATEST",
            {"request_id": "8f507cfc-0d6c-4f4a-9c3e-2b0f1f0e5a11"},
        ),
        (
            f"GET /x traceparent=00-{TRACE}-00f067aa0ba902b7-01",
            {"trace_id": TRACE, "span_id": "00f067aa0ba902b7"},
        ),
        (
            "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            {
                "trace_id": "5759e988bd862e3fe1be46a994272793",
                "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793",
            },
        ),
        ("xrayTraceId=1-5759e988-bd862e3fe1be46a994272793", {}),  # not a traceId
        ("nothing to see", {}),
    ],
)
def test_ids_are_extracted_from_plain_text(text: str, expected: dict[str, str]) -> None:
    assert extract_ids(text, CAMEL) == expected


def test_plain_text_event_keeps_raw_message_and_level_word() -> None:
    event = decode("[ERROR] 2024-01-01 boom trace_id=abc-1")
    assert event.message == "[ERROR] 2024-01-01 boom trace_id=abc-1"
    assert event.level == "ERROR"
    assert event.trace_id == "abc-1"
    assert event.fields == {}


def test_configured_custom_key_is_found_in_text() -> None:
    keys = CorrelationKeys(request="corr")
    assert extract_ids("corr=c-7 ok", keys) == {"request_id": "c-7"}


def test_unknown_key_style_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown key style 'kebab'"):
        CorrelationKeys.for_style("kebab")


def test_timeline_removes_duplicates_and_sorts_by_time_group_stream() -> None:
    late = decode_message(
        "b", timestamp=T0 + timedelta(seconds=2), group="/a", stream="s", keys=CAMEL
    )
    early_b = decode_message("a", timestamp=T0, group="/b", stream="s", keys=CAMEL)
    early_a = decode_message("a", timestamp=T0, group="/a", stream="s", keys=CAMEL)
    duplicate = decode_message("a", timestamp=T0, group="/a", stream="s", keys=CAMEL)
    result = timeline([late, early_b, early_a, duplicate])
    assert [(e.group, e.timestamp) for e in result] == [
        ("/a", T0),
        ("/b", T0),
        ("/a", T0 + timedelta(seconds=2)),
    ]
