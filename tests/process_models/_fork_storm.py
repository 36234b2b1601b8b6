"""The fork-storm program (run as ``python -m tests.process_models._fork_storm``).

A parent builds one handler, starts threads that log without pause (with a spool, the sender
and its committer write SQLite meanwhile), and forks 40 children while they do: the first half
with ``os.fork`` (ending with ``sys.exit(0)``, as a gunicorn worker does), then the other half
as ``multiprocessing`` fork ``Process`` (in this order because a process forked by ``os.fork``
after ``multiprocessing`` children exist would try to join its parent's children at exit).
Each child logs 100 records, notes on a pipe when it starts to end, and ends. The parent times
every child from fork to reap and from the start of its end to reap (its exit: the handler's
final delivery), and prints the times as JSON; the test counts what the server stored.

Arguments: endpoint URL, log group, spool directory ("" for none), close_timeout.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable

from cw_logging import CloudWatchHandler, JsonFormatter

CHILDREN = 40
RECORDS_PER_CHILD = 100
FORK_SPACING_S = 0.025  # the 40 forks span about one second, while the sender starts up
LOGGING_THREADS = 2
_exit_notes = -1  # the write end of the pipe on which children note when they start to end


def child_work(index: int) -> None:
    """What every child does: log its records, then note the time (it ends right after)."""
    logger = logging.getLogger("storm")
    for i in range(RECORDS_PER_CHILD):
        logger.info("child%d-%d", index, i)
    os.write(_exit_notes, f"{index} {time.monotonic()}\n".encode())  # short: one atomic write


def _read_exit_notes(fd: int) -> dict[int, float]:
    """The children's notes: when each started to end (monotonic seconds)."""
    with os.fdopen(fd, "rb") as notes:
        lines = notes.read().decode().split()
    return {int(index): float(at) for index, at in zip(lines[::2], lines[1::2], strict=True)}


def _background(stop: threading.Event, thread: int, logged: list[int]) -> None:
    logger = logging.getLogger("storm")
    count = 0
    pause = threading.Event()
    while not stop.is_set():
        logger.info("parent%d-%d", thread, count)
        count += 1
        if count % 10 == 0:  # about 1,000 records a second a thread: the sender is always busy,
            pause.wait(0.01)  # and the CPU is left to the children, whose times are measured
    logged[thread] = count


def _fork(index: int, exit_codes: dict[int, int | None]) -> Callable[[], None]:
    """Start child ``index`` (``os.fork`` for the first half, else a ``multiprocessing``
    fork ``Process``); return what waits for its end and notes its exit code."""
    if index < CHILDREN // 2:
        pid = os.fork()
        if pid == 0:
            child_work(index)
            sys.exit(0)  # a normal exit: atexit (logging.shutdown) runs

        def reap() -> None:
            exit_codes[index] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

        return reap
    process = multiprocessing.get_context("fork").Process(target=child_work, args=(index,))
    process.start()

    def join() -> None:
        process.join()
        exit_codes[index] = process.exitcode

    return join


def _timed(
    wait: Callable[[], None], start: float, ended: dict[int, tuple[float, float]], index: int
) -> None:
    wait()
    ended[index] = (start, time.monotonic())


def _handler(endpoint: str, group: str, spool_dir: str, close_timeout: float) -> CloudWatchHandler:
    options = {"spool_dir": spool_dir} if spool_dir else {}
    handler = CloudWatchHandler(
        group,
        "{pid}",
        endpoint_url=endpoint,
        region_name="us-east-1",
        create_log_group=True,
        flush_interval=0.1,  # the sender is at work (importing, sending) during the forks
        close_timeout=close_timeout,
        **options,
    )
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("storm")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def main(endpoint: str, group: str, spool_dir: str, close_timeout: float) -> None:
    """Run the storm; print the children's times and the parent's record counts."""
    global _exit_notes
    read_end, _exit_notes = os.pipe()
    handler = _handler(endpoint, group, spool_dir, close_timeout)
    stop = threading.Event()
    logged = [0] * LOGGING_THREADS
    threads = [
        threading.Thread(target=_background, args=(stop, t, logged)) for t in range(LOGGING_THREADS)
    ]
    for thread in threads:
        thread.start()
    ended: dict[int, tuple[float, float]] = {}
    exit_codes: dict[int, int | None] = {}
    waiters: list[threading.Thread] = []
    tick = threading.Event()
    for index in range(CHILDREN):
        start = time.monotonic()
        wait = _fork(index, exit_codes)
        waiter = threading.Thread(target=_timed, args=(wait, start, ended, index))
        waiter.start()
        waiters.append(waiter)
        tick.wait(FORK_SPACING_S)
    for waiter in waiters:
        waiter.join()
    os.close(_exit_notes)
    exit_started = _read_exit_notes(read_end)
    stop.set()
    for thread in threads:
        thread.join()
    delivered = handler.flush(timeout=30)
    handler.close()
    report = {
        "children": {str(i): reaped - forked for i, (forked, reaped) in sorted(ended.items())},
        "exits": {str(i): ended[i][1] - exit_started[i] for i in sorted(exit_started)},
        "exit_codes": {str(i): exit_codes.get(i) for i in range(CHILDREN)},
        "parent_logged": logged,
        "parent_flushed": delivered,
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
