"""The traffic model behind :func:`cw_logging.testing.simulate`: services calling each other,
message templates, and one request turned into the log events of every service it touches."""

from __future__ import annotations

import itertools
import logging
import random
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import ConfigurationError

Topology = Mapping[str, Sequence[str]]
"""Which services each service calls, in call order; the first key is the entry service."""

DEFAULT_TOPOLOGY: Topology = MappingProxyType(
    {"gateway": ("orders",), "orders": ("inventory", "payments")}
)
"""gateway -> orders -> (inventory, payments): every request spans at least two services."""

TEMPLATE_KINDS = ("start", "end", "debug", "slow", "error", "upstream")
"""What a template is used for: a span's first line, its last line (INFO; the entry service's
ends a failed request at ERROR), an optional DEBUG line, the last line of a slow span (WARNING),
the line of the service where a request fails (ERROR), and a caller's line when a service it
called failed (WARNING)."""

_GENERIC_TEMPLATES: Mapping[str, str] = {
    "start": "{service} handling {method} {path}",
    "end": "{service} done in {latencyMs} ms",
    "debug": "{service} cache lookup for order {orderId}",
    "slow": "{service} slow: {latencyMs} ms",
    "error": "{service} failed: {error}",
    "upstream": "call to {child} failed: {error}",
}

DEFAULT_TEMPLATES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "gateway": {
            "start": "{method} {path} received",
            "end": "{method} {path} -> {status} in {latencyMs} ms",
            "slow": "{method} {path} -> {status} in {latencyMs} ms (slow)",
            "debug": "routing {path} to orders",
        },
        "orders": {
            "start": "creating order {orderId} for user {userId}",
            "end": "order {orderId} created in {latencyMs} ms",
            "error": "could not create order {orderId}: {error}",
        },
        "inventory": {
            "start": "reserving {quantity} x {sku} for order {orderId}",
            "end": "reserved {quantity} x {sku} in {latencyMs} ms",
            "error": "reservation of {quantity} x {sku} failed: {error}",
        },
        "payments": {
            "start": "charging {amount} {currency} for order {orderId}",
            "end": "payment of {amount} {currency} authorized in {latencyMs} ms",
            "error": "payment for order {orderId} failed: {error}",
        },
    }
)
"""Built-in message templates by service and kind; services without one use generic ones."""

ERROR_CODES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "orders": ("db_timeout", "validation_failed"),
        "inventory": ("out_of_stock", "warehouse_unavailable"),
        "payments": ("card_declined", "gateway_timeout", "fraud_suspected"),
    }
)
_GENERIC_ERRORS = ("internal_error", "timeout")

PLACEHOLDERS = (
    "service",
    "method",
    "path",
    "status",
    "latencyMs",
    "orderId",
    "userId",
    "amount",
    "currency",
    "sku",
    "quantity",
    "error",
    "child",
    "requestId",
    "traceId",
)
"""Names a template may use, e.g. ``"order {orderId} shipped"``; used names become fields."""

_ALWAYS: Mapping[str, tuple[str, ...]] = {
    "end": ("latencyMs",),
    "slow": ("latencyMs",),
    "error": ("error",),
    "upstream": ("child", "error"),
}


@dataclass(frozen=True)
class SimulatedEvent:
    """One simulated log line: when, which service, level, message, its ids and fields.

    ``timestamp`` is epoch milliseconds; ``fields`` are the structured extras (``service``,
    ``parentSpanId`` below the entry service, and the values the message mentions).
    """

    timestamp: int
    service: str
    level: int
    message: str
    trace_id: str
    request_id: str
    span_id: str
    parent_span_id: str | None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def level_name(self) -> str:
        """The level as logging names it (``INFO``, ``ERROR``...)."""
        return logging.getLevelName(self.level)

    def to_record(self, logger_name: str | None = None) -> logging.LogRecord:
        """A LogRecord for this event (created at ``timestamp``, ids as correlation context),
        named ``logger_name`` (default ``sim.<service>``)."""
        from ..context import RECORD_ATTRIBUTE, REQUEST_ID, SPAN_ID, TRACE_ID

        record = logging.LogRecord(
            logger_name or f"sim.{self.service}",
            self.level,
            "simulate",
            0,
            self.message,
            None,
            None,
            func=self.service,
        )
        record.created = self.timestamp / 1000
        record.msecs = float(self.timestamp % 1000)
        record.__dict__.update(self.fields)
        ids = {TRACE_ID: self.trace_id, REQUEST_ID: self.request_id, SPAN_ID: self.span_id}
        setattr(record, RECORD_ATTRIBUTE, MappingProxyType(ids))
        return record

    def to_json(self) -> str:
        """The event as one JSON line, exactly as :class:`cw_logging.JsonFormatter` writes it."""
        return _json_formatter().format(self.to_record())


_FORMATTER: list[logging.Formatter] = []


def _json_formatter() -> logging.Formatter:
    if not _FORMATTER:
        from ..formatter._json import JsonFormatter

        _FORMATTER.append(JsonFormatter())
    return _FORMATTER[0]


def topology_from(services: Sequence[str] | Topology) -> dict[str, tuple[str, ...]]:
    """A topology from a mapping, or from a sequence read as a call chain (a -> b -> c).

    Raises ConfigurationError unless there are at least two services, every service is reached
    from the first one, and no service calls itself again (the calls form a tree).
    """
    if isinstance(services, Mapping):
        topology = {str(k): tuple(str(c) for c in v) for k, v in services.items()}
    else:
        names = [str(name) for name in services]
        topology = {a: (b,) for a, b in itertools.pairwise(names)}
    if not topology or not any(topology.values()):
        raise ConfigurationError(
            f"services={services!r} is invalid: give at least two services, as a call chain "
            "['gateway', 'orders'] or a mapping {'gateway': ['orders', 'users']}",
            code="InvalidSetting",
        )
    entry = next(iter(topology))
    seen = [entry]
    for name in seen:
        for child in topology.get(name, ()):
            if child in seen:
                raise ConfigurationError(
                    f"services={services!r} is invalid: {child!r} is called twice or in a cycle; "
                    "the calls must form a tree",
                    code="InvalidSetting",
                )
            seen.append(child)
    unreached = set(topology) - set(seen)
    if unreached:
        raise ConfigurationError(
            f"services={services!r} is invalid: {sorted(unreached)} not called from {entry!r}",
            code="InvalidSetting",
        )
    return topology


def templates_for(
    services: Sequence[str], overrides: Mapping[str, Mapping[str, str]] | None
) -> dict[str, dict[str, str]]:
    """The templates of every service: generic, then built-in, then ``overrides``.

    Raises ConfigurationError for an unknown kind or placeholder, naming the allowed ones.
    """
    result: dict[str, dict[str, str]] = {}
    for service in services:
        chosen = {**_GENERIC_TEMPLATES, **DEFAULT_TEMPLATES.get(service, {})}
        for kind, text in (overrides or {}).get(service, {}).items():
            if kind not in TEMPLATE_KINDS:
                raise ConfigurationError(
                    f"templates[{service!r}][{kind!r}]: unknown kind; use one of "
                    f"{', '.join(TEMPLATE_KINDS)}",
                    code="InvalidSetting",
                )
            chosen[kind] = text
        for kind, text in chosen.items():
            _check_template(service, kind, text)
        result[service] = chosen
    unknown = set(overrides or {}) - set(services)
    if unknown:
        raise ConfigurationError(
            f"templates given for unknown services {sorted(unknown)}; services: {list(services)}",
            code="InvalidSetting",
        )
    return result


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _check_template(service: str, kind: str, text: str) -> None:
    try:
        names = placeholders(text)
    except ValueError as exc:
        raise ConfigurationError(
            f"templates[{service!r}][{kind!r}]={text!r} is not a valid format string: {exc}",
            code="InvalidSetting",
        ) from exc
    unknown = [name for name in names if name not in PLACEHOLDERS]
    if unknown:
        raise ConfigurationError(
            f"templates[{service!r}][{kind!r}] uses unknown placeholders {unknown}; "
            f"available: {', '.join(PLACEHOLDERS)}",
            code="InvalidSetting",
        )


@dataclass(frozen=True)
class RequestPlan:
    """What happens to one request: who fails (if anyone), who is slow, the values it carries."""

    arrival_ms: int
    failing_service: str | None
    slow_service: str | None
    values: Mapping[str, Any]


def hex_id(rng: random.Random, bits: int) -> str:
    """A random lowercase hex id of ``bits`` bits, never all zeros."""
    return f"{rng.getrandbits(bits) or 1:0{bits // 4}x}"


def plan_request(
    rng: random.Random,
    services: Sequence[str],
    arrival_ms: int,
    error_probability: float,
    slow_probability: float,
) -> RequestPlan:
    """Draw the ids, values and fate of one request (seeded by ``rng``); ``services`` lists
    the entry service first, and any other may be the one that fails."""
    failing = rng.choice(services[1:]) if rng.random() < error_probability else None
    slow = rng.choice(services) if rng.random() < slow_probability else None
    order_id = f"ord-{rng.randrange(100_000, 1_000_000)}"
    values = {
        "traceId": hex_id(rng, 128),
        "requestId": f"req-{hex_id(rng, 48)}",
        "method": "POST",
        "path": "/orders" if rng.random() < 0.7 else "/checkout",
        "orderId": order_id,
        "userId": f"u-{rng.randrange(1000, 10_000)}",
        "amount": round(rng.uniform(5, 500), 2),
        "currency": "USD",
        "sku": f"SKU-{rng.randrange(1000, 10_000)}",
        "quantity": rng.randrange(1, 5),
        "error": rng.choice(ERROR_CODES.get(failing, _GENERIC_ERRORS)) if failing else None,
    }
    return RequestPlan(arrival_ms, failing, slow, values)


def service_order(topology: Topology) -> list[str]:
    """Every service of ``topology``, the entry service first, in call order (depth first)."""
    entry = next(iter(topology))
    order: list[str] = []
    pending = [entry]
    while pending:
        name = pending.pop()
        order.append(name)
        pending.extend(reversed(topology.get(name, ())))
    return order


class RequestWalker:
    """Turns a :class:`RequestPlan` into the events of every span of the request."""

    def __init__(
        self,
        rng: random.Random,
        topology: Topology,
        templates: Mapping[str, Mapping[str, str]],
        debug: bool,
    ) -> None:
        self._rng = rng
        self._topology = topology
        self._templates = templates
        self._debug = debug
        self._entry = next(iter(topology))

    def events(self, plan: RequestPlan) -> list[SimulatedEvent]:
        """The request's events, oldest first."""
        out: list[SimulatedEvent] = []
        self._span(plan, self._entry, None, plan.arrival_ms, out)
        out.sort(key=lambda event: event.timestamp)
        return out

    def _span(
        self,
        plan: RequestPlan,
        service: str,
        parent: str | None,
        start: int,
        out: list[SimulatedEvent],
    ) -> tuple[int, bool]:
        """Log one span and its children; return when it ended and whether it failed."""
        rng = self._rng
        span_id = hex_id(rng, 64)
        work = rng.randint(4, 40) * (25 if plan.slow_service == service else 1)

        def emit(at: int, level: int, kind: str, **extra: Any) -> None:
            out.append(self._event(plan, service, span_id, parent, at, level, kind, extra))

        emit(start, logging.INFO, "start")
        if self._debug:
            emit(start + 1, logging.DEBUG, "debug")
        cursor = start + work // 2
        failed = plan.failing_service == service
        for child in () if failed else self._topology.get(service, ()):
            cursor, child_failed = self._span(plan, child, span_id, cursor + 1, out)
            cursor += 1
            if child_failed:
                failed = True
                if parent is not None:
                    emit(cursor, logging.WARNING, "upstream", child=child)
                break
        end = cursor + work - work // 2
        latency = {"latencyMs": end - start}
        if plan.failing_service == service:
            emit(end, logging.ERROR, "error", **latency)
        elif parent is None:
            status = 502 if failed else 201
            slow = plan.slow_service is not None and not failed
            level = logging.ERROR if failed else logging.WARNING if slow else logging.INFO
            emit(end, level, "slow" if slow else "end", status=status, **latency)
        elif not failed:
            slow = plan.slow_service == service
            emit(
                end, logging.WARNING if slow else logging.INFO, "slow" if slow else "end", **latency
            )
        return end, failed

    def _event(
        self,
        plan: RequestPlan,
        service: str,
        span_id: str,
        parent: str | None,
        at: int,
        level: int,
        kind: str,
        extra: Mapping[str, Any],
    ) -> SimulatedEvent:
        template = self._templates[service][kind]
        values = {**plan.values, "service": service, **extra}
        names = dict.fromkeys([*placeholders(template), *_ALWAYS.get(kind, ()), *extra])
        fields: dict[str, Any] = {"service": service}
        if parent is not None:
            fields["parentSpanId"] = parent
        for name in names:
            if name not in ("service", "traceId", "requestId") and values.get(name) is not None:
                fields[name] = values[name]
        return SimulatedEvent(
            timestamp=at,
            service=service,
            level=level,
            message=template.format_map(values),
            trace_id=plan.values["traceId"],
            request_id=plan.values["requestId"],
            span_id=span_id,
            parent_span_id=parent,
            fields=fields,
        )
