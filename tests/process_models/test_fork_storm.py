"""Forty children forked (``os.fork`` and ``multiprocessing`` fork) while the parent's threads log
and its sender (and, with a spool, its committer) is at work: every child delivers all its
records, nothing twice, and none takes longer than ``close_timeout`` + 2 s to end (nor that
much longer than the others to get there)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.process_models._fork_storm import CHILDREN, RECORDS_PER_CHILD
from tests.process_models._scenarios import NEEDS_FORK, ROOT
from tests.support.servers import ServerProcess
from tests.support.sink import LocalSink

pytestmark = [pytest.mark.integration, NEEDS_FORK]

CLOSE_TIMEOUT = 10.0  # the default
GROUP = "/process-models/fork-storm"


@pytest.mark.parametrize("spool", [False, True], ids=["memory", "spool"])
def test_forty_children_forked_while_the_parent_logs_all_deliver(
    sink: LocalSink, tmp_path: Path, spool: bool
) -> None:
    spool_dir = str(tmp_path / "spool") if spool else ""
    argv = [sys.executable, "-m", "tests.process_models._fork_storm", sink.url, GROUP, spool_dir]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PYTHONFAULTHANDLER": "1",  # a process that hangs can be asked for its threads
    }
    with ServerProcess(
        [*argv, str(CLOSE_TIMEOUT)], env=env, cwd=ROOT, output=tmp_path / "storm.log"
    ) as storm:
        try:
            # every child may take close_timeout + 2 s; the parent then closes within that too
            status = storm.process.wait(timeout=CHILDREN * 0.05 + 3 * (CLOSE_TIMEOUT + 2) + 30)
        except subprocess.TimeoutExpired:
            os.killpg(storm.pgid, signal.SIGABRT)  # the parent and every child print their threads
            storm.process.wait(10)
            pytest.fail(f"the storm did not end; the threads of its processes:\n{storm.tail(400)}")
        output, reports = storm.text(), storm.reports()
    assert status == 0, output[-3000:]
    report = json.loads(next(line for line in output.splitlines() if line.startswith('{"child')))
    assert set(report["exit_codes"].values()) == {0}, report["exit_codes"]

    stored = sink.count_of(GROUP, "message", "")
    lost_by_child = {}
    for index in range(CHILDREN):
        missing = sum(f"child{index}-{i}" not in stored for i in range(RECORDS_PER_CHILD))
        if missing:
            lost_by_child[index] = missing
    assert lost_by_child == {}, (
        f"{len(lost_by_child)} of {CHILDREN} children lost records {lost_by_child}; "
        f"handler output:\n{reports}"
    )
    expected = Counter(f"child{c}-{i}" for c in range(CHILDREN) for i in range(RECORDS_PER_CHILD))
    expected.update(
        f"parent{t}-{i}" for t, count in enumerate(report["parent_logged"]) for i in range(count)
    )
    twice = {message: n for message, n in stored.items() if n > 1}
    assert twice == {}, f"{len(twice)} records stored more than once"
    assert stored == expected, f"{len(set(expected) - set(stored))} parent records lost"
    assert report["parent_flushed"] is True

    # every child ends within close_timeout + 2 s of starting to end (its final delivery) ...
    assert set(report["exits"]) == set(report["children"]), "a child did not note its end"
    slow = {i: round(s, 1) for i, s in report["exits"].items() if s > CLOSE_TIMEOUT + 2}
    assert slow == {}, f"children whose exit took longer than close_timeout + 2 s: {slow}"
    # ... and none is held up on its way there (a lock or SQLite connection left by the fork)
    # longer than that beyond the others; a busy machine slows all of them alike
    lives = sorted(report["children"].values())
    median = lives[len(lives) // 2]
    held = {i: round(s, 1) for i, s in report["children"].items() if s > median + CLOSE_TIMEOUT + 2}
    assert held == {}, f"children held up beyond the others (median {median:.1f} s): {held}"
