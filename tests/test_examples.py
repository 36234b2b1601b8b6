"""Every example runs as the README says: with the package alone (``pip install -e .``, no test
extras, no moto), on a machine with no AWS set-up, from any directory, and prints what its
docstring promises (each one that ships records reads them back from the local engine)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.core_venv import ROOT, core_python, installed_distributions, no_aws_env

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "examples"
HELPERS = {"offline.py"}  # imported by the others, not run on its own

HIDE_AND_RUN = """
import runpy, sys
for name in sys.argv[2:]:
    sys.modules[name] = None  # as if the framework were not installed
sys.path.insert(0, {examples!r})
sys.argv = [sys.argv[1]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.fixture(scope="session")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The interpreter of the core install (shared by the run's workers)."""
    yield core_python(tmp_path_factory.getbasetemp().parent / "shared")


def run_example(name: str, python: Path, home: Path, *, hide: tuple[str, ...] = ()) -> list[str]:
    """Run ``examples/<name>`` with ``python`` from an unrelated directory; return its lines."""
    script = str(EXAMPLES / name)
    argv = [str(python), script]
    if hide:
        argv = [str(python), "-c", HIDE_AND_RUN.format(examples=str(EXAMPLES)), script, *hide]
    completed = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=90,
        env=no_aws_env(home),
        cwd=home,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == "", completed.stderr
    return completed.stdout.splitlines()


def test_the_core_install_has_no_test_extras(core: Path) -> None:
    installed = installed_distributions(core)
    assert {"cw-logging", "boto3", "python-json-logger"} <= installed
    assert not installed & {"moto", "pytest", "flask", "freezegun", "opentelemetry-api"}


def test_quickstart(core: Path, tmp_path: Path) -> None:
    lines = run_example("quickstart.py", core, tmp_path)
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


def test_plain_script(core: Path, tmp_path: Path) -> None:
    out = run_example("plain_script.py", core, tmp_path)
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


def test_querying(core: Path, tmp_path: Path) -> None:
    out = run_example("querying.py", core, tmp_path)
    assert out[0] == "retention: 14 days"
    # the engine evaluates the query: only the ERROR event of the four comes back
    assert out[1].endswith(": Complete, 1 row(s)")
    assert out[2].endswith('{"level": "ERROR", "n": 2}')
    assert out[3] == 'newest event: {"level": "INFO", "n": 3}'
    assert out[4] == "filtered: 1 events"
    assert len(out) == 5


def test_follow_a_request(core: Path, tmp_path: Path) -> None:
    out = run_example("follow_a_request.py", core, tmp_path)
    assert [line.split(" ms ", 1)[1].split() for line in out[:-1]] == [
        ["/shop/api", "INFO", "POST", "/orders"],
        ["/shop/worker", "INFO", "charging", "card"],
        ["/shop/worker", "ERROR", "card", "declined"],
    ]  # neither the other request's event nor the plain-text line (no traceId field)
    assert out[-1] == "3 events, 1 error(s); request id: r-7"


FLASK_LINES = [
    "POST /orders/book -> 201, request id req-book-1",
    "POST /orders/unicorn -> 409, request id generated",
    "  INFO  order received   trace 4bf92f3577b34da6a3ce929d0e0e4736",
    "  ERROR out of stock     trace 4bf92f3577b34da6a3ce929d0e0e4736",
    "errors by service: [('shop-web', '1')]",
]


def test_flask_app_without_flask(core: Path, tmp_path: Path) -> None:
    assert run_example("flask_app.py", core, tmp_path) == FLASK_LINES


def test_flask_app_with_flask(tmp_path: Path) -> None:
    pytest.importorskip("flask")
    assert run_example("flask_app.py", Path(sys.executable), tmp_path) == FLASK_LINES


def check_fastapi(out: list[str]) -> None:
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


def test_fastapi_app_without_fastapi(core: Path, tmp_path: Path) -> None:
    check_fastapi(run_example("fastapi_app.py", core, tmp_path))


def test_fastapi_app_with_fastapi(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    check_fastapi(run_example("fastapi_app.py", Path(sys.executable), tmp_path))


def check_django(out: list[str]) -> None:
    assert out[0].endswith(": request req-django-1")
    assert out[1:] == ["  INFO order received item=book"]


def test_django_settings_without_django(core: Path, tmp_path: Path) -> None:
    check_django(run_example("django_settings.py", core, tmp_path))


def test_django_settings_with_django(tmp_path: Path) -> None:
    pytest.importorskip("django")
    check_django(run_example("django_settings.py", Path(sys.executable), tmp_path))


def test_worker_multiprocessing(core: Path, tmp_path: Path) -> None:
    out = run_example("worker_multiprocessing.py", core, tmp_path)
    jobs = re.fullmatch(r"6 jobs ran in (\d) worker process\(es\)", out[0])
    assert jobs is not None
    workers = int(jobs.group(1))
    match = re.fullmatch(r"trace [0-9a-f]{32}: 9 records from (\d) processes", out[1])
    assert match is not None and int(match.group(1)) == workers + 1  # the parent and the workers
    per_stream = [int(line.split(": ")[1].split()[0]) for line in out[2:]]
    assert sum(per_stream) == 9 and len(per_stream) == workers + 1


def test_aws_lambda(core: Path, tmp_path: Path) -> None:
    out = run_example("aws_lambda.py", core, tmp_path)
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


def json_lines(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_json_formatter(core: Path, tmp_path: Path) -> None:
    placed, stock, failure = json_lines(run_example("json_formatter.py", core, tmp_path))
    assert placed["service"] == "shop" and placed["cart"] == {"items": 3, "total": "59.97"}
    assert placed["tags"] == ["express", "gift"]
    assert stock["message"] == "stock level" and stock["remaining"] == 7
    assert failure["errorType"] == "KeyError" and failure["stackTrace"][-1] == "KeyError: 'sku-2'"


def test_correlation_keeps_each_requests_ids_across_tasks_and_threads(
    core: Path, tmp_path: Path
) -> None:
    records = json_lines(run_example("correlation.py", core, tmp_path))
    by_request: dict[str, set[str]] = {}
    for record in records[:-1]:
        by_request.setdefault(record["requestId"], set()).add(record["traceId"])
    assert by_request.keys() == {"req-a", "req-b", "req-c"}
    assert by_request["req-a"] == {"4bf92f3577b34da6a3ce929d0e0e4736"}
    assert by_request["req-b"] == {"5759e988bd862e3fe1be46a994272793"}
    assert len(by_request["req-c"]) == 1  # generated once, shared by the request's records
    assert any(r["threadName"].startswith("worker") for r in records if r["requestId"] == "req-c")
    assert "traceId" not in records[-1] and "requestId" not in records[-1]


def test_pii_redaction_redacts_and_leaves_the_rest(core: Path, tmp_path: Path) -> None:
    lines = run_example("pii_redaction.py", core, tmp_path)
    text = "\n".join(lines)
    for secret in ("ann.lee@example.com", "4111 1111", "s3cr3t", "k-123", "555", "bob@example"):
        assert secret not in text
    assert "ORD-2024-000123" in text and "9f0c1e2a-7b3d-4e5f-8a9b-0c1d2e3f4a5b" in text
    assert lines[-1] == "caller's object untouched: {'name': 'ann', 'password': 'hunter2'}"


def test_testing_with_mock_stream(core: Path, tmp_path: Path) -> None:
    # three checkouts: 1 and 3 accepted (2 INFO lines each), 2 refused (1 INFO, 1 ERROR)
    assert run_example("testing_with_mock_stream.py", core, tmp_path) == [
        "refused orders: [2]",
        "request of the refusal: req-2",
        "by level: {'ERROR': 1, 'INFO': 5}",
        "first event seen by the subscriber: checkout started",
        "subscriber dropped: 0",
        "events collected: 6",
    ]


def test_simulate_and_replay(core: Path, tmp_path: Path) -> None:
    out = "\n".join(run_example("simulate_and_replay.py", core, tmp_path))
    simulated = re.search(r"simulated 60 requests, (\d+) events, (\d+) failed", out)
    assert simulated and int(simulated[2]) > 0
    events = int(simulated[1])
    trace = re.findall(r"^  (\w+)\s+(\w+)\s+(.*)$", out, flags=re.MULTILINE)
    assert len({service for _, service, _ in trace}) >= 2
    assert ("ERROR", "gateway") in {(level, service) for level, service, _ in trace}
    assert f"exported {events} events to a JSONL file" in out
    replayed = re.search(
        r"replayed (\d+) events in ([\d.]+) s \(recorded over ([\d.]+) s\), 0 failed, "
        r"(\d+) delivered",
        out,
    )
    assert replayed and int(replayed[1]) == int(replayed[4]) == events
    assert float(replayed[2]) < float(replayed[3]) / 2  # 50 times faster than recorded


def test_every_example_has_a_test() -> None:
    names = {
        match.group(1)
        for match in re.finditer(r'run_example\(\s*"(\w+\.py)"', Path(__file__).read_text())
    }
    assert names == {p.name for p in EXAMPLES.glob("*.py")} - HELPERS
