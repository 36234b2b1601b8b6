"""The in-process faces: LocalClient (boto3 answered by the engine) and LocalTransport."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cw_logging.delivery.transport import Transport
from cw_logging.errors import ResourceAlreadyExistsError, ResourceNotFoundError
from cw_logging.local import LocalClient, LocalEngine, LocalTransport, serve
from tests.local.conftest import FakeClock
from tests.support.signals import default_sigint

GROUP = "/svc/orders"


def test_local_client_is_used_like_boto3(local_client: LocalClient, clock: FakeClock) -> None:
    local_client.create_log_group(logGroupName=GROUP)
    with pytest.raises(local_client.exceptions.ResourceAlreadyExistsException):
        local_client.create_log_group(logGroupName=GROUP)
    local_client.create_log_stream(logGroupName=GROUP, logStreamName="s")
    local_client.put_log_events(
        logGroupName=GROUP,
        logStreamName="s",
        logEvents=[{"timestamp": clock.ms + i, "message": f'{{"n": {i}}}'} for i in range(7)],
    )
    pages = local_client.get_paginator("filter_log_events").paginate(
        logGroupName=GROUP, filterPattern="{ $.n >= 2 }", PaginationConfig={"PageSize": 2}
    )
    assert [e["message"] for p in pages for e in p["events"]] == [
        f'{{"n": {i}}}' for i in range(2, 7)
    ]
    with pytest.raises(ClientError) as caught:
        local_client.describe_log_streams(logGroupName="/missing")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_local_client_validates_parameters_like_boto3(local_client: LocalClient) -> None:
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        local_client.create_log_group()


def test_local_client_sees_what_the_server_stored(engine: LocalEngine, clock: FakeClock) -> None:
    """One engine behind both faces: HTTP writes are visible in process and vice versa."""
    import boto3

    with serve(port=0, engine=engine) as server:
        remote = boto3.client("logs", region_name="us-east-1", endpoint_url=server.url)
        remote.create_log_group(logGroupName=GROUP)
        local = LocalClient(engine)
        assert [g["logGroupName"] for g in local.describe_log_groups()["logGroups"]] == [GROUP]


def test_local_transport_satisfies_the_write_path(engine: LocalEngine, clock: FakeClock) -> None:
    transport = LocalTransport(engine)
    assert isinstance(transport, Transport)
    transport.create_log_group(GROUP)
    with pytest.raises(ResourceAlreadyExistsError):
        transport.create_log_group(GROUP)
    with pytest.raises(ResourceNotFoundError):
        transport.put_log_events(GROUP, "s", [{"timestamp": clock.ms, "message": "x"}])
    transport.create_log_stream(GROUP, "s")
    with pytest.raises(ResourceAlreadyExistsError):
        transport.create_log_stream(GROUP, "s")
    transport.put_retention_policy(GROUP, 1)
    result = transport.put_log_events(
        GROUP,
        "s",
        [
            {"timestamp": clock.ms - 2 * 86_400_000, "message": "expired"},
            {"timestamp": clock.ms, "message": "kept"},
            {"timestamp": clock.ms + 3 * 3_600_000, "message": "too new"},
        ],
    )
    assert result.rejected_by_reason(3) == {"expired": 1, "too_new": 1}
    events = engine.call("GetLogEvents", {"logGroupName": GROUP, "logStreamName": "s"})["events"]
    assert [e["message"] for e in events] == ["kept"]


def test_engine_is_safe_under_concurrent_puts(engine: LocalEngine, clock: FakeClock) -> None:
    transport = LocalTransport(engine)
    transport.create_log_group(GROUP)
    transport.create_log_stream(GROUP, "s")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(50):
                transport.put_log_events(
                    GROUP, "s", [{"timestamp": clock.ms + i, "message": f"{n}-{i}"}]
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    response = engine.call("FilterLogEvents", {"logGroupName": GROUP})
    assert len(response["events"]) == 200


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_main_serves_in_the_foreground_until_stopped(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    import boto3

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    code = "from cw_logging.local import main; raise SystemExit(main(['--port', '0', '--db', "
    code += repr(str(tmp_path / "logs.db")) + "]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        preexec_fn=default_sigint,  # Ctrl-C as in a terminal, however the suite was started
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in first_line
        url = first_line.rsplit(" ", 1)[-1].strip()
        client: Any = boto3.client("logs", region_name="us-east-1", endpoint_url=url)
        client.create_log_group(logGroupName=GROUP)
        assert client.describe_log_groups()["logGroups"][0]["logGroupName"] == GROUP
        process.send_signal(stop_signal)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    with LocalEngine(tmp_path / "logs.db") as reopened:
        assert reopened.call("DescribeLogGroups", {})["logGroups"][0]["logGroupName"] == GROUP


def test_serve_refuses_non_loopback_hosts() -> None:
    from cw_logging.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="loopback"):
        serve(port=0, host="0.0.0.0")


def test_serve_on_ipv6_loopback() -> None:
    import boto3

    with serve(port=0, host="::1") as server:
        assert server.url.startswith("http://[::1]:")
        client = boto3.client("logs", region_name="us-east-1", endpoint_url=server.url)
        client.create_log_group(logGroupName=GROUP)
        assert [
            g["logGroupName"] for g in server.engine.call("DescribeLogGroups")["logGroups"]
        ] == [GROUP]
