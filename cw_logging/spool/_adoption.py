"""Adoption: moving the events of spool files whose processes died into this process's file.

A file whose ownership lock can be taken belongs to a dead process (an orphan); only regular
files of this user that carry the spool's SQLite header are adopted (another user's file, a
link, or any other SQLite file is left alone and reported). Adoption runs
under a directory-wide lock per handler identity, so each orphan is adopted by exactly one
process, also when several start at once; a file listed in another file's ``adopted`` table was
copied there already by a process that died before deleting it, and is not copied twice.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ._database import evict_oldest, failure_kind, uri
from ._files import (
    SpoolFiles,
    foreign_file_problem,
    has_spool_header,
    move_aside,
    release_lock,
    try_lock,
    wait_lock,
)
from ._recovery import guarded
from ._storage import SpoolStorage, unlink_quietly

__all__ = ["NotASpoolFile", "adopt_orphans"]


class NotASpoolFile(sqlite3.DatabaseError):
    """A file named like a spool file that does not carry the spool's SQLite header."""

    def __init__(self, db: Path) -> None:
        super().__init__(f"{db.name} is not a database written by cw_logging (no spool header)")


def adopt_orphans(storage: SpoolStorage, max_bytes: int) -> int:
    """Copy the events of the dead processes' files into ``storage``; return how many.

    Keeps the storage within ``max_bytes`` afterwards by evicting its oldest events (counted).
    """
    own = storage.files
    if own is None:
        return 0
    try:
        adoption_fd = wait_lock(
            SpoolFiles.adoption_lock(own.directory, own.identity), storage.lock_timeout
        )
    except OSError as exc:
        storage.report("adopt", f"cannot adopt orphans in {own.directory}: {exc}")
        return 0
    if adoption_fd is None:
        storage.report(
            "adopt",
            f"another process kept {own.directory} busy for over {storage.lock_timeout:g} s; "
            "orphans there are left to it or to a later attempt",
        )
        return 0
    try:
        return guarded(storage, "adopt", lambda: _adopt_under_lock(storage, own, max_bytes), 0)
    finally:
        release_lock(adoption_fd)


def _adopt_under_lock(storage: SpoolStorage, own: SpoolFiles, max_bytes: int) -> int:
    pending = dict(_lock_orphans(storage, own))
    try:
        adopted = _adopt_locked_orphans(storage, pending)
    finally:
        for fd in pending.values():  # left by a failure: let others adopt them
            release_lock(fd)
    _forget_deleted_tokens(storage, own)
    if storage.bytes > max_bytes:
        with storage.transaction() as conn:
            evicted, freed = evict_oldest(conn, storage.bytes - max_bytes)
        storage.depth -= evicted
        storage.bytes -= freed
        storage.counters.drop("overflow_oldest", evicted)
    return adopted


def _adopt_locked_orphans(storage: SpoolStorage, pending: dict[SpoolFiles, int]) -> int:
    """Copy the orphans in ``pending`` (removing each from it once it is dealt with)."""
    rows = storage.connection().execute("SELECT token FROM adopted")
    covered = {row[0] for row in rows}
    for files in list(pending):
        if not has_spool_header(files.db):  # another program's SQLite file, or a corrupt one
            _set_orphan_aside(storage, files, pending.pop(files), NotASpoolFile(files.db))
            continue
        try:
            tokens = _orphan_adopted_tokens(storage, files)
        except (sqlite3.Error, OSError) as exc:
            _set_orphan_aside(storage, files, pending.pop(files), exc)
            continue
        if tokens is None:
            storage.finish_orphan(files, pending.pop(files))
        else:
            covered.update(tokens)
    adopted = 0
    for files in list(pending):
        if files.token not in covered:
            try:
                adopted += _copy_orphan(storage, files)
            except sqlite3.Error as exc:
                _set_orphan_aside(storage, files, pending.pop(files), exc)
                continue
        storage.finish_orphan(files, pending.pop(files))
    return adopted


def _lock_orphans(storage: SpoolStorage, own: SpoolFiles) -> list[tuple[SpoolFiles, int]]:
    orphans = []
    for db in SpoolFiles.candidates(own.directory, own.identity):
        files = SpoolFiles.from_db(db, own.identity)
        if files == own or files in storage.held_orphans:
            continue
        refused = foreign_file_problem(db)
        if refused is not None:  # planted by someone else, or a link: never opened
            storage.report("foreign", f"did not adopt {db}: it {refused}")
            continue
        try:
            fd = try_lock(files.lock)
        except OSError as exc:
            storage.report("adopt", f"cannot lock {files.lock}: {exc}")
            continue
        if fd is None:
            continue
        if db.exists():
            orphans.append((files, fd))
        else:  # its owner deleted it meanwhile; our open() may have re-created the lock file
            unlink_quietly(files.lock)
            release_lock(fd)
    return orphans


def _orphan_adopted_tokens(storage: SpoolStorage, files: SpoolFiles) -> set[str] | None:
    """Return the tokens the orphan had adopted, or None when it holds no spool at all."""
    if files.db.stat().st_size == 0:
        return None
    with _attached(storage, files.db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM orphan.sqlite_master")}
        if "events" not in tables:
            return None
        return {row[0] for row in conn.execute("SELECT token FROM orphan.adopted")}


def _copy_orphan(storage: SpoolStorage, files: SpoolFiles) -> int:
    with _attached(storage, files.db), storage.transaction() as conn:
        count, size = conn.execute("SELECT COUNT(*), TOTAL(size) FROM orphan.events").fetchone()
        conn.execute(
            "INSERT INTO main.events (stream, timestamp, message, size) "
            "SELECT stream, timestamp, message, size FROM orphan.events ORDER BY seq"
        )
        conn.execute("INSERT OR IGNORE INTO main.adopted VALUES (?)", (files.token,))
        conn.execute("INSERT OR IGNORE INTO main.adopted SELECT token FROM orphan.adopted")
        last_seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'")
        storage.last_seq = max(storage.last_seq, (last_seq.fetchone() or (0,))[0])
    storage.depth += count
    storage.bytes += int(size)
    storage.counters.adopted += count
    return int(count)


@contextmanager
def _attached(storage: SpoolStorage, db: Path) -> Iterator[sqlite3.Connection]:
    conn = storage.connection()
    conn.execute("ATTACH DATABASE ? AS orphan", (uri(db, "rw"),))
    try:
        yield conn
    finally:
        with suppress(sqlite3.Error):
            conn.execute("DETACH DATABASE orphan")


def _set_orphan_aside(
    storage: SpoolStorage, files: SpoolFiles, fd: int, exc: BaseException
) -> None:
    kind = failure_kind(exc)
    if kind in ("locked", "full"):
        release_lock(fd)
        storage.report(
            "adopt", f"left {files.db} for a later adoption, it cannot be read now ({exc})"
        )
        return
    try:
        aside = move_aside(files.db, kind, time.time())
        files.lock.unlink()
    except OSError as second:
        storage.report("adopt", f"{files.db} is {kind} ({exc}): {second}")
        release_lock(fd)
        return
    release_lock(fd)
    storage.counters.errors += 1
    storage.report(
        kind,
        f"{files.db} left by an earlier process is {kind} ({exc}); moved it to {aside} and "
        "carried on without its events",
        force=True,
    )


def _forget_deleted_tokens(storage: SpoolStorage, own: SpoolFiles) -> None:
    conn = storage.connection()
    gone = [
        (token,)
        for (token,) in conn.execute("SELECT token FROM adopted").fetchall()
        if not SpoolFiles(own.directory, own.identity, token).db.exists()
    ]
    if gone:
        with storage.transaction() as tx:
            tx.executemany("DELETE FROM adopted WHERE token = ?", gone)
