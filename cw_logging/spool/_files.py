"""The spool's files on disk: names, per-process ownership locks, and moving a bad file aside.

A spool directory holds, per handler identity (log group + stream key):

- ``cwspool-<identity>.lock``: the adoption lock, held only while a process adopts orphans;
- ``cwspool-<identity>-<token>.db`` (with SQLite's ``-wal`` / ``-shm``): one process's spool;
- ``cwspool-<identity>-<token>.lock``: held (``flock``) by the process owning that spool for its
  whole life, so a file whose lock can be taken belongs to a dead process (an orphan).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

if sys.platform == "win32":
    HAVE_FLOCK = False
else:
    import fcntl

    HAVE_FLOCK = True

__all__ = [
    "HAVE_FLOCK",
    "SQLITE_SIDE_SUFFIXES",
    "SpoolFiles",
    "identity_of",
    "move_aside",
    "release_lock",
    "remove_files",
    "try_lock",
    "wait_lock",
]

SQLITE_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_PREFIX = "cwspool-"
_DB_SUFFIX = ".db"
_LOCK_SUFFIX = ".lock"
_LOCK_POLL_MAX_S = 0.05


def identity_of(log_group: str, log_stream_key: str) -> str:
    """Return the short stable name shared by every spool file of one handler identity."""
    digest = hashlib.sha256(f"{log_group}\0{log_stream_key}".encode()).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class SpoolFiles:
    """The database and ownership-lock paths of one process's spool file."""

    directory: Path
    identity: str
    token: str

    @classmethod
    def new(cls, directory: Path, identity: str) -> SpoolFiles:
        """Return the paths of a spool file no process has used before."""
        return cls(directory, identity, uuid.uuid4().hex)

    @classmethod
    def from_db(cls, db: Path, identity: str) -> SpoolFiles:
        """Return the paths belonging to the existing database file ``db``."""
        token = db.name[len(_PREFIX) + len(identity) + 1 : -len(_DB_SUFFIX)]
        return cls(db.parent, identity, token)

    @property
    def db(self) -> Path:
        """The SQLite database file."""
        return self.directory / f"{_PREFIX}{self.identity}-{self.token}{_DB_SUFFIX}"

    @property
    def lock(self) -> Path:
        """The file whose ``flock`` marks the owning process as alive."""
        return self.directory / f"{_PREFIX}{self.identity}-{self.token}{_LOCK_SUFFIX}"

    @staticmethod
    def adoption_lock(directory: Path, identity: str) -> Path:
        """The lock serialising adoption among processes of one identity."""
        return directory / f"{_PREFIX}{identity}{_LOCK_SUFFIX}"

    @staticmethod
    def candidates(directory: Path, identity: str) -> list[Path]:
        """Return the database files of ``identity`` in ``directory`` (any owner), sorted."""
        return sorted(directory.glob(f"{_PREFIX}{identity}-*{_DB_SUFFIX}"))


def try_lock(path: Path, *, create_new: bool = False) -> int | None:
    """Open ``path`` and take an exclusive ``flock`` without waiting.

    Returns the descriptor holding the lock, or None when another process holds it.
    ``create_new`` insists that the file did not exist (a fresh ownership lock).
    """
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    if create_new:
        flags |= os.O_EXCL
    fd = os.open(path, flags, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def wait_lock(path: Path, timeout: float) -> int | None:
    """Take ``path``'s exclusive ``flock``, polling up to ``timeout`` seconds; None if not taken.

    Polls because ``flock`` has no timeout and a blocked thread could not be interrupted.
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        fd = try_lock(path)
        if fd is not None or time.monotonic() >= deadline:
            return fd
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, _LOCK_POLL_MAX_S)


def release_lock(fd: int) -> None:
    """Close a descriptor returned by :func:`try_lock`, which releases its lock."""
    with contextlib.suppress(OSError):
        os.close(fd)


def remove_files(db: Path) -> None:
    """Delete a database file and SQLite's side files; the database itself goes first."""
    for path in (db, *(Path(f"{db}{suffix}") for suffix in SQLITE_SIDE_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def move_aside(db: Path, reason: str, now: float) -> Path:
    """Rename ``db`` (and its write-ahead log) to ``<db>.<reason>-<UTC time>``; return the new path.

    The shared-memory index is deleted: SQLite rebuilds it from the log when the file is opened.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    aside = db.with_name(f"{db.name}.{reason}-{stamp}")
    serial = 1
    while aside.exists():
        serial += 1
        aside = db.with_name(f"{db.name}.{reason}-{stamp}-{serial}")
    os.replace(db, aside)
    for suffix in ("-wal", "-journal"):
        side = Path(f"{db}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{aside}{suffix}"))
    with contextlib.suppress(FileNotFoundError):
        Path(f"{db}-shm").unlink()
    return aside
