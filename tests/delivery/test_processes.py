"""Delivery across process deaths and process models, each in a real subprocess, read back from
moto: SIGKILL with a spool, SIGTERM with signal handling on, multiprocessing (fork and spawn,
Process and Pool) and pre-fork servers."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.delivery.conftest import run_script, script_file, start_script
from tests.integration.helpers import all_messages, group_messages
from tests.support.faults import FaultProxy

pytestmark = pytest.mark.integration


def test_sigkill_with_a_spool_then_a_new_process_delivers_everything(
    tmp_path: Path, moto_process: Any, process_proxy: FaultProxy, server_client: Any
) -> None:
    group, n = "/delivery/sigkill", 1000
    process_proxy.down()  # the service is unreachable while the first process logs
    first = script_file(
        tmp_path,
        """
        handler, logger = make_handler(sys.argv[1], "s", sys.argv[2], spool_dir=sys.argv[3])
        for i in range(int(sys.argv[4])):
            logger.info("killed-%d", i)
        print("logged", flush=True)
        sys.stdin.read()
        """,
        "first.py",
    )
    spool_dir = str(tmp_path / "spool")
    process = start_script(first, group, process_proxy.url, spool_dir, str(n))
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "logged"
        # The scenario: the kill comes more than 1 s after the last record (5 commit intervals).
        threading.Event().wait(1.2)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    groups = server_client.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert groups == []  # nothing went out before the kill

    second = script_file(
        tmp_path,
        """
        handler = CloudWatchHandler(sys.argv[1], "s", endpoint_url=sys.argv[2],
                                    region_name="us-east-1", create_log_group=True,
                                    spool_dir=sys.argv[3])
        handler.close()  # constructs and closes: the leftovers go out, no record needed
        stats = handler.stats()
        print(stats["sent"], stats["spool_adopted"], stats["spool_depth"])
        """,
        "second.py",
    )
    result = run_script(second, group, moto_process.url, spool_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(n), str(n), "0"]
    assert Counter(all_messages(server_client, group)) == Counter(f"killed-{i}" for i in range(n))
    assert not list((tmp_path / "spool").glob("*.db"))  # empty spool files are removed


_TERM_SCRIPT = """
import signal
mode = sys.argv[3]
if mode == "chained":
    def application_handler(signum, frame):
        print("application handler ran", flush=True)
        sys.exit(3)
    signal.signal(signal.SIGTERM, application_handler)
handler, logger = make_handler(sys.argv[1], "term", sys.argv[2], flush_interval=60,
                               install_signal_handlers=True)
for i in range(400):
    logger.info("term-%d", i)
print("ready", flush=True)
sys.stdin.read()  # a long-running service, until it is terminated
"""


@pytest.mark.parametrize("mode", ["default", "chained"])
def test_sigterm_with_signal_handling_delivers_then_ends_as_before(
    tmp_path: Path, moto_process: Any, server_client: Any, mode: str
) -> None:
    group = f"/delivery/sigterm-{mode}"
    process = start_script(script_file(tmp_path, _TERM_SCRIPT), group, moto_process.url, mode)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    if mode == "default":
        assert process.returncode == -signal.SIGTERM, stderr  # still dies by the signal
    else:
        assert process.returncode == 3, stderr  # the application's handler decided
        assert "application handler ran" in stdout
    assert Counter(all_messages(server_client, group)) == Counter(f"term-{i}" for i in range(400))


_POOL_SCRIPT = """
import multiprocessing

def work(task):
    logger = logging.getLogger("app")
    for i in range(500):
        logger.info("w%d-%d", task, i)
    return task

if __name__ == "__main__":
    group, url, style = sys.argv[1], sys.argv[2], sys.argv[3]
    method = "spawn" if style.startswith("spawn") else "fork"
    context = multiprocessing.get_context(method)
    if method == "fork":
        make_handler(group, "{pid}", url, flush_interval=60)  # configured before the fork
    initializer = None if method == "fork" else make_handler
    initargs = () if method == "fork" else (group, "{pid}", url)
    if style.endswith("pool-with"):
        with context.Pool(4, initializer, initargs) as pool:  # __exit__ sends SIGTERM
            assert sorted(pool.map(work, range(4), chunksize=1)) == [0, 1, 2, 3]
    elif style.endswith("pool-close"):
        pool = context.Pool(4, initializer, initargs)
        assert sorted(pool.map(work, range(4), chunksize=1)) == [0, 1, 2, 3]
        pool.close()
        pool.join()  # workers end with os._exit: no atexit
    else:
        children = [context.Process(target=work if method == "fork" else _spawned, args=(t,))
                    for t in range(4)]
        for child in children:
            child.start()
        for child in children:
            child.join()
        assert all(child.exitcode == 0 for child in children), [c.exitcode for c in children]
    print("done", flush=True)
"""

_SPAWNED = """
def _spawned(task):
    make_handler(sys.argv[1], "{pid}", sys.argv[2], flush_interval=60)
    work(task)
"""


@pytest.mark.parametrize(
    "style", ["fork-pool-with", "fork-pool-close", "fork-process", "spawn-pool-with",
              "spawn-process"]
)  # fmt: skip
def test_multiprocessing_children_deliver_their_records(
    tmp_path: Path, moto_process: Any, server_client: Any, style: str
) -> None:
    group = f"/delivery/mp-{style}"
    script = script_file(tmp_path, _SPAWNED + _POOL_SCRIPT)
    started = time.monotonic()
    result = run_script(script, group, moto_process.url, style)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    expected = Counter(f"w{task}-{i}" for task in range(4) for i in range(500))
    assert Counter(all_messages(server_client, group)) == expected
    assert elapsed < 30


def test_prefork_workers_deliver_and_the_master_sends_nothing_twice(
    tmp_path: Path, moto_process: Any, server_client: Any
) -> None:
    """gunicorn-style: configured in the master, which already sent, then workers forked."""
    group = "/delivery/prefork"
    script = script_file(
        tmp_path,
        """
        handler, logger = make_handler(sys.argv[1], "{pid}", sys.argv[2], flush_interval=60)
        for i in range(50):
            logger.info("master-%d", i)
        assert handler.flush(timeout=15)  # the master's sender ran before the fork
        for i in range(50, 80):
            logger.info("master-%d", i)  # still queued in the master at fork time
        workers = []
        for w in range(3):
            pid = os.fork()
            if pid == 0:
                for i in range(300):
                    logger.info("worker%d-%d", w, i)
                sys.exit(0)  # as gunicorn's worker does: a normal exit, atexit runs
            workers.append(pid)
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in workers]
        print(os.getpid(), " ".join(map(str, workers)), codes, flush=True)
        """,
    )
    result = run_script(script, group, moto_process.url)
    assert result.returncode == 0, result.stderr
    master, *workers = result.stdout.split()[:4]
    assert result.stdout.strip().endswith("[0, 0, 0]")
    streams = group_messages(server_client, group)
    assert Counter(streams[master]) == Counter(f"master-{i}" for i in range(80))
    for w, pid in enumerate(workers):
        assert Counter(streams[pid]) == Counter(f"worker{w}-{i}" for i in range(300))
    assert set(streams) == {master, *workers}
