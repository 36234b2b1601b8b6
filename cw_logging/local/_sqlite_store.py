"""SQLite persistence for the local engine's store (stdlib ``sqlite3``, WAL).

Every row carries the account and region it belongs to. A file written before regions existed
(schema version 0) is migrated on open: its data moves to the engine's default account and
region.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._model import LogGroup, LogStream

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS log_groups (
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
    creation_time INTEGER NOT NULL, retention_days INTEGER, kms_key_id TEXT,
    log_group_class TEXT NOT NULL, deletion_protection INTEGER NOT NULL, tags TEXT NOT NULL,
    index_policy TEXT, PRIMARY KEY (account, region, name)
);
CREATE TABLE IF NOT EXISTS log_streams (
    account TEXT NOT NULL, region TEXT NOT NULL, log_group TEXT NOT NULL, name TEXT NOT NULL,
    creation_time INTEGER NOT NULL, PRIMARY KEY (account, region, log_group, name)
);
CREATE TABLE IF NOT EXISTS log_events (
    seq INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
    log_group TEXT NOT NULL, log_stream TEXT NOT NULL, timestamp INTEGER NOT NULL,
    message TEXT NOT NULL, ingestion_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_by_stream
    ON log_events (account, region, log_group, log_stream);
"""
_STATEMENTS = [statement.strip() for statement in _SCHEMA.split(";") if statement.strip()]
_TABLES = ("log_events", "log_streams", "log_groups")

Place = tuple[str, str]
"""``(account id, region)``."""


@dataclass(frozen=True)
class StoredRun:
    """Events of one stream stored one after the other, in time order (for loading)."""

    place: Place
    group: str
    stream: str
    timestamps: list[int]
    seqs: list[int]
    messages: list[str]
    ingestion: list[int]


class SqlitePersistence:
    """Writes every change of the store to one SQLite file and loads it back at start."""

    def __init__(self, path: str | Path, default_place: Place) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION and self._has_table("log_groups"):
            self._migrate_from_v0(default_place)
        for statement in _STATEMENTS:
            self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _has_table(self, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self._db.execute(query, (name,)).fetchone() is not None

    def _migrate_from_v0(self, place: Place) -> None:
        with self._db:
            self._db.execute("BEGIN")
            for table in _TABLES:
                self._db.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
            self._db.execute("DROP INDEX IF EXISTS log_events_by_stream")
            for statement in _STATEMENTS:
                self._db.execute(statement)
            self._db.execute("INSERT INTO log_groups SELECT ?, ?, * FROM old_log_groups", place)
            self._db.execute("INSERT INTO log_streams SELECT ?, ?, * FROM old_log_streams", place)
            self._db.execute(
                "INSERT INTO log_events SELECT seq, ?, ?, log_group, log_stream, timestamp, "
                "message, ingestion_time FROM old_log_events",
                place,
            )
            for table in _TABLES:
                self._db.execute(f"DROP TABLE old_{table}")

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def load_groups(self) -> Iterator[tuple[Place, LogGroup]]:
        """Every stored group with its streams (without events)."""
        groups: dict[tuple[str, str, str], LogGroup] = {}
        for row in self._db.execute("SELECT * FROM log_groups"):
            account, region, name, created, retention, kms, klass, protected, tags, policy = row
            group = LogGroup(
                name, created, retention, kms, klass, bool(protected), json.loads(tags), policy
            )
            groups[(account, region, name)] = group
        for account, region, group_name, name, created in self._db.execute(
            "SELECT * FROM log_streams"
        ):
            groups[(account, region, group_name)].streams[name] = LogStream(name, created)
        for (account, region, _), group in groups.items():
            yield (account, region), group

    def load_events(self) -> Iterator[StoredRun]:
        """Every stored event in arrival order, cut into runs of one stream in time order."""
        rows = self._db.execute("SELECT * FROM log_events ORDER BY seq")
        run: StoredRun | None = None
        for seq, account, region, group, stream, timestamp, message, ingested in rows:
            same_place = run is not None and (run.place, run.group, run.stream) == (
                (account, region),
                group,
                stream,
            )
            if run is None or not same_place or timestamp < run.timestamps[-1]:
                if run is not None:
                    yield run
                run = StoredRun((account, region), group, stream, [], [], [], [])
            run.timestamps.append(timestamp)
            run.seqs.append(seq)
            run.messages.append(message)
            run.ingestion.append(ingested)
        if run is not None:
            yield run

    def last_seq(self) -> int:
        """The highest event sequence stored (0 when none)."""
        return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM log_events").fetchone()[0])

    def clear(self) -> None:
        """Delete everything."""
        with self._db:
            self._db.execute("BEGIN")
            for table in _TABLES:
                self._db.execute(f"DELETE FROM {table}")

    def save_group(self, place: Place, group: LogGroup) -> None:
        """Insert or update a group's settings."""
        self._db.execute(
            "INSERT OR REPLACE INTO log_groups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                *place,
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

    def delete_group(self, place: Place, name: str) -> None:
        """Delete a group, its streams and events."""
        key = (*place, name)
        with self._db:
            self._db.execute("BEGIN")
            where = "account = ? AND region = ? AND log_group = ?"
            self._db.execute(f"DELETE FROM log_events WHERE {where}", key)
            self._db.execute(f"DELETE FROM log_streams WHERE {where}", key)
            self._db.execute(
                "DELETE FROM log_groups WHERE account = ? AND region = ? AND name = ?", key
            )

    def add_stream(self, place: Place, group: str, stream: LogStream) -> None:
        """Insert a stream."""
        self._db.execute(
            "INSERT INTO log_streams VALUES (?, ?, ?, ?, ?)",
            (*place, group, stream.name, stream.creation_time),
        )

    def delete_stream(self, place: Place, group: str, name: str) -> None:
        """Delete a stream and its events."""
        key = (*place, group, name)
        where = "account = ? AND region = ? AND log_group = ?"
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(f"DELETE FROM log_events WHERE {where} AND log_stream = ?", key)
            self._db.execute(f"DELETE FROM log_streams WHERE {where} AND name = ?", key)

    def add_events(
        self,
        place: Place,
        group: str,
        stream: str,
        rows: Sequence[tuple[int, int, str, int]],
    ) -> None:
        """Insert ``(seq, timestamp, message, ingestion_time)`` rows in one transaction."""
        account, region = place
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO log_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(seq, account, region, group, stream, ts, m, i) for seq, ts, m, i in rows],
            )
