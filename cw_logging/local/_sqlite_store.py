"""SQLite persistence for the local engine's store (stdlib ``sqlite3``, WAL)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ._model import LogGroup, LogStream, StoredEvent

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log_groups (
    name TEXT PRIMARY KEY, creation_time INTEGER NOT NULL, retention_days INTEGER,
    kms_key_id TEXT, log_group_class TEXT NOT NULL, deletion_protection INTEGER NOT NULL,
    tags TEXT NOT NULL, index_policy TEXT
);
CREATE TABLE IF NOT EXISTS log_streams (
    log_group TEXT NOT NULL, name TEXT NOT NULL, creation_time INTEGER NOT NULL,
    PRIMARY KEY (log_group, name)
);
CREATE TABLE IF NOT EXISTS log_events (
    seq INTEGER PRIMARY KEY, log_group TEXT NOT NULL, log_stream TEXT NOT NULL,
    timestamp INTEGER NOT NULL, message TEXT NOT NULL, ingestion_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events (log_group, log_stream);
"""


class SqlitePersistence:
    """Writes every change of the store to one SQLite file and loads it back at start."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def load(self) -> tuple[dict[str, LogGroup], int]:
        """Return the stored groups (with streams and events) and the highest event sequence."""
        groups: dict[str, LogGroup] = {}
        for row in self._db.execute("SELECT * FROM log_groups"):
            name, created, retention, kms, klass, protected, tags, policy = row
            groups[name] = LogGroup(
                name, created, retention, kms, klass, bool(protected), json.loads(tags), policy
            )
        for group_name, name, created in self._db.execute("SELECT * FROM log_streams"):
            groups[group_name].streams[name] = LogStream(name, created)
        last_seq = 0
        rows = self._db.execute("SELECT * FROM log_events ORDER BY timestamp, seq")
        for seq, group_name, stream_name, timestamp, message, ingested in rows:
            stream = groups[group_name].streams[stream_name]
            stream.add(StoredEvent(timestamp, seq, message, ingested))
            last_seq = max(last_seq, seq)
        return groups, last_seq

    def clear(self) -> None:
        """Delete everything."""
        with self._db:
            self._db.execute("BEGIN")
            for table in ("log_events", "log_streams", "log_groups"):
                self._db.execute(f"DELETE FROM {table}")

    def save_group(self, group: LogGroup) -> None:
        """Insert or update a group's settings."""
        self._db.execute(
            "INSERT OR REPLACE INTO log_groups VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                group.name,
                group.creation_time,
                group.retention_days,
                group.kms_key_id,
                group.log_group_class,
                int(group.deletion_protection),
                json.dumps(group.tags),
                group.index_policy,
            ),
        )

    def delete_group(self, name: str) -> None:
        """Delete a group, its streams and events."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM log_events WHERE log_group = ?", (name,))
            self._db.execute("DELETE FROM log_streams WHERE log_group = ?", (name,))
            self._db.execute("DELETE FROM log_groups WHERE name = ?", (name,))

    def add_stream(self, group: str, stream: LogStream) -> None:
        """Insert a stream."""
        self._db.execute(
            "INSERT INTO log_streams VALUES (?, ?, ?)", (group, stream.name, stream.creation_time)
        )

    def delete_stream(self, group: str, name: str) -> None:
        """Delete a stream and its events."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "DELETE FROM log_events WHERE log_group = ? AND log_stream = ?", (group, name)
            )
            self._db.execute(
                "DELETE FROM log_streams WHERE log_group = ? AND name = ?", (group, name)
            )

    def add_events(self, group: str, stream: str, events: list[StoredEvent]) -> None:
        """Insert events in one transaction."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO log_events VALUES (?, ?, ?, ?, ?, ?)",
                [(e.seq, group, stream, e.timestamp, e.message, e.ingestion_time) for e in events],
            )
