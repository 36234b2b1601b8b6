"""A credential provider that fails for a while (the container credentials endpoint down for 4 s,
while the credentials are due for refresh) is an outage like any other: records wait and are
delivered once credentials come back; nothing is dropped."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from cw_logging import JsonFormatter
from tests.delivery.conftest import QuickHandler
from tests.support.credentials import ContainerCredentials
from tests.support.faults import HandlerFactory
from tests.support.sink import LocalSink

pytestmark = pytest.mark.integration

GROUP = "/sink/default"
OUTAGE_S = 4.0


@pytest.fixture
def credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> Iterator[ContainerCredentials]:
    """The container endpoint as boto3's only credential source (the suite's fake keys and any
    profile files are hidden for the test)."""
    endpoint = ContainerCredentials()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_SECURITY_TOKEN", "AWS_PROFILE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/no-credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/no-config")
    for name, value in endpoint.environment().items():
        monkeypatch.setenv(name, value)
    try:
        yield endpoint
    finally:
        endpoint.stop()


def test_records_wait_out_a_credential_endpoint_outage(
    sink: LocalSink, sink_handlers: HandlerFactory, credentials: ContainerCredentials
) -> None:
    handler, logger = sink_handlers.make(
        handler_class=QuickHandler, formatter=JsonFormatter(), flush_interval=0.1
    )
    for i in range(20):
        logger.info("warm-%d", i)
    assert handler.flush(timeout=20)  # the chain works: credentials came from the endpoint
    fetched_before = credentials.fetches
    assert fetched_before > 0

    credentials.down()
    started = time.monotonic()
    tick = threading.Event()
    for i in range(100):  # 25 records a second through the outage
        logger.info("during-%d", i)
        tick.wait(max(started + (i + 1) * OUTAGE_S / 100 - time.monotonic(), 0))
    assert handler.stats()["last_error"] is not None  # the sender did meet the outage
    credentials.up()

    assert handler.flush(timeout=30)
    assert credentials.fetches > fetched_before  # fresh credentials after the outage
    stored = Counter(document["message"] for document in sink.documents(GROUP))
    expected = Counter([f"warm-{i}" for i in range(20)] + [f"during-{i}" for i in range(100)])
    assert stored == expected, f"{sum((expected - stored).values())} of 120 records lost"
    stats = handler.stats()
    assert stats["dropped"] == {} and stats["rejected"] == {}, stats
