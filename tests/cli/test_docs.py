"""docs/cli.md documents every command and every option the parser has, so the reference cannot
fall behind the code."""

from __future__ import annotations

import argparse
import re
from typing import Any

from cw_logging.cli import build_parser
from tests.cli.conftest import ROOT, put_events

DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_a_section() -> None:
    documented = set(re.findall(r"^### `([a-z]+)`$", DOC, flags=re.MULTILINE))
    assert documented == set(commands())


def test_every_option_is_documented() -> None:
    missing = []
    for name, parser in commands().items():
        section = DOC.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        for action in parser._actions:
            for option in action.option_strings:
                if option in ("-h", "--help") or option in (
                    "--region",
                    "--profile",
                    "--endpoint-url",
                    "--json",
                    "--debug",
                ):
                    continue
                if option not in section:
                    missing.append(f"{name} {option}")
    assert missing == []


def test_global_options_are_documented() -> None:
    table = DOC.split("## Global options", 1)[1].split("\n## ", 1)[0]
    for option in ("--region", "--profile", "--endpoint-url", "--json", "--debug", "--version"):
        assert f"`{option}" in table


def keys_documented(document: object) -> set[str]:
    """Keys of ``document`` (and of the objects in its lists) missing from docs/cli.md."""
    missing: set[str] = set()
    items = document if isinstance(document, list) else [document]
    for item in items:
        if isinstance(item, dict):
            missing |= {key for key in item if f'"{key}"' not in DOC}
            for value in item.values():
                if isinstance(value, list):
                    missing |= keys_documented(value)
    return missing


def test_json_shapes_are_documented(cli: Any, logs: Any) -> None:
    put_events(logs, "/d", "s", [(1_000, {"level": "ERROR", "traceId": "a" * 32, "message": "m"})])
    outputs = [
        cli("groups", "--json").json(),
        cli("streams", "/d", "--json").json(),
        cli("retention", "/d", "--json").json(),
        cli("tail", "/d", "--json").json_lines(),
        cli("query", "fields @timestamp, @message", "-g", "/d", "--json").json(),
        cli("trace", "a" * 32, "-g", "/d", "--json").json(),
        cli("simulate", "/s", "--requests", "2", "--backfill", "--json").json(),
        cli("replay", "/d", "/e", "--speed", "max", "--json").json(),
    ]
    missing = set().union(*(keys_documented(output) for output in outputs))
    assert not missing, sorted(missing)
