"""The spool's SQLite database: schema, connection settings and the statements on events.

Functions here work on a connection and know nothing of files, locks or recovery.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NamedTuple
from urllib.request import pathname2url

from .._limits import EVENT_OVERHEAD_BYTES
from ._files import SPOOL_APPLICATION_ID, create_private_file

__all__ = [
    "SCHEMA_VERSION",
    "Row",
    "SpooledEvent",
    "contiguous_runs",
    "copy_database",
    "delete_seqs",
    "evict_oldest",
    "failure_kind",
    "insert_rows",
    "newest_fitting",
    "oldest_fitting",
    "oldest_timestamp",
    "open_database",
    "process_meta",
    "select_oldest",
    "stored_row",
    "transaction",
    "uri",
    "vacuum_if_worthwhile",
]

SCHEMA_VERSION = "1"
"""Version of the tables below, stored in ``meta``."""

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
_SELECT_EVENTS = (
    "SELECT seq, stream, timestamp, message, size FROM events WHERE seq > ? ORDER BY seq"
)
_INSERT_EVENT = "INSERT INTO events (stream, timestamp, message, size) VALUES (?, ?, ?, ?)"
_INSERT_EVENT_WITH_SEQ = (
    "INSERT INTO events (seq, stream, timestamp, message, size) VALUES (?, ?, ?, ?, ?)"
)
_ACK_CHUNK = 500
_VACUUM_FREE_PAGES = 1024
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 5, 6, 11, 13, 26

Row = tuple[str, int, str, int]
"""An event as stored: stream, timestamp (ms), message, PutLogEvents size."""


class SpooledEvent(NamedTuple):
    """One stored event: ``seq`` orders and identifies it; ``size`` is its PutLogEvents cost."""

    seq: int
    stream: str
    timestamp: int
    message: str
    size: int


def uri(path: Path, mode: str) -> str:
    """Return the SQLite URI of ``path`` opened in ``mode`` (``rw``, ``rwc``)."""
    return f"file:{pathname2url(str(path.absolute()))}?mode={mode}"


def open_database(
    db: Path | None,
    *,
    lock_timeout: float,
    fsync: bool,
    meta: Mapping[str, str],
    last_seq: int,
) -> sqlite3.Connection:
    """Open (creating) the spool database ``db`` (in memory when None) in WAL mode.

    A new file is created mode 0600 (its ``-wal`` and ``-shm`` get the same) and marked with
    the spool's ``application_id`` before any other write, so the mark is in the file itself,
    not only in its write-ahead log. ``meta`` is written to the ``meta`` table; seqs continue
    above ``last_seq`` so that a late acknowledgement of an old seq never deletes a new event.
    """
    if db is not None:
        create_private_file(db)
    target = ":memory:" if db is None else uri(db, "rw")
    conn = sqlite3.connect(
        target,
        timeout=lock_timeout,
        isolation_level=None,
        check_same_thread=False,
        uri=db is not None,
    )
    try:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute(f"PRAGMA application_id = {SPOOL_APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {'FULL' if fsync else 'NORMAL'}")
        conn.execute("PRAGMA journal_size_limit = 67108864")
        conn.executescript(_SCHEMA)
        rows = {"schema": SCHEMA_VERSION, **meta}
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows.items())
        conn.execute(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'events'", (last_seq,)
        )
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'events', ? WHERE NOT EXISTS "
            "(SELECT 1 FROM sqlite_sequence WHERE name = 'events')",
            (last_seq,),
        )
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one write transaction; roll back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def insert_rows(
    conn: sqlite3.Connection, rows: list[Row], evict_bytes: int
) -> tuple[int, int, int]:
    """Evict the oldest events worth ``evict_bytes``, then insert ``rows``, in one transaction.

    Returns (events evicted, bytes evicted, the last seq now in use).
    """
    with transaction(conn):
        evicted, evicted_bytes = evict_oldest(conn, evict_bytes)
        conn.executemany(_INSERT_EVENT, rows)
        last_seq = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    return evicted, evicted_bytes, int(last_seq)


def select_oldest(
    conn: sqlite3.Connection, max_events: int, max_bytes: int, after_seq: int
) -> list[SpooledEvent]:
    """Return the oldest events above ``after_seq`` within the count and byte limits (at least
    one event, however large, when there is one)."""
    events: list[SpooledEvent] = []
    total = 0
    cursor = conn.execute(f"{_SELECT_EVENTS} LIMIT ?", (after_seq, max_events))
    for row in cursor:
        if events and total + row[4] > max_bytes:
            break
        total += row[4]
        events.append(SpooledEvent._make(row))
    cursor.close()
    return events


def delete_seqs(conn: sqlite3.Connection, seqs: list[int]) -> tuple[int, int]:
    """Delete the events with these sorted distinct ``seqs``; return (events, bytes) deleted."""
    ranges, singles = contiguous_runs(seqs)
    wheres = [("seq BETWEEN ? AND ?", [first, last]) for first, last in ranges]
    for start in range(0, len(singles), _ACK_CHUNK):
        chunk = singles[start : start + _ACK_CHUNK]
        wheres.append((f"seq IN ({','.join('?' * len(chunk))})", chunk))
    deleted = freed = 0
    with transaction(conn):
        for where, params in wheres:
            count, size = conn.execute(
                f"SELECT COUNT(*), TOTAL(size) FROM events WHERE {where}", params
            ).fetchone()
            if count:
                conn.execute(f"DELETE FROM events WHERE {where}", params)
                deleted += count
                freed += int(size)
    return deleted, freed


def vacuum_if_worthwhile(conn: sqlite3.Connection) -> None:
    """Give free pages back to the file system once there are many of them."""
    if conn.execute("PRAGMA freelist_count").fetchone()[0] >= _VACUUM_FREE_PAGES:
        conn.executescript("PRAGMA incremental_vacuum;")  # execute() frees one page only


def oldest_timestamp(conn: sqlite3.Connection) -> int | None:
    """Return the timestamp (ms) of the next event to send, or None when there is none."""
    row = conn.execute("SELECT timestamp FROM events ORDER BY seq LIMIT 1").fetchone()
    return None if row is None else int(row[0])


def evict_oldest(conn: sqlite3.Connection, need: int) -> tuple[int, int]:
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


def copy_database(source: sqlite3.Connection, target: sqlite3.Connection) -> tuple[int, int]:
    """Copy the events (same seqs) and adopted tokens of ``source`` into ``target`` in one
    transaction; return (events, bytes) copied."""
    copied = size = 0
    target.execute("BEGIN IMMEDIATE")
    target.executemany(
        "INSERT OR IGNORE INTO adopted VALUES (?)",
        source.execute("SELECT token FROM adopted").fetchall(),
    )
    cursor = source.execute(_SELECT_EVENTS, (0,))
    while rows := cursor.fetchmany(1_000):
        target.executemany(_INSERT_EVENT_WITH_SEQ, rows)
        copied += len(rows)
        size += sum(row[4] for row in rows)
    target.execute("COMMIT")
    return copied, size


def stored_row(event: tuple[str, int, str]) -> Row:
    """Return ``(stream, timestamp, message)`` as a storable row (text made valid, size added)."""
    stream, timestamp, message = event
    try:
        size = len(message.encode("utf-8"))
    except UnicodeEncodeError:
        message = message.encode("utf-8", "replace").decode("utf-8")
        size = len(message.encode("utf-8"))
    if not stream.isascii():
        stream = stream.encode("utf-8", "replace").decode("utf-8")
    return (stream, int(timestamp), message, size + EVENT_OVERHEAD_BYTES)


def contiguous_runs(seqs: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
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


def newest_fitting(rows: list[Row], limit: int) -> tuple[int, int]:
    """Return where the newest rows fitting in ``limit`` bytes start, and their size."""
    total, start = 0, len(rows)
    while start > 0 and total + rows[start - 1][3] <= limit:
        start -= 1
        total += rows[start][3]
    return start, total


def oldest_fitting(rows: list[Row], room: int) -> tuple[int, int]:
    """Return how many of the oldest rows fit in ``room`` bytes, and their size."""
    total, end = 0, 0
    while end < len(rows) and total + rows[end][3] <= room:
        total += rows[end][3]
        end += 1
    return end, total


def failure_kind(exc: BaseException) -> str:
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


def process_meta(log_group: str, log_stream_key: str) -> dict[str, str]:
    """The ``meta`` rows of a spool file opened by this process."""
    return {"log_group": log_group, "log_stream_key": log_stream_key, "pid": str(os.getpid())}
