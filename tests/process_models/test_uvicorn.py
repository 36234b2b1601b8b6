"""uvicorn with ``--workers 2`` (spawned workers) as its users run it, logging configured in the
application module (the common way for ASGI apps) or by ``--log-config``; stopped with SIGTERM.
Every request's id must be stored exactly once, with and without a spool."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.process_models._scenarios import NEEDS_FORK, Scenario, run_scenario
from tests.support.sink import LocalSink

pytestmark = [pytest.mark.integration, NEEDS_FORK]

WORKERS = ("--workers", "2")

SCENARIOS = [
    Scenario("uvicorn", WORKERS, 3000, spool=False),
    Scenario("uvicorn", WORKERS, 1000, spool=True),
    Scenario("uvicorn", WORKERS, 1000, spool=False, logging_by="server"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_every_request_id_is_stored_exactly_once(
    scenario: Scenario, sink: LocalSink, tmp_path: Path
) -> None:
    outcome = run_scenario(scenario, sink, tmp_path)
    outcome.assert_delivered_cleanly(scenario.requests, min_streams=2)  # one per worker
