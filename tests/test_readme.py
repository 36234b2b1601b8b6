"""The README's code: its Python blocks run, in order, against the local engine over HTTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cw_logging.local import serve

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def test_the_readme_has_exactly_two_set_up_commands_and_they_are_the_ones_ci_runs() -> None:
    commands = fenced_blocks("sh")
    assert len(commands) == 2, commands
    demo, tests = (c.strip() for c in commands)
    assert demo.endswith("cw-logging demo")
    assert tests.endswith("python -m pytest -n 2")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -n 2" in ci


def test_python_blocks_run_against_the_local_engine(tmp_path: Path) -> None:
    blocks = fenced_blocks("python")
    assert len(blocks) >= 4
    script = tmp_path / "readme_blocks.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    with serve(port=0) as server:
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": server.url,
            "PYTHONPATH": str(ROOT),
        }
        completed = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        stored = server.engine.call(
            "FilterLogEvents",
            {"logGroupName": "/myapp/prod", "filterPattern": "{ $.order_id = 42 }"},
        )["events"]
    assert len(stored) == 1
    assert '"requestId":"r-1"' in stored[0]["message"]
    lines = completed.stdout.splitlines()
    assert any(line.endswith("/myapp/prod ERROR card declined") for line in lines), lines
    assert "shop.payments 1" in lines, lines


@pytest.mark.parametrize("link", re.findall(r"\]\(((?:docs|examples)/[^)]*)\)", README))
def test_every_linked_page_exists(link: str) -> None:
    assert (ROOT / link).exists(), link
