"""``MockLogStream``: what a ``CloudWatchHandler`` sends, collected offline for assertions.

The handler runs unchanged (queue, sender thread, batching, retries) and its batches go to the
local engine in process, which enforces the real PutLogEvents rules; every event the engine
accepts is also kept here, in arrival order::

    from cw_logging.testing import MockLogStream

    with MockLogStream("/myapp/test") as mock:
        logging.getLogger("shop").addHandler(mock.handler())   # JsonFormatter by default
        logging.getLogger("shop").error("payment failed", extra={"orderId": 42})
        mock.records                    # [{"level": "ERROR", "message": "payment failed", ...}]
        mock.filter('{ $.orderId = 42 }')                     # CloudWatch filter pattern
        mock.filter(lambda event: event.field("level") == "ERROR")  # or a predicate
        mock.query("stats count(*) by level")                 # Logs Insights
        mock.metric_datapoints("App", "Errors")               # what metric filters published
        mock.subscription_deliveries()                        # subscription filter envelopes
        with mock.live_tail("ERROR") as tail:                 # Live Tail (StartLiveTail)
            ...; next(tail).message
        with mock.subscribe(maxsize=100) as new:              # events as they arrive
            ...; new.get(timeout=5)

Reading (``events``, ``records``, ``filter``, ``query``) first flushes the handlers made by
:meth:`MockLogStream.handler`. ``client`` is a boto3 ``logs`` client over the same engine, for
code under test that reads logs back.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._limits import InputLogEvent
from ..delivery.transport import PutResult
from ..local import (
    FilterPattern,
    LiveTailSettings,
    LocalEngine,
    LocalTransport,
    compile_filter_pattern,
)
from ._subscription import Subscription

if TYPE_CHECKING:
    from ..handler._handler import CloudWatchHandler
    from ..local import LocalClient, MetricDatapoint, SubscriptionDelivery
    from ..local.insights import QueryResult
    from ..query import LiveTail

__all__ = ["MockEvent", "MockLogStream"]

Predicate = Callable[["MockEvent"], bool]

MOCK_FLUSH_INTERVAL = 0.05
"""Seconds a mock's handler waits before sending a partial batch (the handler's default is 5)."""
MOCK_LIVE_TAIL = LiveTailSettings(update_interval=0.05)
"""A mock's own engine sends Live Tail updates every 50 ms (AWS: every second)."""


@dataclass(frozen=True)
class MockEvent:
    """One stored event: ``timestamp`` and ``ingestion_time`` in epoch ms, the raw ``message``
    and the stream it went to."""

    timestamp: int
    message: str
    ingestion_time: int
    log_stream: str
    log_group: str = ""

    @functools.cached_property
    def record(self) -> dict[str, Any] | str:
        """The message parsed as a JSON object, or the message text when it is not one."""
        return parse_record(self.message)

    def field(self, path: str, default: Any = None) -> Any:
        """The value at a dotted ``path`` of the JSON record (``"http.status"``), or
        ``default`` when the message is not JSON or has no such field."""
        value: Any = self.record
        for part in path.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return default
            value = value[part]
        return value

    def as_insights_event(self, seq: int, account_id: str = "123456789012") -> dict[str, Any]:
        """The event as the Insights evaluator reads it (``@timestamp``, ``@message``...);
        ``@log`` is ``account_id:log_group`` as the service shows it."""
        return {
            "@timestamp": self.timestamp,
            "@message": self.message,
            "@logStream": self.log_stream,
            "@log": f"{account_id}:{self.log_group}",
            "@ingestionTime": self.ingestion_time,
            "@ptr": f"{self.log_group}/{self.log_stream}/{seq}",
        }


def parse_record(message: str) -> dict[str, Any] | str:
    """``message`` parsed as a JSON object, else the text itself."""
    if message[:1] == "{":
        try:
            value = json.loads(message)
        except ValueError:
            return message
        if isinstance(value, dict):
            return value
    return message


class _CollectingTransport(LocalTransport):
    """A LocalTransport that also hands every accepted event to the mock stream."""

    def __init__(self, engine: LocalEngine, collect: Callable[[str, list[MockEvent]], None]):
        super().__init__(engine)
        self._collect = collect

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        """PutLogEvents on the engine; the accepted events are collected with their
        ingestion time."""
        store = self.engine.store
        with store.lock:  # the ingestion time read below is this call's
            result = super().put_log_events(log_group, log_stream, events)
            first, end = accepted_slice(result, len(events))
            if first >= end:
                return result
            stream = self.engine.context.groups[log_group].streams[log_stream]
            ingested = stream.last_ingestion_time or 0
            accepted = [
                MockEvent(int(e["timestamp"]), e["message"], ingested, log_stream, log_group)
                for e in events[first:end]
            ]
            self._collect(log_group, accepted)
        return result


def accepted_slice(result: PutResult, count: int) -> tuple[int, int]:
    """The ``[first, end)`` indexes of a batch of ``count`` events the service stored."""
    first = max(
        -1 if result.too_old_end is None else result.too_old_end,
        -1 if result.expired_end is None else result.expired_end,
    )
    end = count if result.too_new_start is None else result.too_new_start
    return first + 1, end


class MockLogStream:
    """Collects what CloudWatchHandlers send to ``log_group``, through the local engine.

    ``log_stream`` is the default stream of :meth:`handler` (a stream template works too);
    events of every stream of the group are collected. ``engine`` defaults to a new in-memory
    :class:`~cw_logging.local.LocalEngine` (closed by :meth:`close`; one you pass is not).
    """

    def __init__(
        self,
        log_group: str = "/test/app",
        log_stream: str = "test",
        *,
        engine: LocalEngine | None = None,
        flush_timeout: float = 10.0,
    ) -> None:
        self.log_group = log_group
        self.log_stream = log_stream
        self.flush_timeout = flush_timeout
        self._owns_engine = engine is None
        self.engine = (
            engine if engine is not None else LocalEngine(live_tail_settings=MOCK_LIVE_TAIL)
        )
        self.transport = _CollectingTransport(self.engine, self._collect)
        self._lock = threading.Lock()
        self._events: list[MockEvent] = []
        self._subscriptions: list[Subscription[MockEvent]] = []
        self._handlers: list[CloudWatchHandler] = []
        self._client: LocalClient | None = None
        if log_group not in self.engine.context.groups:
            self.engine.call("CreateLogGroup", {"logGroupName": log_group})

    # -- writing ---------------------------------------------------------------------------

    def handler(
        self, *, formatter: logging.Formatter | None = None, **options: Any
    ) -> CloudWatchHandler:
        """A CloudWatchHandler sending to this mock (closed by :meth:`close`).

        ``options`` are CloudWatchHandler's (``log_stream``, ``level``...); ``flush_interval``
        defaults to :data:`MOCK_FLUSH_INTERVAL` so that subscribers see events promptly, and
        ``formatter`` to :class:`cw_logging.JsonFormatter`.
        """
        from ..formatter._json import JsonFormatter
        from ..handler._handler import CloudWatchHandler

        options.setdefault("log_stream", self.log_stream)
        options.setdefault("flush_interval", MOCK_FLUSH_INTERVAL)
        handler = CloudWatchHandler(self.log_group, transport=self.transport, **options)
        handler.setFormatter(formatter if formatter is not None else JsonFormatter())
        with self._lock:
            self._handlers.append(handler)
        return handler

    def attach(
        self, logger: logging.Logger | str | None = None, **options: Any
    ) -> CloudWatchHandler:
        """Add a new :meth:`handler` to ``logger`` (a name; default the root logger); it is
        removed again by :meth:`close`."""
        if not isinstance(logger, logging.Logger):
            logger = logging.getLogger(logger)
        handler = self.handler(**options)
        logger.addHandler(handler)
        return handler

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the handlers made here have sent what was logged before the call;
        return False if that took longer than ``timeout`` (default ``flush_timeout``)."""
        with self._lock:
            handlers = list(self._handlers)
        limit = self.flush_timeout if timeout is None else timeout
        return all([handler.flush(timeout=limit) for handler in handlers])

    def _collect(self, log_group: str, events: list[MockEvent]) -> None:
        if log_group != self.log_group:
            return
        with self._lock:
            self._events.extend(events)
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            for event in events:
                subscription.offer(event)

    # -- reading ---------------------------------------------------------------------------

    @property
    def events(self) -> list[MockEvent]:
        """Every collected event, oldest first (ties in arrival order); flushes first."""
        self.flush()
        with self._lock:
            events = list(self._events)
        events.sort(key=lambda event: event.timestamp)
        return events

    @property
    def messages(self) -> list[str]:
        """The raw message of every event, oldest first."""
        return [event.message for event in self.events]

    @property
    def records(self) -> list[dict[str, Any] | str]:
        """Every message parsed as JSON (a dict), or kept as text when it is not JSON."""
        return [event.record for event in self.events]

    def filter(self, pattern: str | FilterPattern | Predicate) -> list[MockEvent]:
        """The events matching a CloudWatch filter pattern (evaluated by the local engine:
        ``'{ $.level = "ERROR" }'``, ``'?timeout ?refused'``, ``'[ip, user, status=5*]'``...)
        or for which a predicate on :class:`MockEvent` is true.

        A malformed pattern raises InvalidParameterError, as the service would.
        """
        if isinstance(pattern, str):
            pattern = compile_filter_pattern(pattern)
        if isinstance(pattern, FilterPattern):
            matches: Predicate = functools.partial(_pattern_matches, pattern)
        else:
            matches = pattern
        return [event for event in self.events if matches(event)]

    def query(self, query: str, *, limit: int | None = None) -> QueryResult:
        """Run a Logs Insights query over the collected events; rows are dicts of values, with
        ``.statistics`` and ``.fields``. Bad syntax raises MalformedQueryError."""
        from ..local.insights import compile_query

        compiled = compile_query(query)
        account = self.engine.context.account_id
        rows = [event.as_insights_event(seq, account) for seq, event in enumerate(self.events)]
        return compiled.run(rows, limit=limit)

    def metric_datapoints(
        self,
        namespace: str | None = None,
        metric_name: str | None = None,
        dimensions: Mapping[str, str] | None = None,
    ) -> list[MetricDatapoint]:
        """What this group's metric filters published for the events collected so far (put
        filters with ``mock.client.put_metric_filter(...)``); flushes first. See
        :meth:`cw_logging.local.LocalEngine` ``.metrics``."""
        self.flush()
        return self.engine.metrics.datapoints(
            namespace, metric_name, dimensions, log_group=self.log_group
        )

    def subscription_deliveries(
        self, destination_arn: str | None = None
    ) -> list[SubscriptionDelivery]:
        """What this group's subscription filters delivered so far, in CloudWatch's envelope
        (``.data`` gzipped JSON, ``.message`` decoded, ``.lambda_event()``); flushes first."""
        self.flush()
        return [
            delivery
            for delivery in self.engine.subscriptions.deliveries(destination_arn)
            if delivery.log_group in (self.log_group, "")
        ]

    @property
    def client(self) -> LocalClient:
        """A boto3 ``logs`` client answered by this mock's engine (for code that reads back)."""
        if self._client is None:
            from ..local import LocalClient

            self._client = LocalClient(self.engine)
        return self._client

    def live_tail(self, filter_pattern: str | None = None, **options: Any) -> LiveTail:
        """Live Tail on this group through :attr:`client` (StartLiveTail served by the
        engine, the filter pattern evaluated by it): the events stored from now on, as code
        using :func:`cw_logging.query.live_tail` sees them. Close it, or use ``with``."""
        from ..query import live_tail

        return live_tail(
            self.log_group, filter_pattern=filter_pattern, client=self.client, **options
        )

    # -- subscriptions and lifecycle -------------------------------------------------------

    def subscribe(
        self, callback: Callable[[MockEvent], object] | None = None, *, maxsize: int = 1000
    ) -> Subscription[MockEvent]:
        """Receive events collected from now on (see :class:`Subscription`): at most
        ``maxsize`` wait unread, later ones are dropped and counted in ``.dropped``."""
        subscription: Subscription[MockEvent] = Subscription(
            maxsize, callback, on_close=self._unsubscribe
        )
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription[MockEvent]) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def clear(self) -> None:
        """Forget the events collected so far (after sending what is pending)."""
        self.flush()
        with self._lock:
            self._events.clear()

    def close(self) -> None:
        """Close the handlers made here (removing them from loggers), end subscriptions, and
        close the engine if this mock created it."""
        with self._lock:
            handlers, self._handlers = self._handlers, []
            subscriptions = list(self._subscriptions)
        _detach(handlers)
        for handler in handlers:
            handler.close()
        for subscription in subscriptions:
            subscription.close()
        if self._owns_engine:
            self.engine.close()

    def __enter__(self) -> MockLogStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.events)

    def __repr__(self) -> str:
        return f"<MockLogStream log_group={self.log_group!r} events={len(self._events)}>"


def _pattern_matches(pattern: FilterPattern, event: MockEvent) -> bool:
    return pattern.matches(event.message)


def _detach(handlers: list[CloudWatchHandler]) -> None:
    """Remove ``handlers`` from every logger that has one of them."""
    if not handlers:
        return
    loggers: list[Any] = [logging.getLogger()]
    loggers += list(logging.Logger.manager.loggerDict.values())
    for logger in loggers:
        for handler in list(getattr(logger, "handlers", ())):
            if handler in handlers:
                logger.removeHandler(handler)
