"""Subscription filters: matching events delivered in process, in CloudWatch's own envelope.

For every PutLogEvents call, each subscription filter of the group whose pattern matches some
of the events produces one delivery: gzipped JSON ``{"messageType": "DATA_MESSAGE", "owner",
"logGroup", "logStream", "subscriptionFilters", "logEvents": [{"id", "timestamp",
"message"}]}``, exactly the bytes a Kinesis or Firehose consumer reads, and (base64-encoded
under ``awslogs.data``) what a Lambda function receives. Kinesis and Firehose destinations
first get a ``CONTROL_MESSAGE``, as the service sends to check them.

Deliveries are kept for inspection (:meth:`SubscriptionHub.deliveries`) and handed to the
callbacks registered for their destination (:meth:`SubscriptionHub.deliver_to`), after the
call that produced them, outside the engine's lock.
"""

from __future__ import annotations

import base64
import collections
import functools
import gzip
import json
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._model import LogGroup, LogStream
from ._store import Store
from ._timeline import StoredEvent
from .filterpattern import FilterPattern

MAX_SUBSCRIPTION_FILTERS = 2
"""Subscription filters one log group may have (a service quota)."""

MAX_KEPT_DELIVERIES = 10_000
"""Deliveries kept for inspection; older ones are forgotten first."""

DESTINATION_ARN = re.compile(
    r"arn:aws[a-z-]*:(?P<service>lambda|kinesis|firehose|logs):[a-z0-9-]+:\d{12}:"
    r"(?P<resource>function:.+|stream/.+|deliverystream/.+|destination:.+)"
)
"""Destinations a subscription filter may send to: a Lambda function, a Kinesis data stream,
a Firehose delivery stream or a CloudWatch Logs destination (cross-account)."""


def destination_kind(arn: str) -> str | None:
    """``lambda``, ``kinesis``, ``firehose`` or ``logs`` for a valid destination ARN, else None."""
    match = DESTINATION_ARN.fullmatch(arn)
    return None if match is None else match.group("service")


@dataclass
class SubscriptionFilter:
    """A subscription filter of a log group, as PutSubscriptionFilter defined it."""

    name: str
    log_group: str
    pattern: FilterPattern
    destination_arn: str
    creation_time: int
    role_arn: str | None = None
    distribution: str = "ByLogStream"
    options: dict[str, Any] = field(default_factory=dict)

    def as_api(self) -> dict[str, Any]:
        """The ``SubscriptionFilter`` shape of DescribeSubscriptionFilters."""
        out: dict[str, Any] = {
            "filterName": self.name,
            "logGroupName": self.log_group,
            "filterPattern": self.pattern.text,
            "destinationArn": self.destination_arn,
            "distribution": self.distribution,
            "creationTime": self.creation_time,
            **self.options,
        }
        if self.role_arn is not None:
            out["roleArn"] = self.role_arn
        return out


@dataclass(frozen=True)
class SubscriptionDelivery:
    """One record sent to a destination: ``data`` is the gzipped JSON envelope."""

    destination_arn: str
    filter_name: str
    log_group: str
    log_stream: str
    data: bytes

    @functools.cached_property
    def message(self) -> dict[str, Any]:
        """The envelope, decoded (``messageType``, ``owner``, ``logEvents``...)."""
        decoded: dict[str, Any] = json.loads(gzip.decompress(self.data))
        return decoded

    @property
    def log_events(self) -> list[dict[str, Any]]:
        """The envelope's ``logEvents``: ``id``, ``timestamp`` and ``message`` of each event."""
        events: list[dict[str, Any]] = self.message["logEvents"]
        return events

    def lambda_event(self) -> dict[str, Any]:
        """The event a subscribed Lambda function receives: ``{"awslogs": {"data": ...}}``."""
        return {"awslogs": {"data": base64.b64encode(self.data).decode("ascii")}}


def envelope(
    message_type: str,
    owner: str,
    log_group: str,
    log_stream: str,
    filters: list[str],
    events: list[dict[str, Any]],
) -> bytes:
    """The gzipped JSON record CloudWatch Logs sends to a subscription's destination."""
    document = {
        "messageType": message_type,
        "owner": owner,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": filters,
        "logEvents": events,
    }
    return gzip.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"))


Consumer = Callable[[SubscriptionDelivery], object]


class SubscriptionHub:
    """Deliveries of an engine's subscription filters: kept, and handed to callbacks."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.errors = 0
        self._lock = threading.Lock()
        self._kept: collections.deque[SubscriptionDelivery] = collections.deque(
            maxlen=MAX_KEPT_DELIVERIES
        )
        self._pending: collections.deque[SubscriptionDelivery] = collections.deque()
        self._consumers: dict[str, list[Consumer]] = {}

    def on_events(self, group: LogGroup, stream: LogStream, events: Sequence[StoredEvent]) -> None:
        """Queue a delivery for each of ``group``'s subscription filters that matches some of
        ``events`` (just stored by one call)."""
        for subscription in list(group.subscription_filters.values()):
            matching = [
                {"id": event.event_id, "timestamp": event.timestamp, "message": event.message}
                for event in events
                if subscription.pattern.matches(event.message)
            ]
            if matching:
                data = envelope(
                    "DATA_MESSAGE",
                    self.owner,
                    group.name,
                    stream.name,
                    [subscription.name],
                    matching,
                )
                self._queue(
                    SubscriptionDelivery(
                        subscription.destination_arn,
                        subscription.name,
                        group.name,
                        stream.name,
                        data,
                    )
                )

    def control_message(self, subscription: SubscriptionFilter, now_ms: int) -> None:
        """Queue the CONTROL_MESSAGE the service sends to a new Kinesis or Firehose
        subscription to check that the destination is reachable."""
        kind = destination_kind(subscription.destination_arn)
        if kind not in ("kinesis", "firehose"):
            return
        service = "Kinesis" if kind == "kinesis" else "Firehose"
        text = f"CWL CONTROL MESSAGE: Checking health of destination {service}."
        data = envelope(
            "CONTROL_MESSAGE",
            "CloudwatchLogs",
            "",
            "",
            [],
            [{"id": "", "timestamp": now_ms, "message": text}],
        )
        self._queue(
            SubscriptionDelivery(subscription.destination_arn, subscription.name, "", "", data)
        )

    def _queue(self, delivery: SubscriptionDelivery) -> None:
        with self._lock:
            self._kept.append(delivery)
            self._pending.append(delivery)

    def dispatch(self) -> None:
        """Hand queued deliveries to their destination's callbacks (call without the engine's
        lock held); a callback that raises is counted in ``errors``."""
        while True:
            with self._lock:
                if not self._pending:
                    return
                delivery = self._pending.popleft()
                consumers = list(self._consumers.get(delivery.destination_arn, ()))
            for consumer in consumers:
                try:
                    consumer(delivery)
                except Exception:
                    with self._lock:
                        self.errors += 1

    def deliver_to(self, destination_arn: str, callback: Consumer) -> Callable[[], None]:
        """Call ``callback`` with every later delivery to ``destination_arn``; returns a
        function that stops it."""
        with self._lock:
            self._consumers.setdefault(destination_arn, []).append(callback)

        def stop() -> None:
            with self._lock:
                callbacks = self._consumers.get(destination_arn, [])
                if callback in callbacks:
                    callbacks.remove(callback)

        return stop

    def deliveries(self, destination_arn: str | None = None) -> list[SubscriptionDelivery]:
        """Deliveries made so far (the last :data:`MAX_KEPT_DELIVERIES`), oldest first."""
        with self._lock:
            kept = list(self._kept)
        return [d for d in kept if destination_arn in (None, d.destination_arn)]

    def clear(self) -> None:
        """Forget kept and pending deliveries (callbacks stay registered)."""
        with self._lock:
            self._kept.clear()
            self._pending.clear()


_HUBS: weakref.WeakKeyDictionary[Store, SubscriptionHub] = weakref.WeakKeyDictionary()


def attach_hub(store: Store, hub: SubscriptionHub) -> None:
    """Make ``hub`` receive ``store``'s new events and the control messages of its filters."""
    _HUBS[store] = hub
    store.listeners.append(hub.on_events)


def hub_of(store: Store) -> SubscriptionHub | None:
    """The hub attached to ``store``, if any."""
    return _HUBS.get(store)
