"""The durable spool within one process: round trip, bounds, adoption on open, bad files."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.spool import Spool
from cw_logging.spool import _adoption as adoption

GROUP = "/app/spool-tests"
KEY = "{hostname}-{pid}"

OpenSpool = Callable[..., Spool]


@pytest.fixture
def open_spool(tmp_path: Path) -> Iterator[OpenSpool]:
    opened: list[Spool] = []

    def factory(**overrides: object) -> Spool:
        settings: dict[str, object] = {"log_group": GROUP, "log_stream_key": KEY}
        settings.update(overrides)
        directory = settings.pop("directory", tmp_path / "spool")
        spool = Spool.open(directory, **settings)  # type: ignore[arg-type]
        opened.append(spool)
        return spool

    yield factory
    for spool in opened:
        spool.close()


def events(
    prefix: str, count: int, *, stream: str = "s", start: int = 1_000
) -> list[tuple[str, int, str]]:
    return [(stream, start + i, f"{prefix}-{i}") for i in range(count)]


def messages(spool: Spool) -> list[str]:
    return [event.message for event in spool.peek(max_events=100_000, max_bytes=1 << 40)]


def one_stderr_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def aside_files(db: Path, reason: str) -> list[Path]:
    return [p for p in db.parent.glob(f"{db.name}.{reason}-*") if not p.name.endswith("-wal")]


def checkpoint(db: Path) -> int:
    """Move the WAL into the database file from another connection; return its free pages."""
    other = sqlite3.connect(db)
    try:
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(other.execute("PRAGMA freelist_count").fetchone()[0])
    finally:
        other.close()


def db_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("cwspool-*.db"))


def test_append_peek_ack_round_trip(open_spool: OpenSpool) -> None:
    spool = open_spool()
    assert spool.append([("a", 5, "first"), ("b", 6, "zweite ü")]) == 2

    first, second = spool.peek()
    assert (first.stream, first.timestamp, first.message) == ("a", 5, "first")
    assert (second.stream, second.timestamp, second.message) == ("b", 6, "zweite ü")
    assert first.seq < second.seq
    assert second.size == len("zweite ü".encode()) + 26
    assert spool.depth() == 2 and spool.bytes() == first.size + second.size
    assert spool.peek() == [first, second], "peek must not remove"

    assert spool.ack([first.seq]) == 1
    assert spool.peek() == [second]
    assert spool.oldest_timestamp() == 6
    stats = spool.stats()
    assert (stats.appended, stats.acked, stats.depth, stats.bytes) == (2, 1, 1, second.size)


def test_peek_honours_count_bytes_and_after_seq(open_spool: OpenSpool) -> None:
    spool = open_spool()
    spool.append(events("m", 10))
    all_events = spool.peek()

    assert [e.message for e in spool.peek(max_events=3)] == ["m-0", "m-1", "m-2"]
    two_sizes = all_events[0].size + all_events[1].size
    assert len(spool.peek(max_bytes=two_sizes)) == 2
    assert len(spool.peek(max_bytes=two_sizes - 1)) == 1
    assert len(spool.peek(max_bytes=1)) == 1, "one oversized event still comes out alone"
    assert [e.message for e in spool.peek(after_seq=all_events[7].seq)] == ["m-8", "m-9"]


def test_ack_ignores_unknown_and_repeated_seqs(open_spool: OpenSpool) -> None:
    spool = open_spool()
    spool.append(events("m", 5))
    seqs = [e.seq for e in spool.peek()]

    assert spool.ack([seqs[1], seqs[3], 999_999]) == 2
    assert spool.ack([seqs[1], seqs[3]]) == 0
    assert messages(spool) == ["m-0", "m-2", "m-4"]
    assert spool.stats().acked == 2
    assert spool.depth() == 3


def test_ack_of_many_scattered_seqs(open_spool: OpenSpool) -> None:
    spool = open_spool()
    spool.append(events("m", 3_000))
    seqs = [e.seq for e in spool.peek()]

    assert spool.ack(seqs[::2]) == 1_500
    assert messages(spool) == [f"m-{i}" for i in range(1, 3_000, 2)]
    assert spool.bytes() == sum(e.size for e in spool.peek(max_events=3_000))


def test_ack_of_runs_and_single_seqs_together(open_spool: OpenSpool) -> None:
    spool = open_spool()
    spool.append(events("m", 50))
    seqs = [e.seq for e in spool.peek()]

    chosen = [*seqs[0:10], seqs[12], *seqs[20:30], seqs[40], seqs[49]]
    assert spool.ack(reversed(chosen)) == len(chosen)
    kept = [i for i in range(50) if seqs[i] not in chosen]
    assert messages(spool) == [f"m-{i}" for i in kept]
    assert spool.depth() == len(kept)
    assert spool.bytes() == sum(e.size for e in spool.peek())


def test_unsent_events_survive_close_and_come_first_for_the_next_process(
    open_spool: OpenSpool,
) -> None:
    old = open_spool()
    old.append(events("old", 4))
    old.ack([old.peek()[0].seq])
    old.close()

    new = open_spool()
    assert new.stats().adopted == 3
    new.append(events("new", 2))
    assert messages(new) == ["old-1", "old-2", "old-3", "new-0", "new-1"]
    assert len(db_files(Path(new.path or "").parent)) == 1, "the orphan file is gone"


def test_close_of_an_empty_spool_removes_its_files(open_spool: OpenSpool, tmp_path: Path) -> None:
    spool = open_spool()
    spool.append(events("m", 3))
    spool.ack(e.seq for e in spool.peek())
    spool.close()

    leftovers = [p.name for p in (tmp_path / "spool").iterdir()]
    assert all(not name.endswith((".db", "-wal", "-shm")) for name in leftovers), leftovers
    assert open_spool().stats().adopted == 0


def test_adoption_can_be_deferred_to_an_explicit_call(open_spool: OpenSpool) -> None:
    old = open_spool()
    old.append(events("old", 2))
    old.close()

    new = open_spool(adopt_on_open=False)
    new.append(events("new", 1))
    assert messages(new) == ["new-0"]
    assert new.adopt_orphans() == 2
    assert messages(new) == ["new-0", "old-0", "old-1"]
    assert new.adopt_orphans() == 0


def test_spools_of_other_identities_are_not_adopted(open_spool: OpenSpool) -> None:
    other = open_spool(log_stream_key="another-handler")
    other.append(events("other", 2))
    other.close()

    mine = open_spool()
    assert mine.stats().adopted == 0
    assert open_spool(log_stream_key="another-handler").stats().adopted == 2


def test_drop_oldest_keeps_the_newest_within_max_bytes(open_spool: OpenSpool) -> None:
    size = len("m-0") + 26
    spool = open_spool(max_bytes=size * 5, overflow="drop_oldest")
    assert spool.append(events("m", 4)) == 4
    assert spool.append(events("n", 3)) == 3

    assert messages(spool) == ["m-2", "m-3", "n-0", "n-1", "n-2"]
    assert spool.bytes() == size * 5
    assert spool.stats().dropped == {"overflow_oldest": 2}


def test_drop_oldest_with_a_batch_larger_than_the_bound(open_spool: OpenSpool) -> None:
    size = len("m-0") + 26
    spool = open_spool(max_bytes=size * 3, overflow="drop_oldest")
    spool.append(events("a", 2))
    assert spool.append(events("m", 5)) == 3

    assert messages(spool) == ["m-2", "m-3", "m-4"]
    assert spool.stats().dropped == {"overflow_oldest": 4}


@pytest.mark.parametrize("policy", ["drop_newest", "block"])
def test_drop_newest_and_block_refuse_what_does_not_fit(open_spool: OpenSpool, policy: str) -> None:
    size = len("m-0") + 26
    spool = open_spool(max_bytes=size * 5, overflow=policy)
    assert spool.append(events("m", 4)) == 4
    assert spool.free_bytes() == size
    assert spool.append(events("n", 3)) == 1

    assert messages(spool) == ["m-0", "m-1", "m-2", "m-3", "n-0"]
    assert spool.free_bytes() == 0
    assert spool.stats().dropped == {"overflow_newest": 2}
    spool.ack([spool.peek()[0].seq])
    assert spool.append(events("p", 1)) == 1


def test_an_event_larger_than_the_bound_is_dropped_as_too_large(open_spool: OpenSpool) -> None:
    spool = open_spool(max_bytes=100)
    assert spool.append([("s", 1, "x" * 200), ("s", 2, "fits")]) == 1
    assert messages(spool) == ["fits"]
    assert spool.stats().dropped == {"too_large": 1}


def test_text_that_is_not_valid_unicode_is_repaired_not_raised(open_spool: OpenSpool) -> None:
    spool = open_spool()
    assert spool.append([("s\udcff", 1, "bad \ud800 surrogate")]) == 1
    (event,) = spool.peek()
    assert event.message == "bad ? surrogate"
    assert event.stream == "s?"


def test_oldest_age_comes_from_the_injected_clock(open_spool: OpenSpool) -> None:
    spool = open_spool(clock=lambda: 1_000.0)
    assert spool.oldest_age() is None
    spool.append([("s", 997_500, "m"), ("s", 999_000, "n")])
    assert spool.oldest_age() == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"log_group": ""}, "log_group"),
        ({"log_stream_key": None}, "log_stream_key"),
        ({"max_bytes": 0}, "max_bytes"),
        ({"max_bytes": True}, "max_bytes"),
        ({"overflow": "wait_forever"}, "overflow"),
        ({"lock_timeout": -1}, "lock_timeout"),
        ({"directory": ""}, "directory"),
    ],
)
def test_bad_arguments_raise_configuration_error(
    open_spool: OpenSpool, overrides: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        open_spool(**overrides)


def test_an_unusable_directory_falls_back_to_memory_with_one_line_on_stderr(
    open_spool: OpenSpool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    spool = open_spool(directory=blocker / "spool")

    err = one_stderr_line(capsys)
    assert str(blocker) in err and "memory" in err, err
    assert not spool.durable and spool.path is None
    assert spool.append(events("m", 2)) == 2
    assert messages(spool) == ["m-0", "m-1"]


def test_a_corrupt_orphan_is_moved_aside_and_the_others_still_adopted(
    open_spool: OpenSpool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = open_spool()
    bad.append(events("bad", 3))
    bad_path = Path(bad.path or "")
    good = open_spool()
    good.append(events("good", 2))
    bad.close()
    good.close()
    for path in (bad_path, Path(f"{bad_path}-wal")):
        if path.exists():
            path.write_bytes(b"this is not a SQLite database " * 200)
    capsys.readouterr()

    spool = open_spool()

    err = one_stderr_line(capsys)
    asides = aside_files(bad_path, "corrupt")
    assert len(asides) == 1
    assert str(bad_path) in err and str(asides[0]) in err
    assert not bad_path.exists()
    assert messages(spool) == ["good-0", "good-1"]
    assert spool.stats().errors == 1
    assert spool.append(events("new", 1)) == 1


def test_corruption_found_while_running_moves_the_file_aside_and_seqs_go_on(
    open_spool: OpenSpool, capsys: pytest.CaptureFixture[str]
) -> None:
    spool = open_spool()
    spool.append(events("m", 1_000))
    stale = spool.peek(max_events=1)[0]
    path = Path(spool.path or "")
    checkpoint(path)
    path.write_bytes(b"garbage!" * (path.stat().st_size // 8))

    assert spool.peek() == []

    err = one_stderr_line(capsys)
    asides = aside_files(path, "corrupt")
    assert len(asides) == 1
    assert str(path) in err and str(asides[0]) in err and "1000 unsent" in err
    assert spool.stats().dropped == {"moved_aside": 1_000}
    assert spool.append(events("new", 1)) == 1
    assert spool.ack([stale.seq]) == 0, "a late ack of an old seq must not hit a new event"
    assert messages(spool) == ["new-0"]
    assert spool.peek()[0].seq > 1_000


def test_the_spool_file_is_sqlite_in_wal_mode(open_spool: OpenSpool) -> None:
    spool = open_spool()
    spool.append(events("m", 1))
    conn = sqlite3.connect(spool.path or "")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT message FROM events").fetchall() == [("m-0",)]
    finally:
        conn.close()


def test_a_programming_error_raises_and_is_not_taken_for_a_broken_file(
    open_spool: OpenSpool, capsys: pytest.CaptureFixture[str]
) -> None:
    spool = open_spool()
    spool.append(events("m", 2))
    path = spool.path

    with pytest.raises(TypeError):
        spool.ack([object()])  # type: ignore[list-item]
    # sqlite3 reports an unsupported parameter type as ProgrammingError since Python 3.11
    misuse = sqlite3.ProgrammingError if sys.version_info >= (3, 11) else sqlite3.InterfaceError
    with pytest.raises(misuse):
        spool.peek(after_seq=[1])  # type: ignore[arg-type]

    assert spool.path == path and messages(spool) == ["m-0", "m-1"]
    assert capsys.readouterr().err == ""
    assert spool.stats().errors == 0


def test_a_full_disk_drops_the_batch_counted_and_keeps_the_file(
    open_spool: OpenSpool, capsys: pytest.CaptureFixture[str]
) -> None:
    spool = open_spool()
    spool.append(events("kept", 1))
    path = spool.path
    conn = spool._storage.conn
    assert conn is not None
    # SQLite answers SQLITE_FULL for ENOSPC and for a database at its page limit alike.
    conn.execute("PRAGMA max_page_count = 12")

    for _ in range(3):
        assert spool.append([("s", 1, "y" * 3_000)] * 10) == 0

    assert spool.stats().dropped == {"disk_error": 30}
    assert spool.stats().errors == 3
    assert "full" in one_stderr_line(capsys), "one line, repeats are rate-limited"
    assert spool.path == path and messages(spool) == ["kept-0"]
    conn.execute("PRAGMA max_page_count = 1000000")
    assert spool.append(events("later", 1)) == 1
    assert messages(spool) == ["kept-0", "later-0"]


def test_an_emptied_spool_gives_its_disk_space_back(open_spool: OpenSpool) -> None:
    spool = open_spool()
    for _ in range(5):
        spool.append([("s", 1, "x" * 1_000)] * 1_000)
    while batch := spool.peek():
        spool.ack(event.seq for event in batch)

    path = Path(spool.path or "")
    assert checkpoint(path) == 0, "free pages left in the file"
    assert path.stat().st_size < 256 * 1024


def test_threads_appending_while_another_sends_see_each_event_once(open_spool: OpenSpool) -> None:
    spool = open_spool()
    writers, batches, size = 4, 50, 20
    finished = threading.Event()
    sent: list[str] = []

    def write(writer: int) -> None:
        for b in range(batches):
            spool.append(events(f"w{writer}-b{b}", size))

    def send() -> None:
        while True:
            done = finished.is_set()
            batch = spool.peek(max_events=137)
            sent.extend(event.message for event in batch)
            spool.ack(event.seq for event in batch)
            if done and not batch:
                return

    sender = threading.Thread(target=send)
    sender.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    finished.set()
    sender.join(timeout=30)

    assert not sender.is_alive()
    assert len(sent) == len(set(sent)) == writers * batches * size
    assert spool.depth() == 0 and spool.bytes() == 0
    stats = spool.stats()
    assert stats.appended == stats.acked == writers * batches * size


def test_a_failed_adoption_leaves_the_orphans_to_the_next_attempt(
    open_spool: OpenSpool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    orphan = open_spool()
    orphan.append(events("left", 2))
    orphan.close()

    def failing(storage: object, pending: dict[object, int]) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    with monkeypatch.context() as patch:
        patch.setattr(adoption, "_adopt_locked_orphans", failing)
        unlucky = open_spool()
    assert unlucky.stats().adopted == 0
    assert "disk I/O error" in capsys.readouterr().err

    assert unlucky.adopt_orphans() == 2, "the orphan's lock must have been released"
    assert messages(unlucky) == ["left-0", "left-1"]


def test_a_spool_whose_directory_was_deleted_moves_to_a_new_file_with_its_events(
    open_spool: OpenSpool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spool = open_spool()
    spool.append(events("before", 3))
    old_path = spool.path
    shutil.rmtree(tmp_path / "spool")

    assert spool.append(events("after", 1)) == 1

    err = one_stderr_line(capsys)
    assert "deleted" in err and str(old_path) in err, err
    assert spool.path != old_path and Path(spool.path or "").exists()
    assert messages(spool) == ["before-0", "before-1", "before-2", "after-0"]
    spool.close()
    assert messages(open_spool()) == ["before-0", "before-1", "before-2", "after-0"]
