"""Helpers of the testing tools' tests: a fake clock whose sleep moves it, subprocess runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    """A clock in seconds that only moves when ``sleep`` is called; records every sleep."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run_python(
    args: Sequence[str],
    *,
    cwd: Path,
    pythonpath: Sequence[Path] = (),
    timeout: float = 60,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter in ``cwd`` with the repository (and ``pythonpath``) importable."""
    env = {**os.environ, **(extra_env or {})}
    paths = [*map(str, pythonpath), str(ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
