"""A worker that runs pytest on mutants in its own copy of the repository.

Started by the runner with the copy as working directory, it imports pytest and the heavy
third-party modules once, then for each job (a JSON line on stdin) writes the mutated file, forks
a child that runs ``pytest.main`` on the chosen tests (the child imports cw_logging afresh, from
the mutated copy) and answers a JSON line with the outcome. The original file is put back after
every job.
"""

from __future__ import annotations

import compileall
import contextlib
import importlib.util
import json
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any

PRELOAD = ("boto3", "botocore.session", "botocore.client", "hypothesis", "pytest", "moto")
"""Modules imported once in the worker so that each forked child starts warm."""

_PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "-o", "addopts=", "--hypothesis-seed=0"]


def _drop_bytecode(path: Path) -> None:
    """Remove the cached bytecode of ``path``: a mutant may have the same size and mtime."""
    cached = Path(importlib.util.cache_from_source(str(path)))
    cached.unlink(missing_ok=True)


def _wait(pid: int, timeout: float) -> int | None:
    """Wait for child ``pid`` at most ``timeout`` seconds; its exit code, or None on timeout."""
    deadline = time.monotonic() + timeout
    descriptor = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if descriptor is not None:
                select.select([descriptor], [], [], left)
            else:  # no pidfd: poll
                time.sleep(min(left, 0.02))
    finally:
        if descriptor is not None:
            os.close(descriptor)


def _child(args: list[str], log: Path, plugins: list[Any]) -> None:
    os.setpgrp()  # so a timeout can end whatever the tests started
    with open(log, "w") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
    code = 3
    try:
        import pytest

        code = int(pytest.main(args, plugins=plugins))
    finally:
        sys.stdout.flush()
        os._exit(code)


def run_job(job: dict[str, Any], root: Path, log: Path) -> dict[str, Any]:
    """Run one job: ``file``/``source`` (the mutant, optional), ``tests``, ``timeout``."""
    target = root / job["file"] if job.get("file") else None
    original = target.read_text(encoding="utf-8") if target else None
    plugins: list[Any] = []
    if job.get("trace"):
        from ._trace import Tracer

        plugins.append(Tracer([str(root / f) for f in job["trace"]], job["trace_out"]))
    try:
        if target is not None:
            target.write_text(job["source"], encoding="utf-8")
            _drop_bytecode(target)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            stop_early = [] if plugins else ["-x"]  # the traced run must run every test
            _child([*_PYTEST_ARGS, *stop_early, *job["tests"]], log, plugins)
        code = _wait(pid, job["timeout"])
        if code is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return {"code": code, "seconds": round(time.monotonic() - started, 3)}
    finally:
        if target is not None and original is not None:
            target.write_text(original, encoding="utf-8")
            _drop_bytecode(target)


def main() -> None:
    """Serve jobs from stdin until it closes."""
    root = Path.cwd()
    sys.path.insert(0, str(root))
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(name)
    assert "cw_logging" not in sys.modules, "the worker must not import cw_logging"
    # The copy is ours: cache bytecode there (even under PYTHONDONTWRITEBYTECODE), so that each
    # child compiles only the mutated file instead of the whole package (run_job drops its cache).
    sys.dont_write_bytecode = False
    compileall.compile_dir(root / "cw_logging", quiet=2)
    log = root / ".mutation-last-run.log"
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        result = run_job(json.loads(line), root, log)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
