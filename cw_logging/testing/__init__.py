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

from .._lazy import lazy_attributes
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


__getattr__ = lazy_attributes(__name__, _LAZY)
