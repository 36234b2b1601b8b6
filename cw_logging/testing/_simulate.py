"""Realistic multi-service log traffic, for demos, load and query tests.

Each simulated request enters the first service and calls the others (by default
gateway -> orders -> inventory, payments); every span logs its start and end, all lines of a
request share its ``traceId`` and ``requestId``, each span has its own ``spanId`` and the ones
below the entry service name their caller in ``parentSpanId``. Some requests fail (ERROR at the
failing service, WARNING at its callers, ERROR ``-> 502`` at the entry service), some are slow
(WARNING), and error bursts raise the failure rate for a while. The same ``seed`` gives the same
traffic.

Two ways in::

    from cw_logging.testing import simulate, simulated_events

    # emit through Python logging: loggers "sim.gateway", "sim.orders", ... (any handler works)
    summary = simulate(requests=200, rate=20, error_rate=0.05, seed=7)
    summary.failed_trace_ids          # the trace ids of the failed requests
    summary.to_dict()                 # counts by level and service, time range, ids

    # or take the events yourself
    for event in simulated_events(duration=60, rate=5, seed=1):
        event.timestamp, event.level_name, event.message, event.to_json()

``simulate(target, ...)``: ``target`` is a logger name or ``logging.Logger`` (records go to its
``<service>`` children, so they propagate to its handlers; default ``"sim"``), a
``logging.Handler`` (records are handed to it directly), or a callable taking each
:class:`SimulatedEvent`. Options (all keyword-only, shared with :func:`simulated_events`):

- ``requests``: how many requests; else ``duration`` seconds (default 60) at ``rate`` requests
  per second (default 5, Poisson arrivals);
- ``services``: a call chain ``["gateway", "orders", "payments"]`` or a mapping
  ``{"gateway": ["orders"], "orders": ["inventory", "payments"]}`` (the default);
- ``error_rate`` (0.02), ``slow_rate`` (0.05): share of failing and slow requests;
- ``error_bursts`` (0), ``burst_seconds`` (10), ``burst_error_rate`` (0.5): windows of more errors;
- ``debug`` (False): one DEBUG line per span too;
- ``templates``: ``{"orders": {"start": "new order {orderId}"}}`` overrides messages by service
  and kind (``start``, ``end``, ``debug``, ``slow``, ``error``, ``upstream``; placeholders in
  :data:`~cw_logging.testing.traffic.PLACEHOLDERS`);
- ``seed``: reproducible traffic; ``start``: epoch seconds of the first request (default: so
  that the traffic ends now, or now when ``realtime``).

``realtime=True`` emits each event when its time comes (``clock`` / ``sleep`` injectable);
otherwise everything is emitted at once with timestamps spread over the simulated period.
"""

from __future__ import annotations

import heapq
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._options import Clock, require_int, require_number
from ..errors import ConfigurationError
from ._pacing import Pacer, Sleep
from ._traffic import (
    DEFAULT_TOPOLOGY,
    RequestPlan,
    RequestWalker,
    SimulatedEvent,
    Topology,
    plan_request,
    service_order,
    templates_for,
    topology_from,
)

__all__ = [
    "SimulatedEvent",
    "SimulationOptions",
    "SimulationSummary",
    "simulate",
    "simulated_events",
]

Target = str | logging.Logger | logging.Handler | Callable[[SimulatedEvent], Any] | None
"""Where :func:`simulate` sends events: a logger (name), a handler, or a callable."""


@dataclass(frozen=True)
class SimulationOptions:
    """The traffic to simulate; see the module docstring for each option. Validated on creation
    (ConfigurationError saying which option is wrong)."""

    requests: int | None = None
    duration: float = 60.0
    rate: float = 5.0
    services: Sequence[str] | Topology = field(default_factory=lambda: DEFAULT_TOPOLOGY)
    error_rate: float = 0.02
    slow_rate: float = 0.05
    error_bursts: int = 0
    burst_seconds: float = 10.0
    burst_error_rate: float = 0.5
    debug: bool = False
    templates: Mapping[str, Mapping[str, str]] | None = None
    seed: int | None = None
    start: float | None = None

    def __post_init__(self) -> None:
        if self.requests is not None:
            require_int("requests", self.requests, 0)
        require_number("duration", self.duration, 0)
        if require_number("rate", self.rate, 0) == 0:
            raise ConfigurationError(
                "rate=0 is invalid: use requests per second > 0", code="InvalidSetting"
            )
        for name in ("error_rate", "slow_rate", "burst_error_rate"):
            require_number(name, getattr(self, name), 0, 1)
        require_number("error_bursts", self.error_bursts, 0)
        require_number("burst_seconds", self.burst_seconds, 0)
        topology_from(self.services)
        templates_for(service_order(topology_from(self.services)), self.templates)

    @property
    def span_seconds(self) -> float:
        """How long the simulated period lasts (expected, for a fixed number of requests)."""
        return self.requests / self.rate if self.requests is not None else self.duration


@dataclass
class SimulationSummary:
    """What a simulation produced: counts and the ids worth looking up afterwards."""

    requests: int = 0
    failed_requests: int = 0
    slow_requests: int = 0
    events: int = 0
    by_level: Counter[str] = field(default_factory=Counter)
    by_service: Counter[str] = field(default_factory=Counter)
    trace_ids: list[str] = field(default_factory=list)
    failed_trace_ids: list[str] = field(default_factory=list)
    failed_request_ids: list[str] = field(default_factory=list)
    first_timestamp: int | None = None
    last_timestamp: int | None = None

    def count(self, event: SimulatedEvent) -> None:
        """Add one emitted event to the counts."""
        self.events += 1
        self.by_level[event.level_name] += 1
        self.by_service[event.service] += 1
        if self.first_timestamp is None:
            self.first_timestamp = event.timestamp
        self.last_timestamp = max(self.last_timestamp or event.timestamp, event.timestamp)

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-serialisable data."""
        return {
            "requests": self.requests,
            "failed_requests": self.failed_requests,
            "slow_requests": self.slow_requests,
            "events": self.events,
            "by_level": dict(self.by_level),
            "by_service": dict(self.by_service),
            "failed_trace_ids": list(self.failed_trace_ids),
            "failed_request_ids": list(self.failed_request_ids),
            "first_timestamp": self.first_timestamp,
            "last_timestamp": self.last_timestamp,
        }


class _Traffic:
    """The generator of one simulation: arrivals, bursts, requests and their merged events."""

    def __init__(self, options: SimulationOptions, start_s: float, summary: SimulationSummary):
        self.options = options
        self.rng = random.Random(options.seed)
        self.topology = topology_from(options.services)
        self.services = service_order(self.topology)
        templates = templates_for(self.services, options.templates)
        self.walker = RequestWalker(self.rng, self.topology, templates, options.debug)
        self.start_ms = int(start_s * 1000)
        self.summary = summary
        span = options.span_seconds
        self.bursts = sorted(
            self.rng.uniform(0, max(span - options.burst_seconds, 0))
            for _ in range(int(options.error_bursts))
        )

    def _error_probability(self, offset_s: float) -> float:
        opts = self.options
        in_burst = any(b <= offset_s < b + opts.burst_seconds for b in self.bursts)
        return opts.burst_error_rate if in_burst else opts.error_rate

    def _arrivals(self) -> Iterator[float]:
        opts = self.options
        offset, issued = 0.0, 0
        while opts.requests is None or issued < opts.requests:
            if opts.requests is None and offset > opts.duration:
                return
            yield offset
            issued += 1
            offset += self.rng.expovariate(opts.rate)

    def events(self) -> Iterator[SimulatedEvent]:
        pending: list[tuple[int, int, SimulatedEvent]] = []
        sequence = 0
        for offset in self._arrivals():
            arrival = self.start_ms + int(offset * 1000)
            while pending and pending[0][0] < arrival:
                yield heapq.heappop(pending)[2]
            plan = plan_request(
                self.rng,
                self.services,
                arrival,
                self._error_probability(offset),
                self.options.slow_rate,
            )
            self._count_request(plan)
            for event in self.walker.events(plan):
                heapq.heappush(pending, (event.timestamp, sequence, event))
                sequence += 1
        while pending:
            yield heapq.heappop(pending)[2]

    def _count_request(self, plan: RequestPlan) -> None:
        summary = self.summary
        trace_id, request_id = plan.values["traceId"], plan.values["requestId"]
        summary.requests += 1
        summary.trace_ids.append(trace_id)
        if plan.failing_service is not None:
            summary.failed_requests += 1
            summary.failed_trace_ids.append(trace_id)
            summary.failed_request_ids.append(request_id)
        elif plan.slow_service is not None:
            summary.slow_requests += 1


def _options(kwargs: dict[str, Any]) -> SimulationOptions:
    try:
        return SimulationOptions(**kwargs)
    except TypeError as exc:
        known = ", ".join(SimulationOptions.__dataclass_fields__)
        raise ConfigurationError(
            f"{exc}; simulation options are: {known}", code="InvalidSetting"
        ) from exc


def _iterate(
    options: SimulationOptions, start_s: float, summary: SimulationSummary
) -> Iterator[SimulatedEvent]:
    for event in _Traffic(options, start_s, summary).events():
        summary.count(event)
        yield event


def simulated_events(
    *, summary: SimulationSummary | None = None, **options: Any
) -> Iterator[SimulatedEvent]:
    """Yield the simulated events, oldest first, without logging them.

    Takes the options of :func:`simulate`; pass a ``summary`` to have it filled as events are
    produced. Raises ConfigurationError (at the call) for an invalid option.
    """
    opts = _options(options)
    start = opts.start if opts.start is not None else time.time() - opts.span_seconds
    return _iterate(opts, start, summary if summary is not None else SimulationSummary())


def _sink(target: Target) -> Callable[[SimulatedEvent], None]:
    if target is None or isinstance(target, str):
        target = logging.getLogger(target or "sim")
    if isinstance(target, logging.Logger):
        parent = target
        children: dict[str, logging.Logger] = {}

        def to_logger(event: SimulatedEvent) -> None:
            child = children.get(event.service)
            if child is None:
                child = children[event.service] = parent.getChild(event.service)
            if child.isEnabledFor(event.level):
                child.handle(event.to_record(child.name))

        return to_logger
    if isinstance(target, logging.Handler):
        handler = target

        def to_handler(event: SimulatedEvent) -> None:
            if event.level >= handler.level:
                handler.handle(event.to_record())

        return to_handler
    if callable(target):
        return target
    raise ConfigurationError(
        f"target={target!r} is invalid: pass a logger name, a logging.Logger, a "
        "logging.Handler or a callable taking each SimulatedEvent",
        code="InvalidSetting",
    )


def simulate(
    target: Target = None,
    *,
    realtime: bool = False,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    **options: Any,
) -> SimulationSummary:
    """Emit simulated multi-service traffic to ``target`` and return its summary.

    See the module docstring for ``target`` and the options. With ``realtime`` each event is
    emitted at its time (``clock`` returns epoch seconds, ``sleep`` waits); else all at once.
    """
    opts = _options(options)
    sink = _sink(target)
    now = clock()
    start = opts.start if opts.start is not None else (now if realtime else now - opts.span_seconds)
    summary = SimulationSummary()
    pacer = Pacer(1.0 if realtime else 0.0, clock=clock, sleep=sleep)
    if realtime:
        pacer.wait_for(start)
    for event in _iterate(opts, start, summary):
        pacer.wait_for(event.timestamp / 1000)
        sink(event)
    return summary
