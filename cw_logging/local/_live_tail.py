"""Live Tail in the local engine: sessions that the store feeds as events arrive.

A session watches up to 10 log groups (optionally some streams of one group, by name or
prefix) and keeps the events that match its filter pattern until the next update. Updates
follow the service: one every ``update_interval`` seconds (1 s, as AWS), empty when nothing
arrived (a heartbeat), at most 500 events, and ``sampled`` when more arrived than one update
carries. A session ends after ``session_seconds`` (3 hours, as AWS).

``mode="snapshot"`` answers as moto does instead: one update with the matching events
already stored, then the stream ends (so test suites written for moto pass).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._model import LogGroup, LogStream
from ._ops_context import ServiceContext, invalid
from ._store import Store
from ._timeline import StoredEvent
from ._validation import validate_request
from .filterpattern import FilterPattern, compile_filter_pattern

__all__ = [
    "MAX_LIVE_TAIL_GROUPS",
    "MAX_UPDATE_EVENTS",
    "LiveTailHub",
    "LiveTailSession",
    "LiveTailSettings",
]

MAX_LIVE_TAIL_GROUPS = 10
"""Log groups one session may watch."""
MAX_UPDATE_EVENTS = 500
"""Events one sessionUpdate carries; more arriving in one interval are sampled down."""
MAX_BUFFERED_EVENTS = 10 * MAX_UPDATE_EVENTS
"""Events a session holds between updates; later ones only make the update ``sampled``."""

Result = dict[str, Any]


@dataclass(frozen=True)
class LiveTailSettings:
    """How the engine's Live Tail sessions behave: the session limit and update interval in
    seconds, and ``mode`` (``"live"`` as AWS, or ``"snapshot"`` as moto)."""

    session_seconds: float = 3 * 3600.0
    update_interval: float = 1.0
    mode: Literal["live", "snapshot"] = "live"

    def __post_init__(self) -> None:
        if self.mode not in ("live", "snapshot"):
            raise ValueError(f"mode must be 'live' or 'snapshot', not {self.mode!r}")
        if not (self.session_seconds > 0 and self.update_interval > 0):
            raise ValueError("session_seconds and update_interval must be positive")


class LiveTailSession:
    """One StartLiveTail session: what it watches, and the matching events not sent yet."""

    def __init__(
        self,
        groups: Sequence[tuple[LogGroup, str]],
        stream_names: Sequence[str] | None,
        stream_prefixes: Sequence[str] | None,
        pattern: FilterPattern,
    ) -> None:
        self.session_id = str(uuid.uuid4())
        self.request_id = str(uuid.uuid4())
        self.groups = list(groups)
        self.stream_names = list(stream_names) if stream_names is not None else None
        self.stream_prefixes = list(stream_prefixes) if stream_prefixes is not None else None
        self.pattern = pattern
        self._arns = {id(group): arn for group, arn in self.groups}
        self._changed = threading.Condition()
        self._pending: list[Result] = []
        self._overflow = False
        self.closed = False

    def start_document(self) -> dict[str, Any]:
        """The ``sessionStart`` event."""
        return {
            "requestId": self.request_id,
            "sessionId": self.session_id,
            "logGroupIdentifiers": [arn for _, arn in self.groups],
            "logStreamNames": self.stream_names or [],
            "logStreamNamePrefixes": self.stream_prefixes or [],
            "logEventFilterPattern": self.pattern.text or "",
        }

    def wants(self, stream: str) -> bool:
        """Whether events of ``stream`` belong to this session."""
        if self.stream_names is not None:
            return stream in self.stream_names
        if self.stream_prefixes is not None:
            return any(stream.startswith(prefix) for prefix in self.stream_prefixes)
        return True

    def results(self, group: LogGroup, stream: str, events: Sequence[StoredEvent]) -> list[Result]:
        """The session results for ``events`` of ``stream`` that match the pattern."""
        arn = self._arns.get(id(group))
        if arn is None or not self.wants(stream):
            return []
        return [
            {
                "logStreamName": stream,
                "logGroupIdentifier": arn,
                "message": event.message,
                "timestamp": event.timestamp,
                "ingestionTime": event.ingestion_time,
            }
            for event in events
            if self.pattern.matches(event.message)
        ]

    def offer(self, group: LogGroup, stream: LogStream, events: Sequence[StoredEvent]) -> None:
        """Keep the events of a PutLogEvents call that this session wants."""
        results = self.results(group, stream.name, events)
        if not results:
            return
        with self._changed:
            room = MAX_BUFFERED_EVENTS - len(self._pending)
            self._pending.extend(results[: max(room, 0)])
            self._overflow = self._overflow or len(results) > room

    def take(self, wait: float) -> tuple[list[Result], bool] | None:
        """After ``wait`` seconds (or at once when closed): the next update's results and
        whether they were sampled; None once the session is closed."""
        deadline = time.monotonic() + wait
        with self._changed:
            while not self.closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            if self.closed:
                return None
            pending, self._pending = self._pending, []
            sampled, self._overflow = self._overflow, False
        return sample(pending, sampled)

    def snapshot(self) -> tuple[list[Result], bool]:
        """The matching events already stored, oldest first, sampled to one update (the
        caller holds the store's lock)."""
        found: list[Result] = []
        for group, _ in self.groups:
            for stream in list(group.streams.values()):
                found += self.results(group, stream.name, list(stream.events))
        found.sort(key=lambda result: result["timestamp"])
        return sample(found, False)

    def close(self) -> None:
        """End the session: a waiting :meth:`take` returns None."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def sample(results: list[Result], sampled: bool) -> tuple[list[Result], bool]:
    """At most :data:`MAX_UPDATE_EVENTS` of ``results``, evenly spread, and whether any were
    left out (or ``sampled`` already)."""
    count = len(results)
    if count <= MAX_UPDATE_EVENTS:
        return results, sampled
    step = count / MAX_UPDATE_EVENTS
    return [results[int(index * step)] for index in range(MAX_UPDATE_EVENTS)], True


class LiveTailHub:
    """An engine's Live Tail sessions, fed by its store as events are stored."""

    def __init__(self, store: Store, settings: LiveTailSettings | None = None) -> None:
        self.settings = settings or LiveTailSettings()
        self._lock = threading.Lock()
        self._sessions: set[LiveTailSession] = set()
        store.listeners.append(self._on_events)

    def _on_events(self, group: LogGroup, stream: LogStream, events: Sequence[StoredEvent]) -> None:
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.offer(group, stream, events)

    def open(self, ctx: ServiceContext, params: dict[str, Any]) -> LiveTailSession:
        """Start a session for a StartLiveTail request (the caller holds the store's lock);
        InvalidParameterException or ResourceNotFoundException as the service would."""
        identifiers = params.get("logGroupIdentifiers")
        names = params.get("logStreamNames")
        prefixes = params.get("logStreamNamePrefixes")
        if isinstance(identifiers, list) and len(identifiers) > MAX_LIVE_TAIL_GROUPS:
            raise invalid(
                "1 validation error detected: Value at 'logGroupIdentifiers' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_LIVE_TAIL_GROUPS}"
            )
        if names is not None and prefixes is not None:
            raise invalid("Only one of logStreamNames or logStreamNamePrefixes can be provided.")
        if (names is not None or prefixes is not None) and len(identifiers or ()) != 1:
            raise invalid(
                "logStreamNames and logStreamNamePrefixes can only be used with a single log group."
            )
        validate_request("StartLiveTail", params)
        groups = []
        for identifier in dict.fromkeys(identifiers or ()):
            group = ctx.group_from_identifier(identifier)
            groups.append((group, ctx.group_arn(group.name)))
        pattern = compile_filter_pattern(params.get("logEventFilterPattern"))
        session = LiveTailSession(groups, names, prefixes, pattern)
        with self._lock:
            self._sessions.add(session)
        return session

    def discard(self, session: LiveTailSession) -> None:
        """Close ``session`` and stop feeding it."""
        session.close()
        with self._lock:
            self._sessions.discard(session)

    @property
    def sessions(self) -> int:
        """How many sessions are open."""
        with self._lock:
            return len(self._sessions)

    def close(self) -> None:
        """End every open session (the engine stops or is reset)."""
        with self._lock:
            sessions, self._sessions = self._sessions, set()
        for session in sessions:
            session.close()
