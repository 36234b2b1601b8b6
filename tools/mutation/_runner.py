"""Runs the mutants of the pieces on worker processes, each in its own copy of the repository."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._mutants import Mutant
from ._pieces import ROOT

_IGNORED = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", ".hypothesis", ".pytest_cache", "*.egg-info", ".mypy_cache",
    ".ruff_cache",
)  # fmt: skip
_TIMEOUT_FACTOR = 3.0
_TIMEOUT_EXTRA_SECONDS = 15.0


@dataclass(frozen=True)
class Outcome:
    """What the tests did with one mutant.

    ``status``: killed, timeout (counted as killed), survived, uncovered (no test runs the line;
    counted as survived), equivalent, or error (pytest could not run the tests).
    """

    mutant: Mutant
    status: str
    seconds: float = 0.0
    tests: int = 0


class Worker:
    """A worker process (see ``_worker``) serving one copy of the repository."""

    def __init__(self, copy: Path) -> None:
        self.copy = copy
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tools.mutation._worker"],
            cwd=copy,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self._read()
        if not ready.get("ready"):
            raise RuntimeError(f"the mutation worker did not start: {ready}")

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the mutation worker in {self.copy} stopped")
        result: dict[str, Any] = json.loads(line)
        return result

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """Send ``job`` and wait for its result."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        """End the worker and remove its copy."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)
        shutil.rmtree(self.copy.parent, ignore_errors=True)  # the copy and the trace file


class Pool:
    """``jobs`` workers; a context manager that ends them all."""

    def __init__(self, jobs: int) -> None:
        self.workers: list[Worker] = []
        try:
            for _ in range(jobs):
                copy = Path(tempfile.mkdtemp(prefix="cw-mutation-")) / "repo"
                shutil.copytree(ROOT, copy, ignore=_IGNORED)
                self.workers.append(Worker(copy))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End every worker."""
        for worker in self.workers:
            worker.close()

    def coverage(self, files: list[str], tests: list[str]) -> dict[str, Any]:
        """Run ``tests`` unmutated, recording which test runs which line of ``files``."""
        worker = self.workers[0]
        out = worker.copy.parent / "trace.json"
        started = time.monotonic()
        result = worker.run(
            {"tests": tests, "timeout": 1800, "trace": files, "trace_out": str(out)}
        )
        data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        failed: list[str] = data["failed"]
        if failed:  # time budgets fail under tracing: drop the tests that pass untraced
            rerun = worker.run({"tests": failed, "timeout": 1800})
            if rerun["code"] != 0:
                raise RuntimeError(
                    f"the tests fail without any mutant: {failed[:5]}; "
                    f"see {worker.copy / '.mutation-last-run.log'}"
                )
            for nodeid in failed:
                data["seconds"].pop(nodeid, None)
            for lines in data["lines"].values():
                for line, ids in lines.items():
                    lines[line] = [i for i in ids if i not in failed]
        elif result["code"] != 0:
            raise RuntimeError(f"the unmutated run failed (exit {result['code']})")
        data["left_out"] = failed
        if not str(data["module"]).startswith(str(worker.copy)):
            raise RuntimeError(f"the tests imported cw_logging from {data['module']}")
        data["seconds_total"] = time.monotonic() - started
        prefix = str(worker.copy) + "/"
        data["lines"] = {k.removeprefix(prefix): v for k, v in data["lines"].items()}
        return data

    def run(
        self,
        work: Iterable[tuple[Mutant, list[str], float]],
        report: Callable[[Outcome], None],
    ) -> None:
        """Run each (mutant, tests, timeout) on the first free worker; ``report`` each outcome."""
        todo: queue.Queue[tuple[Mutant, list[str], float]] = queue.Queue()
        for item in work:
            todo.put(item)
        lock = threading.Lock()

        def serve(worker: Worker) -> None:
            while True:
                try:
                    mutant, tests, timeout = todo.get_nowait()
                except queue.Empty:
                    return
                job = {"file": mutant.path, "source": mutant.source, "tests": tests}
                result = worker.run({**job, "timeout": timeout})
                outcome = Outcome(mutant, _status(result["code"]), result["seconds"], len(tests))
                with lock:
                    report(outcome)

        threads = [threading.Thread(target=serve, args=(w,)) for w in self.workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _status(code: int | None) -> str:
    if code is None:
        return "timeout"
    if code in (1, 2, 3, 4):  # tests failed, or the mutant broke collection, conftest or a plugin
        return "killed"
    return "survived" if code == 0 else "error"


def select_tests(mutant: Mutant, coverage: dict[str, Any], all_tests: list[str]) -> list[str]:
    """The tests to run on ``mutant``, fastest first: those that run its lines, when it is in
    a function body; every test of the piece for module- and class-level code."""
    seconds: dict[str, float] = coverage["seconds"]
    if mutant.in_function:
        lines = coverage["lines"].get(mutant.path, {})
        chosen: set[str] = set()
        for line in range(mutant.line, mutant.end_line + 1):
            chosen.update(lines.get(str(line), ()))
        return sorted(chosen, key=lambda t: seconds.get(t, 0.0))
    return sorted(seconds, key=lambda t: seconds[t]) or all_tests


def timeout_for(tests: list[str], coverage: dict[str, Any]) -> float:
    """A generous limit for running ``tests`` once (their traced time, times a factor)."""
    seconds: dict[str, float] = coverage["seconds"]
    return _TIMEOUT_EXTRA_SECONDS + _TIMEOUT_FACTOR * sum(seconds.get(t, 1.0) for t in tests)
