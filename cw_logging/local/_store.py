"""The local engine's state: groups, streams and events in memory, optionally kept in SQLite."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from ._model import LogGroup, LogStream, StoredEvent
from ._sqlite_store import SqlitePersistence

EventListener = Callable[[LogGroup, LogStream, list[StoredEvent]], None]
"""Told of the events each add_events call stored (metric and subscription filters)."""


class Store:
    """Log groups, streams and events; every change is also written to ``db_path`` when given.

    With a ``db_path``, what was stored before is loaded at start, so data survives restarts.
    Callers serialise changes (the engine holds ``lock`` around each call).
    """

    def __init__(self, db_path: str | Path | None = None) -> None:
        self.lock = threading.RLock()
        self.groups: dict[str, LogGroup] = {}
        self.listeners: list[EventListener] = []
        self._persistence = SqlitePersistence(db_path) if db_path is not None else None
        last_seq = 0
        if self._persistence is not None:
            self.groups, last_seq = self._persistence.load()
        self._seq = itertools.count(last_seq + 1)

    def close(self) -> None:
        """Close the SQLite file, if any."""
        if self._persistence is not None:
            self._persistence.close()

    def reset(self) -> None:
        """Forget every group, stream and event (and empty the SQLite file)."""
        self.groups.clear()
        if self._persistence is not None:
            self._persistence.clear()

    def add_group(self, group: LogGroup) -> None:
        """Store a new group."""
        self.groups[group.name] = group
        self.save_group(group)

    def save_group(self, group: LogGroup) -> None:
        """Persist a group's settings and tags after a change."""
        if self._persistence is not None:
            self._persistence.save_group(group)

    def delete_group(self, name: str) -> None:
        """Remove a group with its streams and events."""
        del self.groups[name]
        if self._persistence is not None:
            self._persistence.delete_group(name)

    def add_stream(self, group: LogGroup, stream: LogStream) -> None:
        """Store a new stream in ``group``."""
        group.streams[stream.name] = stream
        if self._persistence is not None:
            self._persistence.add_stream(group.name, stream)

    def delete_stream(self, group: LogGroup, name: str) -> None:
        """Remove a stream and its events."""
        del group.streams[name]
        if self._persistence is not None:
            self._persistence.delete_stream(group.name, name)

    def add_events(
        self,
        group: LogGroup,
        stream: LogStream,
        events: Iterable[tuple[int, str]],
        ingestion_time: int,
    ) -> list[StoredEvent]:
        """Store ``(timestamp, message)`` pairs in ``stream``, ingested at ``ingestion_time``."""
        stored = [StoredEvent(ts, next(self._seq), msg, ingestion_time) for ts, msg in events]
        for event in stored:
            stream.add(event)
        stream.upload_count += 1
        if self._persistence is not None:
            self._persistence.add_events(group.name, stream.name, stored)
        for listener in self.listeners:
            listener(group, stream, stored)
        return stored
