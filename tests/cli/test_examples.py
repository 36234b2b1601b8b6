"""Every framework example runs as a script, offline on a machine without AWS set up, exits 0
and prints what its docstring promises (each one reads its own records back)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT, fresh_machine_env

pytestmark = pytest.mark.integration

HIDE_AND_RUN = """
import runpy, sys
for name in sys.argv[2:]:
    sys.modules[name] = None  # as if the framework were not installed
sys.path.insert(0, "examples")
sys.argv = [sys.argv[1]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_example(name: str, tmp_path: Path, *, hide: tuple[str, ...] = ()) -> list[str]:
    script = str(ROOT / "examples" / name)
    argv = [sys.executable, "-c", HIDE_AND_RUN, script, *hide] if hide else [sys.executable, script]
    completed = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=60,
        env=fresh_machine_env(tmp_path),
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.splitlines()


def test_plain_script(tmp_path: Path) -> None:
    out = run_example("plain_script.py", tmp_path)
    assert out[:5] == [
        "INFO  import started",
        "INFO  row imported",
        "ERROR bad row skipped [ValueError]",
        "INFO  row imported",
        "INFO  import finished",
    ]
    assert re.fullmatch(
        r"5 events sent in 1 call\(s\); 5 found by request id, trace [0-9a-f]{32}", out[5]
    )


FLASK_LINES = [
    "POST /orders/book -> 201, request id req-book-1",
    "POST /orders/unicorn -> 409, request id generated",
    "  INFO  order received   trace 4bf92f3577b34da6a3ce929d0e0e4736",
    "  ERROR out of stock     trace 4bf92f3577b34da6a3ce929d0e0e4736",
    "errors by service: [('shop-web', '1')]",
]


def test_flask_app(tmp_path: Path) -> None:
    pytest.importorskip("flask")
    assert run_example("flask_app.py", tmp_path) == FLASK_LINES


def test_flask_app_without_flask(tmp_path: Path) -> None:
    assert run_example("flask_app.py", tmp_path, hide=("flask",)) == FLASK_LINES


@pytest.mark.parametrize("hide", [(), ("fastapi",)], ids=["as-installed", "without-fastapi"])
def test_fastapi_app(tmp_path: Path, hide: tuple[str, ...]) -> None:
    out = run_example("fastapi_app.py", tmp_path, hide=hide)
    statuses = [line.split()[0] for line in out[:3]]
    assert statuses == ["201", "409", "201"] and out[0].endswith("req-1")
    failed_request = out[1].split()[-1]
    timeline = out[3:]
    assert [line.split()[:2] for line in timeline] == [
        ["INFO", "order"],
        ["INFO", "checking"],
        ["ERROR", "out"],
    ]
    assert all(line.endswith(f"request {failed_request}") for line in timeline)


@pytest.mark.parametrize("hide", [(), ("django",)], ids=["as-installed", "without-django"])
def test_django_settings(tmp_path: Path, hide: tuple[str, ...]) -> None:
    out = run_example("django_settings.py", tmp_path, hide=hide)
    assert out[0].endswith(": request req-django-1")
    assert out[1:] == ["  INFO order received item=book"]


def test_worker_multiprocessing(tmp_path: Path) -> None:
    out = run_example("worker_multiprocessing.py", tmp_path)
    workers = int(re.fullmatch(r"6 jobs ran in (\d) worker process\(es\)", out[0]).group(1))  # type: ignore[union-attr]
    match = re.fullmatch(r"trace [0-9a-f]{32}: 9 records from (\d) processes", out[1])
    assert match is not None and int(match.group(1)) == workers + 1  # the parent and the workers
    per_stream = [int(line.split(": ")[1].split()[0]) for line in out[2:]]
    assert sum(per_stream) == 9 and len(per_stream) == workers + 1


def test_aws_lambda(tmp_path: Path) -> None:
    out = run_example("aws_lambda.py", tmp_path)
    assert (
        out[0]
        == "invocation 1 -> {'statusCode': 200, 'total': 10.0}, invocation 2 -> {'statusCode': 400}"
    )
    first = "traceId=5759e988bd862e3fe1be46a994272793 xray=1-5759e988-bd862e3fe1be46a994272793"
    assert [line.split()[:2] for line in out[1:]] == [
        ["inv-1", "INFO"],
        ["inv-1", "INFO"],
        ["inv-2", "INFO"],
        ["inv-2", "ERROR"],
    ]
    assert first in out[1] and first in out[2]
    assert out[4].rstrip().endswith("KeyError") and "xray=1-5759e989-" in out[4]
