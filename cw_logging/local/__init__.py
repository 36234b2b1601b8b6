"""CloudWatch Logs on your machine: a local engine that enforces the service's rules and really
evaluates filter patterns and Logs Insights queries.

- :class:`LocalEngine` — the store and one dispatch table (``engine.call(operation, params)``);
- :class:`LocalClient` — a boto3 ``logs`` client answered in process by an engine;
- :class:`LocalTransport` — the write path's transport over an engine;
- :func:`serve` / :class:`LocalServer` — the engine over HTTP (AWS JSON 1.1) on loopback,
  each region apart, :class:`HttpLimits` its sizes and timeouts; :func:`main` runs it in the
  foreground (``cw-logging serve``); StartLiveTail is streamed as AWS does it
  (:class:`LiveTailSettings`: update interval, session limit, or moto's ``snapshot`` mode);
- :func:`compile_filter_pattern` — a filter pattern compiled once, matched per message;
- :class:`MetricRecorder` / :class:`MetricDatapoint` — what metric filters published
  (``engine.metrics``); :class:`SubscriptionHub` / :class:`SubscriptionDelivery` — what
  subscription filters delivered (``engine.subscriptions``).
"""

from __future__ import annotations

from ._client import LocalClient
from ._engine import LocalEngine
from ._http import HttpLimits
from ._live_tail import LiveTailSettings
from ._metric_filters import MetricDatapoint, MetricRecorder
from ._server import LocalServer, main, serve
from ._subscriptions import SubscriptionDelivery, SubscriptionHub
from ._transport import LocalTransport
from .filterpattern import FilterPattern, compile_filter_pattern

__all__ = [
    "FilterPattern",
    "HttpLimits",
    "LiveTailSettings",
    "LocalClient",
    "LocalEngine",
    "LocalServer",
    "LocalTransport",
    "MetricDatapoint",
    "MetricRecorder",
    "SubscriptionDelivery",
    "SubscriptionHub",
    "compile_filter_pattern",
    "main",
    "serve",
]
