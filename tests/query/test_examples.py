"""The read-path examples run as scripts, offline, and print what their docs promise."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def run_example(name: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(key, None)  # the examples must bring their own (fake) credentials
    completed = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_querying_example() -> None:
    out = run_example("querying.py").splitlines()
    assert out[0] == "retention: 14 days"
    assert out[1].endswith(": Complete, 4 rows")
    assert out[-2] == 'newest event: {"level": "INFO", "n": 3}'
    assert out[-1] == "filtered: 4 events"


def test_follow_a_request_example() -> None:
    out = run_example("follow_a_request.py").splitlines()
    assert [re.search(r"/shop/\w+", line).group() for line in out[:-1]] == [  # type: ignore[union-attr]
        "/shop/api",
        "/shop/worker",
        "/shop/legacy",
        "/shop/worker",
    ]
    assert "ERROR card declined" in out[3]
    assert out[-1] == "4 events, 1 error(s); request id: r-7"
