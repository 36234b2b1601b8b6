"""The formatter, correlation and PII example scripts run offline and show what they promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_python(args: list[str], **environment: str) -> str:
    """Run this Python with the package importable; return stdout, failing on any stderr."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("_X_AMZN_TRACE_ID", None)
    env.update(environment)
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def run_example(name: str) -> list[str]:
    return run_python([str(ROOT / "examples" / name)]).splitlines()


def json_lines(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_json_formatter_example() -> None:
    placed, stock, failure = json_lines(run_example("json_formatter.py"))
    assert placed["service"] == "shop" and placed["cart"] == {"items": 3, "total": "59.97"}
    assert placed["tags"] == ["express", "gift"]
    assert stock["message"] == "stock level" and stock["remaining"] == 7
    assert failure["errorType"] == "KeyError" and failure["stackTrace"][-1] == "KeyError: 'sku-2'"


def test_correlation_example_keeps_each_requests_ids_across_tasks_and_threads() -> None:
    records = json_lines(run_example("correlation.py"))
    by_request: dict[str, set[str]] = {}
    for record in records[:-1]:
        by_request.setdefault(record["requestId"], set()).add(record["traceId"])
    assert by_request.keys() == {"req-a", "req-b", "req-c"}
    assert by_request["req-a"] == {"4bf92f3577b34da6a3ce929d0e0e4736"}
    assert by_request["req-b"] == {"5759e988bd862e3fe1be46a994272793"}
    assert len(by_request["req-c"]) == 1  # generated once, shared by the request's records
    assert any(r["threadName"].startswith("worker") for r in records if r["requestId"] == "req-c")
    assert "traceId" not in records[-1] and "requestId" not in records[-1]


def test_pii_example_redacts_and_leaves_the_rest() -> None:
    lines = run_example("pii_redaction.py")
    text = "\n".join(lines)
    for secret in ("ann.lee@example.com", "4111 1111", "s3cr3t", "k-123", "555", "bob@example"):
        assert secret not in text
    assert "ORD-2024-000123" in text and "9f0c1e2a-7b3d-4e5f-8a9b-0c1d2e3f4a5b" in text
    assert lines[-1] == "caller's object untouched: {'name': 'ann', 'password': 'hunter2'}"
