"""A process that ends normally while its endpoint never answers: exit takes ``close_timeout`` in
total (``atexit`` and ``logging.shutdown``'s flush and close share one deadline), and what was
not delivered is said on stderr with its count (with a spool: that it waits on disk)."""

from __future__ import annotations

import logging
import re
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from cw_logging.handler import CloudWatchHandler
from tests.delivery.conftest import run_script

pytestmark = pytest.mark.integration

CLOSE_TIMEOUT = 3.0
RECORDS = 100
SLACK = 1.0  # for a loaded machine; a deadline per step would take 2 x CLOSE_TIMEOUT

_CHILD = """
import atexit, sys, time

assert "logging" not in sys.modules
logged = []
# registered before logging's own: runs after cw_logging's atexit and after logging.shutdown
atexit.register(lambda: print(f"exit took {time.monotonic() - logged[0]:.3f} s", flush=True))

import logging
from cw_logging.handler import CloudWatchHandler

url, close_timeout, records, *spool_dir = sys.argv[1:]
spool = {"spool_dir": spool_dir[0]} if spool_dir else {}
handler = CloudWatchHandler(
    "/delivery/exit", "s", endpoint_url=url, close_timeout=float(close_timeout), **spool
)
logger = logging.getLogger("app")
logger.addHandler(handler)
logger.setLevel(logging.INFO)
for i in range(int(records)):
    logger.info("exit-%d", i)
logged.append(time.monotonic())  # the script ends: atexit, then logging.shutdown
"""


@contextmanager
def hung_endpoint() -> Iterator[str]:
    """The URL of a loopback port whose connections are accepted and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)  # the kernel completes the handshakes; nobody ever reads
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@dataclass
class Ending:
    """How a child process that logged and then ended went."""

    result: subprocess.CompletedProcess[str]
    seconds_to_exit: float
    spool_dir: Path | None


@pytest.fixture(scope="module", params=["memory", "spool"])
def ending(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Ending:
    tmp_path = tmp_path_factory.mktemp(f"exit-{request.param}")
    spool_dir = tmp_path / "spool" if request.param == "spool" else None
    script = tmp_path / "child.py"
    script.write_text(_CHILD, encoding="utf-8")
    with hung_endpoint() as url:
        args = [url, str(CLOSE_TIMEOUT), str(RECORDS)] + ([str(spool_dir)] if spool_dir else [])
        result = run_script(script, *args, timeout=60)
    assert result.returncode == 0, result.stderr
    took = re.fullmatch(r"exit took ([\d.]+) s\n", result.stdout)
    assert took, result.stdout
    return Ending(result, float(took[1]), spool_dir)


def test_exit_takes_close_timeout_in_total(ending: Ending) -> None:
    assert CLOSE_TIMEOUT - 0.5 < ending.seconds_to_exit < CLOSE_TIMEOUT + SLACK


@pytest.mark.parametrize("ending", ["spool"], indirect=True)
def test_records_left_in_the_spool_stay_on_disk(ending: Ending) -> None:
    assert ending.spool_dir is not None
    (database,) = ending.spool_dir.glob("cwspool-*.db")
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (RECORDS,)


def test_what_was_not_delivered_is_said_on_stderr_with_its_count(ending: Ending) -> None:
    said = ending.result.stderr
    assert f"{RECORDS} records were not delivered within close_timeout={CLOSE_TIMEOUT:g}s" in said
    if ending.spool_dir is not None:
        assert "they wait in the spool" in said
    else:
        assert "are lost" in said


def test_after_the_deadline_gave_records_up_flush_says_so() -> None:
    with hung_endpoint() as url:
        handler = CloudWatchHandler("/delivery/exit", "s", endpoint_url=url, close_timeout=1.0)
        logger = logging.getLogger("tests.exit-deadline")
        logger.addHandler(handler)
        logger.propagate = False
        try:
            for i in range(20):
                logger.warning("given-up-%d", i)
            started = time.monotonic()
            handler.close()
            assert time.monotonic() - started < 1.0 + 0.5
            assert handler.stats()["dropped"] == {"close_timeout": 20}
            assert handler.flush() is False  # as logging.shutdown calls it
        finally:
            logger.removeHandler(handler)
