"""``cw-logging tail`` over several groups, and ``tail --live`` end to end as a real process
against the local server (Live Tail over HTTP); the line layout through :class:`TailView`."""

from __future__ import annotations

import json
import re
import signal
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from cw_logging.cli._output import Style
from cw_logging.cli._tail_output import SAMPLED_MARK, TailView, search_terms
from cw_logging.local import LocalServer
from cw_logging.local._protocol import error_response
from cw_logging.query import LiveTailEvent
from tests.cli.conftest import Run, put_events, read_line, wait_until

Cli = Callable[..., Run]


@pytest.fixture
def fleet(logs: Any) -> None:
    put_events(logs, "/fleet/api", "a", [(3_000, {"level": "INFO", "message": "api first"})])
    put_events(logs, "/fleet/db", "d", [(2_000, "db second")])
    put_events(logs, "/fleet/api", "b", [(1_000, {"level": "ERROR", "message": "api third"})])
    put_events(logs, "/other", "o", [(500, "not in the fleet")])


@pytest.mark.usefixtures("fleet")
def test_several_groups_are_merged_in_time_order_and_named(cli: Cli) -> None:
    lines = cli("tail", "/fleet/api", "/fleet/db", "--json").json_lines()
    assert [(line["group"], line["message"][-12:]) for line in lines] == [
        ("/fleet/api", '"api first"}'),
        ("/fleet/db", "db second"),
        ("/fleet/api", '"api third"}'),
    ]
    human = cli("tail", "--prefix", "/fleet/").out.splitlines()
    assert len(human) == 3
    assert "/fleet/api" in human[0] and "/fleet/db" in human[1]


@pytest.mark.usefixtures("fleet")
def test_fields_and_expand(cli: Cli) -> None:
    fields = cli("tail", "/fleet/api", "--fields", "level,missing").out.splitlines()
    assert [line.split(" ", 3)[3] for line in fields] == [
        "level=INFO missing=-",
        "level=ERROR missing=-",
    ]
    expanded = cli("tail", "/fleet/api", "--expand", "--limit", "1").out.splitlines()
    assert expanded[1:] == [
        "    {",
        '      "level": "INFO",',
        '      "message": "api first"',
        "    }",
    ]
    document = cli("tail", "/fleet/api", "--fields", "level", "--json").json_lines()[0]
    assert document["fields"] == {"level": "INFO"}


@pytest.mark.usefixtures("fleet")
def test_follow_polls_several_groups(cli: Cli) -> None:
    lines = cli("tail", "/fleet/api", "/fleet/db", "-f", "--limit", "3", "--json").json_lines()
    assert [line["group"] for line in lines] == ["/fleet/api", "/fleet/db", "/fleet/api"]


def test_usage_errors_for_live(cli: Cli, logs: Any) -> None:
    put_events(logs, "/u1", "s", [(0, "x")])
    put_events(logs, "/u2", "s", [(0, "x")])
    for argv, fragment in (
        (("tail", "--live", "/u1", "--since", "1h"), "--since does not apply to --live"),
        (("tail", "--live", "/u1", "/u2", "--stream", "s"), "needs exactly one group"),
        (("tail", "--live", "-f", "/u1"), "not allowed with"),
        (("tail", "--prefix", "/nothing-here"), "no log group name starts with"),
    ):
        ran = cli(*argv)
        assert ran.code == 2 and fragment in ran.err, (argv, ran.err)


def _tail_live(spawn: Any, server: LocalServer, *argv: str) -> Any:
    process = spawn(["--endpoint-url", server.url, "tail", "--live", *argv])
    wait_until(lambda: server.engine.live_tail.sessions >= 1 or process.poll() is not None)
    assert process.poll() is None, process.stderr.read()
    return process


@pytest.mark.integration
def test_live_streams_later_events_of_several_groups(
    spawn: Any, server: LocalServer, logs: Any
) -> None:
    put_events(logs, "/live/a", "s", [(0, "ERROR before the tail")])
    put_events(logs, "/live/b", "s", [(0, "ERROR before the tail")])
    process = _tail_live(
        spawn, server, "/live/a", "/live/b", "--filter", "ERROR", "--limit", "2", "--json"
    )
    put_events(logs, "/live/b", "s", [(0, "INFO skipped"), (0, "ERROR from b")])
    put_events(logs, "/live/a", "s", [(0, "ERROR from a")])
    assert process.wait(timeout=30) == 0, process.stderr.read()
    lines = [json.loads(line) for line in process.stdout.read().splitlines()]
    assert sorted((line["group"], line["message"]) for line in lines) == [
        ("/live/a", "ERROR from a"),
        ("/live/b", "ERROR from b"),
    ]
    assert all(line["sampled"] is False and line["ingestionTime"] for line in lines)
    wait_until(lambda: server.engine.live_tail.sessions == 0)


@pytest.mark.integration
def test_ctrl_c_ends_live_tail(spawn: Any, server: LocalServer, logs: Any) -> None:
    put_events(logs, "/live/c", "s", [(0, "x")])
    process = _tail_live(spawn, server, "/live/c")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 130
    assert "Traceback" not in process.stderr.read()
    wait_until(lambda: server.engine.live_tail.sessions == 0)


@pytest.mark.integration
def test_sampled_events_are_marked_and_noted_once(
    spawn: Any, server: LocalServer, logs: Any
) -> None:
    put_events(logs, "/live/busy", "s", [(0, "x")])
    process = _tail_live(spawn, server, "/live/busy", "--limit", "500")
    put_events(logs, "/live/busy", "s", [(i % 50, f"burst {i}") for i in range(1500)])
    assert process.wait(timeout=30) == 0
    lines = process.stdout.read().splitlines()
    assert len(lines) == 500 and all(SAMPLED_MARK in line for line in lines)
    assert process.stderr.read().count("the service is sampling") == 1


@pytest.mark.integration
def test_live_falls_back_to_polling_when_refused(
    spawn: Any, server: LocalServer, logs: Any
) -> None:
    answer = server._respond

    def deny(request: Any) -> Any:
        if request.header("x-amz-target") == "Logs_20140328.StartLiveTail":
            return error_response(400, "AccessDeniedException", "no logs:StartLiveTail"), {}
        return answer(request)

    server._server.respond = deny
    put_events(logs, "/live/denied", "s", [(0, "x")])
    process = spawn(
        ["--endpoint-url", server.url, "tail", "--live", "/live/denied", "--interval", "0.1"]
    )
    note = read_line(process.stderr)
    assert note.startswith("cw-logging: note: Live Tail is not available (AccessDeniedException")
    put_events(logs, "/live/denied", "s", [(0, "polled instead")])
    assert read_line(process.stdout).rstrip().endswith("polled instead")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 130
    assert "Live Tail is not available" not in process.stderr.read()  # said once


def _event(message: str, group: str = "/g", sampled: bool = False) -> LiveTailEvent:
    moment = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)
    return LiveTailEvent(moment, group, "web-1", message, moment, sampled)


def test_each_group_keeps_its_colour_and_terms_are_highlighted() -> None:
    view = TailView(Style(None, enabled=True), terms=search_terms('ERROR "timed out"'))  # type: ignore[arg-type]
    view.show_group = True
    first = view.line("/a", _event("ERROR db timed out", "/a"))
    second = view.line("/b", _event("ERROR again", "/b"))
    again = view.line("/a", _event("fine", "/a"))
    assert "\x1b[36m/a\x1b[0m" in first and "\x1b[35m/b\x1b[0m" in second
    assert "\x1b[36m/a\x1b[0m" in again
    assert "\x1b[1;4mERROR\x1b[0m db \x1b[1;4mtimed out\x1b[0m" in first
    sampled = view.line("/a", _event("x", "/a"), sampled=True)
    assert SAMPLED_MARK in sampled
    plain = TailView(Style(None, enabled=False), terms=["ERROR"])  # type: ignore[arg-type]
    assert plain.line("/a", _event("ERROR x")).endswith(" web-1 ERROR x")


@pytest.mark.parametrize(
    ("pattern", "terms"),
    [
        ('ERROR "timed out"', ["ERROR", "timed out"]),
        ("?WARN ?ERROR", ["WARN", "ERROR"]),
        ('ERROR -health ?"a b"', ["ERROR", "a b"]),
        ('{ $.level = "ERROR" }', []),
        ("[ip, user, status=5*]", []),
        ("%ERR[0-9]+%", []),
        (None, []),
    ],
)
def test_search_terms_of_plain_patterns(pattern: str | None, terms: list[str]) -> None:
    assert search_terms(pattern) == terms


def test_search_terms_and_highlight_take_linear_time_on_hostile_input() -> None:
    hostile = '"' * 20_000 + "?" * 20_000 + " a" * 20_000
    started = time.perf_counter()
    terms = search_terms(hostile)
    view = TailView(Style(None, enabled=True), terms=["a" * 50, "aa"])  # type: ignore[arg-type]
    line = view.line("/g", _event("a" * 100_000))
    assert time.perf_counter() - started < 2.0
    assert terms and re.search(r"\x1b\[1;4m", line)
