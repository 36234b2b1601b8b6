"""A pytest plugin recording which tests run which lines of the mutated files, and how long."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import pytest

_Tracer = Callable[[FrameType, str, Any], Any]


class Tracer:
    """Records, per test, the lines of ``files`` it executes (in any thread) and its duration.

    Writes ``{"lines": {file: {line: [nodeid, ...]}}, "seconds": {nodeid: s}, "failed": [...],
    "module": <cw_logging's path>}`` to ``out`` at the end of the session.
    """

    def __init__(self, files: list[str], out: str) -> None:
        self.files = frozenset(files)
        self.out = out
        self.current: str | None = None
        self.lines: dict[str, dict[int, set[str]]] = {f: {} for f in files}
        self.seconds: dict[str, float] = {}
        self.failed: list[str] = []

    def _local(self, frame: FrameType, event: str, arg: Any) -> _Tracer:
        if event == "line" and self.current is not None:
            per_file = self.lines[frame.f_code.co_filename]
            per_file.setdefault(frame.f_lineno, set()).add(self.current)
        return self._local

    def _global(self, frame: FrameType, event: str, arg: Any) -> _Tracer | None:
        if frame.f_code.co_filename in self.files:
            return self._local
        return None

    def pytest_configure(self, config: pytest.Config) -> None:
        """Start tracing this thread and threads started from now on."""
        sys.settrace(self._global)
        threading.settrace(self._global)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        """Attribute what runs during ``item`` to it."""
        self.current = item.nodeid
        started = time.perf_counter()
        yield
        self.seconds[item.nodeid] = time.perf_counter() - started
        self.current = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Remember tests that fail unmutated (the run is then not usable)."""
        if report.failed:
            self.failed.append(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Stop tracing and write what was recorded."""
        sys.settrace(None)
        threading.settrace(None)
        package = sys.modules.get("cw_logging")
        data = {
            "lines": {
                f: {str(n): sorted(ids) for n, ids in lines.items()}
                for f, lines in self.lines.items()
            },
            "seconds": self.seconds,
            "failed": self.failed,
            "module": getattr(package, "__file__", None),
        }
        with open(self.out, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
