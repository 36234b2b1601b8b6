"""A durable at-least-once queue of formatted log events: SQLite in WAL mode, one file per process.

The sender appends what it has formatted (stream name, timestamp, message), peeks the oldest
events to send, and acknowledges them once PutLogEvents accepted (or rejected them for good).
Whatever is not acknowledged when the process dies is sent by the next process that opens a spool
with the same directory, log group and stream key: it adopts the dead process's file on open.
See ``docs/spool.md`` for what is and is not guaranteed.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from .._options import Clock, Overflow, parse_overflow
from .._resilience import RateLimitedReporter
from ..errors import ConfigurationError
from ._adoption import adopt_orphans
from ._database import (
    Row,
    SpooledEvent,
    delete_seqs,
    insert_rows,
    newest_fitting,
    oldest_fitting,
    oldest_timestamp,
    select_oldest,
    stored_row,
    vacuum_if_worthwhile,
)
from ._files import identity_of
from ._recovery import guarded, recreate_if_deleted
from ._settings import DEFAULT_SPOOL_MAX_BYTES, check_spool_directory, check_spool_limits
from ._storage import REPORT_INTERVAL_S, SpoolStorage

__all__ = ["Spool", "SpoolStats"]

_R = TypeVar("_R")


@dataclass(frozen=True)
class SpoolStats:
    """A snapshot of a spool's state and of its counters since this process opened it.

    ``dropped`` maps a reason (``overflow_oldest``, ``overflow_newest``, ``too_large``,
    ``disk_error``, ``moved_aside``, ``closed``) to a number of events.
    """

    path: str | None
    durable: bool
    depth: int
    bytes: int
    oldest_timestamp: int | None
    appended: int
    acked: int
    adopted: int
    dropped: Mapping[str, int]
    errors: int


class Spool:
    """A durable at-least-once queue of formatted events for one handler identity.

    ``log_stream_key`` is the handler's stream template (or another stable handler id): spools
    in the same ``directory`` with the same group and key adopt each other's orphans.
    ``max_bytes`` bounds the stored events' PutLogEvents size; ``overflow`` says what gives when
    it is reached (``block`` cannot block here and drops the newest, counted: see
    ``free_bytes``). ``lock_timeout`` bounds every wait for a lock; ``fsync`` makes each commit
    survive a power loss too, at a cost. ``adopt_on_open=False`` defers adoption (which copies
    the orphans' events) to an :meth:`adopt_orphans` call, e.g. on the sender thread.

    Raises ConfigurationError for bad arguments only. Thread-safe. Disk failures never raise:
    they are reported on stderr, counted, and the spool carries on (on a fresh file, or in
    memory as a last resort).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        log_group: str,
        log_stream_key: str,
        max_bytes: int = DEFAULT_SPOOL_MAX_BYTES,
        overflow: str | Overflow = Overflow.DROP_OLDEST,
        clock: Clock = time.time,
        lock_timeout: float = 2.0,
        fsync: bool = False,
        adopt_on_open: bool = True,
        reporter: RateLimitedReporter | None = None,
    ) -> None:
        path = check_spool_directory(directory)
        for name, value in (("log_group", log_group), ("log_stream_key", log_stream_key)):
            if not isinstance(value, str) or not value:
                raise ConfigurationError(
                    f"spool {name} must be a non-empty string, got {value!r}",
                    code="InvalidSetting",
                )
        self._max_bytes, timeout = check_spool_limits(max_bytes, lock_timeout)
        self._overflow = parse_overflow(overflow)
        self._clock = clock
        self._mutex = threading.Lock()
        self._closed = False
        self._storage = SpoolStorage(
            Path(path),
            identity_of(log_group, log_stream_key),
            log_group=log_group,
            log_stream_key=log_stream_key,
            lock_timeout=timeout,
            fsync=fsync,
            reporter=reporter or RateLimitedReporter(REPORT_INTERVAL_S),
        )
        _LIVE_SPOOLS.add(self)
        with self._mutex:  # no fork while SQLite is in use (see _before_fork)
            self._open_storage(adopt=adopt_on_open)

    @classmethod
    def open(
        cls,
        directory: str | os.PathLike[str],
        *,
        log_group: str,
        log_stream_key: str,
        **options: Any,
    ) -> Spool:
        """Open this process's spool in ``directory`` and adopt what dead processes left there.

        ``options`` are the constructor's: ``max_bytes``, ``overflow``, ``clock``,
        ``lock_timeout``, ``fsync``, ``adopt_on_open``, ``reporter``.
        """
        return cls(directory, log_group=log_group, log_stream_key=log_stream_key, **options)

    # --- public operations -------------------------------------------------------------------

    def append(self, events: Sequence[tuple[str, int, str]]) -> int:
        """Store ``(stream, timestamp_ms, message)`` events in one transaction; return how many.

        The events not stored were dropped by the overflow policy or a disk failure (counted).
        """
        if not events:
            return 0
        rows = [stored_row(event) for event in events]
        with self._mutex:
            if self._closed:
                self._storage.counters.drop("closed", len(rows))
                return 0
            self._follow_fork()
            recreate_if_deleted(self._storage)
            return self._guarded("append", lambda: self._append_rows(rows), 0, len(rows))

    def peek(
        self, max_events: int = 10_000, max_bytes: int = 1_048_576, *, after_seq: int = 0
    ) -> list[SpooledEvent]:
        """Return the oldest events (by ``seq``, above ``after_seq``) without removing them.

        At most ``max_events`` events whose sizes add up to at most ``max_bytes``, except that
        one event larger than ``max_bytes`` is still returned alone so the queue moves on.
        """
        with self._mutex:
            if self._closed or max_events < 1:
                return []
            self._follow_fork()
            return self._guarded("peek", lambda: self._peek(max_events, max_bytes, after_seq), [])

    def ack(self, seqs: Iterable[int]) -> int:
        """Delete the events with these ``seq`` values (sent, or rejected for good); return count.

        Unknown or already deleted seqs are ignored, so acknowledging twice is harmless.
        """
        wanted = sorted({int(seq) for seq in seqs})
        with self._mutex:
            if self._closed or not wanted:
                return 0
            self._follow_fork()
            return self._guarded("ack", lambda: self._ack(wanted), 0)

    def adopt_orphans(self) -> int:
        """Move the events of dead processes' spool files into this one; return how many.

        Runs on open; call it again to pick up files orphaned since. Each orphan is adopted by
        exactly one process, also when several start at once.
        """
        with self._mutex:
            if self._closed:
                return 0
            self._follow_fork()
            return adopt_orphans(self._storage, self._max_bytes)

    def depth(self) -> int:
        """Return the number of stored events."""
        return self._storage.depth

    def bytes(self) -> int:
        """Return the PutLogEvents size of the stored events (message bytes + 26 each)."""
        return self._storage.bytes

    def free_bytes(self) -> int:
        """Return how many more event bytes fit before the overflow policy applies."""
        return max(0, self._max_bytes - self._storage.bytes)

    def oldest_timestamp(self) -> int | None:
        """Return the timestamp (ms) of the next event to send, or None when empty."""
        with self._mutex:
            if self._closed or self._storage.depth == 0:
                return None
            self._follow_fork()
            return self._guarded("read", lambda: oldest_timestamp(self._storage.connection()), None)

    def oldest_age(self) -> float | None:
        """Return how many seconds old (by the clock) the next event to send is, or None."""
        oldest = self.oldest_timestamp()
        return None if oldest is None else max(0.0, self._clock() - oldest / 1000.0)

    @property
    def path(self) -> str | None:
        """The database file in use, or None when the spool fell back to memory."""
        return self._storage.path

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def durable(self) -> bool:
        """Whether stored events survive the process (False after falling back to memory)."""
        return self._storage.files is not None

    def stats(self) -> SpoolStats:
        """Return the current depth, size and counters."""
        oldest = self.oldest_timestamp()
        storage = self._storage
        counters = storage.counters
        return SpoolStats(
            path=self.path,
            durable=self.durable,
            depth=storage.depth,
            bytes=storage.bytes,
            oldest_timestamp=oldest,
            appended=counters.appended,
            acked=counters.acked,
            adopted=counters.adopted,
            dropped=MappingProxyType(dict(counters.dropped)),
            errors=counters.errors,
        )

    def reopen_after_fork(self) -> None:
        """In a forked child, switch to a spool file of the child's own (also done lazily).

        The parent's connection and events stay the parent's; the child starts empty.
        """
        with self._mutex:
            if not self._closed:
                self._follow_fork()

    def close(self) -> None:
        """Close the file; delete it when empty, else leave it for the next process to adopt."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            _LIVE_SPOOLS.discard(self)
            if self._storage.pid != os.getpid():
                self._storage.forget_parent_resources()
                return
            self._storage.close(delete_if_empty=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.path or "memory"
        return f"<Spool {where} depth={self.depth()} bytes={self.bytes()}>"

    # --- internals (called with the mutex held) ------------------------------------------------

    def _open_storage(self, *, adopt: bool = True) -> None:
        storage = self._storage
        try:
            storage.open_own_file()
        except (OSError, sqlite3.Error) as exc:
            storage.fall_back_to_memory(f"cannot create a spool file in {storage.directory}: {exc}")
            return
        if adopt:
            adopt_orphans(storage, self._max_bytes)

    def _follow_fork(self) -> None:
        storage = self._storage
        if storage.pid == os.getpid():
            return
        storage.forget_parent_resources()
        storage.reset()
        self._open_storage()

    def _guarded(self, what: str, op: Callable[[], _R], fallback: _R, lost: int = 0) -> _R:
        return guarded(self._storage, what, op, fallback, lost)

    def _append_rows(self, rows: list[Row]) -> int:
        storage = self._storage
        limit = self._max_bytes
        fitting = [row for row in rows if row[3] <= limit]
        too_large = len(rows) - len(fitting)
        incoming = sum(row[3] for row in fitting)
        evict_bytes = 0
        if storage.bytes + incoming <= limit:
            kept = fitting
        elif self._overflow is Overflow.DROP_OLDEST:
            start, incoming = newest_fitting(fitting, limit)
            kept = fitting[start:]
            evict_bytes = storage.bytes + incoming - limit
        else:
            end, incoming = oldest_fitting(fitting, limit - storage.bytes)
            kept = fitting[:end]
        evicted, evicted_bytes, last_seq = insert_rows(storage.connection(), kept, evict_bytes)
        storage.last_seq = max(storage.last_seq, last_seq)
        storage.depth += len(kept) - evicted
        storage.bytes += incoming - evicted_bytes
        counters = storage.counters
        counters.appended += len(kept)
        counters.drop("too_large", too_large)
        dropped_in_batch = len(fitting) - len(kept)
        if self._overflow is Overflow.DROP_OLDEST:
            counters.drop("overflow_oldest", evicted + dropped_in_batch)
        else:
            counters.drop("overflow_newest", dropped_in_batch)
        return len(kept)

    def _peek(self, max_events: int, max_bytes: int, after_seq: int) -> list[SpooledEvent]:
        return select_oldest(self._storage.connection(), max_events, max_bytes, after_seq)

    def _ack(self, seqs: list[int]) -> int:
        storage = self._storage
        deleted, freed = delete_seqs(storage.connection(), seqs)
        storage.depth -= deleted
        storage.bytes -= freed
        storage.counters.acked += deleted
        if storage.depth == 0 and deleted:
            vacuum_if_worthwhile(storage.connection())
        return deleted


_LIVE_SPOOLS: weakref.WeakSet[Spool] = weakref.WeakSet()


_FORK_WAIT_S = 5.0
_held_for_fork: list[threading.Lock] = []


def _before_fork() -> None:
    """Wait (bounded) until no thread of this process is inside SQLite through a spool.

    A child forked while another thread holds one of SQLite's internal mutexes would hang in its
    first ``sqlite3.connect``. Every use of SQLite here is under a spool's mutex, so holding all
    of them across the fork leaves SQLite idle in the child.
    """
    for spool in list(_LIVE_SPOOLS):
        if spool._mutex.acquire(timeout=_FORK_WAIT_S):
            _held_for_fork.append(spool._mutex)


def _after_fork_in_parent() -> None:
    while _held_for_fork:
        _held_for_fork.pop().release()


def _after_fork_in_child() -> None:
    _held_for_fork.clear()
    for spool in list(_LIVE_SPOOLS):
        # The parent's mutex is held (by the fork itself, or a thread that is gone): a new one.
        spool._mutex = threading.Lock()
        # Let go of the parent's locks now, not at the child's first use of the spool: a child
        # that never logs must not keep the parent's file from being adopted after it dies.
        spool._storage.forget_parent_resources()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )
