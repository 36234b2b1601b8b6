"""The cw_logging demo: an app logs through ``CloudWatchHandler``, a request fails, and its
whole trace comes back.

:func:`run_demo` configures logging with :func:`logging_config` (the README's quick start),
sends simulated multi-service traffic with correlation ids and one failing request, flushes,
finds the failing trace with :func:`cw_logging.query.find_by_trace_id` and counts errors by
service with a Logs Insights query. By default everything runs offline against the local engine
on loopback; given an endpoint or a region it runs against that service in a log group of its
own, deleted at the end unless ``keep_group``.
"""

from __future__ import annotations

import logging
import logging.config
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .._secrets import mask_secrets
from ..delivery.transport import build_client, is_loopback_url
from ..errors import CloudWatchLogsError, ConfigurationError
from ..local import serve
from ..query import CorrelatedEvent, Polling, TimeRange, admin, find_by_trace_id, run_query
from ..testing._simulate import simulate

__all__ = [
    "DEMO_LOG_GROUP",
    "ERRORS_BY_SERVICE_QUERY",
    "DemoResult",
    "logging_config",
    "run_demo",
]

DEMO_LOG_GROUP = "/cw-logging/demo"
"""The log group of the offline demo (a fresh in-memory engine each run)."""
ERRORS_BY_SERVICE_QUERY = (
    'filter level = "ERROR" | stats count(*) as errors by service | sort errors desc, service asc'
)
"""The Logs Insights query the demo runs after the traffic."""
SERVICES = {"gateway": ["orders"], "orders": ["inventory", "payments"]}
"""The simulated shop: gateway -> orders -> (inventory, payments)."""
HANDLER_NAME = "cloudwatch"
"""The name of the handler in :func:`logging_config`."""
_POLLING = Polling(initial=0.1, maximum=2.0)
_RESULT_WAIT = 90.0  # the service makes events searchable within seconds, rarely more


def logging_config(log_group: str, **handler_options: Any) -> dict[str, Any]:
    """Return the ``logging.config.dictConfig`` dict of the README's quick start for
    ``log_group``; ``handler_options`` (``endpoint_url``, ``region_name``...) are added to the
    handler's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cw_logging.JsonFormatter"}},
        "handlers": {
            HANDLER_NAME: {
                "class": "cw_logging.CloudWatchHandler",
                "log_group": log_group,
                "log_stream": "{hostname}-{pid}",
                "create_log_group": True,
                "formatter": "json",
                **handler_options,
            }
        },
        "root": {"level": "INFO", "handlers": [HANDLER_NAME]},
    }


@dataclass
class DemoResult:
    """What the demo did and found; :meth:`to_dict` is the CLI's ``--json`` shape."""

    endpoint: str
    offline: bool
    log_group: str
    group_deleted: bool = False
    requests: int = 0
    records: int = 0
    delivered: int = 0
    put_calls: int = 0
    failing_trace_id: str = ""
    failing_service: str = ""
    timeline: list[CorrelatedEvent] = field(default_factory=list)
    errors_by_service: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (timestamps as datetimes)."""
        return {
            "endpoint": self.endpoint,
            "offline": self.offline,
            "logGroup": self.log_group,
            "groupDeleted": self.group_deleted,
            "requests": self.requests,
            "records": self.records,
            "delivered": self.delivered,
            "putLogEventsCalls": self.put_calls,
            "failingTraceId": self.failing_trace_id,
            "failingService": self.failing_service,
            "timeline": [
                {
                    "timestamp": e.timestamp,
                    "service": e.fields.get("service"),
                    "level": e.level,
                    "message": e.message,
                    "spanId": e.span_id,
                    "requestId": e.request_id,
                }
                for e in self.timeline
            ],
            "errorsByService": self.errors_by_service,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@contextmanager
def _timed(result: DemoResult, step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        result.seconds[step] = time.perf_counter() - started


@contextmanager
def _configured_logging(config: dict[str, Any]) -> Iterator[Any]:
    """Apply ``config`` with dictConfig; afterwards close its handler and put the root logger
    back as it was."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    logging.config.dictConfig(config)
    handler = next(h for h in root.handlers if h.get_name() == HANDLER_NAME)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        handler.close()
        for previous in saved_handlers:
            if previous not in root.handlers:
                root.addHandler(previous)
        root.setLevel(saved_level)


def _until_found(search: Callable[[], Any], ready: Callable[[Any], bool], patient: bool) -> Any:
    """Return what ``search`` finds. Only a real service needs ``patient``: events become
    searchable a few seconds after they are stored, so search again until the result is
    ``ready`` and the same twice in a row (or the wait is over)."""
    deadline = time.monotonic() + _RESULT_WAIT
    previous: Any = None
    while True:
        found = search()
        if not patient or (ready(found) and found == previous) or time.monotonic() >= deadline:
            return found
        previous = found
        time.sleep(2.0)


def _traffic(result: DemoResult, requests: int, seed: int) -> None:
    """Healthy traffic through loggers ``shop.<service>``, and one request that fails."""
    healthy = simulate(
        "shop", requests=requests - 1, rate=25, services=SERVICES, error_rate=0.0, seed=seed
    )
    failing = simulate(
        "shop", requests=1, rate=25, services=SERVICES, error_rate=1.0, seed=seed + 1
    )
    result.requests = healthy.requests + failing.requests
    result.records = healthy.events + failing.events
    result.failing_trace_id = failing.failed_trace_ids[0]


def _scenario(
    result: DemoResult,
    config: dict[str, Any],
    client: Any,
    *,
    patient: bool,
    requests: int,
    seed: int,
) -> None:
    """Log the traffic through ``config``, then look the failing request up with ``client``."""
    with _configured_logging(config) as handler:
        with _timed(result, "traffic"):
            _traffic(result, requests, seed)
        with _timed(result, "flush"):
            if not handler.flush(timeout=30):
                raise CloudWatchLogsError(
                    "the handler could not deliver the demo's records within 30 s (last error: "
                    f"{handler.stats()['last_error']}); check the endpoint, region and "
                    "credentials",
                    code="DemoDeliveryFailed",
                )
        stats = handler.stats()
        result.delivered, result.put_calls = stats["sent"], stats["batches"]
    window = TimeRange.last(minutes=15)
    with _timed(result, "trace"):
        result.timeline = _until_found(
            lambda: find_by_trace_id(
                result.failing_trace_id,
                [result.log_group],
                time_range=window,
                polling=_POLLING,
                client=client,
            ),
            lambda events: any(e.level == "ERROR" for e in events),
            patient,
        )
    result.failing_service = next(
        (
            str(e.fields["service"])
            for e in result.timeline
            if e.level == "ERROR" and "error" in e.fields
        ),
        "",
    )
    with _timed(result, "insights"):
        rows = _until_found(
            lambda: (
                run_query(
                    ERRORS_BY_SERVICE_QUERY,
                    [result.log_group],
                    TimeRange.last(
                        minutes=15, now=datetime.now(timezone.utc) + timedelta(minutes=1)
                    ),
                    polling=_POLLING,
                    client=client,
                ).rows
            ),
            bool,
            patient,
        )
    result.errors_by_service = [
        {"service": row.get("service"), "errors": int(row.get("errors", 0))} for row in rows
    ]


def run_demo(
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    profile_name: str | None = None,
    service_options: dict[str, Any] | None = None,
    log_group: str | None = None,
    keep_group: bool = False,
    requests: int = 40,
    seed: int = 7,
) -> DemoResult:
    """Run the demo and return what it found.

    Offline (no ``endpoint_url``, ``region_name``, ``profile_name`` nor ``service_options``)
    it serves the local engine on 127.0.0.1 for the duration. Otherwise it uses that service
    (``service_options`` are the handler's client options, e.g. ``endpoint_url`` and
    ``region_name``) in ``log_group`` (default: a fresh ``/cw-logging/demo-<random>``),
    deleted afterwards unless ``keep_group``.
    """
    if requests < 2:
        raise ConfigurationError("requests must be at least 2", code="InvalidSetting")
    options = dict(service_options or {})
    for key, value in (
        ("endpoint_url", endpoint_url),
        ("region_name", region_name),
        ("profile_name", profile_name),
    ):
        if value is not None:
            options[key] = value
    if not options:
        return _run_offline(requests, seed)
    group = log_group or f"{DEMO_LOG_GROUP}-{secrets.token_hex(4)}"
    client = build_client(**options)
    endpoint = mask_secrets(str(client.meta.endpoint_url))  # printed: no userinfo password
    result = DemoResult(endpoint, offline=False, log_group=group)
    try:
        _scenario(
            result,
            logging_config(group, **options),
            client,
            patient=not is_loopback_url(endpoint),  # a local engine answers at once
            requests=requests,
            seed=seed,
        )
    finally:
        if not keep_group:
            result.group_deleted = admin.delete_log_group(group, client=client)
    return result


def _run_offline(requests: int, seed: int) -> DemoResult:
    with serve(port=0) as server:
        # a loopback endpoint needs no AWS set-up: placeholders fill a missing region and
        # credentials (cw_logging.delivery.transport.build_client)
        options: dict[str, Any] = {"endpoint_url": server.url}
        client = build_client(**options)
        result = DemoResult(server.url, offline=True, log_group=DEMO_LOG_GROUP)
        _scenario(
            result,
            logging_config(DEMO_LOG_GROUP, **options),
            client,
            patient=False,
            requests=requests,
            seed=seed,
        )
    return result
