"""The README's main job, examples/quickstart.py, runs on its own and prints what it shipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_quickstart_ships_records_and_prints_them_back(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        cwd=tmp_path,  # not the repository: the example must not depend on the working dir
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "4 events in log group /quickstart/shop:"
    rows = [line.split() for line in lines[1:5]]
    assert [row[1:3] for row in rows] == [
        ["INFO", "shop.orders"],
        ["INFO", "shop.orders"],
        ["WARNING", "shop.orders"],
        ["ERROR", "shop.orders"],
    ]
    assert "order A-1001 placed" in lines[2] and "order_id=A-1001" in lines[2]
    assert "amount=42.5" in lines[2]
    assert "errorType=KeyError" in lines[4] and "order_id=A-1002" in lines[4]
    assert lines[5] == "handler stats: sent=4 batches=1 dropped={} rejected={}"
