"""The spool's files on disk: names per handler identity, ownership locks, moving a file aside."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cw_logging.spool._files import (
    SpoolFiles,
    identity_of,
    move_aside,
    release_lock,
    remove_files,
    try_lock,
    wait_lock,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX file locks only")


def test_identity_is_stable_and_separates_groups_and_keys() -> None:
    assert identity_of("/app", "{hostname}") == identity_of("/app", "{hostname}")
    assert len(identity_of("/app", "k")) == 16
    others = {identity_of("/app", "k2"), identity_of("/app2", "k"), identity_of("/ap", "pk")}
    assert identity_of("/app", "k") not in others
    assert len(others) == 3


def test_paths_of_a_spool_file_round_trip(tmp_path: Path) -> None:
    files = SpoolFiles.new(tmp_path, "abc")
    assert files.db.name == f"cwspool-abc-{files.token}.db"
    assert files.lock.name == f"cwspool-abc-{files.token}.lock"
    assert SpoolFiles.from_db(files.db, "abc") == files
    assert SpoolFiles.new(tmp_path, "abc").token != files.token
    assert SpoolFiles.adoption_lock(tmp_path, "abc").name == "cwspool-abc.lock"


def test_candidates_are_the_database_files_of_one_identity(tmp_path: Path) -> None:
    mine = [SpoolFiles.new(tmp_path, "abc") for _ in range(2)]
    theirs = SpoolFiles.new(tmp_path, "xyz")
    for files in (*mine, theirs):
        files.db.write_bytes(b"")
        files.lock.write_bytes(b"")
    assert SpoolFiles.candidates(tmp_path, "abc") == sorted(files.db for files in mine)


def test_a_lock_held_elsewhere_is_not_taken_until_released(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = try_lock(path)
    assert first is not None
    assert try_lock(path) is None, "flock conflicts between open file descriptions"
    started = time.monotonic()
    assert wait_lock(path, 0.2) is None
    assert time.monotonic() - started >= 0.2
    release_lock(first)
    second = wait_lock(path, 1.0)
    assert second is not None
    release_lock(second)


def test_a_fresh_ownership_lock_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "own.lock"
    path.write_bytes(b"")
    with pytest.raises(FileExistsError):
        try_lock(path, create_new=True)


def test_lock_files_are_private(tmp_path: Path) -> None:
    fd = try_lock(tmp_path / "p.lock")
    assert fd is not None
    assert (tmp_path / "p.lock").stat().st_mode & 0o077 == 0
    release_lock(fd)


def test_remove_files_deletes_the_database_and_its_side_files(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").write_bytes(b"x")
    remove_files(db)
    assert list(tmp_path.iterdir()) == []
    remove_files(db)  # nothing left: no error


def test_move_aside_keeps_the_log_drops_the_index_and_never_overwrites(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    now = 1_764_201_600.0
    first = None
    for _ in range(2):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").write_bytes(b"x")
        aside = move_aside(db, "corrupt", now)
        first = first or aside
        assert aside.exists() and Path(f"{aside}-wal").exists()
        assert not db.exists() and not Path(f"{db}-shm").exists()
    assert first is not None and first.name == "a.db.corrupt-20251127T000000Z"
    assert (tmp_path / "a.db.corrupt-20251127T000000Z-2").exists()


def test_a_lock_file_removed_by_its_last_user_is_not_taken(tmp_path: Path) -> None:
    from cw_logging.spool._files import _still_at

    path = tmp_path / "a.lock"
    fd = try_lock(path)
    assert fd is not None and _still_at(fd, path)
    path.unlink()  # the last user cleaned up: a lock on the old file would protect nothing
    assert not _still_at(fd, path)
    path.write_bytes(b"")  # someone made a new one
    assert not _still_at(fd, path)
    release_lock(fd)
    fresh = try_lock(path)
    assert fresh is not None and _still_at(fresh, path)
    release_lock(fresh)


def test_the_adoption_lock_goes_once_no_spool_of_the_identity_is_left(tmp_path: Path) -> None:
    from cw_logging.spool._files import remove_idle_adoption_lock

    lock = SpoolFiles.adoption_lock(tmp_path, "abc")
    lock.write_bytes(b"")
    left = SpoolFiles.new(tmp_path, "abc")
    left.db.write_bytes(b"")
    remove_idle_adoption_lock(tmp_path, "abc")
    assert lock.exists(), "a spool file of the identity is left: its adopter needs the lock"
    left.db.unlink()
    held = try_lock(lock)
    remove_idle_adoption_lock(tmp_path, "abc")
    assert lock.exists(), "in use by an adoption"
    assert held is not None
    release_lock(held)
    remove_idle_adoption_lock(tmp_path, "abc")
    assert not lock.exists()
