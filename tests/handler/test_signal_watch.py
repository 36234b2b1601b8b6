"""A process that shuts down on SIGTERM and then ends by re-raising it with the default action
(as uvicorn does) skips ``atexit``: as soon as such a SIGTERM arrives, the signal watcher makes
every handler deliver what it holds, and every later record at once, without waiting for a
flush, a close or the flush interval."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.sink import LocalSink
from tests.support.sink_fixtures import sink

__all__ = ["sink"]

ROOT = Path(__file__).resolve().parents[2]

ENDS_BY_ITS_SIGNAL = """
import logging, signal, sys, threading
from cw_logging import CloudWatchHandler
handler = CloudWatchHandler(sys.argv[2], "s", endpoint_url=sys.argv[1], region_name="us-east-1",
                            create_log_group=True, flush_interval=60)
logger = logging.getLogger("server")
logger.addHandler(handler)
logger.setLevel(logging.INFO)
stopping = threading.Event()
original = signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
for i in range(50):
    logger.info("served %d", i)
print("ready", flush=True)
while not stopping.wait(0.05):
    pass
logger.info("shutting down")
# no flush() or close(): only the watcher can have made the sender deliver (flush_interval=60)
pause = threading.Event()  # never set: a bounded wait between looks at the counters
for _ in range(200):
    if handler.stats()["sent"] == 51:
        print("delivered", flush=True)
        break
    pause.wait(0.05)
signal.signal(signal.SIGTERM, original)  # what the server found, the default action
signal.raise_signal(signal.SIGTERM)  # ends the process: no atexit, no logging.shutdown
"""


@pytest.mark.skipif(not hasattr(signal, "raise_signal"), reason="needs signal.raise_signal")
def test_records_of_a_process_that_ends_by_its_own_sigterm_are_delivered(
    sink: LocalSink,
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    group = "/signals/re-raised"
    process = subprocess.Popen(
        [sys.executable, "-c", ENDS_BY_ITS_SIGNAL, sink.url, group],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM, "it ended by the signal"
        assert process.stdout.read().strip() == "delivered"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stored = sink.count_of(group, "message", "")
    expected = {f"served {i}" for i in range(50)} | {"shutting down"}
    assert set(stored) == expected and set(stored.values()) == {1}
