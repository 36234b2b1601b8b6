"""The handler's own delivery counters as a CloudWatch Embedded Metric Format (EMF) line.

CloudWatch turns such a JSON line into metrics when it reaches it through a Lambda function's
or a CloudWatch agent's stdout (see ``docs/handler.md``, "Self-observability").
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["METRICS", "NAMESPACE", "emf_line", "write_emf_line"]

NAMESPACE = "cw_logging"
"""The CloudWatch metrics namespace of the line."""

METRICS: tuple[tuple[str, str, str], ...] = (
    # (metric name, unit, how to read it from stats())
    ("Queued", "Count", "queued"),
    ("QueuedBytes", "Bytes", "queued_bytes"),
    ("Sent", "Count", "sent"),
    ("Retried", "Count", "retried"),
    ("Dropped", "Count", "dropped"),
    ("Rejected", "Count", "rejected"),
    ("SpoolDepth", "Count", "spool_depth"),
    ("SpoolBytes", "Bytes", "spool_bytes"),
    ("OldestUnsentAge", "Seconds", "oldest_unsent_age"),
    ("BreakerOpen", "Count", "breaker"),
)
"""Every metric of the line: its name, its CloudWatch unit and the ``stats()`` key it comes
from. Counters are totals since the handler was built; ``Dropped`` and ``Rejected`` add up all
reasons; ``BreakerOpen`` is 1 while the circuit breaker is not closed."""


def _value(stats: Mapping[str, Any], key: str) -> float:
    value = stats.get(key)
    if key == "breaker":
        return 0 if value in (None, "closed") else 1
    if isinstance(value, Mapping):
        return sum(value.values())
    return 0 if value is None else value


def emf_line(
    stats: Mapping[str, Any],
    *,
    log_group: str,
    namespace: str = NAMESPACE,
    timestamp_ms: int | None = None,
) -> str:
    """Return ``stats`` (a handler's ``stats()``) as one EMF JSON line, dimension ``LogGroup``."""
    line: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000) if timestamp_ms is None else timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [["LogGroup"]],
                    "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in METRICS],
                }
            ],
        },
        "LogGroup": log_group,
    }
    for name, _, key in METRICS:
        line[name] = _value(stats, key)
    return json.dumps(line, separators=(",", ":"))


def write_emf_line(stats: Mapping[str, Any], *, log_group: str) -> None:
    """Write ``stats`` as one EMF line on stdout (never through logging)."""
    stream = sys.stdout
    if stream is not None:
        stream.write(emf_line(stats, log_group=log_group) + "\n")
        stream.flush()
