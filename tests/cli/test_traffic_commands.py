"""``simulate`` (and ``replay``) end to end: the local engine over HTTP, and moto's server for
the handler's delivery and the demo's own log group against a "real" endpoint."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from cw_logging.local import LocalEngine
from tests.cli.conftest import Run, put_events

Cli = Callable[..., Run]


def stored_messages(engine: LocalEngine, group: str, pattern: str = "") -> list[dict[str, Any]]:
    response = engine.call("FilterLogEvents", {"logGroupName": group, "filterPattern": pattern})
    return [json.loads(event["message"]) for event in response["events"]]


def test_simulate_backfill_delivers_every_event(cli: Cli, engine: LocalEngine) -> None:
    ran = cli(
        "simulate",
        "/sim",
        "--requests",
        "25",
        "--backfill",
        "--seed",
        "3",
        "--error-rate",
        "0.2",
        "--json",
    )
    assert ran.code == 0, ran.err
    summary = ran.json()
    stored = stored_messages(engine, "/sim")
    assert summary["events"] == summary["delivered"] == len(stored)
    assert summary["requests"] == 25 == len({m["traceId"] for m in stored})
    failed = {m["traceId"] for m in stored if m["level"] == "ERROR"}
    assert failed == set(summary["failed_trace_ids"]) and failed


def test_simulate_live_at_a_rate(cli: Cli, engine: LocalEngine) -> None:
    ran = cli("simulate", "/live", "--requests", "5", "--rate", "50", "--seed", "1")
    assert ran.code == 0, ran.err
    assert ran.out.startswith("5 requests, ")
    stored = stored_messages(engine, "/live")
    assert len({m["traceId"] for m in stored}) == 5
    assert {m["service"] for m in stored} == {"gateway", "orders", "inventory", "payments"}


def test_simulate_then_trace_a_failed_request(cli: Cli) -> None:
    simulated = cli(
        "simulate",
        "/shop",
        "--requests",
        "10",
        "--backfill",
        "--seed",
        "5",
        "--error-rate",
        "1",
        "--json",
    ).json()
    trace_id = simulated["failed_trace_ids"][0]
    found = cli("trace", trace_id, "-g", "/shop", "--json").json()
    assert found["events"] and all(e["ids"]["trace_id"] == trace_id for e in found["events"])


def test_simulate_rejects_bad_numbers_in_their_own_units(cli: Cli) -> None:
    rate = cli("simulate", "/g", "--rate", "0")
    assert rate.code == 2
    assert "argument --rate: expected a number of requests per second greater than 0" in rate.err
    assert cli("simulate", "/g", "--duration", "forever").code == 2
    share = cli("simulate", "/g", "--error-rate", "5")
    assert share.code == 2 and "expected a share between 0 and 1" in share.err
    interval = cli("tail", "/g", "-f", "--interval", "0")
    assert "expected a number of seconds greater than 0" in interval.err


def test_replay_of_a_missing_file_says_what_src_may_be(cli: Cli) -> None:
    ran = cli("replay", "recorded.jsonl", "/g")
    assert ran.code == 1
    assert "cannot read the replay source 'recorded.jsonl': No such file" in ran.err
    assert "SRC is a log group, or an existing file ending in .jsonl" in ran.err
    assert "from_log_group(" not in ran.err  # no Python call in a command's advice


@pytest.mark.integration
def test_simulate_through_the_handler_into_moto(moto_server: Any, capsys: Any) -> None:
    import boto3

    from cw_logging.cli import main

    code = main(
        [
            "--endpoint-url",
            moto_server.url,
            "simulate",
            "/moto",
            "--requests",
            "8",
            "--backfill",
            "--seed",
            "2",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    logs = boto3.client("logs", endpoint_url=moto_server.url, region_name="us-east-1")
    stored = logs.filter_log_events(logGroupName="/moto")["events"]
    assert len(stored) == summary["events"] == summary["delivered"]


@pytest.mark.integration
def test_demo_against_an_endpoint_creates_and_deletes_its_group(
    moto_server: Any, run_process: Callable[..., Run]
) -> None:
    import boto3

    # moto ignores Insights filters, so only the delivery and the group's life are checked here
    ran = run_process(["--endpoint-url", moto_server.url, "demo", "--requests", "5", "--json"])
    assert ran.code == 0, ran.err
    out = ran.json()
    assert out["offline"] is False and out["logGroup"].startswith("/cw-logging/demo-")
    assert out["records"] == out["delivered"]
    assert out["groupDeleted"] is True
    logs = boto3.client("logs", endpoint_url=moto_server.url, region_name="us-east-1")
    assert logs.describe_log_groups()["logGroups"] == []


def test_replay_group_to_group_moves_events_to_now(
    cli: Cli, engine: LocalEngine, logs: Any
) -> None:
    put_events(logs, "/src", "a", [(50_000 - 100 * n, {"n": n, "level": "INFO"}) for n in range(5)])
    ran = cli("replay", "/src", "/dst", "--speed", "max", "--json")
    assert ran.code == 0, ran.err
    result = ran.json()
    assert (result["read"], result["sent"], result["failed"]) == (5, 5, 0)
    assert result["target_stats"]["sent"] == 5
    events = engine.call("FilterLogEvents", {"logGroupName": "/dst"})["events"]
    assert [json.loads(e["message"])["n"] for e in events] == [0, 1, 2, 3, 4]
    originals = engine.call("FilterLogEvents", {"logGroupName": "/src"})["events"]

    def gaps(stored: list[dict[str, Any]]) -> list[int]:
        return [b["timestamp"] - a["timestamp"] for a, b in itertools.pairwise(stored)]

    assert gaps(events) == gaps(originals)
    assert events[-1]["timestamp"] > originals[-1]["timestamp"] + 40_000  # moved to now


def test_replay_exports_to_jsonl_and_back(
    cli: Cli, engine: LocalEngine, logs: Any, tmp_path: Any
) -> None:
    put_events(logs, "/src", "a", [(3_000, "first"), (2_000, "second"), (1_000, "third")])
    recording = tmp_path / "recording.jsonl"
    exported = cli("replay", "/src", str(recording), "--speed", "max", "--keep-time")
    assert exported.code == 0, exported.err
    lines = [json.loads(line) for line in recording.read_text().splitlines()]
    assert [line["message"] for line in lines] == ["first", "second", "third"]

    back = cli("replay", str(recording), "/copy", "--speed", "50", "--json")
    assert back.json()["sent"] == 3
    copied = engine.call("FilterLogEvents", {"logGroupName": "/copy"})["events"]
    assert [e["message"] for e in copied] == ["first", "second", "third"]
    # 2 s of recorded gaps at --speed 50: at most 40 ms of waiting (less when sending took time)
    assert 0 < back.json()["waited_seconds"] <= 2 / 50 + 1e-9


def test_replay_to_stdout_and_bad_lines(cli: Cli, tmp_path: Any) -> None:
    recording = tmp_path / "mixed.jsonl"
    recording.write_text('{"timestamp": 1767225600000, "message": "ok"}\nnot json\n')
    ran = cli("replay", str(recording), "-", "--speed", "max", "--keep-time")
    assert ran.code == 1  # one line could not be read
    assert [json.loads(line) for line in ran.out.splitlines()] == [
        {"timestamp": 1767225600000, "message": "ok"}
    ]
    assert "line 2" in ran.err


def test_replay_speed_must_be_positive(cli: Cli) -> None:
    slower = cli("replay", "/a", "/b", "--speed", "-2")
    assert slower.code == 2 and "expected a speed greater than 0" in slower.err
