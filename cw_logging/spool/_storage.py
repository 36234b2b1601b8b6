"""One process's spool storage: its database file (or the in-memory fallback), the ownership
lock that marks it alive, the orphans it holds, and the running totals of what it stores."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from .._resilience import RateLimitedReporter
from ._database import open_database, process_meta, transaction
from ._files import (
    SpoolFiles,
    prepare_directory,
    release_lock,
    remove_files,
    remove_idle_adoption_lock,
    try_lock,
)

__all__ = ["REPORT_INTERVAL_S", "SpoolCounters", "SpoolStorage"]

REPORT_INTERVAL_S = 60.0
"""Least time between two stderr reports of the same kind of spool problem."""

# Connections a forked child inherited: closing one could checkpoint and delete the WAL the
# parent is still writing, so the child keeps them alive and never touches them.
_ABANDONED_AFTER_FORK: list[sqlite3.Connection] = []


@dataclass
class SpoolCounters:
    """What this process did with its spool: events appended, acknowledged, adopted, dropped
    by reason, and disk errors."""

    appended: int = 0
    acked: int = 0
    adopted: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    errors: int = 0

    def drop(self, reason: str, count: int) -> None:
        """Count ``count`` events given up for ``reason``."""
        if count > 0:
            self.dropped[reason] = self.dropped.get(reason, 0) + count


class SpoolStorage:
    """The file this process writes, and its depth, size and last seq (callers hold a lock)."""

    def __init__(
        self,
        directory: Path,
        identity: str,
        *,
        log_group: str,
        log_stream_key: str,
        lock_timeout: float,
        fsync: bool,
        reporter: RateLimitedReporter,
    ) -> None:
        self.directory = directory
        self.identity = identity
        self.log_group = log_group
        self.log_stream_key = log_stream_key
        self.lock_timeout = lock_timeout
        self.fsync = fsync
        self.reporter = reporter
        self.reset()

    def reset(self) -> None:
        """Forget every file, total and counter (a new process's state)."""
        self.pid = os.getpid()
        self.files: SpoolFiles | None = None
        self.lock_fd: int | None = None
        self.conn: sqlite3.Connection | None = None
        self.held_orphans: dict[SpoolFiles, int] = {}
        self.depth = 0
        self.bytes = 0
        self.last_seq = 0
        self.counters = SpoolCounters()

    # -- files ---------------------------------------------------------------------------------

    def open_own_file(self) -> None:
        """Create and lock a spool file of this process's own; raise OSError/sqlite3.Error
        (UnsafeDirectory when the directory is not this user's alone)."""
        prepare_directory(self.directory)
        files = SpoolFiles.new(self.directory, self.identity)
        fd = try_lock(files.lock, create_new=True)
        if fd is None:
            raise OSError(f"{files.lock} is locked by another process")
        try:
            self.conn = self.connect(files.db)
        except BaseException:
            unlink_quietly(files.lock)
            release_lock(fd)
            raise
        self.files, self.lock_fd = files, fd

    def connect(self, db: Path | None) -> sqlite3.Connection:
        """Open ``db`` (memory when None) with this storage's settings and seqs."""
        return open_database(
            db,
            lock_timeout=self.lock_timeout,
            fsync=self.fsync,
            meta=process_meta(self.log_group, self.log_stream_key),
            last_seq=self.last_seq,
        )

    def fall_back_to_memory(self, reason: str) -> None:
        """Keep events in memory from now on (they will not survive the process), and say so."""
        self.close(delete_if_empty=False)
        self.report(
            "memory",
            f"{reason}; keeping events in memory instead (they will not survive this process; "
            "check the spool directory's permissions and free space)",
            force=True,
        )
        self.files = None
        self.conn = self.connect(None)
        self.depth = self.bytes = 0

    def close(self, *, delete_if_empty: bool) -> None:
        """Close the database and let go of every lock; delete the file when asked and empty."""
        self.drop_connection()
        for files in list(self.held_orphans):
            self.finish_orphan(files, self.held_orphans.pop(files))
        removed = False
        if self.files is not None and self.lock_fd is not None:
            if delete_if_empty and self.depth == 0 and not self.held_orphans:
                with suppress(OSError):
                    remove_files(self.files.db)
                    self.files.lock.unlink()
                    removed = True
            release_lock(self.lock_fd)
        if removed:
            remove_idle_adoption_lock(self.directory, self.identity)
        for fd in self.held_orphans.values():
            release_lock(fd)
        self.held_orphans.clear()
        self.lock_fd = None

    def drop_connection(self) -> None:
        """Close the connection, if any, ignoring errors."""
        if self.conn is not None:
            with suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None

    def finish_orphan(self, files: SpoolFiles, fd: int) -> None:
        """Delete an adopted orphan's files and release its lock (keep the lock if it stays)."""
        try:
            remove_files(files.db)
            files.lock.unlink()
        except OSError as exc:
            # Keep holding its lock: nobody may adopt it again while its events are in ours.
            self.held_orphans[files] = fd
            self.report("adopt", f"cannot delete adopted {files.db}: {exc}")
            return
        release_lock(fd)

    def forget_parent_resources(self) -> None:
        """In a forked child: let go of the parent's connection and locks without touching them."""
        if self.conn is not None:
            _ABANDONED_AFTER_FORK.append(self.conn)
            self.conn = None
        # Closing (not unlocking) a copied descriptor leaves the parent's flock in place.
        for fd in (self.lock_fd, *self.held_orphans.values()):
            if fd is not None:
                release_lock(fd)
        self.lock_fd = None
        self.held_orphans = {}

    # -- the database --------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """The open database; raises sqlite3.OperationalError when there is none."""
        if self.conn is None:
            raise sqlite3.OperationalError("the spool has no open database")
        return self.conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the open database."""
        with transaction(self.connection()) as conn:
            yield conn

    @property
    def path(self) -> str | None:
        """The database file in use, or None in memory."""
        return None if self.files is None else str(self.files.db)

    def report(self, kind: str, message: str, *, force: bool = False) -> None:
        """Report a spool problem on stderr (a repeated ``kind`` once a minute unless forced)."""
        self.reporter.report(f"spool:{kind}", f"spool: {message}", force=force)


def unlink_quietly(path: Path) -> None:
    """Delete ``path`` if it exists; ignore failures."""
    with suppress(OSError):
        path.unlink()
