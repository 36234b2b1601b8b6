"""docs/configuration.md lists every CloudWatchHandler option with its real default, names real
JsonFormatter options, and its Python blocks run (building handlers touches no network)."""

from __future__ import annotations

import inspect
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cw_logging import CloudWatchHandler, JsonFormatter
from tests.cli.conftest import ROOT, fresh_machine_env

DOC = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


def table(heading: str) -> dict[str, str]:
    section = DOC.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(
        r"^\| `([a-z0-9_]+)`(?:, `([a-z0-9_]+)`)? \| ([^|]+) \|", section, re.MULTILINE
    )
    documented: dict[str, str] = {}
    for first, second, default in rows:
        for name in filter(None, (first, second)):
            documented[name] = default.strip()
    return documented


def literal(text: str) -> Any:
    return eval(text.strip("`"), {"logging": logging})  # a Python literal or logging.NOTSET


def test_every_handler_option_with_its_default() -> None:
    documented = table("## Handler options")
    parameters = inspect.signature(CloudWatchHandler.__init__).parameters
    expected = [name for name in parameters if name != "self"]
    assert list(documented) == expected
    for name in expected:
        default = parameters[name].default
        if default is inspect.Parameter.empty:
            assert documented[name] == "(required)"
        else:
            assert literal(documented[name]) == default, name


def test_formatter_options_exist_with_their_defaults() -> None:
    documented = table("## Formatter options")
    parameters = inspect.signature(JsonFormatter.__init__).parameters
    for name, default in documented.items():
        assert name in parameters, name
        assert literal(default) == parameters[name].default, name


@pytest.mark.parametrize("index", range(len(re.findall(r"```python\n", DOC))))
def test_python_blocks_run(index: int, tmp_path: Path) -> None:
    block = re.findall(r"```python\n(.*?)```", DOC, re.DOTALL)[index]
    completed = subprocess.run(
        [sys.executable, "-c", block + "\nimport logging; logging.shutdown()\n"],
        capture_output=True,
        text=True,
        timeout=60,
        env=fresh_machine_env(tmp_path),
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""  # nothing logged, nothing sent, nothing to complain about
