"""Signal plumbing of the handler's process hooks: chaining, no nested delivery, signals kept
off the package's background threads."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from cw_logging.handler import CloudWatchHandler
from cw_logging.handler import _process_hooks as lifecycle
from tests.integration.helpers import wait_until
from tests.support.faults import MemoryTransport


def test_the_signal_delivers_first_then_calls_the_application_handler() -> None:
    calls: list[str] = []
    handler = lifecycle._chained(
        lambda: calls.append("deliver"), lambda signum, frame: calls.append(f"app {signum}")
    )
    handler(signal.SIGTERM, None)
    assert calls == ["deliver", f"app {signal.SIGTERM}"]


def test_a_signal_during_a_delivery_waits_for_it_instead_of_nesting() -> None:
    calls: list[str] = []

    def deliver() -> None:
        calls.append("deliver start")
        if len(calls) == 1:
            handler(signal.SIGTERM, None)  # the pool's SIGTERM lands in the middle
        calls.append("deliver end")

    handler = lifecycle._chained(deliver, lambda signum, frame: calls.append("app"))
    lifecycle._deliver_once(deliver)  # as the multiprocessing finalizer runs it
    assert calls == ["deliver start", "deliver end", "app"]


def _blocked_signals(native_id: int) -> int:
    status = Path(f"/proc/self/task/{native_id}/status").read_text()
    return int(
        next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk")), 16
    )


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_sender_and_committer_threads_leave_signals_to_the_main_thread(tmp_path: Path) -> None:
    handler = CloudWatchHandler(
        "/unit/signals", transport=MemoryTransport(groups=["/unit/signals"]), spool_dir=tmp_path
    )
    try:

        def ours() -> list[Any]:
            return [t for t in threading.enumerate() if t.name.startswith("cw-logging-")]

        def blocking() -> bool:
            # a thread is listed before it has an id, and blocks signals first thing it runs
            threads = ours()
            return len(threads) == 2 and all(
                thread.native_id is not None
                and _blocked_signals(thread.native_id) & (1 << (signal.SIGTERM - 1))
                for thread in threads
            )

        wait_until(blocking, 10, "sender and committer threads blocking SIGTERM")
        for thread in ours():
            assert thread.native_id is not None
            mask = _blocked_signals(thread.native_id)
            assert mask & (1 << (signal.SIGINT - 1)), thread.name
        main_id = threading.main_thread().native_id
        assert main_id is not None
        main_mask = _blocked_signals(main_id)
        assert not main_mask & (1 << (signal.SIGTERM - 1))
    finally:
        handler.close()
