"""``indexed_keys=True``: the level as ``severityText`` and the trace id as ``traceId`` in
either key style, and a fleet lookup on the free index finds what the formatter wrote."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

import pytest

from cw_logging.context import correlation
from cw_logging.formatter import JsonFormatter
from cw_logging.local import LocalClient, LocalEngine
from cw_logging.query import Polling, TimeRange, find_by_trace_id
from tests.context.test_correlation import _isolated  # noqa: F401 - autouse: every test starts unbound
from tests.formatter.test_formatter import fmt, make_record

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize("style", ["camel", "snake"])
def test_indexed_keys_write_the_default_indexed_names(style: Any) -> None:
    with correlation(trace_id=TRACE, request_id="r-1"):
        out = fmt(make_record(level=logging.WARNING), key_style=style, indexed_keys=True)
    assert out["severityText"] == "WARNING" and "level" not in out
    assert out["traceId"] == TRACE and "trace_id" not in out
    assert ("request_id" if style == "snake" else "requestId") in out


def test_without_the_option_snake_loses_the_indexed_name() -> None:
    with correlation(trace_id=TRACE):
        out = fmt(make_record(), key_style="snake")
    assert "traceId" not in out and "severityText" not in out


def test_callers_renames_win_over_the_option() -> None:
    with correlation(trace_id=TRACE):
        out = fmt(
            make_record(), key_style="snake", indexed_keys=True, rename_fields={"level": "lvl"}
        )
    assert out["lvl"] == "INFO" and out["traceId"] == TRACE


def test_a_prefix_lookup_on_the_free_index_finds_snake_apps_with_indexed_keys() -> None:
    now = 1_767_225_600.0
    formatter = JsonFormatter(key_style="snake", indexed_keys=True)
    with LocalEngine(clock=lambda: now, query_polls_before_complete=0) as engine:
        client = LocalClient(engine)
        for group in ("/shop/api", "/shop/worker"):
            client.create_log_group(logGroupName=group)
            client.create_log_stream(logGroupName=group, logStreamName="s")
            with correlation(trace_id=TRACE):
                message = formatter.format(make_record(msg=f"in {group}", args=()))
            unrelated = formatter.format(make_record(msg="another request", args=()))
            events = [{"timestamp": int(now * 1000), "message": m} for m in (message, unrelated)]
            client.put_log_events(logGroupName=group, logStreamName="s", logEvents=events)
        window = TimeRange(
            datetime.fromtimestamp(now - 60, timezone.utc),
            datetime.fromtimestamp(now + 1, timezone.utc),
        )
        found = find_by_trace_id(
            TRACE, prefixes=["/shop/"], time_range=window,
            polling=Polling(sleep=lambda s: None), client=client,
        )  # fmt: skip
    assert sorted(e.message for e in found) == ["in /shop/api", "in /shop/worker"]
    assert {e.level for e in found} == {"INFO"}
    assert found.scan.records_skipped == 2 and found.scan.records_scanned == 2
