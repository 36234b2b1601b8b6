"""Signal plumbing of the handler's process hooks: chaining, no nested delivery, signals kept
off the package's background threads."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from cw_logging.delivery import _sender, _spooling
from cw_logging.delivery._threads import block_async_signals
from cw_logging.handler import CloudWatchHandler
from cw_logging.handler import _process_hooks as lifecycle
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
def test_sender_and_committer_threads_leave_signals_to_the_main_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each thread says when it has blocked its signals; it runs, so its native_id is published
    told = threading.Condition()
    blocked: list[threading.Thread] = []

    def block_and_tell() -> None:
        block_async_signals()
        with told:
            blocked.append(threading.current_thread())
            told.notify_all()

    monkeypatch.setattr(_sender, "block_async_signals", block_and_tell)
    monkeypatch.setattr(_spooling, "block_async_signals", block_and_tell)
    handler = CloudWatchHandler(
        "/unit/signals", transport=MemoryTransport(groups=["/unit/signals"]), spool_dir=tmp_path
    )
    try:
        with told:
            assert told.wait_for(lambda: len(blocked) == 2, timeout=10), blocked
        roles = sorted(thread.name.split("[", 1)[0] for thread in blocked)
        assert roles == ["cw-logging-sender", "cw-logging-spool"]
        for thread in blocked:
            assert thread.native_id is not None
            mask = _blocked_signals(thread.native_id)
            assert mask & (1 << (signal.SIGTERM - 1)), thread.name
            assert mask & (1 << (signal.SIGINT - 1)), thread.name
        main_id = threading.main_thread().native_id
        assert main_id is not None
        main_mask = _blocked_signals(main_id)
        assert not main_mask & (1 << (signal.SIGTERM - 1))
    finally:
        handler.close()
