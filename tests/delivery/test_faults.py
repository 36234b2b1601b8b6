"""Outages and faults through a real-socket proxy in front of moto; counts read back from moto."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.delivery.conftest import QuickHandler, run_script, script_file
from tests.integration.helpers import all_messages, wait_until
from tests.support.faults import FaultProxy

pytestmark = pytest.mark.integration


def _paced(count: int, rate: float, log: Callable[[int], None]) -> None:
    """Call ``log(i)`` ``count`` times at a steady ``rate`` per second (the scenario's pace)."""
    start = time.monotonic()
    tick = threading.Event()
    for i in range(count):
        log(i)
        ahead = start + (i + 1) / rate - time.monotonic()
        if ahead > 0:
            tick.wait(ahead)


@pytest.mark.parametrize("spooled", [True, False], ids=["spool", "memory"])
def test_ten_second_outage_at_a_steady_rate_loses_nothing(
    tmp_path: Path,
    fault_proxy: FaultProxy,
    ship: Callable[..., Any],
    logs_client: Any,
    spooled: bool,
) -> None:
    group = f"/delivery/outage-{'spool' if spooled else 'memory'}"
    options: dict[str, Any] = {"spool_dir": str(tmp_path / "spool")} if spooled else {}
    handler, logger = ship(
        group, fault_proxy.url, handler_class=QuickHandler, attempts=1, timeout=2, **options
    )
    rate, before, during, after = 100, 100, 1000, 100  # the outage lasts 10 s at 100/s
    _paced(before, rate, lambda i: logger.info("m-%d", i))
    assert handler.flush(timeout=10)
    fault_proxy.down()
    _paced(during, rate, lambda i: logger.info("m-%d", before + i))
    stats = handler.stats()
    assert stats["breaker"] != "closed"
    if spooled:  # the records waited on disk, not in memory
        wait_until(lambda: handler.stats()["spool_depth"] >= during - rate, 5, "spooled records")
        assert handler.stats()["queued"] < rate
    fault_proxy.up()
    _paced(after, rate, lambda i: logger.info("m-%d", before + during + i))
    assert handler.flush(timeout=20)
    total = before + during + after
    assert Counter(all_messages(logs_client, group)) == Counter(f"m-{i}" for i in range(total))
    stats = handler.stats()
    assert stats["sent"] == total and stats["dropped"] == {}
    assert stats["spool_depth"] == 0 and stats["breaker"] == "closed"


def test_thirty_percent_faulty_calls_lose_nothing_and_duplicate_only_stored_batches(
    tmp_path: Path, fault_proxy: FaultProxy, ship: Callable[..., Any], logs_client: Any
) -> None:
    group = "/delivery/faulty"
    fault_proxy.fail(("throttle", "unavailable", "drop_after_forward"), ratio=0.3, seed=11)
    handler, logger = ship(
        group,
        fault_proxy.url,
        handler_class=QuickHandler,
        attempts=1,
        spool_dir=str(tmp_path / "spool"),
        max_batch_events=50,  # many calls, so the share of faults is meaningful
    )
    total = 3000
    for i in range(total):
        logger.info("f-%d", i)
        if i % 250 == 0:
            handler.flush(timeout=0)  # wake the sender: batches go out while logging goes on
    assert handler.flush(timeout=40)
    calls = fault_proxy.requests["PutLogEvents"]
    injected = sum(fault_proxy.injected.values())
    assert calls >= 60 and 0.2 <= injected / calls <= 0.4, (injected, calls)
    assert all(fault_proxy.injected[kind] > 0 for kind in ("throttle", "unavailable"))
    assert fault_proxy.injected["drop_after_forward"] > 0
    messages = all_messages(logs_client, group)
    assert set(messages) == {f"f-{i}" for i in range(total)}  # nothing lost
    duplicates = len(messages) - total
    stored_then_dropped = fault_proxy.events_stored_then_dropped()
    sys.stderr.write(
        f"faulty calls: {calls} calls, injected {dict(fault_proxy.injected)}, "
        f"{duplicates} duplicates <= {stored_then_dropped} events stored then dropped\n"
    )
    assert 0 <= duplicates <= stored_then_dropped
    assert handler.stats()["dropped"] == {}


def test_a_hung_call_does_not_hold_records_in_memory(
    tmp_path: Path, fault_proxy: FaultProxy, ship: Callable[..., Any], logs_client: Any
) -> None:
    """While the sender waits for an endpoint that does not answer, records still reach disk."""
    group = "/delivery/hung"
    handler, logger = ship(group, fault_proxy.url, attempts=1, timeout=30, spool_dir=str(tmp_path))
    logger.info("first")
    assert handler.flush(timeout=10)
    fault_proxy.fail("hang", times=1)
    logger.info("held")
    handler.flush(timeout=0)  # the sender takes "held" and hangs in its call
    wait_until(lambda: fault_proxy.injected["hang"] == 1, 10, "the call to hang")
    for i in range(200):
        logger.info("during-%d", i)
    wait_until(lambda: handler.stats()["spool_depth"] >= 201, 5, "records committed meanwhile")
    assert handler.stats()["queued"] == 0
    fault_proxy.release_hung()
    assert handler.flush(timeout=20)
    expected = ["first", "held", *(f"during-{i}" for i in range(200))]
    assert Counter(all_messages(logs_client, group)) == Counter(expected)


_UNREACHABLE = """
import json, socket, threading

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()  # nothing listens there: connections are refused
handler, logger = make_handler("/delivery/unreachable", "s", f"http://127.0.0.1:{port}",
                               max_queue_bytes=8 << 20, close_timeout=1.0, flush_interval=0.2)
filler = "x" * 4000
for i in range(200):
    logger.info("warm-%d %s", i, filler)
handler.flush(timeout=0)
deadline = time.monotonic() + 30
while handler.stats()["last_error"] is None:  # the client is built: its models are in memory
    assert time.monotonic() < deadline, "the sender never tried the endpoint"
    threading.Event().wait(0.01)
baseline = rss_kib()
costs = []
clock = time.perf_counter_ns
for i in range(26_000):  # about 100 MiB of text
    start = clock()
    logger.info("r-%d %s", i, filler)
    costs.append(clock() - start)
grown = rss_kib() - baseline
costs.sort()
started = time.monotonic()
handler.close()
close_seconds = time.monotonic() - started
stats = handler.stats()
print(json.dumps({
    "p50_us": costs[len(costs) // 2] / 1000, "p99_us": costs[int(len(costs) * 0.99)] / 1000,
    "rss_growth_mib": grown / 1024,
    "close_s": close_seconds, "dropped": sum(stats["dropped"].values()), "sent": stats["sent"],
}))
"""


def test_unreachable_endpoint_keeps_logging_fast_and_memory_bounded(tmp_path: Path) -> None:
    result = run_script(script_file(tmp_path, _UNREACHABLE), timeout=90)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    sys.stderr.write(f"unreachable endpoint: {figures}\n")  # shown with -s; see the docs
    assert figures["sent"] == 0 and figures["dropped"] > 20_000
    assert figures["p99_us"] < 2_000  # generous: a queued record costs a few µs
    assert figures["rss_growth_mib"] < 8 + 20
    assert figures["close_s"] < 3.0
