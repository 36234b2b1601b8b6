"""The spool's files on disk: names, per-process ownership locks, and moving a bad file aside.

A spool directory holds, per handler identity (log group + stream key):

- ``cwspool-<identity>.lock``: the adoption lock, held only while a process adopts orphans;
- ``cwspool-<identity>-<token>.db`` (with SQLite's ``-wal`` / ``-shm``): one process's spool;
- ``cwspool-<identity>-<token>.lock``: held (``flock``) by the process owning that spool for its
  whole life, so a file whose lock can be taken belongs to a dead process (an orphan).

At rest: the directory is created 0700 and an existing one must belong to this user and be
writable by nobody else; files are created 0600 without following symbolic links; a file is
adopted only if it is a regular file of this user that starts with the spool's own SQLite
header (``application_id`` :data:`SPOOL_APPLICATION_ID`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
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
    "SPOOL_APPLICATION_ID",
    "SQLITE_SIDE_SUFFIXES",
    "SpoolFiles",
    "UnsafeDirectory",
    "create_private_file",
    "directory_problem",
    "foreign_file_problem",
    "has_spool_header",
    "identity_of",
    "move_aside",
    "prepare_directory",
    "release_lock",
    "remove_files",
    "remove_idle_adoption_lock",
    "try_lock",
    "wait_lock",
]

SQLITE_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_PREFIX = "cwspool-"
_DB_SUFFIX = ".db"
_LOCK_SUFFIX = ".lock"
_LOCK_POLL_MAX_S = 0.05
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_SQLITE_MAGIC = b"SQLite format 3\x00"

SPOOL_APPLICATION_ID = 0x43574C47  # "CWLG"
"""The SQLite ``application_id`` (header bytes 68-71) of every spool file this package writes."""


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
    flags = os.O_RDWR | os.O_CREAT | _CLOEXEC | _NOFOLLOW
    if create_new:
        flags |= os.O_EXCL
    while True:
        fd = os.open(path, flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        if create_new or _still_at(fd, path):
            return fd
        os.close(fd)  # removed by its last user between our open and our lock: lock the new one


def _still_at(fd: int, path: Path) -> bool:
    """True when ``path`` still names the file open as ``fd`` (it was not removed or replaced)."""
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def remove_idle_adoption_lock(directory: Path, identity: str) -> None:
    """Delete the identity's adoption lock file when no process uses it and no spool file of
    the identity is left (a clean close leaves nothing behind)."""
    path = SpoolFiles.adoption_lock(directory, identity)
    if not path.exists() or SpoolFiles.candidates(directory, identity):
        return
    try:
        fd = try_lock(path)
    except OSError:
        return
    if fd is None:
        return  # someone is adopting: the file is theirs to leave or remove
    try:
        if not SpoolFiles.candidates(directory, identity):
            path.unlink()
    except OSError:
        pass
    finally:
        release_lock(fd)


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


class UnsafeDirectory(OSError):
    """The spool directory could be written by someone else (or is a link): not used."""


def directory_problem(directory: Path) -> str | None:
    """Why an existing ``directory`` must not hold a spool, or None when it may (or is absent).

    Someone else who can write there could plant a spool file for this process to adopt and
    ship under its credentials, or swap its files for links.
    """
    try:
        info = os.lstat(directory)
    except (FileNotFoundError, NotADirectoryError):  # created when the spool opens, or fails
        return None
    if stat.S_ISLNK(info.st_mode):
        return (
            f"spool_dir {str(directory)!r} is a symbolic link; pass the directory it points to "
            "(os.path.realpath) so that nobody can redirect the spool"
        )
    if not stat.S_ISDIR(info.st_mode):
        return f"spool_dir {str(directory)!r} exists and is not a directory"
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return (
            f"spool_dir {str(directory)!r} belongs to uid {info.st_uid}, not to this process's "
            f"user (uid {os.geteuid()}); use a directory this user owns"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        mode = stat.S_IMODE(info.st_mode)
        return (
            f"spool_dir {str(directory)!r} is writable by group or others (mode {mode:o}), so "
            f"another user could plant spool files there; run chmod 700 {str(directory)!r} or "
            "use a directory only this user can write"
        )
    return None


def prepare_directory(directory: Path) -> None:
    """Create ``directory`` (mode 0700) if missing; raise UnsafeDirectory if it is unsafe."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    problem = directory_problem(directory)
    if problem is not None:
        raise UnsafeDirectory(problem)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (SQLite gives its side files the same mode); an
    existing file is left as it is if it is this user's regular file, else OSError."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _CLOEXEC | _NOFOLLOW, 0o600))
    except FileExistsError:
        problem = foreign_file_problem(path)
        if problem is not None:
            raise OSError(f"{path} {problem}") from None


def foreign_file_problem(db: Path) -> str | None:
    """Why ``db`` and its SQLite side files are not this user's own regular files, or None.

    Such a file is never opened: a link could point anywhere, and another user's file could
    hold events (and stream names) of their choosing.
    """
    for path in (db, *(Path(f"{db}{suffix}") for suffix in SQLITE_SIDE_SUFFIXES)):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            if path == db:
                return "is gone"
            continue
        if not stat.S_ISREG(info.st_mode):
            return f"is not a regular file ({path.name})"
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return f"belongs to uid {info.st_uid}, not to this process's user ({path.name})"
    return None


def has_spool_header(db: Path) -> bool:
    """True when ``db`` starts with the spool's SQLite header, or is empty (its process died
    before writing anything)."""
    try:
        fd = os.open(db, os.O_RDONLY | _CLOEXEC | _NOFOLLOW)
    except OSError:
        return False
    try:
        header = os.read(fd, 72)
    finally:
        os.close(fd)
    return not header or (
        header[:16] == _SQLITE_MAGIC
        and int.from_bytes(header[68:72], "big") == SPOOL_APPLICATION_ID
    )
