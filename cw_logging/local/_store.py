"""The local engine's state: per account and region, log groups with their streams and events
(in memory, optionally kept in SQLite), and the Logs Insights queries.

Every account and region is a separate :class:`RegionStore`, as AWS keeps regions apart: a
group created in eu-west-3 does not exist in us-east-1. Events are stored once, with the fields
a query can read discovered when they arrive (``insights.discover_batch``).
"""

from __future__ import annotations

import itertools
import threading
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

from ._model import LogGroup, LogStream
from ._query_model import QueryRegistry
from ._sqlite_store import Place, SqlitePersistence
from ._timeline import Batch, StoredEvent, StoredEvents
from .insights import discover_batch

EventListener = Callable[[LogGroup, LogStream, Sequence[StoredEvent]], None]
"""Told of the events each add_events call stored (metric and subscription filters)."""


class Store:
    """Every account's and region's state, one lock for all changes, the SQLite file if any.

    With a ``db_path``, what was stored before is loaded at start, so data survives restarts.
    Callers serialise changes (the engine holds ``lock`` around each call).
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        *,
        default_place: Place = ("123456789012", "us-east-1"),
        query_polls_before_complete: int = 0,
    ) -> None:
        self.lock = threading.RLock()
        self.polls_before_complete = query_polls_before_complete
        self.regions: dict[Place, RegionStore] = {}
        self.listeners: list[EventListener] = []
        self._persistence = (
            SqlitePersistence(db_path, default_place) if db_path is not None else None
        )
        self._seq = itertools.count(1)
        if self._persistence is not None:
            self._load(self._persistence)

    def _load(self, persistence: SqlitePersistence) -> None:
        for place, group in persistence.load_groups():
            self.region(*place).groups[group.name] = group
        for run in persistence.load_events():
            group = self.region(*run.place).groups[run.group]
            sizes = [len(m.encode("utf-8", "surrogatepass")) for m in run.messages]
            batch = _batch(run.timestamps, run.seqs, run.ingestion, sizes, run.messages, run.stream)
            group.add_events(group.streams[run.stream], batch)
        self._seq = itertools.count(persistence.last_seq() + 1)

    def region(self, account_id: str, region: str) -> RegionStore:
        """The state of ``account_id`` in ``region`` (empty the first time)."""
        place = (account_id, region)
        state = self.regions.get(place)
        if state is None:
            state = self.regions[place] = RegionStore(self, place)
        return state

    def next_seqs(self, count: int) -> range:
        """``count`` new arrival numbers, engine-wide."""
        first = next(self._seq)
        if count > 1:
            self._seq = itertools.count(first + count)
        return range(first, first + count)

    @property
    def persistence(self) -> SqlitePersistence | None:
        """The SQLite file's writer, if the store has one."""
        return self._persistence

    def close(self) -> None:
        """Close the SQLite file, if any."""
        if self._persistence is not None:
            self._persistence.close()

    def reset(self) -> None:
        """Forget every region's groups, streams, events and queries (and empty the file)."""
        self.regions.clear()
        if self._persistence is not None:
            self._persistence.clear()


class RegionStore:
    """The log groups and queries of one account in one region."""

    def __init__(self, store: Store, place: Place) -> None:
        self.account_id, self.region = place
        self.place = place
        self.lock = store.lock
        self.parent = store
        self.groups: dict[str, LogGroup] = {}
        self.queries = QueryRegistry(store.polls_before_complete)
        self._store = store

    def add_group(self, group: LogGroup) -> None:
        """Store a new group."""
        self.groups[group.name] = group
        self.save_group(group)

    def save_group(self, group: LogGroup) -> None:
        """Persist a group's settings and tags after a change."""
        if self._store.persistence is not None:
            self._store.persistence.save_group(self.place, group)

    def delete_group(self, name: str) -> None:
        """Remove a group with its streams and events."""
        del self.groups[name]
        if self._store.persistence is not None:
            self._store.persistence.delete_group(self.place, name)

    def add_stream(self, group: LogGroup, stream: LogStream) -> None:
        """Store a new stream in ``group``."""
        group.streams[stream.name] = stream
        if self._store.persistence is not None:
            self._store.persistence.add_stream(self.place, group.name, stream)

    def delete_stream(self, group: LogGroup, name: str) -> None:
        """Remove a stream and its events."""
        group.remove_stream(name)
        if self._store.persistence is not None:
            self._store.persistence.delete_stream(self.place, group.name, name)

    def add_events(
        self,
        group: LogGroup,
        stream: LogStream,
        timestamps: Sequence[int],
        messages: Sequence[str],
        sizes: Sequence[int],
        ingestion_time: int,
    ) -> None:
        """Store events (in time order; ``sizes`` are the messages' UTF-8 bytes) in ``stream``,
        ingested at ``ingestion_time``."""
        count = len(timestamps)
        seqs = self._store.next_seqs(count)
        ingestion = array("q", [ingestion_time]) * count
        batch = _batch(timestamps, seqs, ingestion, sizes, messages, stream.name)
        group.add_events(stream, batch)
        stream.upload_count += 1
        if self._store.persistence is not None:
            rows = list(zip(seqs, timestamps, messages, ingestion, strict=True))
            self._store.persistence.add_events(self.place, group.name, stream.name, rows)
        if self._store.listeners:
            stored = StoredEvents(batch)
            for listener in self._store.listeners:
                listener(group, stream, stored)


def _batch(
    timestamps: Sequence[int],
    seqs: Sequence[int],
    ingestion: Sequence[int],
    sizes: Sequence[int],
    messages: Sequence[str],
    stream: str,
) -> Batch:
    # Integer columns become arrays once, so that the group's and the stream's timelines copy
    # them without converting every value again.
    return Batch(
        array("q", timestamps),
        array("q", seqs),
        array("q", ingestion),
        array("q", sizes),
        messages,
        [stream] * len(timestamps),
        discover_batch(messages),
    )
