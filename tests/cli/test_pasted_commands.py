"""Every command printed for the user to paste works as pasted (through a shell, on a machine
with no AWS set-up), and so does every command docs/cli.md shows, against a real local server
standing in for ``cw-logging serve`` on its default port."""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
from collections.abc import Callable

import pytest

from cw_logging.cli._demo_command import DEMO_ENDPOINT, DEMO_KEEP_COMMAND, DEMO_SERVE_COMMAND
from cw_logging.cli._env import CliEnv
from cw_logging.local import LocalServer
from cw_logging.local._server import DEFAULT_PORT
from tests.cli.conftest import ROOT, ChildLines, Run

pytestmark = pytest.mark.integration

Cli = Callable[..., Run]
Paste = Callable[..., Run]
DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVE_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def printed_commands(text: str, marker: str) -> list[str]:
    """The command lines printed after ``marker`` (e.g. ``"$ "`` or ``"failed: "``)."""
    return [line.split(marker, 1)[1] for line in text.splitlines() if marker in line]


# ------------------------------------------------------------------------ printed commands


def test_simulate_prints_trace_commands_that_work_as_pasted(cli: Cli, paste: Paste) -> None:
    group = "/shop#pasted"  # a character a shell would take for a comment unless quoted
    ran = cli(
        "--region", "eu-west-3", "simulate", group, "--requests", "3", "--backfill",
        "--error-rate", "1", "--seed", "4",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    commands = printed_commands(ran.out, "failed: ")
    assert len(commands) == 3
    for command in commands:
        words = shlex.split(command)
        assert words[:5] == ["cw-logging", "--endpoint-url", words[2], "--region", "eu-west-3"]
        assert words[2].startswith("http://127.0.0.1:") and words[-2:] == ["-g", group]
        pasted = paste(command)
        assert pasted.code == 0, pasted.err
        timeline = pasted.out.splitlines()
        assert len(timeline) >= 2 and any(" ERROR " in line for line in timeline)


def test_demo_with_keep_prints_commands_that_work_as_pasted(
    server: LocalServer, paste: Paste
) -> None:
    ran = paste(f"cw-logging --endpoint-url {server.url} demo --requests 5 --keep")
    assert ran.code == 0, ran.err
    trace, query = printed_commands(ran.out, "$ ")
    assert trace.startswith(f"cw-logging --endpoint-url {server.url} trace ")
    assert query.startswith(f"cw-logging --endpoint-url {server.url} query ")
    group = shlex.split(trace)[-1]
    assert group.startswith("/cw-logging/demo-") and f"log group {group} kept" in ran.out
    traced = paste(trace)
    assert traced.code == 0 and " ERROR " in traced.out, traced.err
    counted = paste(query)
    assert counted.code == 0, counted.err
    assert counted.out.splitlines()[0].split() == ["service", "errors"]
    assert "gateway" in counted.out


def test_demo_without_keep_prints_no_command_for_the_group_it_deletes(
    server: LocalServer, paste: Paste
) -> None:
    ran = paste(f"cw-logging --endpoint-url {server.url} demo --requests 5")
    assert ran.code == 0, ran.err
    assert printed_commands(ran.out, "$ ") == []
    assert "deleted (pass --keep to look around afterwards)" in ran.out


def test_the_offline_demo_shows_how_to_keep_an_engine_and_that_works(
    server: LocalServer, paste: Paste
) -> None:
    ran = paste("cw-logging demo --requests 5")
    assert ran.code == 0, ran.err
    assert printed_commands(ran.out, "$ ") == [DEMO_SERVE_COMMAND, DEMO_KEEP_COMMAND]
    assert f'endpoint_url="{DEMO_ENDPOINT}"' in ran.out
    assert DEMO_ENDPOINT == SERVE_URL  # where `cw-logging serve` listens without --port
    # the test's server stands in for `cw-logging serve` on its default port
    kept = paste(DEMO_KEEP_COMMAND.replace(SERVE_URL, server.url) + " --requests 5")
    assert kept.code == 0, kept.err
    assert len(printed_commands(kept.out, "$ ")) == 2


def test_serve_prints_a_command_that_works_as_pasted(
    spawn: Callable[[list[str]], subprocess.Popen[str]], paste: Paste
) -> None:
    serving = spawn(["serve", "--port", "0"])
    assert serving.stdout is not None
    printed = ChildLines(serving.stdout)
    lines = printed.until(lambda line: line.startswith("Press Ctrl-C"), timeout=30)
    url = lines[0].split()[-1]
    command = lines[1].strip()
    assert command == f"cw-logging --endpoint-url {url} groups"
    # what README's "Try it offline" shows `cw-logging serve` printing
    shown = README.split("$ .venv/bin/cw-logging serve\n", 1)[1].split("```", 1)[0]
    assert "".join(lines) == shown.replace(SERVE_URL, url)
    ran = paste(command)
    assert ran.code == 0, ran.err
    serving.send_signal(signal.SIGINT)
    assert serving.wait(timeout=30) == 0


def test_the_hint_of_a_missing_group_is_a_command_that_works_as_pasted(
    server: LocalServer, paste: Paste
) -> None:
    missing = paste(f"cw-logging --endpoint-url {server.url} --region eu-west-3 tail /nope")
    assert missing.code == 1
    command = missing.err.rstrip("\n").rsplit(" with: ", 1)[1]
    assert command == f"cw-logging --endpoint-url {server.url} --region eu-west-3 groups"
    listed = paste(command)
    assert listed.code == 0, listed.err


def test_a_printed_command_quotes_its_words_and_hides_an_endpoint_password() -> None:
    env = CliEnv(endpoint_url="http://me:s3cret@127.0.0.1:4588", region="eu-west-1")
    line = env.command("query", 'filter level = "ERROR"', "-g", "/shop#1")
    assert "s3cret" not in line
    words = shlex.split(line)
    assert words[0:2] == ["cw-logging", "--endpoint-url"] and words[3:5] == [
        "--region",
        "eu-west-1",
    ]
    assert words[5:] == ["query", 'filter level = "ERROR"', "-g", "/shop#1"]


# ------------------------------------------------------------------------------ docs/cli.md


def console_lines(section_start: str) -> list[str]:
    block = DOC.split(section_start, 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def test_the_commands_at_the_top_of_the_cli_reference_run_offline(
    server: LocalServer,
    paste: Paste,
    spawn: Callable[[str], subprocess.Popen[str]],
) -> None:
    lines = [line[2:] for line in console_lines("# The `cw-logging` command line")]
    commands = [line.split("  #", 1)[0].strip() for line in lines]
    assert commands[:2] == ["cw-logging demo", "cw-logging serve"]
    assert f"127.0.0.1:{DEFAULT_PORT}" in lines[1]  # the test's server stands in for it
    demo = paste(commands[0])
    assert demo.code == 0, demo.err
    rest = [c.replace(SERVE_URL, server.url) for c in commands[2:]]
    assert rest[0].endswith(" &") and " simulate /shop " in rest[0]
    assert " --error-rate 0.1 " in rest[0]  # an ERROR within seconds, not by chance in a minute
    simulate = spawn(rest[0].removesuffix(" &"))
    assert " tail /shop -f " in rest[1]
    tail = spawn(rest[1])
    assert tail.stdout is not None
    errors = ChildLines(tail.stdout).until(lambda line: " ERROR " in line, timeout=60)
    assert all(" ERROR " in line for line in errors)  # the filter pattern was applied
    for process in (tail, simulate):
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130, process.stderr.read()  # type: ignore[union-attr]
    for command in rest[2:]:
        ran = paste(command)
        assert ran.code == 0, (command, ran.err)
        assert ran.out.strip(), command


def test_the_error_examples_are_what_the_commands_print(server: LocalServer, paste: Paste) -> None:
    lines = console_lines("## Errors")
    pairs = list(zip(lines[::2], lines[1::2], strict=True))
    assert len(pairs) == 5
    for command, documented in pairs:
        assert command.startswith("$ cw-logging")
        ran = paste(command[2:].replace(SERVE_URL, server.url))
        assert ran.code in (1, 2), command
        documented = documented.replace(SERVE_URL, server.url)
        pattern = ".*".join(re.escape(part) for part in re.split(r"…|\.\.\.", documented))
        assert re.fullmatch(pattern, ran.err.strip()), (documented, ran.err)
