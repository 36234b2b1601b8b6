"""The handler's counters as one CloudWatch Embedded Metric Format line."""

from __future__ import annotations

import json

import pytest

from cw_logging.delivery import METRICS
from cw_logging.delivery._emf import NAMESPACE, emf_line, write_emf_line

STATS = {
    "queued": 3,
    "queued_bytes": 900,
    "sent": 1234,
    "retried": 2,
    "dropped": {"drop_oldest": 4, "close_timeout": 1},
    "rejected": {},
    "spool_depth": 0,
    "spool_bytes": 0,
    "oldest_unsent_age": None,
    "breaker": "half_open",
}


def test_the_line_follows_the_emf_schema() -> None:
    line = json.loads(emf_line(STATS, log_group="/app", timestamp_ms=1_764_201_600_000))
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert line["_aws"]["Timestamp"] == 1_764_201_600_000
    assert directive["Namespace"] == NAMESPACE == "cw_logging"
    assert directive["Dimensions"] == [["LogGroup"]]
    assert [m["Name"] for m in directive["Metrics"]] == [name for name, _, _ in METRICS]
    assert all(m["Unit"] in ("Count", "Bytes", "Seconds") for m in directive["Metrics"])
    assert line["LogGroup"] == "/app"


def test_values_come_from_the_stats() -> None:
    line = json.loads(emf_line(STATS, log_group="/app"))
    assert (line["Queued"], line["QueuedBytes"], line["Sent"], line["Retried"]) == (3, 900, 1234, 2)
    assert line["Dropped"] == 5, "reasons added up"
    assert line["Rejected"] == 0
    assert line["OldestUnsentAge"] == 0, "None is reported as 0"
    assert line["BreakerOpen"] == 1


@pytest.mark.parametrize(("state", "value"), [("closed", 0), ("open", 1), (None, 0)])
def test_breaker_open_is_one_unless_closed(state: str | None, value: int) -> None:
    line = json.loads(emf_line({**STATS, "breaker": state}, log_group="/app"))
    assert line["BreakerOpen"] == value


def test_the_line_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_emf_line(STATS, log_group="/app")
    out = capsys.readouterr().out
    assert out.endswith("\n") and out.count("\n") == 1
    assert json.loads(out)["Sent"] == 1234
