"""replay(): recorded events re-sent with their original gaps scaled, from groups, files, memory."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.local import LocalClient, LocalEngine
from cw_logging.testing import (
    MockLogStream,
    ReplayEvent,
    from_log_group,
    replay,
    simulated_events,
    to_log_group,
)
from tests.testing.helpers import FakeClock

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z in ms
GAPS_MS = [0, 1000, 3500, 3600, 9600]
RECORDING: list[dict[str, Any]] = [
    {"timestamp": T0 + gap, "message": f"event {i}"} for i, gap in enumerate(GAPS_MS)
]


def replay_timed(source: object, time_scale: float, **options: Any) -> list[float]:
    """Replay into a callable and return when (on the fake clock) each event arrived."""
    clock = FakeClock()
    arrivals: list[float] = []
    replay(
        source,
        lambda event: arrivals.append(clock() - 1_000.0),
        time_scale=time_scale,
        clock=clock,
        sleep=clock.sleep,
        **options,
    )
    return arrivals


@pytest.mark.parametrize("time_scale", [1.0, 0.5, 2.0])
def test_original_gaps_are_kept_scaled_by_time_scale(time_scale: float) -> None:
    arrivals = replay_timed(RECORDING, time_scale)
    assert arrivals == pytest.approx([gap / 1000 * time_scale for gap in GAPS_MS])


def test_time_scale_zero_never_waits() -> None:
    clock = FakeClock()
    result = replay(RECORDING, [], time_scale=0, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [] and result.waited_seconds == 0 and result.sent == len(RECORDING)


def test_slow_delivery_is_not_followed_by_extra_waiting() -> None:
    """Gaps are kept from the start of the replay, so time spent delivering is not added."""
    clock = FakeClock()
    arrivals: list[float] = []

    def slow_target(event: ReplayEvent) -> None:
        arrivals.append(clock() - 1_000.0)
        clock.now += 0.7  # delivering takes 0.7 s

    replay(RECORDING, slow_target, time_scale=1.0, clock=clock, sleep=clock.sleep)
    # event 3 was due at 3.6 s but event 2 kept the target busy until 3.5 + 0.7 s
    assert arrivals == pytest.approx([0.0, 1.0, 3.5, 3.5 + 0.7, 9.6])


def test_unsorted_sources_are_replayed_in_time_order() -> None:
    arrivals: list[str] = []
    replay(list(reversed(RECORDING)), lambda e: arrivals.append(e.message), time_scale=0)
    assert arrivals == [event["message"] for event in RECORDING]


def test_shift_to_now_stamps_the_first_event_now_and_keeps_scaled_offsets() -> None:
    out: list[dict[str, Any]] = []
    now = 1_800_000_000.0
    clock = FakeClock()
    replay(RECORDING, out, time_scale=0.5, now=lambda: now, clock=clock, sleep=clock.sleep)
    assert [e["timestamp"] for e in out] == [int(now * 1000) + gap // 2 for gap in GAPS_MS]


def test_shift_to_now_as_fast_as_possible_ends_now_with_original_gaps() -> None:
    out: list[dict[str, Any]] = []
    now = 1_800_000_000.0
    replay(RECORDING, out, time_scale=0, now=lambda: now)
    last = int(now * 1000)
    assert [e["timestamp"] for e in out] == [last - GAPS_MS[-1] + gap for gap in GAPS_MS]


def test_without_shift_the_original_timestamps_are_sent() -> None:
    out: list[dict[str, Any]] = []
    result = replay(RECORDING, out, time_scale=0, shift_to_now=False)
    assert out == RECORDING
    assert (result.first_timestamp, result.last_timestamp) == (T0, T0 + GAPS_MS[-1])


def test_jsonl_file_exported_events_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "recording.jsonl"
    record = {"timestamp": "2026-01-01T00:00:02.500Z", "level": "INFO", "message": "inner"}
    lines = [
        json.dumps({"timestamp": T0, "message": "exported", "logStreamName": "s"}),
        json.dumps(record),
        "",
        "not json",
        json.dumps({"message": "no time"}),
        json.dumps({"@timestamp": T0 // 1000 + 5, "text": "epoch seconds"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out: list[dict[str, Any]] = []
    result = replay(path, out, time_scale=0, shift_to_now=False)

    assert [e["timestamp"] for e in out] == [T0, T0 + 2500, T0 + 5000]
    assert out[0]["message"] == "exported"
    assert json.loads(out[1]["message"]) == record  # a record line is sent whole
    assert (result.read, result.sent, result.failed) == (5, 3, 2)
    assert [error.origin for error in result.errors] == ["line 4", "line 5"]
    assert "not JSON" in result.errors[0].error and "no timestamp" in result.errors[1].error


def test_an_open_text_file_is_read_as_jsonl() -> None:
    handle = io.StringIO(json.dumps(RECORDING[0]) + "\n" + json.dumps(RECORDING[1]) + "\n")
    out: list[dict[str, Any]] = []
    assert replay(handle, out, time_scale=0, shift_to_now=False).sent == 2
    assert out == RECORDING[:2]


def test_transform_can_change_skip_or_fail_events() -> None:
    def transform(event: ReplayEvent) -> ReplayEvent | str | None:
        if event.message == "event 1":
            return None
        if event.message == "event 2":
            raise RuntimeError("cannot transform")
        if event.message == "event 3":
            return 42  # type: ignore[return-value]
        return event.message.upper()

    out: list[dict[str, Any]] = []
    result = replay(RECORDING, out, time_scale=0, transform=transform)
    assert [e["message"] for e in out] == ["EVENT 0", "EVENT 4"]
    assert (result.sent, result.skipped, result.failed) == (2, 1, 2)
    assert [e.origin for e in result.errors] == ["item 2", "item 3"]
    assert "cannot transform" in result.errors[0].error
    assert "return a ReplayEvent" in result.errors[1].error


def test_a_failing_target_is_counted_per_event() -> None:
    def target(event: ReplayEvent) -> None:
        if event.message.endswith("3"):
            raise OSError("disk full")

    result = replay(RECORDING, target, time_scale=0)
    assert (result.sent, result.failed) == (4, 1)
    assert result.errors[0].origin == "item 3" and "disk full" in result.errors[0].error


def test_from_a_log_group_into_another_group_through_the_handler() -> None:
    with LocalEngine() as engine:
        client = LocalClient(engine)
        client.create_log_group(logGroupName="/src")
        client.create_log_stream(logGroupName="/src", logStreamName="a")
        now_ms = int(engine.context.clock() * 1000)
        recent = [{**e, "timestamp": now_ms - 60_000 + e["timestamp"] - T0} for e in RECORDING]
        client.put_log_events(logGroupName="/src", logStreamName="a", logEvents=recent)

        result = replay(
            from_log_group(client, "/src"),
            to_log_group("/dst", "copy", client=client),
            time_scale=0,
            shift_to_now=False,
        )
        assert (result.read, result.sent, result.failed) == (5, 5, 0)
        assert result.target_stats is not None and result.target_stats["sent"] == 5
        copied = client.get_log_events(
            logGroupName="/dst", logStreamName="copy", startFromHead=True
        )
        assert [(e["timestamp"], e["message"]) for e in copied["events"]] == [
            (e["timestamp"], e["message"]) for e in recent
        ]


def test_into_a_mock_stream_then_back_out_of_it() -> None:
    simulated = list(simulated_events(requests=5, seed=3))
    with MockLogStream("/replayed") as mock:
        result = replay(simulated, mock, time_scale=0)
        assert result.sent == len(simulated) == len(mock.events)
        assert [r["message"] for r in mock.records] == [e.message for e in simulated]
        again: list[dict[str, Any]] = []
        replay(mock.events, again, time_scale=0, shift_to_now=False)
        assert [e["message"] for e in again] == mock.messages


def test_a_logging_handler_target_gets_records_with_the_event_time() -> None:
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    replay(RECORDING, Collect(), time_scale=0, shift_to_now=False)
    assert [(int(r.created * 1000), r.getMessage()) for r in seen] == [
        (e["timestamp"], e["message"]) for e in RECORDING
    ]


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: replay(RECORDING, [], time_scale=-1), "time_scale=-1"),
        (lambda: replay(RECORDING, [], time_scale=float("nan")), "time_scale=nan"),
        (lambda: replay(RECORDING, object()), "target="),
        (lambda: replay(42, []), "source=42"),
        (lambda: replay("/no/such/recording.jsonl", []), "cannot read the replay source"),
    ],
)
def test_bad_arguments_raise_configuration_errors(call: Any, complaint: str) -> None:
    with pytest.raises(ConfigurationError, match=complaint):
        call()
