"""The README as a new user follows it: its set-up commands are the ones CI runs, and each of its
Python blocks runs as written, on its own, in a fresh interpreter of the core install (no test
extras) on a machine with no AWS set-up, against a real local server, exactly as "Try it offline"
says: with ``AWS_ENDPOINT_URL`` set, or with the block's own ``endpoint_url=``."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cw_logging.local import LocalServer, serve
from cw_logging.local._server import DEFAULT_PORT
from tests.support.core_venv import ROOT, core_python, no_aws_env

README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVE_URL = f"http://127.0.0.1:{DEFAULT_PORT}"  # where `cw-logging serve` listens by default

pytestmark = pytest.mark.integration


def fenced_blocks(language: str, text: str = README) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield core_python(tmp_path_factory.getbasetemp().parent / "shared")


def test_the_readme_has_exactly_two_set_up_commands_and_they_are_the_ones_ci_runs() -> None:
    commands = fenced_blocks("sh")
    assert len(commands) == 2, commands
    demo, tests = (c.strip() for c in commands)
    assert demo.endswith("cw-logging demo")
    assert tests.endswith("python -m pytest -n 2")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -n 2" in ci


def run_cli(python: Path, argv: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """Run the core install's ``cw-logging`` on a machine without AWS set-up."""
    return subprocess.run(
        [str(python.parent / "cw-logging"), *argv],
        cwd=home,
        env=no_aws_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_demo_runs_from_the_core_install_on_a_machine_without_aws(
    core: Path, tmp_path: Path
) -> None:
    demo = fenced_blocks("sh")[0].strip().rsplit("&& ", 1)[1]
    assert demo == ".venv/bin/cw-logging demo"
    completed = run_cli(core, ["demo"], tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "4. the failing request, found by its trace id" in completed.stdout
    assert "No AWS account was used" in completed.stdout


def test_try_it_offline_says_what_the_suite_does() -> None:
    recipe = "\n".join(fenced_blocks("console", section("Try it offline")))
    assert "$ .venv/bin/cw-logging serve\n" in recipe  # its default port is the one shown
    assert f"listening on {SERVE_URL}" in recipe
    assert f"$ export AWS_ENDPOINT_URL={SERVE_URL}" in recipe
    assert "python block.py" in recipe


def run_block(python: Path, block: str, home: Path, url: str) -> subprocess.CompletedProcess[str]:
    """Run one block in a fresh interpreter: the endpoint comes from ``AWS_ENDPOINT_URL``, or,
    when the block names ``cw-logging serve``'s address itself, from the block."""
    if SERVE_URL in block:
        block, env = block.replace(SERVE_URL, url), no_aws_env(home)
    else:
        env = no_aws_env(home, AWS_ENDPOINT_URL=url)
    return subprocess.run(
        [str(python), "-c", block],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def stored(server: LocalServer, group: str, pattern: str) -> list[str]:
    params = {"logGroupName": group, "filterPattern": pattern}
    events = server.engine.call("FilterLogEvents", params)
    return [event["message"] for event in events["events"]]


def test_every_python_block_runs_on_its_own_against_the_local_server(
    core: Path, tmp_path: Path
) -> None:
    blocks = fenced_blocks("python")
    assert len(blocks) >= 6
    assert sum(SERVE_URL in block for block in blocks) == 1  # the "in code" way, shown once
    outputs = []
    with serve(port=0) as server:
        for index, block in enumerate(blocks):
            completed = run_block(core, block, tmp_path, server.url)
            assert completed.returncode == 0, (index, block, completed.stderr)
            assert completed.stderr == "", (index, completed.stderr)
            outputs.append(completed.stdout)
        quick_start = stored(server, "/myapp/prod", "{ $.order_id = 42 }")
        declined = stored(server, "/myapp/prod", '{ $.message = "card declined" }')
        local = stored(server, "/myapp/dev", '"hello, local engine"')
        tail = next(
            line[2:]
            for line in fenced_blocks("console", section("Try it offline"))[1].splitlines()
            if " tail " in line
        )
        tailed = run_cli(core, tail.replace(SERVE_URL, server.url).split()[1:], tmp_path)
        assert tailed.returncode == 0, tailed.stderr
        assert "shop: order placed" in tailed.stdout and "card declined" in tailed.stdout
    printed = "".join(outputs).splitlines()
    assert len(quick_start) == 1 and '"requestId":"r-1"' in quick_start[0]
    assert len(declined) == 1 and "4bf92f3577b34da6a3ce929d0e0e4736" in declined[0]
    assert len(local) == 1
    assert any("hello, local engine" in line for line in printed), printed
    assert any(line.endswith("/myapp/prod ERROR card declined") for line in printed), printed
    assert "shop.payments 1" in printed, printed


@pytest.mark.parametrize("link", re.findall(r"\]\(((?:docs|examples)/[^)]*)\)", README))
def test_every_linked_page_exists(link: str) -> None:
    assert (ROOT / link).exists(), link
