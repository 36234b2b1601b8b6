"""Building log events for Insights tests and running queries over them."""

from __future__ import annotations

import json
from typing import Any

from cw_logging.local.insights import compile_query, format_value

BASE_MS = 1_714_564_800_000  # 2024-05-01 12:00:00.000 UTC
GROUP = "123456789012:/test/app"


def event(
    message: str | dict[str, Any], at_ms: int = BASE_MS, stream: str = "s1", index: int = 0
) -> dict[str, Any]:
    """One event as the store hands it to the evaluator (a dict message becomes JSON)."""
    text = json.dumps(message) if isinstance(message, dict) else message
    return {
        "@timestamp": at_ms,
        "@message": text,
        "@logStream": stream,
        "@log": GROUP,
        "@ingestionTime": at_ms + 7,
        "@ptr": f"ptr-{index}-{at_ms}",
    }


def events(*messages: str | dict[str, Any], step_ms: int = 1_000) -> list[dict[str, Any]]:
    """Events one per message, ``step_ms`` apart, oldest first."""
    return [event(m, BASE_MS + i * step_ms, index=i) for i, m in enumerate(messages)]


def run(query: str, evts: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Rows of ``query`` over ``evts`` rendered as GetQueryResults strings."""
    return [{k: format_value(v) for k, v in row.items()} for row in compile_query(query).run(evts)]


def column(rows: list[dict[str, str]], name: str) -> list[str | None]:
    """The values of ``name`` in each row (None where the row lacks it)."""
    return [row.get(name) for row in rows]
