"""A durable at-least-once queue of formatted log events: SQLite in WAL mode, one file per process.

The sender appends what it has formatted (stream name, timestamp, message), peeks the oldest
events to send, and acknowledges them once PutLogEvents accepted (or rejected them for good).
Whatever is not acknowledged when the process dies is sent by the next process that opens a spool
with the same directory, log group and stream key: it adopts the dead process's file on open.
See ``docs/spool.md`` for what is and is not guaranteed.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar
from urllib.request import pathname2url

from .._limits import EVENT_OVERHEAD_BYTES
from .._options import Overflow, parse_overflow
from ..errors import ConfigurationError
from ._files import (
    HAVE_FLOCK,
    SpoolFiles,
    identity_of,
    move_aside,
    release_lock,
    remove_files,
    try_lock,
    wait_lock,
)

__all__ = ["DEFAULT_SPOOL_MAX_BYTES", "Spool", "SpoolStats", "SpooledEvent"]

DEFAULT_SPOOL_MAX_BYTES = 1 << 30
_SCHEMA = """
BEGIN;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    message TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS adopted (token TEXT PRIMARY KEY);
COMMIT;
"""
_SCHEMA_VERSION = "1"
_SELECT_EVENTS = (
    "SELECT seq, stream, timestamp, message, size FROM events WHERE seq > ? ORDER BY seq"
)
_INSERT_EVENT = "INSERT INTO events (stream, timestamp, message, size) VALUES (?, ?, ?, ?)"
_INSERT_EVENT_WITH_SEQ = (
    "INSERT INTO events (seq, stream, timestamp, message, size) VALUES (?, ?, ?, ?, ?)"
)
_ACK_CHUNK = 500
_VACUUM_FREE_PAGES = 1024
_ERROR_REPORT_INTERVAL_S = 60.0
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 5, 6, 11, 13, 26

_R = TypeVar("_R")
_Row = tuple[str, int, str, int]


class SpooledEvent(NamedTuple):
    """One stored event: ``seq`` orders and identifies it; ``size`` is its PutLogEvents cost."""

    seq: int
    stream: str
    timestamp: int
    message: str
    size: int


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
        clock: Callable[[], float] = time.time,
        lock_timeout: float = 2.0,
        fsync: bool = False,
        adopt_on_open: bool = True,
    ) -> None:
        if not HAVE_FLOCK:
            raise ConfigurationError(
                "a spool needs POSIX file locking (fcntl.flock), which this platform lacks; "
                "leave spool_dir unset here",
                code="SpoolUnsupported",
            )
        _require_text("log_group", log_group)
        _require_text("log_stream_key", log_stream_key)
        if not isinstance(directory, (str, os.PathLike)) or not os.fspath(directory):
            raise ConfigurationError(
                f"spool directory must be a non-empty path, got {directory!r}",
                code="InvalidSpoolDirectory",
            )
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise ConfigurationError(
                f"spool max_bytes must be a positive integer, got {max_bytes!r}",
                code="InvalidSpoolMaxBytes",
            )
        if not isinstance(lock_timeout, (int, float)) or lock_timeout < 0:
            raise ConfigurationError(
                f"spool lock_timeout must be a number of seconds >= 0, got {lock_timeout!r}",
                code="InvalidSpoolLockTimeout",
            )
        self._overflow = parse_overflow(overflow)
        self._directory = Path(os.fspath(directory))
        self._log_group = log_group
        self._log_stream_key = log_stream_key
        self._identity = identity_of(log_group, log_stream_key)
        self._max_bytes = max_bytes
        self._clock = clock
        self._lock_timeout = float(lock_timeout)
        self._fsync = fsync
        self._mutex = threading.Lock()
        self._closed = False
        self._reset_process_state()
        self._open_storage(adopt=adopt_on_open)
        _LIVE_SPOOLS.add(self)

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
        ``lock_timeout``, ``fsync``, ``adopt_on_open``.
        """
        return cls(directory, log_group=log_group, log_stream_key=log_stream_key, **options)

    # --- public operations -------------------------------------------------------------------

    def append(self, events: Sequence[tuple[str, int, str]]) -> int:
        """Store ``(stream, timestamp_ms, message)`` events in one transaction; return how many.

        The events not stored were dropped by the overflow policy or a disk failure (counted).
        """
        if not events:
            return 0
        rows = [_stored_row(event) for event in events]
        with self._mutex:
            if self._closed:
                self._count_drop("closed", len(rows))
                return 0
            self._follow_fork()
            self._recreate_if_deleted()
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
            return self._adopt_orphans()

    def depth(self) -> int:
        """Return the number of stored events."""
        return self._depth

    def bytes(self) -> int:
        """Return the PutLogEvents size of the stored events (message bytes + 26 each)."""
        return self._bytes

    def free_bytes(self) -> int:
        """Return how many more event bytes fit before the overflow policy applies."""
        return max(0, self._max_bytes - self._bytes)

    def oldest_timestamp(self) -> int | None:
        """Return the timestamp (ms) of the next event to send, or None when empty."""
        with self._mutex:
            if self._closed or self._depth == 0:
                return None
            self._follow_fork()
            return self._guarded("read", self._oldest_timestamp, None)

    def oldest_age(self) -> float | None:
        """Return how many seconds old (by the clock) the next event to send is, or None."""
        oldest = self.oldest_timestamp()
        return None if oldest is None else max(0.0, self._clock() - oldest / 1000.0)

    @property
    def path(self) -> str | None:
        """The database file in use, or None when the spool fell back to memory."""
        return None if self._files is None else str(self._files.db)

    @property
    def durable(self) -> bool:
        """Whether stored events survive the process (False after falling back to memory)."""
        return self._files is not None

    def stats(self) -> SpoolStats:
        """Return the current depth, size and counters."""
        oldest = self.oldest_timestamp()
        return SpoolStats(
            path=self.path,
            durable=self.durable,
            depth=self._depth,
            bytes=self._bytes,
            oldest_timestamp=oldest,
            appended=self._appended,
            acked=self._acked,
            adopted=self._adopted,
            dropped=MappingProxyType(dict(self._dropped)),
            errors=self._errors,
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
            if self._pid != os.getpid():
                self._forget_parent_resources()
                return
            self._close_storage(delete_if_empty=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.path or "memory"
        return f"<Spool {where} depth={self._depth} bytes={self._bytes}>"

    # --- storage lifecycle ---------------------------------------------------------------------

    def _reset_process_state(self) -> None:
        self._pid = os.getpid()
        self._files: SpoolFiles | None = None
        self._lock_fd: int | None = None
        self._conn: sqlite3.Connection | None = None
        self._held_orphans: dict[SpoolFiles, int] = {}
        self._depth = 0
        self._bytes = 0
        self._last_seq = 0
        self._appended = 0
        self._acked = 0
        self._adopted = 0
        self._dropped: dict[str, int] = {}
        self._errors = 0
        self._last_report: dict[str, float] = {}

    def _open_storage(self, *, adopt: bool = True) -> None:
        try:
            self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._open_own_file()
        except (OSError, sqlite3.Error) as exc:
            self._fall_back_to_memory(f"cannot create a spool file in {self._directory}: {exc}")
            return
        if adopt:
            self._adopt_orphans()

    def _open_own_file(self) -> None:
        files = SpoolFiles.new(self._directory, self._identity)
        fd = try_lock(files.lock, create_new=True)
        if fd is None:
            raise OSError(f"{files.lock} is locked by another process")
        try:
            self._conn = self._connect(files.db)
        except BaseException:
            _unlink_quietly(files.lock)
            release_lock(fd)
            raise
        self._files, self._lock_fd = files, fd

    def _connect(self, db: Path | None) -> sqlite3.Connection:
        target = ":memory:" if db is None else _uri(db, "rwc")
        conn = sqlite3.connect(
            target,
            timeout=self._lock_timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=db is not None,
        )
        try:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {'FULL' if self._fsync else 'NORMAL'}")
            conn.execute("PRAGMA journal_size_limit = 67108864")
            conn.executescript(_SCHEMA)
            meta = {
                "schema": _SCHEMA_VERSION,
                "log_group": self._log_group,
                "log_stream_key": self._log_stream_key,
                "pid": str(os.getpid()),
            }
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            # Seqs continue across a fresh file so a late ack of an old seq deletes nothing.
            conn.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'events'",
                (self._last_seq,),
            )
            conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'events', ? WHERE NOT EXISTS "
                "(SELECT 1 FROM sqlite_sequence WHERE name = 'events')",
                (self._last_seq,),
            )
        except BaseException:
            conn.close()
            raise
        return conn

    def _fall_back_to_memory(self, reason: str) -> None:
        self._close_storage(delete_if_empty=False)
        self._report(
            "memory",
            f"cw_logging spool: {reason}; keeping events in memory instead "
            "(they will not survive this process; check the spool directory's permissions "
            "and free space)",
            always=True,
        )
        self._files = None
        self._conn = self._connect(None)
        self._depth = self._bytes = 0

    def _close_storage(self, *, delete_if_empty: bool) -> None:
        self._drop_connection()
        for files in list(self._held_orphans):
            self._finish_orphan(files, self._held_orphans.pop(files))
        if self._files is not None and self._lock_fd is not None:
            if delete_if_empty and self._depth == 0 and not self._held_orphans:
                try:
                    remove_files(self._files.db)
                    self._files.lock.unlink()
                except OSError:
                    pass
            release_lock(self._lock_fd)
        for fd in self._held_orphans.values():
            release_lock(fd)
        self._held_orphans.clear()
        self._lock_fd = None

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _replace_own_file(self, kind: str, exc: BaseException) -> bool:
        """Move the broken file aside and continue on a fresh one; False if even that failed.

        What can still be read (all of it when the file is merely locked, since WAL readers
        are not blocked by a writer) is carried over with the same seqs.
        """
        files = self._files
        if files is None:
            return False
        fresh = files.db.with_name(f"{files.db.name}.fresh")
        asides: list[Path] = []

        def install(salvaged: bool) -> Path:
            asides.append(move_aside(files.db, kind, time.time()))
            if salvaged:
                os.replace(fresh, files.db)
            return files.db

        outcome = self._carry_over(fresh, install, f"spool file {files.db} is {kind} ({exc})")
        remove_files(fresh)
        if outcome is not None:
            carried, lost = outcome
            result = (
                f"copied its {carried} unsent events to a fresh spool file"
                if not lost
                else f"started a fresh spool file; its {lost} unsent events stay in the old one"
            )
            self._report(
                kind,
                f"cw_logging spool: {files.db} is {kind} ({exc}); moved it to {asides[0]} and "
                f"{result}",
                always=True,
            )
        return True

    def _recreate_if_deleted(self) -> None:
        """Move to a new file, events included, when someone deleted ours (a cleaned tmp dir).

        SQLite would go on writing to the deleted file, and all of it would vanish at exit.
        """
        old = self._files
        if old is None or old.db.exists():
            return
        problem = f"spool file {old.db} was deleted while in use"
        files = SpoolFiles.new(old.directory, old.identity)
        try:
            self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = try_lock(files.lock, create_new=True)
            if fd is None:
                raise OSError(f"{files.lock} is locked by another process")
        except OSError as exc:
            self._count_drop("moved_aside", self._depth)
            self._fall_back_to_memory(f"{problem} and {exc}")
            return

        def install(salvaged: bool) -> Path:
            if self._lock_fd is not None:
                release_lock(self._lock_fd)
            self._files, self._lock_fd = files, fd
            return files.db

        outcome = self._carry_over(files.db, install, problem)
        if outcome is not None:
            carried, lost = outcome
            self._report(
                "deleted",
                f"cw_logging spool: {problem}; continuing in {files.db} with the {carried} "
                "unsent events it held" + (f" ({lost} lost)" if lost else ""),
                always=True,
            )

    def _carry_over(
        self, fresh: Path, install: Callable[[bool], Path], problem: str
    ) -> tuple[int, int] | None:
        """Copy what is readable into ``fresh`` and continue on the file ``install`` returns.

        ``install`` is told whether the copy worked. Returns (events carried, events lost), or
        None when even that failed and the spool fell back to memory.
        """
        salvaged = self._salvage_into(fresh)
        carried, carried_bytes = salvaged or (0, 0)
        lost = max(0, self._depth - carried)
        self._drop_connection()
        try:
            self._conn = self._connect(install(salvaged is not None))
        except (OSError, sqlite3.Error) as exc:
            self._count_drop("moved_aside", self._depth)
            self._fall_back_to_memory(f"{problem} and {exc}")
            return None
        self._depth, self._bytes = carried, carried_bytes
        self._count_drop("moved_aside", lost)
        return carried, lost

    def _salvage_into(self, fresh: Path) -> tuple[int, int] | None:
        """Copy the events and adopted tokens into a new file; return (events, bytes) or None."""
        old = self._conn
        if old is None:
            return None
        copied = size = 0
        try:
            remove_files(fresh)
            new = self._connect(fresh)
            try:
                new.execute("BEGIN IMMEDIATE")
                new.executemany(
                    "INSERT OR IGNORE INTO adopted VALUES (?)",
                    old.execute("SELECT token FROM adopted").fetchall(),
                )
                cursor = old.execute(_SELECT_EVENTS, (0,))
                while rows := cursor.fetchmany(1_000):
                    new.executemany(_INSERT_EVENT_WITH_SEQ, rows)
                    copied += len(rows)
                    size += sum(row[4] for row in rows)
                new.execute("COMMIT")
            finally:
                new.close()
        except (OSError, sqlite3.Error):
            return None
        return copied, size

    # --- fork --------------------------------------------------------------------------------

    def _follow_fork(self) -> None:
        if self._pid == os.getpid():
            return
        self._forget_parent_resources()
        self._reset_process_state()
        self._open_storage()

    def _forget_parent_resources(self) -> None:
        # Closing the parent's SQLite connection here could checkpoint and delete the WAL the
        # parent is still writing, so the child keeps the object alive and never touches it.
        if self._conn is not None:
            _ABANDONED_AFTER_FORK.append(self._conn)
            self._conn = None
        # Closing (not unlocking) a copied descriptor leaves the parent's flock in place.
        for fd in (self._lock_fd, *self._held_orphans.values()):
            if fd is not None:
                release_lock(fd)
        self._lock_fd = None
        self._held_orphans = {}

    # --- operations (called with the mutex held) ---------------------------------------------

    def _guarded(self, what: str, op: Callable[[], _R], fallback: _R, lost: int = 0) -> _R:
        """Run ``op``; on a disk failure recover (fresh file or memory) and run it once more."""
        for attempt in (1, 2):
            try:
                return op()
            except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
                raise  # a bug in the caller or here, not a disk problem
            except (sqlite3.Error, OSError) as exc:
                kind = _failure_kind(exc)
                if attempt == 1 and kind != "full" and self._replace_own_file(kind, exc):
                    continue
                self._errors += 1
                self._count_drop("disk_error", lost)
                self._report(
                    what,
                    f"cw_logging spool: {what} failed on {self.path or 'memory'}: {exc}"
                    + (f"; {lost} events were not stored" if lost else ""),
                )
                return fallback
        return fallback

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.OperationalError("the spool has no open database")
        return self._conn

    def _append_rows(self, rows: list[_Row]) -> int:
        limit = self._max_bytes
        fitting = [row for row in rows if row[3] <= limit]
        too_large = len(rows) - len(fitting)
        incoming = sum(row[3] for row in fitting)
        evict_bytes = 0
        if self._bytes + incoming <= limit:
            kept = fitting
        elif self._overflow is Overflow.DROP_OLDEST:
            start, incoming = _newest_fitting(fitting, limit)
            kept = fitting[start:]
            evict_bytes = self._bytes + incoming - limit
        else:
            end, incoming = _oldest_fitting(fitting, limit - self._bytes)
            kept = fitting[:end]
        with self._transaction() as conn:
            evicted, evicted_bytes = _evict_oldest(conn, evict_bytes)
            conn.executemany(_INSERT_EVENT, kept)
            last_seq = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        self._last_seq = max(self._last_seq, last_seq)
        self._depth += len(kept) - evicted
        self._bytes += incoming - evicted_bytes
        self._appended += len(kept)
        self._count_drop("too_large", too_large)
        dropped_in_batch = len(fitting) - len(kept)
        if self._overflow is Overflow.DROP_OLDEST:
            self._count_drop("overflow_oldest", evicted + dropped_in_batch)
        else:
            self._count_drop("overflow_newest", dropped_in_batch)
        return len(kept)

    def _peek(self, max_events: int, max_bytes: int, after_seq: int) -> list[SpooledEvent]:
        events: list[SpooledEvent] = []
        total = 0
        cursor = self._connection().execute(f"{_SELECT_EVENTS} LIMIT ?", (after_seq, max_events))
        for row in cursor:
            if events and total + row[4] > max_bytes:
                break
            total += row[4]
            events.append(SpooledEvent._make(row))
        cursor.close()
        return events

    def _ack(self, seqs: list[int]) -> int:
        ranges, singles = _contiguous_runs(seqs)
        wheres = [("seq BETWEEN ? AND ?", [first, last]) for first, last in ranges]
        for start in range(0, len(singles), _ACK_CHUNK):
            chunk = singles[start : start + _ACK_CHUNK]
            wheres.append((f"seq IN ({','.join('?' * len(chunk))})", chunk))
        deleted = freed = 0
        with self._transaction() as conn:
            for where, params in wheres:
                count, size = conn.execute(
                    f"SELECT COUNT(*), TOTAL(size) FROM events WHERE {where}", params
                ).fetchone()
                if count:
                    conn.execute(f"DELETE FROM events WHERE {where}", params)
                    deleted += count
                    freed += int(size)
        self._depth -= deleted
        self._bytes -= freed
        self._acked += deleted
        if self._depth == 0 and deleted:
            self._vacuum_if_worthwhile()
        return deleted

    def _vacuum_if_worthwhile(self) -> None:
        conn = self._connection()
        if conn.execute("PRAGMA freelist_count").fetchone()[0] >= _VACUUM_FREE_PAGES:
            conn.executescript("PRAGMA incremental_vacuum;")  # execute() frees one page only

    def _oldest_timestamp(self) -> int | None:
        row = (
            self._connection()
            .execute("SELECT timestamp FROM events ORDER BY seq LIMIT 1")
            .fetchone()
        )
        return None if row is None else int(row[0])

    # --- adoption ----------------------------------------------------------------------------

    def _adopt_orphans(self) -> int:
        own = self._files
        if own is None:
            return 0
        try:
            adoption_fd = wait_lock(
                SpoolFiles.adoption_lock(own.directory, own.identity), self._lock_timeout
            )
        except OSError as exc:
            self._report(
                "adopt", f"cw_logging spool: cannot adopt orphans in {own.directory}: {exc}"
            )
            return 0
        if adoption_fd is None:
            self._report(
                "adopt",
                f"cw_logging spool: another process kept {own.directory} busy for over "
                f"{self._lock_timeout:g} s; orphans there are left to it or to a later attempt",
            )
            return 0
        try:
            return self._guarded("adopt", lambda: self._adopt_under_lock(own), 0)
        finally:
            release_lock(adoption_fd)

    def _adopt_under_lock(self, own: SpoolFiles) -> int:
        pending = dict(self._lock_orphans(own))
        try:
            adopted = self._adopt_locked_orphans(pending)
        finally:
            for fd in pending.values():  # left by a failure: let others adopt them
                release_lock(fd)
        self._forget_deleted_tokens(own)
        if self._bytes > self._max_bytes:
            with self._transaction() as conn:
                evicted, freed = _evict_oldest(conn, self._bytes - self._max_bytes)
            self._depth -= evicted
            self._bytes -= freed
            self._count_drop("overflow_oldest", evicted)
        return adopted

    def _adopt_locked_orphans(self, pending: dict[SpoolFiles, int]) -> int:
        """Copy the orphans in ``pending`` (removing each from it once it is dealt with)."""
        covered = {row[0] for row in self._connection().execute("SELECT token FROM adopted")}
        for files in list(pending):
            try:
                tokens = self._orphan_adopted_tokens(files)
            except (sqlite3.Error, OSError) as exc:
                self._set_orphan_aside(files, pending.pop(files), exc)
                continue
            if tokens is None:
                self._finish_orphan(files, pending.pop(files))
            else:
                covered.update(tokens)
        adopted = 0
        for files in list(pending):
            # An orphan listed in another file's `adopted` table was copied there already; that
            # process died before deleting it.
            if files.token not in covered:
                try:
                    adopted += self._copy_orphan(files)
                except sqlite3.Error as exc:
                    self._set_orphan_aside(files, pending.pop(files), exc)
                    continue
            self._finish_orphan(files, pending.pop(files))
        return adopted

    def _lock_orphans(self, own: SpoolFiles) -> list[tuple[SpoolFiles, int]]:
        orphans = []
        for db in SpoolFiles.candidates(own.directory, own.identity):
            files = SpoolFiles.from_db(db, own.identity)
            if files == own or files in self._held_orphans:
                continue
            try:
                fd = try_lock(files.lock)
            except OSError as exc:
                self._report("adopt", f"cw_logging spool: cannot lock {files.lock}: {exc}")
                continue
            if fd is None:
                continue
            if db.exists():
                orphans.append((files, fd))
            else:  # its owner deleted it meanwhile; our open() may have re-created the lock file
                _unlink_quietly(files.lock)
                release_lock(fd)
        return orphans

    def _orphan_adopted_tokens(self, files: SpoolFiles) -> set[str] | None:
        """Return the tokens the orphan had adopted, or None when it holds no spool at all."""
        if files.db.stat().st_size == 0:
            return None
        with self._attached(files.db) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM orphan.sqlite_master")}
            if "events" not in tables:
                return None
            return {row[0] for row in conn.execute("SELECT token FROM orphan.adopted")}

    def _copy_orphan(self, files: SpoolFiles) -> int:
        with self._attached(files.db), self._transaction() as conn:
            count, size = conn.execute("SELECT COUNT(*), TOTAL(size) FROM orphan.events").fetchone()
            conn.execute(
                "INSERT INTO main.events (stream, timestamp, message, size) "
                "SELECT stream, timestamp, message, size FROM orphan.events ORDER BY seq"
            )
            conn.execute("INSERT OR IGNORE INTO main.adopted VALUES (?)", (files.token,))
            conn.execute("INSERT OR IGNORE INTO main.adopted SELECT token FROM orphan.adopted")
            last_seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'")
            self._last_seq = max(self._last_seq, (last_seq.fetchone() or (0,))[0])
        self._depth += count
        self._bytes += int(size)
        self._adopted += count
        return int(count)

    @contextmanager
    def _attached(self, db: Path) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("ATTACH DATABASE ? AS orphan", (_uri(db, "rw"),))
        try:
            yield conn
        finally:
            with suppress(sqlite3.Error):
                conn.execute("DETACH DATABASE orphan")

    def _finish_orphan(self, files: SpoolFiles, fd: int) -> None:
        try:
            remove_files(files.db)
            files.lock.unlink()
        except OSError as exc:
            # Keep holding its lock: nobody may adopt it again while its events are in ours.
            self._held_orphans[files] = fd
            self._report("adopt", f"cw_logging spool: cannot delete adopted {files.db}: {exc}")
            return
        release_lock(fd)

    def _set_orphan_aside(self, files: SpoolFiles, fd: int, exc: BaseException) -> None:
        kind = _failure_kind(exc)
        if kind in ("locked", "full"):
            release_lock(fd)
            self._report(
                "adopt",
                f"cw_logging spool: left {files.db} for a later adoption, it cannot be read "
                f"now ({exc})",
            )
            return
        try:
            aside = move_aside(files.db, kind, time.time())
            files.lock.unlink()
        except OSError as second:
            self._report("adopt", f"cw_logging spool: {files.db} is {kind} ({exc}): {second}")
            release_lock(fd)
            return
        release_lock(fd)
        self._errors += 1
        self._report(
            kind,
            f"cw_logging spool: {files.db} left by an earlier process is {kind} ({exc}); "
            f"moved it to {aside} and carried on without its events",
            always=True,
        )

    def _forget_deleted_tokens(self, own: SpoolFiles) -> None:
        conn = self._connection()
        gone = [
            (token,)
            for (token,) in conn.execute("SELECT token FROM adopted").fetchall()
            if not SpoolFiles(own.directory, own.identity, token).db.exists()
        ]
        if gone:
            with self._transaction() as tx:
                tx.executemany("DELETE FROM adopted WHERE token = ?", gone)

    # --- bookkeeping -------------------------------------------------------------------------

    def _count_drop(self, reason: str, count: int) -> None:
        if count > 0:
            self._dropped[reason] = self._dropped.get(reason, 0) + count

    def _report(self, kind: str, line: str, *, always: bool = False) -> None:
        """Write one line to stderr (never through logging); a repeated kind once a minute."""
        now = time.monotonic()
        last = self._last_report.get(kind)
        if not always and last is not None and now - last < _ERROR_REPORT_INTERVAL_S:
            return
        self._last_report[kind] = now
        try:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(
            f"spool {name} must be a non-empty string, got {value!r}", code="InvalidSpoolIdentity"
        )


def _stored_row(event: tuple[str, int, str]) -> _Row:
    stream, timestamp, message = event
    try:
        size = len(message.encode("utf-8"))
    except UnicodeEncodeError:
        message = message.encode("utf-8", "replace").decode("utf-8")
        size = len(message.encode("utf-8"))
    if not stream.isascii():
        stream = stream.encode("utf-8", "replace").decode("utf-8")
    return (stream, int(timestamp), message, size + EVENT_OVERHEAD_BYTES)


def _contiguous_runs(seqs: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
    """Split sorted distinct ``seqs`` into (first, last) runs of several and lone values."""
    runs: list[tuple[int, int]] = []
    singles: list[int] = []
    start = 0
    for index in range(1, len(seqs) + 1):
        if index == len(seqs) or seqs[index] != seqs[index - 1] + 1:
            if index - start > 1:
                runs.append((seqs[start], seqs[index - 1]))
            else:
                singles.append(seqs[start])
            start = index
    return runs, singles


def _newest_fitting(rows: list[_Row], limit: int) -> tuple[int, int]:
    """Return where the newest rows fitting in ``limit`` bytes start, and their size."""
    total, start = 0, len(rows)
    while start > 0 and total + rows[start - 1][3] <= limit:
        start -= 1
        total += rows[start][3]
    return start, total


def _oldest_fitting(rows: list[_Row], room: int) -> tuple[int, int]:
    """Return how many of the oldest rows fit in ``room`` bytes, and their size."""
    total, end = 0, 0
    while end < len(rows) and total + rows[end][3] <= room:
        total += rows[end][3]
        end += 1
    return end, total


def _evict_oldest(conn: sqlite3.Connection, need: int) -> tuple[int, int]:
    """Delete the oldest events until ``need`` bytes are freed; return (events, bytes) freed."""
    count = freed = 0
    last = None
    if need <= 0:
        return 0, 0
    for seq, size in conn.execute("SELECT seq, size FROM events ORDER BY seq"):
        count, freed, last = count + 1, freed + size, seq
        if freed >= need:
            break
    if last is not None:
        conn.execute("DELETE FROM events WHERE seq <= ?", (last,))
    return count, freed


def _failure_kind(exc: BaseException) -> str:
    """Classify a disk failure as ``locked``, ``full``, ``corrupt`` or ``failed``."""
    if isinstance(exc, OSError):
        return "full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "failed"
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text or "busy" in text:
        return "locked"
    if primary == _SQLITE_FULL or "full" in text:
        return "full"
    corrupt_words = ("malformed", "not a database", "corrupt")
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or any(w in text for w in corrupt_words):
        return "corrupt"
    return "failed"


def _uri(path: Path, mode: str) -> str:
    return f"file:{pathname2url(str(path.absolute()))}?mode={mode}"


def _unlink_quietly(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


_LIVE_SPOOLS: weakref.WeakSet[Spool] = weakref.WeakSet()
_ABANDONED_AFTER_FORK: list[sqlite3.Connection] = []


def _after_fork_in_child() -> None:
    for spool in list(_LIVE_SPOOLS):
        # A thread of the parent may have held the mutex at fork time; it will never release it.
        spool._mutex = threading.Lock()
        # Let go of the parent's locks now, not at the child's first use of the spool: a child
        # that never logs must not keep the parent's file from being adopted after it dies.
        spool._forget_parent_resources()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
