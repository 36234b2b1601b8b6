"""Every Python block of the read-path docs runs (against moto's server) as written."""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def runnable_blocks(name: str) -> list[str]:
    blocks = BLOCK.findall((DOCS / name).read_text(encoding="utf-8"))
    assert blocks, f"no python blocks in {name}"
    return [b for b in blocks if not b.startswith("# against AWS")]


def seed(client: Any) -> None:
    now = int(time.time() * 1000) - 5000
    for group, stream in (("/shop/api", "web-1"), ("/shop/worker", "w"), ("/shop/legacy", "l")):
        client.create_log_group(logGroupName=group)
        client.create_log_stream(logGroupName=group, logStreamName=stream)
        body = {"level": "ERROR", "message": f"{group} ok", "traceId": TRACE_ID, "requestId": "r-7"}
        client.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": now, "message": json.dumps(body)}],
        )


def run_doc(name: str, client: Any) -> str:
    seed(client)
    namespace: dict[str, Any] = {"client": client, "TRACE_ID": TRACE_ID}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for block in runnable_blocks(name):
            exec(compile(block, f"{name} block", "exec"), namespace)
    return output.getvalue()


def test_querying_doc_runs(logs_client: Any) -> None:
    out = run_doc("querying.md", logs_client).splitlines()
    assert "30" in out  # get_retention after create_log_group(retention_days=30)
    assert "/shop/api ok" in "\n".join(out)


def test_following_a_request_doc_runs(logs_client: Any) -> None:
    out = run_doc("following-a-request.md", logs_client)
    assert f'| filter traceId = "{TRACE_ID}"' in out
    assert "/shop/worker ERROR /shop/worker ok" in out
    assert "3 events, 1 query\n" in out  # the fleet block, on the local engine
    documented = (DOCS / "following-a-request.md").read_text(encoding="utf-8")
    summary = next(line for line in out.splitlines() if line.startswith("scanned "))
    assert f"3 events, 1 query\n{summary}\n" in documented  # the doc shows what it prints
    assert out.rstrip().endswith("InvalidCorrelationId")


def test_aws_only_blocks_are_few_and_marked() -> None:
    for name in ("querying.md", "following-a-request.md"):
        text = (DOCS / name).read_text(encoding="utf-8")
        assert len(BLOCK.findall(text)) - len(runnable_blocks(name)) <= 1
