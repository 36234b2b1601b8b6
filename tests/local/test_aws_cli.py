"""The AWS CLI works against ``serve(port=0)`` with ``--endpoint-url`` (skipped without ``aws``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from cw_logging.local import LocalServer

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed"),
]


def aws(server: LocalServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}
    return subprocess.run(
        ["aws", "--endpoint-url", server.url, "--output", "json", "logs", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_cli_writes_filters_and_reports_errors(local_server: LocalServer) -> None:
    assert aws(local_server, "create-log-group", "--log-group-name", "/cli").returncode == 0
    local_server.engine.call("CreateLogStream", {"logGroupName": "/cli", "logStreamName": "s"})
    now_ms = int(local_server.engine.context.now_ms())
    events = json.dumps(
        [
            {"timestamp": now_ms, "message": '{"level": "ERROR", "id": 1}'},
            {"timestamp": now_ms + 1, "message": '{"level": "INFO", "id": 2}'},
        ]
    )
    put = aws(local_server, "put-log-events", "--log-group-name", "/cli",
              "--log-stream-name", "s", "--log-events", events)  # fmt: skip
    assert put.returncode == 0, put.stderr
    found = aws(local_server, "filter-log-events", "--log-group-name", "/cli",
                "--filter-pattern", '{ $.level = "ERROR" }')  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert [e["message"] for e in json.loads(found.stdout)["events"]] == [
        '{"level": "ERROR", "id": 1}'
    ]
    missing = aws(local_server, "describe-log-streams", "--log-group-name", "/nope")
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr
