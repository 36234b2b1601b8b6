"""Tools for testing code that logs to CloudWatch Logs, offline.

- :class:`MockLogStream` — collects what a ``CloudWatchHandler`` sends (through the local
  engine), with filter patterns, Insights queries and subscriptions;
- :func:`simulate` / :func:`simulated_events` — realistic multi-service traffic with traces;
- :func:`replay` — re-send recorded events at their original pace (or faster);
- the pytest plugin (``cw_logging.testing.pytest_plugin``) — ``cw_mock_stream`` and
  ``cw_local_engine`` fixtures.

Names are imported lazily, so importing this package costs nothing until one is used.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "MockEvent": "mock_stream",
    "MockLogStream": "mock_stream",
    "Subscription": "subscription",
    "ReplayError": "replay",
    "ReplayEvent": "replay",
    "ReplayResult": "replay",
    "from_log_group": "replay",
    "replay": "replay",
    "to_log_group": "replay",
    "SimulatedEvent": "traffic",
    "SimulationOptions": "simulate",
    "SimulationSummary": "simulate",
    "simulate": "simulate",
    "simulated_events": "simulate",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cw_logging.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
