"""gunicorn as its users run it: sync and gthread workers, with and without ``--preload``, workers
recycled by ``--max-requests``, logging configured in the application module (the common way)
or by gunicorn's ``logconfig_dict``; stopped with SIGTERM. Every request's id must be stored
exactly once, with and without a spool."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.process_models._scenarios import NEEDS_FORK, Scenario, run_scenario
from tests.support.sink import LocalSink

pytestmark = [pytest.mark.integration, NEEDS_FORK]

RECYCLED = ("--workers", "3", "--max-requests", "50")
SYNC = ("--worker-class", "sync", *RECYCLED)
GTHREAD = ("--worker-class", "gthread", "--threads", "4", *RECYCLED)

SCENARIOS = [
    # the first row: 3 workers, --max-requests 50, 3,000 requests, --preload
    Scenario("gunicorn", (*SYNC, "--preload"), 3000, spool=False),
    Scenario("gunicorn", (*SYNC, "--preload"), 600, spool=True),
    Scenario("gunicorn", (*GTHREAD, "--preload"), 600, spool=False),
    Scenario("gunicorn", (*GTHREAD, "--preload"), 600, spool=True),
    # without --preload each worker builds its own handler: recycling and shutdown are the point
    Scenario("gunicorn", SYNC, 300, spool=False),
    Scenario("gunicorn", SYNC, 300, spool=True),
    Scenario("gunicorn", GTHREAD, 300, spool=False),
    Scenario("gunicorn", GTHREAD, 300, spool=True),
    # the handler built in the master by gunicorn itself, inherited by every worker
    Scenario("gunicorn", SYNC, 600, spool=False, logging_by="server"),
    Scenario("gunicorn", SYNC, 600, spool=True, logging_by="server"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_every_request_id_is_stored_exactly_once(
    scenario: Scenario, sink: LocalSink, tmp_path: Path
) -> None:
    outcome = run_scenario(scenario, sink, tmp_path)
    outcome.assert_delivered_cleanly(
        scenario.requests, min_streams=4
    )  # recycled workers write streams of their own
