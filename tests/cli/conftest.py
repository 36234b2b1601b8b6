"""Fixtures for the CLI tests: a local engine server, a boto3 client on it, and runners of
``cw-logging`` in process (``cli``) and as a real process (``run_process``)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from cw_logging.cli import main
from cw_logging.local import LocalEngine, LocalServer, serve
from tests.support.signals import default_sigint

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    """What one ``cw-logging`` run printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines()]


@pytest.fixture
def engine() -> Iterator[LocalEngine]:
    with LocalEngine(query_polls_before_complete=1) as local:
        yield local


@pytest.fixture
def server(engine: LocalEngine) -> Iterator[LocalServer]:
    with serve(port=0, engine=engine) as running:
        yield running


@pytest.fixture
def logs(server: LocalServer) -> Any:
    import boto3

    return boto3.client("logs", endpoint_url=server.url, region_name="us-east-1")


@pytest.fixture
def cli(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``cw-logging --endpoint-url <local server> ARGS...`` in process."""

    def run(*argv: str, endpoint: bool = True) -> Run:
        prefix = ["--endpoint-url", server.url] if endpoint else []
        code = main([*prefix, *argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def fresh_machine_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine with the package and nothing else: no AWS credentials,
    region, profile or config files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(tmp_path)
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    return env


@pytest.fixture
def run_process(tmp_path: Path) -> Callable[..., Run]:
    """Run ``python -m cw_logging.cli ARGS...`` as a process on a fresh-machine environment."""

    def run(argv: Sequence[str], *, timeout: float = 60, **env: str) -> Run:
        completed = subprocess.run(
            [sys.executable, "-m", "cw_logging.cli", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**fresh_machine_env(tmp_path), **env},
            cwd=tmp_path,
            check=False,
        )
        return Run(completed.returncode, completed.stdout, completed.stderr)

    return run


def shell_env(tmp_path: Path) -> dict[str, str]:
    """:func:`fresh_machine_env` with the installed ``cw-logging`` on ``PATH``."""
    env = fresh_machine_env(tmp_path)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@pytest.fixture
def paste(tmp_path: Path) -> Callable[..., Run]:
    """Run a command line printed for the user through a shell, as pasting it into a terminal
    would, on a fresh-machine environment with the installed ``cw-logging`` on ``PATH``."""

    def run(line: str, *, timeout: float = 60) -> Run:
        completed = subprocess.run(
            ["bash", "-c", line],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=shell_env(tmp_path),
            cwd=tmp_path,
            check=False,
        )
        return Run(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[[Sequence[str] | str], subprocess.Popen[str]]]:
    """Start ``cw-logging`` in the background on a fresh-machine environment: ``python -m
    cw_logging.cli ARGV`` for a list, or a command line through a shell (as pasted) for a
    string. Whatever still runs after the test is killed."""
    started: list[subprocess.Popen[str]] = []

    def start(command: Sequence[str] | str) -> subprocess.Popen[str]:
        if isinstance(command, str):
            argv = ["bash", "-c", f"exec {command}"]  # exec: signals reach cw-logging itself
        else:
            argv = [sys.executable, "-m", "cw_logging.cli", *command]
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=shell_env(tmp_path),
            cwd=tmp_path,
            preexec_fn=default_sigint,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


class ChildLines:
    """The lines a child process writes to a pipe, read with a deadline. It reads the pipe's
    file descriptor itself, so lines that arrived together are never left unseen in a
    buffer while it waits for more."""

    def __init__(self, stream: IO[str]) -> None:
        self._fd = stream.fileno()
        self._pending = b""

    def until(self, wanted: Callable[[str], bool], timeout: float) -> list[str]:
        """Lines up to and including the first ``wanted`` one; fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while True:
            while b"\n" in self._pending:
                raw, self._pending = self._pending.split(b"\n", 1)
                seen.append(raw.decode() + "\n")
                if wanted(seen[-1]):
                    return seen
            ready, _, _ = select.select([self._fd], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                pytest.fail(f"nothing wanted within {timeout} s; read {seen}")
            chunk = os.read(self._fd, 65536)
            if not chunk:
                pytest.fail(f"the stream ended; read {seen}")
            self._pending += chunk

    def next(self, timeout: float) -> str:
        """The next line; fail after ``timeout`` seconds."""
        return self.until(lambda line: True, timeout)[0]


def wait_until(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Return ``condition()`` once it is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.02)  # polling interval of the wait, not a synchronisation


def put_events(logs: Any, group: str, stream: str, events: Sequence[tuple[int, Any]]) -> None:
    """Store ``(milliseconds ago, message or JSON-able dict)`` events in a new stream."""
    from cw_logging.query import admin

    admin.ensure_stream_exists(group, stream, client=logs)
    now = int(time.time() * 1000)
    batch = [
        {
            "timestamp": now - ago,
            "message": body if isinstance(body, str) else json.dumps(body),
        }
        for ago, body in sorted(events, key=lambda e: -e[0])
    ]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)


def read_line(stream: IO[str], timeout: float = 20.0) -> str:
    """The next line of a process's output; fail the test when none comes in ``timeout`` s."""
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        pytest.fail(f"no output within {timeout} s")
    return stream.readline()
