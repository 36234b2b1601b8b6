"""Tools for testing code that logs to CloudWatch Logs, offline.

- :class:`MockLogStream` — collects what a ``CloudWatchHandler`` sends (through the local
  engine), with filter patterns, Insights queries and subscriptions;
- :func:`simulate` / :func:`simulated_events` — realistic multi-service traffic with traces;
- :func:`replay` — re-send recorded events at their original pace (or faster);
- the pytest plugin (``cw_logging.testing.pytest_plugin``) — ``cw_mock_stream`` and
  ``cw_local_engine`` fixtures.

Importing this package is cheap: ``simulate`` and ``replay`` load only the standard library,
the other names (which need the local engine and boto3) are imported when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

# Bound eagerly: a function named like its module must win over the submodule attribute that
# the import system sets on the package when the submodule is first imported.
from ._replay import ReplayError, ReplayEvent, ReplayResult, from_log_group, replay, to_log_group
from ._simulate import SimulationOptions, SimulationSummary, simulate, simulated_events
from ._traffic import SimulatedEvent

_LAZY: dict[str, str] = {
    "MockEvent": "_mock_stream",
    "MockLogStream": "_mock_stream",
    "Subscription": "_subscription",
}

__all__ = [
    "ReplayError",
    "ReplayEvent",
    "ReplayResult",
    "SimulatedEvent",
    "SimulationOptions",
    "SimulationSummary",
    "from_log_group",
    "replay",
    "simulate",
    "simulated_events",
    "to_log_group",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cw_logging.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
