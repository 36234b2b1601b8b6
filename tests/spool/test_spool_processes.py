"""The durable spool across real processes: SIGKILL, concurrent adoption, fork, foreign locks."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cw_logging.spool import Spool
from tests.spool.test_spool import aside_files, one_stderr_line

ROOT = Path(__file__).resolve().parents[2]
GROUP = "/app/spool-processes"
KEY = "{hostname}-{pid}"
DEADLINE_S = 20.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the spool needs POSIX locks")

# Appends `count` events per file to `files` spools, `per_commit` per transaction, then waits.
WRITER = """
import json, sys
from cw_logging.spool import Spool
a = json.loads(sys.argv[1])
spools = [Spool.open(a["dir"], log_group=a["group"], log_stream_key=a["key"])
          for _ in range(a["files"])]
for f, spool in enumerate(spools):
    batch = [("s", 1000 + i, f"{a['tag']}-{f}-{i}") for i in range(a["count"])]
    for start in range(0, len(batch), a["per_commit"]):
        spool.append(batch[start:start + a["per_commit"]])
print("committed", flush=True)
sys.stdin.readline()
"""

# Appends batches without end, printing how many events are committed after each append.
ENDLESS_WRITER = """
import json, sys
from cw_logging.spool import Spool
a = json.loads(sys.argv[1])
spool = Spool.open(a["dir"], log_group=a["group"], log_stream_key=a["key"])
n = 0
while True:
    spool.append([("s", n + i, f"e-{n + i}") for i in range(a["batch"])])
    n += a["batch"]
    print(n, flush=True)
"""

# Waits for "go", opens a spool (adopting orphans), "sends" and acks everything, reports.
ADOPTER = """
import json, sys
from cw_logging.spool import Spool
a = json.loads(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
spool = Spool.open(a["dir"], log_group=a["group"], log_stream_key=a["key"], lock_timeout=15)
sent = spool.peek(max_events=1_000_000, max_bytes=1 << 40)
spool.ack(e.seq for e in sent)
spool.close()
print(json.dumps([e.message for e in sent]), flush=True)
"""

# Opens a spool that dies right after committing its copy of the orphans, before deleting them.
DIES_WHILE_ADOPTING = """
import json, os, sys
from cw_logging.spool import Spool
from cw_logging.spool._storage import SpoolStorage
a = json.loads(sys.argv[1])
SpoolStorage.finish_orphan = lambda self, files, fd: os._exit(0)
Spool.open(a["dir"], log_group=a["group"], log_stream_key=a["key"])
os._exit(3)
"""

# Appends, forks a child that never touches the spool and outlives this process, then dies.
FORKS_AND_DIES = """
import json, os, sys
from cw_logging.spool import Spool
a = json.loads(sys.argv[1])
spool = Spool.open(a["dir"], log_group=a["group"], log_stream_key=a["key"])
spool.append([("s", 1, "from-the-dead-parent")])
if os.fork() == 0:
    print("child", os.getpid(), flush=True)
    sys.stdin.readline()
    os._exit(0)
os._exit(0)
"""

# Holds an exclusive SQLite lock on a database until told to stop.
LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
"""


class Child:
    """A Python subprocess spoken to line by line, with deadlines on every read."""

    def __init__(self, code: str, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, timeout: float = DEADLINE_S) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no output from child {self.proc.pid} within {timeout} s")
        if line is None:
            self.proc.wait(timeout=timeout)
            stderr = self.proc.stderr.read() if self.proc.stderr else ""
            pytest.fail(f"child exited with {self.proc.returncode}: {stderr}")
        return line

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=DEADLINE_S)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def children() -> Iterator[list[Child]]:
    started: list[Child] = []
    yield started
    for child in started:
        child.stop()


@pytest.fixture
def spool_dir(tmp_path: Path) -> Path:
    return tmp_path / "spool"


def settings(spool_dir: Path, **extra: object) -> str:
    return json.dumps({"dir": str(spool_dir), "group": GROUP, "key": KEY, **extra})


def all_messages(spool: Spool) -> list[str]:
    return [e.message for e in spool.peek(max_events=1_000_000, max_bytes=1 << 40)]


def test_events_committed_before_sigkill_are_all_adopted_by_the_next_process(
    spool_dir: Path, children: list[Child]
) -> None:
    count = 1_000
    writer = Child(WRITER, settings(spool_dir, files=1, count=count, per_commit=100, tag="w"))
    children.append(writer)
    assert writer.expect() == "committed"

    writer.proc.send_signal(signal.SIGKILL)
    assert writer.proc.wait(timeout=DEADLINE_S) == -signal.SIGKILL

    with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as spool:
        assert spool.stats().adopted == count
        assert all_messages(spool) == [f"w-0-{i}" for i in range(count)]
        assert spool.depth() == count


def test_sigkill_in_the_middle_of_appending_loses_no_committed_batch_and_splits_none(
    spool_dir: Path, children: list[Child]
) -> None:
    batch = 250
    writer = Child(ENDLESS_WRITER, settings(spool_dir, batch=batch))
    children.append(writer)
    reported = 0
    while reported < 40 * batch:
        reported = int(writer.expect())

    writer.proc.send_signal(signal.SIGKILL)
    assert writer.proc.wait(timeout=DEADLINE_S) == -signal.SIGKILL

    with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as spool:
        got = all_messages(spool)
    assert len(got) >= reported, "a batch reported as committed was lost"
    assert len(got) % batch == 0, "a batch was stored in part"
    assert got == [f"e-{i}" for i in range(len(got))]


def test_a_live_process_spool_is_never_adopted(spool_dir: Path, children: list[Child]) -> None:
    writer = Child(WRITER, settings(spool_dir, files=1, count=10, per_commit=10, tag="live"))
    children.append(writer)
    assert writer.expect() == "committed"

    with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as spool:
        assert spool.stats().adopted == 0
        assert all_messages(spool) == []

    writer.send("exit")
    assert writer.proc.wait(timeout=DEADLINE_S) == 0
    with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as spool:
        assert all_messages(spool) == [f"live-0-{i}" for i in range(10)]


def test_processes_starting_together_adopt_each_orphan_exactly_once(
    spool_dir: Path, children: list[Child]
) -> None:
    files, count = 6, 300
    writer = Child(WRITER, settings(spool_dir, files=files, count=count, per_commit=50, tag="o"))
    children.append(writer)
    assert writer.expect() == "committed"
    writer.proc.kill()
    writer.proc.wait(timeout=DEADLINE_S)

    adopters = [Child(ADOPTER, settings(spool_dir)) for _ in range(3)]
    children.extend(adopters)
    for adopter in adopters:
        assert adopter.expect() == "ready"
    for adopter in adopters:
        adopter.send("go")
    sent = [json.loads(adopter.expect()) for adopter in adopters]

    delivered = Counter(message for batch in sent for message in batch)
    expected = {f"o-{f}-{i}" for f in range(files) for i in range(count)}
    assert set(delivered) == expected
    assert max(delivered.values()) == 1, "an event was adopted by two processes"
    assert list(spool_dir.glob("*.db")) == []


def test_a_process_dying_mid_adoption_does_not_cause_a_second_send(
    spool_dir: Path, children: list[Child]
) -> None:
    writer = Child(WRITER, settings(spool_dir, files=2, count=5, per_commit=5, tag="o"))
    children.append(writer)
    assert writer.expect() == "committed"
    writer.proc.kill()
    writer.proc.wait(timeout=DEADLINE_S)

    dying = Child(DIES_WHILE_ADOPTING, settings(spool_dir))
    children.append(dying)
    assert dying.proc.wait(timeout=DEADLINE_S) == 0, "it must die inside the adoption"
    assert len(list(spool_dir.glob("*.db"))) == 3, "both orphans and the copy are on disk"

    with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as spool:
        delivered = Counter(all_messages(spool))
    assert set(delivered) == {f"o-{f}-{i}" for f in range(2) for i in range(5)}
    assert max(delivered.values()) == 1


@pytest.mark.parametrize("explicit_reopen", [False, True])
def test_a_forked_child_uses_its_own_file_and_its_leftovers_reach_the_parent(
    spool_dir: Path, explicit_reopen: bool
) -> None:
    spool = Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY)
    try:
        spool.append([("p", 1, "parent-before")])
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report, then end like a multiprocessing worker
            code = 1
            try:
                if explicit_reopen:
                    spool.reopen_after_fork()
                spool.append([("c", 2, "child-0"), ("c", 3, "child-1")])
                report = {"path": spool.path, "messages": all_messages(spool)}
                os.write(write_end, json.dumps(report).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            report = json.loads(pipe.read())
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0

        assert report["messages"] == ["child-0", "child-1"]
        assert report["path"] != spool.path
        spool.append([("p", 4, "parent-after")])
        assert all_messages(spool) == ["parent-before", "parent-after"]
        assert spool.adopt_orphans() == 2
        assert all_messages(spool) == ["parent-before", "parent-after", "child-0", "child-1"]
    finally:
        spool.close()


def test_a_forked_child_closing_the_spool_leaves_the_parent_intact(spool_dir: Path) -> None:
    spool = Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY)
    try:
        spool.append([("p", 1, f"m-{i}") for i in range(100)])
        pid = os.fork()
        if pid == 0:
            try:
                spool.close()
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0

        spool.append([("p", 2, "after")])
        assert all_messages(spool) == [*(f"m-{i}" for i in range(100)), "after"]
        path = spool.path or ""
    finally:
        spool.close()
    with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as reopened:
        assert reopened.depth() == 101
        assert not Path(path).exists()


def test_a_child_that_outlives_its_parent_does_not_keep_the_parent_file_locked(
    spool_dir: Path, children: list[Child]
) -> None:
    parent = Child(FORKS_AND_DIES, settings(spool_dir))
    children.append(parent)
    assert parent.proc.wait(timeout=DEADLINE_S) == 0
    child_pid = int(parent.expect().split()[1])
    try:
        os.kill(child_pid, 0)  # the child is alive and holds copies of the parent's descriptors

        with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as spool:
            assert all_messages(spool) == ["from-the-dead-parent"]
    finally:
        parent.send("exit")


def test_a_file_locked_by_another_program_is_moved_aside_and_its_events_carried_over(
    spool_dir: Path, children: list[Child], capsys: pytest.CaptureFixture[str]
) -> None:
    spool = Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY, lock_timeout=0.2)
    try:
        spool.append([("s", 1, "before-0"), ("s", 1, "before-1")])
        before = spool.peek()
        path = Path(spool.path or "")
        locker = Child(LOCKER, str(path))
        children.append(locker)
        assert locker.expect() == "locked"

        assert spool.append([("s", 2, "during")]) == 1

        err = one_stderr_line(capsys)
        asides = aside_files(path, "locked")
        assert len(asides) == 1
        assert str(path) in err and str(asides[0]) in err
        assert spool.durable and spool.path == str(path)
        assert spool.peek()[:2] == before, "same events, same seqs"
        assert all_messages(spool) == ["before-0", "before-1", "during"]
        assert spool.depth() == 3 and spool.stats().dropped == {}
        assert spool.ack([before[0].seq]) == 1
        assert all_messages(spool) == ["before-1", "during"]
    finally:
        spool.close()
    locker.send("done")
    assert locker.proc.wait(timeout=DEADLINE_S) == 0
    with Spool.open(spool_dir, log_group=GROUP, log_stream_key=KEY) as reopened:
        assert all_messages(reopened) == ["before-1", "during"], "the aside file is not adopted"
