"""Real servers, real workers: each scenario starts gunicorn or uvicorn on 127.0.0.1 in a process
group of its own, sends requests that each log a unique id through ``CloudWatchHandler`` into
the package's local server, stops the server with SIGTERM and counts what was stored."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.integration.helpers import wait_until
from tests.support.servers import ServerProcess, drive
from tests.support.sink import LocalSink

ROOT = Path(__file__).resolve().parents[2]
GROUP = "/process-models/app"

NEEDS_FORK = pytest.mark.skipif(
    not hasattr(os, "fork"), reason="pre-fork servers need os.fork, which this platform lacks"
)
"""The one reason these tests may be skipped (put it in each module's ``pytestmark``)."""


@dataclass(frozen=True)
class Scenario:
    """One way of serving: ``server`` (gunicorn or uvicorn) with ``options``, ``requests``
    requests, a spool or not, logging configured by the application or by the server."""

    server: str
    options: tuple[str, ...]
    requests: int
    spool: bool
    logging_by: str = "app"

    @property
    def name(self) -> str:
        words = [self.server, *(o.lstrip("-") for o in self.options), str(self.requests)]
        words += ["spool" if self.spool else "memory", f"logging-by-{self.logging_by}"]
        return "-".join(words)


@dataclass
class Outcome:
    """What one scenario produced: answers, exit status, what the sink stored."""

    statuses: Counter[int]
    exit_status: int
    stored: Counter[str]
    streams: int
    leftover_processes: bool
    spool_files: list[str]
    output: str
    seconds: dict[str, float] = field(default_factory=dict)

    def assert_delivered_cleanly(self, requests: int, min_streams: int) -> None:
        """The whole check of a scenario: a clean exit, every id stored once over at least
        ``min_streams`` streams (one per worker), no process and no spool file left behind."""
        assert self.exit_status == 0, self.output
        self.assert_each_id_stored_once(requests)
        assert self.streams >= min_streams, self.streams
        assert not self.leftover_processes, self.output
        assert self.spool_files == [], f"a clean shutdown left spool files: {self.spool_files}"

    def assert_each_id_stored_once(self, requests: int) -> None:
        """Every request answered 200 and its id stored exactly once; nothing else."""
        assert self.statuses == Counter({200: requests}), (self.statuses, self.output)
        expected = {f"served {i}" for i in range(requests)}
        lost = sorted(expected - set(self.stored), key=lambda m: int(m.split()[1]))
        twice = {m: n for m, n in self.stored.items() if n > 1}
        unexpected = set(self.stored) - expected
        assert not (lost or twice or unexpected), (
            f"{len(lost)} of {requests} ids lost (first: {lost[:5]}), "
            f"{sum(n - 1 for n in twice.values())} duplicates, {len(unexpected)} unexpected; "
            f"{self.streams} streams; server output:\n{self.output}"
        )


def _gunicorn_flags() -> list[str]:
    """Flags every gunicorn run gets: no control socket in the home directory (gunicorn 24+
    makes one there by default, and parallel runs would share it)."""
    import gunicorn.config

    return ["--no-control-socket"] if hasattr(gunicorn.config, "ControlSocketDisable") else []


def _command(scenario: Scenario, env: dict[str, str], tmp_path: Path) -> tuple[list[str], str, int]:
    """The server's command line, the line that gives its port, and how many lines say ready."""
    if scenario.server == "gunicorn":
        argv = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", *_gunicorn_flags()]
        if scenario.logging_by == "server":
            argv += ["--config", "python:tests.process_models.apps.gunicorn_conf"]
        argv += [*scenario.options, "tests.process_models.apps.wsgi_app:application"]
        return argv, r"Listening at: http://127\.0\.0\.1:(\d+)", 0
    argv = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "0"]
    if scenario.logging_by == "server":
        from tests.process_models.apps._settings import server_logging_config

        config = tmp_path / "logging.json"
        config.write_text(json.dumps(server_logging_config("uvicorn", env)), encoding="utf-8")
        argv += ["--log-config", str(config)]
    argv += [*scenario.options, "tests.process_models.apps.asgi_app:app"]
    workers = int(scenario.options[scenario.options.index("--workers") + 1])
    return argv, r"running on http://127\.0\.0\.1:(\d+)", workers


def run_scenario(scenario: Scenario, sink: LocalSink, tmp_path: Path) -> Outcome:
    """Serve, send the requests, SIGTERM the master, wait until every process is gone, count."""
    spool_dir = tmp_path / "spool"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "CW_TEST_ENDPOINT": sink.url,
        "CW_TEST_GROUP": GROUP,
        "CW_TEST_LOGGING_BY": scenario.logging_by,
    }
    if scenario.spool:
        env["CW_TEST_SPOOL_DIR"] = str(spool_dir)
    argv, port_line, ready_lines = _command(scenario, env, tmp_path)
    seconds: dict[str, float] = {}
    started = time.monotonic()
    with ServerProcess(argv, env=env, cwd=ROOT, output=tmp_path / "server.log") as server:
        port = int(server.wait_for(port_line, timeout=30).group(1))
        if ready_lines:  # uvicorn's workers listen only once started
            server.wait_for("Application startup complete", timeout=30, count=ready_lines)
        seconds["start"] = time.monotonic() - started
        paths = (f"/?id={i}" for i in range(scenario.requests))
        statuses = drive("127.0.0.1", port, paths)
        seconds["requests"] = time.monotonic() - started - seconds["start"]
        exit_status = server.terminate(timeout=60)
        try:  # the master waited for its workers; helpers (a resource tracker) end with it
            wait_until(lambda: not server.group_alive(), 15, "the server's processes to end")
            leftover = False
        except AssertionError:
            leftover = True
        seconds["total"] = time.monotonic() - started
        tail, reports = server.tail(15), server.reports()
    return Outcome(
        statuses=statuses,
        exit_status=exit_status,
        stored=sink.count_of(GROUP, "message", "served "),
        streams=len(sink.streams(GROUP)),
        leftover_processes=leftover,
        spool_files=sorted(p.name for p in spool_dir.iterdir()) if spool_dir.exists() else [],
        output=f"{reports}\n...\n{tail}",
        seconds=seconds,
    )
