"""docs/migrating-from-watchtower.md maps onto options that exist, and its "After" configuration
is one dictConfig accepts."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

from cw_logging import CloudWatchHandler, JsonFormatter
from tests.cli.conftest import ROOT, fresh_machine_env

DOC = (ROOT / "docs" / "migrating-from-watchtower.md").read_text(encoding="utf-8")


def test_every_mapped_option_exists() -> None:
    table = DOC.split("## Option by option", 1)[1].split("\n## ", 1)[0]
    options = set(inspect.signature(CloudWatchHandler.__init__).parameters)
    options |= set(inspect.signature(JsonFormatter.__init__).parameters)
    mapped = []
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) == 5:
            mapped += re.findall(r"`([a-z_]+)`", cells[2])
    assert mapped and set(mapped) <= options


def test_the_after_configuration_applies(tmp_path: Path) -> None:
    block = re.findall(r"```python\n(.*?)```", DOC, re.DOTALL)[1]
    check = """
import logging, logging.config
from cw_logging import CloudWatchHandler, JsonFormatter
LOGGING["handlers"]["cloudwatch"].pop("profile_name")  # no such profile on a test machine
logging.config.dictConfig(LOGGING)
(handler,) = logging.getLogger().handlers
assert isinstance(handler, CloudWatchHandler) and handler.log_group == "/shop/prod"
assert isinstance(handler.formatter, JsonFormatter)
"""
    completed = subprocess.run(
        [sys.executable, "-c", block + check],
        capture_output=True,
        text=True,
        timeout=60,
        env=fresh_machine_env(tmp_path),
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
