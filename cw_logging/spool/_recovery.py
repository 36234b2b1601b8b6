"""What the spool does when its disk fails: retry on a fresh file carrying over what can still be
read, move a broken file aside, follow a file deleted under it, or fall back to memory."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ._database import copy_database, failure_kind
from ._files import (
    SpoolFiles,
    move_aside,
    prepare_directory,
    release_lock,
    remove_files,
    try_lock,
)
from ._storage import SpoolStorage

__all__ = ["guarded", "recreate_if_deleted"]

_R = TypeVar("_R")


def guarded(
    storage: SpoolStorage, what: str, op: Callable[[], _R], fallback: _R, lost: int = 0
) -> _R:
    """Run ``op``; on a disk failure recover (fresh file or memory) and run it once more.

    Returns ``fallback`` when it fails again: the failure is reported and counted, ``lost``
    events as ``disk_error``.
    """
    for attempt in (1, 2):
        try:
            return op()
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a bug in the caller or here, not a disk problem
        except (sqlite3.Error, OSError) as exc:
            kind = failure_kind(exc)
            if attempt == 1 and kind != "full" and _replace_own_file(storage, kind, exc):
                continue
            storage.counters.errors += 1
            storage.counters.drop("disk_error", lost)
            storage.report(
                what,
                f"{what} failed on {storage.path or 'memory'}: {exc}"
                + (f"; {lost} events were not stored" if lost else ""),
            )
            return fallback
    return fallback


def _replace_own_file(storage: SpoolStorage, kind: str, exc: BaseException) -> bool:
    """Move the broken file aside and continue on a fresh one; False if there is no file.

    What can still be read (all of it when the file is merely locked, since WAL readers are not
    blocked by a writer) is carried over with the same seqs.
    """
    files = storage.files
    if files is None:
        return False
    fresh = files.db.with_name(f"{files.db.name}.fresh")
    asides: list[Path] = []

    def install(salvaged: bool) -> Path:
        asides.append(move_aside(files.db, kind, time.time()))
        if salvaged:
            os.replace(fresh, files.db)
        return files.db

    outcome = _carry_over(storage, fresh, install, f"spool file {files.db} is {kind} ({exc})")
    remove_files(fresh)
    if outcome is not None:
        carried, lost = outcome
        result = (
            f"copied its {carried} unsent events to a fresh spool file"
            if not lost
            else f"started a fresh spool file; its {lost} unsent events stay in the old one"
        )
        storage.report(
            kind, f"{files.db} is {kind} ({exc}); moved it to {asides[0]} and {result}", force=True
        )
    return True


def recreate_if_deleted(storage: SpoolStorage) -> None:
    """Move to a new file, events included, when someone deleted ours (a cleaned tmp dir).

    SQLite would go on writing to the deleted file, and all of it would vanish at exit.
    """
    old = storage.files
    if old is None or old.db.exists():
        return
    problem = f"spool file {old.db} was deleted while in use"
    files = SpoolFiles.new(old.directory, old.identity)
    try:
        prepare_directory(storage.directory)
        fd = try_lock(files.lock, create_new=True)
        if fd is None:
            raise OSError(f"{files.lock} is locked by another process")
    except OSError as exc:
        storage.counters.drop("moved_aside", storage.depth)
        storage.fall_back_to_memory(f"{problem} and {exc}")
        return

    def install(salvaged: bool) -> Path:
        if storage.lock_fd is not None:
            release_lock(storage.lock_fd)
        storage.files, storage.lock_fd = files, fd
        return files.db

    outcome = _carry_over(storage, files.db, install, problem)
    if outcome is not None:
        carried, lost = outcome
        storage.report(
            "deleted",
            f"{problem}; continuing in {files.db} with the {carried} unsent events it held"
            + (f" ({lost} lost)" if lost else ""),
            force=True,
        )


def _carry_over(
    storage: SpoolStorage, fresh: Path, install: Callable[[bool], Path], problem: str
) -> tuple[int, int] | None:
    """Copy what is readable into ``fresh`` and continue on the file ``install`` returns.

    ``install`` is told whether the copy worked. Returns (events carried, events lost), or None
    when even that failed and the spool fell back to memory.
    """
    salvaged = _salvage_into(storage, fresh)
    carried, carried_bytes = salvaged or (0, 0)
    lost = max(0, storage.depth - carried)
    storage.drop_connection()
    try:
        storage.conn = storage.connect(install(salvaged is not None))
    except (OSError, sqlite3.Error) as exc:
        storage.counters.drop("moved_aside", storage.depth)
        storage.fall_back_to_memory(f"{problem} and {exc}")
        return None
    storage.depth, storage.bytes = carried, carried_bytes
    storage.counters.drop("moved_aside", lost)
    return carried, lost


def _salvage_into(storage: SpoolStorage, fresh: Path) -> tuple[int, int] | None:
    """Copy the events and adopted tokens into a new file; return (events, bytes) or None."""
    old = storage.conn
    if old is None:
        return None
    try:
        remove_files(fresh)
        new = storage.connect(fresh)
        try:
            return copy_database(old, new)
        finally:
            new.close()
    except (OSError, sqlite3.Error):
        return None
