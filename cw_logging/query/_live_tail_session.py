"""One StartLiveTail session stream read on its own thread, restarted before or at the
service's session limit; and the log-group resolution Live Tail needs (ARNs, no ``:*``)."""

from __future__ import annotations

import collections
import contextlib
import queue
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..delivery.transport import call_client, is_loopback_host
from ..errors import NetworkError, ResourceError, from_exception
from ._groups import group_name, normalize_log_group
from ._timerange import from_epoch_millis

__all__ = [
    "MAX_SESSION_GROUPS",
    "LiveTailEvent",
    "SessionReader",
    "prepare_client",
    "resolve_group_arns",
]

MAX_SESSION_GROUPS = 10
"""Log groups one StartLiveTail session may watch; more are spread over several sessions."""
_OVERLAP_UPDATES = 3
"""Updates of a new session checked against the old one's last events after a hand-over."""


@dataclass(frozen=True, slots=True)
class LiveTailEvent:
    """One event pushed by Live Tail: when it happened, its group (name), stream and message,
    when it was ingested, and whether the service sampled the update it came in (more than
    500 matching events a second)."""

    timestamp: datetime
    group: str
    stream: str
    message: str
    ingestion_time: datetime | None = None
    sampled: bool = False

    @classmethod
    def from_result(cls, result: Mapping[str, Any], sampled: bool) -> LiveTailEvent:
        """Build from one ``sessionResults`` item of a ``sessionUpdate``."""
        ingestion = result.get("ingestionTime")
        return cls(
            timestamp=from_epoch_millis(int(result["timestamp"])),
            group=group_name(str(result.get("logGroupIdentifier", ""))),
            stream=str(result.get("logStreamName", "")),
            message=str(result.get("message", "")),
            ingestion_time=from_epoch_millis(int(ingestion)) if ingestion is not None else None,
            sampled=sampled,
        )

    def identity(self) -> tuple[str, str, datetime, str]:
        """What makes two deliveries the same event (for the overlap of two sessions)."""
        return (self.group, self.stream, self.timestamp, self.message)


def resolve_group_arns(log_groups: Iterable[str], client: Any) -> list[str]:
    """The ARNs (without the trailing ``:*`` the service refuses) of ``log_groups``, names
    looked up with DescribeLogGroups; ResourceError for a group that does not exist."""
    arns: list[str] = []
    for group in log_groups:
        identifier, is_arn = normalize_log_group(group)
        if not is_arn:
            found = call_client(
                client, "describe_log_groups", logGroupNamePrefix=identifier, limit=1
            ).get("logGroups", [])
            if not found or found[0].get("logGroupName") != identifier:
                raise ResourceError(
                    f"log group {identifier!r} does not exist: check the name (and the region)",
                    code="ResourceNotFoundException",
                )
            identifier, _ = normalize_log_group(found[0]["logGroupArn"])
        if identifier not in arns:
            arns.append(identifier)
    return arns


def prepare_client(client: Any) -> Any:
    """Turn off botocore's ``stream-`` host prefix on a client of a loopback endpoint (the
    local engine, moto), where ``stream-127.0.0.1`` names no host; returns the client."""
    from urllib.parse import urlsplit

    meta = getattr(client, "meta", None)
    host = urlsplit(str(getattr(meta, "endpoint_url", "") or "")).hostname
    config: Any = getattr(meta, "config", None)
    if host and is_loopback_host(host) and getattr(config, "inject_host_prefix", False):
        config.inject_host_prefix = False  # this client's own Config: only hostPrefix operations
    return client


class SessionReader(threading.Thread):
    """Reads one session's stream into ``out`` as lists of events (an exception when it
    fails, ``None`` when the server ends the stream), restarting the session at
    ``restart_after`` seconds (overlapping old and new, so nothing is lost or repeated) or when
    the service ends it at its limit (SessionTimeoutException)."""

    def __init__(
        self,
        client: Any,
        params: dict[str, Any],
        out: queue.Queue[list[LiveTailEvent] | BaseException | None],
        restart_after: float | None,
    ) -> None:
        super().__init__(name="cw-logging-live-tail", daemon=True)
        self.client, self.params, self.out = client, params, out
        self.restart_after = restart_after
        self.sessions_started = 0
        self.sampled_updates = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        self._overlap: collections.Counter[tuple[str, str, datetime, str]] = collections.Counter()
        self._overlap_updates = 0
        self._stream = self.open()

    def open(self) -> Any:
        """Start a session; returns its event stream (after ``sessionStart``'s request went)."""
        stream = call_client(self.client, "start_live_tail", **self.params)["responseStream"]
        with self._lock:
            self._streams.append(stream)
        self.sessions_started += 1
        return stream

    def _forget(self, stream: Any) -> None:
        with self._lock:
            if stream in self._streams:
                self._streams.remove(stream)
        with contextlib.suppress(Exception):  # closing a connection that is already gone
            stream.close()

    def run(self) -> None:
        """Read until stopped or the stream ends (then ``None`` is handed over); a failure is
        handed to the consumer and ends the reader."""
        stream = self._stream
        try:
            while not self._stopping.is_set():
                outcome = self._read(stream)
                if self._stopping.is_set():
                    break
                if outcome == "limit":
                    stream = self._hand_over(stream)
                elif outcome == "timeout":  # the service ended the session at its limit
                    self._forget(stream)
                    stream = self.open()
                else:  # the server closed the stream (stopping, or a moto-like one-shot)
                    self.out.put(None)
                    break
        except BaseException as exc:  # handed to the consumer, raised there
            if not self._stopping.is_set():
                self.out.put(from_exception(exc) if isinstance(exc, Exception) else exc)
        finally:
            self._forget(stream)

    def _read(self, stream: Any) -> str:
        started = time.monotonic()
        try:
            for item in stream:
                if self._stopping.is_set():
                    return "stopped"
                self._deliver(item.get("sessionUpdate"))
                elapsed = time.monotonic() - started
                if self.restart_after is not None and elapsed >= self.restart_after:
                    return "limit"
        except Exception as exc:
            if self._stopping.is_set():
                return "stopped"
            response = getattr(exc, "response", None)
            if response is None:  # not the service's answer: the connection broke
                raise NetworkError(
                    f"the Live Tail stream broke ({type(exc).__name__}: {exc}); start "
                    "live_tail again when the endpoint is back",
                    code="LiveTailStreamBroken",
                ) from exc
            if response.get("Error", {}).get("Code") == "SessionTimeoutException":
                return "timeout"
            raise
        return "ended"

    def _hand_over(self, old: Any) -> Any:
        """Open the next session, then read the old one's last update, so that events
        arriving meanwhile come from one or the other (and those in both only once)."""
        new = self.open()
        for item in old:
            update = item.get("sessionUpdate")
            if update is not None:
                events = self._deliver(update)
                self._overlap = collections.Counter(event.identity() for event in events)
                self._overlap_updates = _OVERLAP_UPDATES
                break
        self._forget(old)
        return new

    def _deliver(self, update: Mapping[str, Any] | None) -> list[LiveTailEvent]:
        if update is None:
            return []
        sampled = bool((update.get("sessionMetadata") or {}).get("sampled"))
        self.sampled_updates += sampled
        events = [
            LiveTailEvent.from_result(result, sampled)
            for result in update.get("sessionResults") or ()
        ]
        if self._overlap_updates:
            self._overlap_updates -= 1
            events = [event for event in events if not self._seen_before(event)]
        if events:
            self.out.put(events)
        return events

    def _seen_before(self, event: LiveTailEvent) -> bool:
        key = event.identity()
        if self._overlap[key] > 0:
            self._overlap[key] -= 1
            return True
        return False

    def stop(self) -> None:
        """End the session(s): close the streams so that a blocked read returns."""
        self._stopping.set()
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            self._forget(stream)
