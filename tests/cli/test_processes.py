"""``cw-logging`` as a real process: the offline demo on a fresh machine, ``serve``, ``tail
--follow`` and Ctrl-C stopping a running query."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cw_logging.cli import main
from cw_logging.local import LocalEngine, serve
from tests.cli.conftest import Run, fresh_machine_env, put_events, read_line, wait_until

pytestmark = pytest.mark.integration


def test_demo_offline_on_a_fresh_machine(run_process: Callable[..., Run]) -> None:
    ran = run_process(["demo", "--json"])
    assert ran.code == 0, ran.err
    result = ran.json()
    assert result["offline"] is True and result["endpoint"].startswith("http://127.0.0.1:")
    assert result["records"] == result["delivered"] > result["requests"] == 40
    assert result["putLogEventsCalls"] >= 1
    timeline = result["timeline"]
    assert len({e["service"] for e in timeline}) >= 3  # the trace crosses services
    assert all(e["requestId"] == timeline[0]["requestId"] for e in timeline)
    errors = {e["service"] for e in timeline if e["level"] == "ERROR"}
    assert errors == {"gateway", result["failingService"]}
    # exactly one request failed: one ERROR at the failing service and one at the gateway
    assert sorted((r["service"], r["errors"]) for r in result["errorsByService"]) == sorted(
        [("gateway", 1), (result["failingService"], 1)]
    )


def test_demo_human_output(run_process: Callable[..., Run]) -> None:
    ran = run_process(["demo"])
    assert ran.code == 0, ran.err
    out = ran.out
    assert "\x1b[" not in out  # piped: no colours
    for step in ("1. logging.config.dictConfig", "3. flush()", "5. errors by service"):
        assert step in out
    # its engine stops with it: it prints no command that would fail, only how to keep one
    assert "$ cw-logging trace" not in out and "$ cw-logging serve" in out
    timeline = [line for line in out.splitlines() if " ms  " in line]
    assert len(timeline) >= 4 and "ERROR" in timeline[-1]
    assert ran.err == ""  # no progress bar when stderr is not a terminal


def test_serve_in_the_foreground_until_ctrl_c(spawn: Any, tmp_path: Path, capsys: Any) -> None:
    db = tmp_path / "logs.db"
    process = spawn(["serve", "--port", "0", "--db", str(db)])
    url = read_line(process.stdout).split()[-1]
    assert url.startswith("http://127.0.0.1:")
    import boto3

    boto3.client("logs", endpoint_url=url, region_name="us-east-1").create_log_group(
        logGroupName="/kept"
    )
    assert main(["--endpoint-url", url, "groups", "--json"]) == 0
    assert [g["name"] for g in json.loads(capsys.readouterr().out)] == ["/kept"]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    with LocalEngine(db) as reopened:  # --db reached the engine
        assert [g["logGroupName"] for g in reopened.call("DescribeLogGroups")["logGroups"]] == [
            "/kept"
        ]


def test_tail_follow_prints_new_events(spawn: Any, server: Any, logs: Any) -> None:
    put_events(logs, "/live", "s", [(1_000, {"level": "INFO", "message": "first"})])
    process = spawn(
        [
            "--endpoint-url",
            server.url,
            "tail",
            "/live",
            "-f",
            "--limit",
            "2",
            "--interval",
            "0.1",
            "--json",
        ]
    )
    first = json.loads(read_line(process.stdout))
    assert '"first"' in first["message"]
    put_events(logs, "/live", "s2", [(0, {"level": "INFO", "message": "second"})])
    assert process.wait(timeout=20) == 0
    second = json.loads(process.stdout.read())
    assert '"second"' in second["message"]


def test_tail_follow_waits_for_a_group_that_does_not_exist_yet(
    spawn: Any, server: Any, logs: Any
) -> None:
    process = spawn(
        ["--endpoint-url", server.url, "tail", "/later", "-f", "--limit", "1", "--interval", "0.1"]
    )
    waiting = read_line(process.stderr)
    assert waiting == "waiting for log group /later to be created (Ctrl-C to stop)\n"
    assert process.poll() is None  # still waiting, not failed
    put_events(logs, "/later", "s", [(0, {"level": "WARNING", "message": "here at last"})])
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "WARNING" in out and "here at last" in out
    assert err == ""  # said once


def test_ctrl_c_stops_a_running_query(spawn: Any) -> None:
    with (
        LocalEngine(query_polls_before_complete=10**9) as engine,
        serve(port=0, engine=engine) as server,
    ):
        engine.call("CreateLogGroup", {"logGroupName": "/slow"})
        process = spawn(["--endpoint-url", server.url, "query", "stats count(*)", "-g", "/slow"])
        queries = engine.context.queries.queries
        query = wait_until(
            lambda: next((q for q in queries.values() if q.status == "Running"), None)
        )
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 130
        assert query.status == "Cancelled"  # StopQuery reached the service
        err = process.stderr.read()
        assert "interrupted" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_colours_only_on_a_terminal_and_not_with_no_color(
    server: Any, logs: Any, tmp_path: Path
) -> None:
    put_events(logs, "/c", "s", [(1_000, {"level": "ERROR", "message": "boom"})])

    def run_on_terminal(**extra: str) -> str:
        leader, follower = os.openpty()
        env = {**fresh_machine_env(tmp_path), **extra}
        with subprocess.Popen(
            [sys.executable, "-m", "cw_logging.cli", "--endpoint-url", server.url, "tail", "/c"],
            stdout=follower,
            stderr=subprocess.PIPE,
            env=env,
        ) as process:
            os.close(follower)
            drawn = read_terminal(leader)
            assert process.wait(timeout=20) == 0
        os.close(leader)
        return drawn.decode()

    coloured = run_on_terminal(TERM="xterm")
    assert "\x1b[31mERROR" in coloured and "boom" in coloured
    plain = run_on_terminal(TERM="xterm", NO_COLOR="1")
    assert "\x1b[" not in plain and "ERROR" in plain


def test_output_into_a_closed_pipe_ends_quietly(spawn: Any, server: Any, logs: Any) -> None:
    put_events(logs, "/big", "s", [(1_000 - n % 1000, "x" * 200) for n in range(2_000)])
    process = spawn(["--endpoint-url", server.url, "tail", "/big"])
    assert read_line(process.stdout).rstrip().endswith("x" * 200)
    process.stdout.close()  # like `| head -1`: the reader goes away with 400 KB still to come
    assert process.wait(timeout=20) == 0
    assert process.stderr.read() == ""


def read_terminal(leader: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_for_long_work(server: Any, tmp_path: Path) -> None:
    leader, follower = os.openpty()
    # seed 1: the 20 requests span 3.9 s of live traffic, well past the 2 s before a bar shows
    argv = ["--endpoint-url", server.url, "simulate", "/p", "--requests", "20", "--rate", "5"]
    argv += ["--seed", "1"]
    with subprocess.Popen(
        [sys.executable, "-m", "cw_logging.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=fresh_machine_env(tmp_path),
        text=True,
    ) as process:
        os.close(follower)
        drawn = read_terminal(leader).decode()
        assert process.wait(timeout=30) == 0
        out = process.stdout.read() if process.stdout else ""
    os.close(leader)
    assert "simulating [" in drawn and "/4" in drawn  # a bar with a total, after 2 s of work
    assert drawn.endswith("\r\x1b[K")  # erased when the work ended
    assert out.startswith("20 requests") and "\x1b[" not in out
