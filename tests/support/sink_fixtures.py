"""pytest fixtures over :class:`~tests.support.sink.LocalSink` (import them into a conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cw_logging.handler import CloudWatchHandler
from tests.support.faults import HandlerFactory
from tests.support.sink import LocalSink


@pytest.fixture
def sink() -> Iterator[LocalSink]:
    """A :class:`LocalSink` on 127.0.0.1, stopped after the test."""
    server = LocalSink()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sink_handlers(sink: LocalSink) -> Iterator[HandlerFactory]:
    """Handlers shipping straight to ``sink`` over HTTP (group ``/sink/default``, stream ``s``,
    ``flush_interval=0.05``); ``make(**options)`` returns ``(handler, logger)``; all are closed
    after the test."""
    factory = HandlerFactory(
        CloudWatchHandler,
        "/sink/default",
        endpoint_url=sink.url,
        region_name="us-east-1",
        create_log_group=True,
        flush_interval=0.05,
    )
    try:
        yield factory
    finally:
        factory.close_all()
