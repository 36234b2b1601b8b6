"""Regions and accounts as in AWS, the reset endpoints other people's harnesses call, and the
one-line refusal of a host that is not loopback."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cw_logging.local import LocalClient, LocalEngine, LocalServer, serve
from tests.local.conftest import NOW_S, FakeClock
from tests.local.http_probe import exchange, post

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-3", "ap-southeast-2")


def client(server: LocalServer, region: str, key: str = "testing", service: str = "logs") -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=server.url,
        aws_access_key_id=key,
        aws_secret_access_key="secret",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


def test_three_regions_each_keep_their_own_groups(
    local_server: LocalServer, clock: FakeClock
) -> None:
    clients = {region: client(local_server, region) for region in REGIONS}
    for region, logs in clients.items():
        logs.create_log_group(logGroupName="/same/name", tags={"region": region})
        logs.create_log_group(logGroupName=f"/only/{region}")
        logs.create_log_stream(logGroupName="/same/name", logStreamName="s")
        logs.put_log_events(
            logGroupName="/same/name",
            logStreamName="s",
            logEvents=[{"timestamp": clock.ms, "message": f"from {region}"}],
        )
    for region, logs in clients.items():
        groups = logs.describe_log_groups()["logGroups"]
        assert sorted(g["logGroupName"] for g in groups) == [f"/only/{region}", "/same/name"]
        same = next(g for g in groups if g["logGroupName"] == "/same/name")
        assert same["logGroupArn"] == f"arn:aws:logs:{region}:123456789012:log-group:/same/name"
        assert same["arn"] == same["logGroupArn"] + ":*"
        events = logs.filter_log_events(logGroupName="/same/name")["events"]
        assert [e["message"] for e in events] == [f"from {region}"]
        assert logs.list_tags_for_resource(resourceArn=same["logGroupArn"])["tags"] == {
            "region": region
        }
        stream = logs.describe_log_streams(logGroupName="/same/name")["logStreams"][0]
        assert stream["arn"].startswith(f"arn:aws:logs:{region}:123456789012:log-group:")


def test_an_arn_of_another_region_names_nothing_here(local_server: LocalServer) -> None:
    paris, sydney = client(local_server, "eu-west-3"), client(local_server, "ap-southeast-2")
    paris.create_log_group(logGroupName="/app")
    sydney.create_log_group(logGroupName="/app")
    arn = paris.describe_log_groups()["logGroups"][0]["logGroupArn"]
    paris.tag_resource(resourceArn=arn, tags={"team": "paris"})
    with pytest.raises(ClientError) as caught:
        sydney.tag_resource(resourceArn=arn, tags={"team": "sydney"})
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert paris.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "paris"}


def test_arns_built_from_sts_and_the_region_are_the_engines(local_server: LocalServer) -> None:
    """What watchtower does: ask STS for the account, build the ARN, tag by ARN."""
    logs = client(local_server, "eu-west-3")
    account = client(local_server, "eu-west-3", service="sts").get_caller_identity()["Account"]
    assert account == "123456789012"
    logs.create_log_group(logGroupName="/built")
    arn = f"arn:aws:logs:eu-west-3:{account}:log-group:/built"
    logs.tag_resource(resourceArn=arn, tags={"k": "v"})
    assert logs.list_tags_log_group(logGroupName="/built")["tags"] == {"k": "v"}


def test_other_query_protocol_actions_are_refused_in_xml(local_server: LocalServer) -> None:
    iam = client(local_server, "us-east-1", service="iam")
    with pytest.raises(ClientError) as caught:
        iam.list_users()
    assert caught.value.response["Error"]["Code"] == "InvalidAction"


def test_a_twelve_digit_access_key_is_its_own_account(local_server: LocalServer) -> None:
    mine, theirs = (client(local_server, "us-east-1", key) for key in ("111122223333", "x"))
    mine.create_log_group(logGroupName="/private")
    assert theirs.describe_log_groups()["logGroups"] == []
    arn = mine.describe_log_groups()["logGroups"][0]["logGroupArn"]
    assert arn == "arn:aws:logs:us-east-1:111122223333:log-group:/private"
    sts = client(local_server, "us-east-1", "111122223333", service="sts")
    assert sts.get_caller_identity()["Account"] == "111122223333"


def test_unsigned_requests_use_the_servers_region(engine: LocalEngine) -> None:
    with serve(port=0, engine=engine, region="eu-west-1") as server:
        body = b'{"logGroupName": "/unsigned"}'
        assert exchange(server.url, post("CreateLogGroup", body)).status == 200
        assert client(server, "eu-west-1").describe_log_groups()["logGroups"]
        assert client(server, "us-east-1").describe_log_groups()["logGroups"] == []


def test_an_unreadable_signature_is_refused(local_server: LocalServer) -> None:
    for authorization in ("AWS4-HMAC-SHA256 Signature=abc", "AWS4 Credential=a/b/EU WEST/c/d"):
        raw = post("DescribeLogGroups", b"{}", extra=f"Authorization: {authorization}\r\n")
        answer = exchange(local_server.url, raw)
        assert answer.status == 400
        assert answer.json()["__type"] == "IncompleteSignatureException"


def test_the_in_process_client_is_regional_too(engine: LocalEngine) -> None:
    paris = LocalClient(engine, region_name="eu-west-3")
    paris.create_log_group(logGroupName="/p")
    arn = paris.describe_log_groups()["logGroups"][0]["logGroupArn"]
    assert arn.startswith("arn:aws:logs:eu-west-3:")
    assert LocalClient(engine).describe_log_groups()["logGroups"] == []


@pytest.mark.parametrize("path", ["/moto-api/reset", "/_cw_logging/reset"])
def test_reset_forgets_every_region(local_server: LocalServer, path: str) -> None:
    for region in REGIONS:
        client(local_server, region).create_log_group(logGroupName="/g")
    logs = client(local_server, "us-east-1")
    logs.start_query(
        logGroupName="/g", startTime=int(NOW_S) - 60, endTime=int(NOW_S), queryString="fields a"
    )
    request = urllib.request.Request(local_server.url + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok"}
    for region in REGIONS:
        assert client(local_server, region).describe_log_groups()["logGroups"] == []
    assert logs.describe_queries()["queries"] == []


def test_regions_survive_a_restart_of_a_sqlite_file(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "logs.db"
    with LocalEngine(path, clock=clock) as first:
        first.call("CreateLogGroup", {"logGroupName": "/g"}, region="eu-west-3")
        first.call(
            "CreateLogStream", {"logGroupName": "/g", "logStreamName": "s"}, region="eu-west-3"
        )
        event = {"timestamp": clock.ms, "message": '{"n": 1}'}
        params = {"logGroupName": "/g", "logStreamName": "s", "logEvents": [event]}
        first.call("PutLogEvents", params, region="eu-west-3")
    with LocalEngine(path, clock=clock) as second:
        assert second.call("DescribeLogGroups")["logGroups"] == []
        found = second.call("FilterLogEvents", {"logGroupName": "/g"}, region="eu-west-3")
        assert [e["message"] for e in found["events"]] == ['{"n": 1}']


def test_a_file_from_before_regions_is_migrated_to_the_default_region(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript(
            """
            CREATE TABLE log_groups (name TEXT PRIMARY KEY, creation_time INTEGER NOT NULL,
                retention_days INTEGER, kms_key_id TEXT, log_group_class TEXT NOT NULL,
                deletion_protection INTEGER NOT NULL, tags TEXT NOT NULL, index_policy TEXT);
            CREATE TABLE log_streams (log_group TEXT NOT NULL, name TEXT NOT NULL,
                creation_time INTEGER NOT NULL, PRIMARY KEY (log_group, name));
            CREATE TABLE log_events (seq INTEGER PRIMARY KEY, log_group TEXT NOT NULL,
                log_stream TEXT NOT NULL, timestamp INTEGER NOT NULL, message TEXT NOT NULL,
                ingestion_time INTEGER NOT NULL);
            CREATE INDEX log_events_by_stream ON log_events (log_group, log_stream);
            """
        )
        old.execute(
            "INSERT INTO log_groups VALUES ('/old', 1, NULL, NULL, 'STANDARD', 0, '{}', NULL)"
        )
        old.execute("INSERT INTO log_streams VALUES ('/old', 's', 1)")
        old.execute(f"INSERT INTO log_events VALUES (7, '/old', 's', {clock.ms}, 'kept', 1)")
    old.close()
    with LocalEngine(path, clock=clock, region="eu-north-1") as engine:
        assert engine.call("DescribeLogGroups")["logGroups"][0]["logGroupName"] == "/old"
        events = engine.call("GetLogEvents", {"logGroupName": "/old", "logStreamName": "s"})
        assert [e["message"] for e in events["events"]] == ["kept"]
        new = [{"timestamp": clock.ms, "message": "new"}]
        engine.call(
            "PutLogEvents", {"logGroupName": "/old", "logStreamName": "s", "logEvents": new}
        )
    with LocalEngine(path, clock=clock, region="eu-north-1") as again:
        found = again.call("FilterLogEvents", {"logGroupName": "/old"})["events"]
        assert [e["message"] for e in found] == ["kept", "new"]


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT
    )


@pytest.mark.parametrize(
    "command",
    [("-m", "cw_logging.local"), ("-m", "cw_logging.cli", "serve")],
    ids=["python-m", "cw-logging-serve"],
)
def test_a_host_that_is_not_loopback_is_one_line(command: tuple[str, ...]) -> None:
    completed = run_module(*command, "--host", "0.0.0.0", "--port", "0")
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in completed.stderr
    assert "loopback" in lines[0] and "0.0.0.0" in lines[0]
    assert completed.stdout == ""


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = run_module("-m", "cw_logging.local", "--port", str(port))
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in completed.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "--port" in lines[0]
