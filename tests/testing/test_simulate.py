"""simulate(): multi-service traffic whose traces span services as a tree of spans."""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.testing import (
    MockLogStream,
    SimulatedEvent,
    SimulationSummary,
    simulate,
    simulated_events,
)
from cw_logging.testing._traffic import DEFAULT_TOPOLOGY
from tests.testing.helpers import FakeClock

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def collect(**options: object) -> tuple[list[SimulatedEvent], SimulationSummary]:
    summary = SimulationSummary()
    events = list(simulated_events(summary=summary, start=START, **options))
    return events, summary


def by_trace(events: list[SimulatedEvent]) -> dict[str, list[SimulatedEvent]]:
    traces: dict[str, list[SimulatedEvent]] = defaultdict(list)
    for event in events:
        traces[event.trace_id].append(event)
    return traces


def check_span_tree(trace: list[SimulatedEvent], topology: dict[str, tuple[str, ...]]) -> None:
    """The spans of one trace form a tree rooted at the entry service, each edge a real call."""
    service_of: dict[str, str] = {}
    parent_of: dict[str, str | None] = {}
    for event in trace:
        assert service_of.setdefault(event.span_id, event.service) == event.service
        assert parent_of.setdefault(event.span_id, event.parent_span_id) == event.parent_span_id
        assert event.fields.get("parentSpanId") == event.parent_span_id
    roots = [span for span, parent in parent_of.items() if parent is None]
    assert len(roots) == 1 and service_of[roots[0]] == next(iter(topology))
    for span, parent in parent_of.items():
        if parent is None:
            continue
        assert parent in service_of, "a parent span must belong to the same trace"
        assert service_of[span] in topology.get(service_of[parent], ())
        seen = {span}
        while parent is not None:  # walking up always reaches the root: no cycles
            assert parent not in seen
            seen.add(parent)
            parent = parent_of[parent]
    assert len({event.request_id for event in trace}) == 1


@pytest.mark.parametrize(
    "services",
    [DEFAULT_TOPOLOGY, ["gateway", "orders", "payments", "inventory"], {"api": ["a", "b", "c"]}],
    ids=["default", "chain", "fan-out"],
)
def test_every_trace_spans_services_and_its_spans_form_a_tree(services: object) -> None:
    events, summary = collect(
        requests=150, seed=11, error_rate=0.2, slow_rate=0.2, services=services
    )
    from cw_logging.testing._traffic import topology_from

    topology = topology_from(services)  # type: ignore[arg-type]
    traces = by_trace(events)
    assert len(traces) == summary.requests == 150
    for trace in traces.values():
        assert len({event.service for event in trace}) >= 2
        check_span_tree(trace, topology)


def test_failed_requests_are_the_traces_ending_in_an_error_at_the_entry_service() -> None:
    events, summary = collect(requests=300, seed=5, error_rate=0.1)
    failed = {e.trace_id for e in events if e.service == "gateway" and e.level == logging.ERROR}
    assert failed and set(summary.failed_trace_ids) == failed
    assert len(summary.failed_request_ids) == summary.failed_requests == len(failed)
    for trace_id in failed:
        trace = by_trace(events)[trace_id]
        errors = [e for e in trace if e.level == logging.ERROR and e.service != "gateway"]
        assert len(errors) == 1 and errors[0].fields["error"]
        assert trace[-1].fields["status"] == 502


def test_summary_counts_match_the_events() -> None:
    events, summary = collect(requests=80, seed=3, debug=True, slow_rate=0.3)
    assert summary.events == len(events)
    assert summary.by_level == Counter(e.level_name for e in events)
    assert summary.by_service == Counter(e.service for e in events)
    assert summary.by_level["DEBUG"] > 0 and summary.by_level["WARNING"] > 0
    assert summary.first_timestamp == events[0].timestamp == int(START * 1000)
    assert summary.last_timestamp == max(e.timestamp for e in events)
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    assert json.loads(json.dumps(summary.to_dict()))["events"] == len(events)


def test_same_seed_same_traffic_other_seed_other_traffic() -> None:
    first, _ = collect(requests=40, seed=9)
    again, _ = collect(requests=40, seed=9)
    other, _ = collect(requests=40, seed=10)
    assert first == again
    assert [e.trace_id for e in first] != [e.trace_id for e in other]


def test_duration_and_rate_bound_the_arrivals() -> None:
    events, summary = collect(duration=20, rate=10, seed=1)
    gateway_starts = [
        e.timestamp
        for e in events
        if e.service == "gateway" and e.fields.get("method") and "status" not in e.fields
    ]
    assert len(gateway_starts) == summary.requests
    assert all(START * 1000 <= t <= (START + 20) * 1000 for t in gateway_starts)
    assert 120 <= summary.requests <= 280  # Poisson, mean 200


def test_error_bursts_concentrate_failures_in_time() -> None:
    events, summary = collect(
        duration=60,
        rate=10,
        seed=4,
        error_rate=0.0,
        error_bursts=1,
        burst_seconds=5,
        burst_error_rate=1.0,
    )
    arrivals = {e.trace_id: e.timestamp for e in events if e.parent_span_id is None}
    failed_at = sorted(arrivals[t] for t in summary.failed_trace_ids)
    assert len(failed_at) >= 20  # about 50 requests arrive in a 5 s burst
    assert failed_at[-1] - failed_at[0] <= 5000
    in_window = [t for t in arrivals.values() if failed_at[0] <= t <= failed_at[-1]]
    assert len(in_window) == len(failed_at)  # inside the burst every request fails


def test_templates_override_messages_and_become_fields() -> None:
    events, _ = collect(
        requests=5, seed=2, templates={"orders": {"start": "new order {orderId} by {userId}"}}
    )
    starts = [e for e in events if e.service == "orders" and e.message.startswith("new order")]
    assert len(starts) == 5
    for event in starts:
        assert event.message == f"new order {event.fields['orderId']} by {event.fields['userId']}"


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"templates": {"orders": {"start": "{nope}"}}}, "unknown placeholders ['nope']"),
        ({"templates": {"orders": {"begin": "x"}}}, "unknown kind"),
        ({"templates": {"billing": {"start": "x"}}}, "unknown services"),
        ({"services": ["solo"]}, "at least two services"),
        ({"services": {"a": ["b"], "b": ["a"]}}, "cycle"),
        ({"rate": 0}, "rate=0"),
        ({"error_rate": 1.5}, "error_rate=1.5"),
        ({"requests": -1}, "requests=-1"),
        ({"colour": "red"}, "simulation options are"),
    ],
)
def test_bad_options_are_refused_with_a_useful_message(
    options: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ConfigurationError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        simulated_events(**options)  # type: ignore[arg-type]


def test_json_lines_carry_the_ids_as_the_json_formatter_writes_them() -> None:
    events, _ = collect(requests=1, seed=1)
    child = next(e for e in events if e.parent_span_id is not None)
    line = json.loads(child.to_json())
    assert line["traceId"] == child.trace_id and line["requestId"] == child.request_id
    assert line["spanId"] == child.span_id and line["parentSpanId"] == child.parent_span_id
    assert line["service"] == child.service and line["message"] == child.message
    assert line["logger"] == f"sim.{child.service}"


def test_emitted_through_logging_a_failed_trace_is_found_by_query(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    logger.setLevel(logging.INFO)
    cw_mock_stream.attach(logger)
    summary = simulate(logger, requests=60, rate=20, error_rate=0.2, seed=8, debug=True)
    records = cw_mock_stream.records
    assert len(records) == summary.events - summary.by_level["DEBUG"]  # the logger is at INFO
    assert {r["logger"] for r in records if isinstance(r, dict)} >= {
        f"{logger.name}.gateway",
        f"{logger.name}.payments",
    }
    trace_id = summary.failed_trace_ids[0]
    rows = cw_mock_stream.query(f'filter traceId = "{trace_id}" | stats count(*) as n by service')
    assert len(rows) >= 2
    errors = cw_mock_stream.filter(f'{{ $.traceId = "{trace_id}" && $.level = "ERROR" }}')
    assert {e.field("service") for e in errors} >= {"gateway"}


def test_handler_target_and_callable_target_receive_every_event(
    cw_mock_stream: MockLogStream,
) -> None:
    seen: list[SimulatedEvent] = []
    summary = simulate(seen.append, requests=10, seed=1)
    assert len(seen) == summary.events
    handler = cw_mock_stream.handler(level=logging.WARNING)
    summary = simulate(handler, requests=50, seed=6, error_rate=0.2)
    wanted = summary.by_level["WARNING"] + summary.by_level["ERROR"]
    assert len(cw_mock_stream.events) == wanted > 0


def test_realtime_emits_each_event_when_its_time_comes() -> None:
    clock = FakeClock(now=START)
    emitted: list[tuple[float, SimulatedEvent]] = []
    summary = simulate(
        lambda event: emitted.append((clock(), event)),
        requests=20,
        rate=5,
        seed=2,
        realtime=True,
        clock=clock,
        sleep=clock.sleep,
    )
    assert summary.first_timestamp == int(START * 1000) and summary.last_timestamp is not None
    assert clock.sleeps and clock.now - START == pytest.approx(
        (summary.last_timestamp - summary.first_timestamp) / 1000, abs=0.002
    )
    for at, event in emitted:
        assert at == pytest.approx(event.timestamp / 1000, abs=0.002)
