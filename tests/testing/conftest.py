"""The testing tools' own fixtures: the plugin's, also when its entry point is not installed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest

from cw_logging.testing.pytest_plugin import (  # noqa: F401  (fixtures used by these tests)
    cw_local_client,
    cw_local_engine,
    cw_local_server,
    cw_mock_stream,
    cw_mock_stream_factory,
)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """A fresh non-propagating logger at DEBUG; its handlers are removed and closed after."""
    log = logging.getLogger(f"testingtools.{uuid.uuid4().hex}")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
