"""pytest fixtures for code that logs to CloudWatch Logs, registered by the ``cw-logging``
distribution as a ``pytest11`` plugin (so they are available once it is installed):

- ``cw_mock_stream`` — a :class:`~cw_logging.testing.MockLogStream` on ``/test/app``;
  ``cw_mock_stream.attach("myapp")`` sends the ``myapp`` logger's records to it;
- ``cw_mock_stream_factory`` — ``factory(log_group, log_stream="test", **options)`` for more
  mock streams on the same engine;
- ``cw_local_engine`` — a :class:`~cw_logging.local.LocalEngine` (in memory);
- ``cw_local_server`` — that engine served over HTTP on 127.0.0.1 (``.url`` for boto3's
  ``endpoint_url``);
- ``cw_local_client`` — a boto3 ``logs`` client answered by that engine in process.

Everything is closed at the end of the test. Importing this plugin imports nothing but pytest:
``cw_logging`` and boto3 load only when a test uses one of the fixtures, so a broken or missing
dependency can only fail those tests, never the session. Disable it with
``-p no:cw_logging``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..local import LocalClient, LocalEngine, LocalServer
    from . import MockLogStream


@pytest.fixture
def cw_local_engine() -> Iterator[LocalEngine]:
    """An in-memory local CloudWatch Logs engine, closed after the test."""
    from ..local import LocalEngine

    engine = LocalEngine()
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture
def cw_mock_stream_factory(
    cw_local_engine: LocalEngine,
) -> Iterator[Callable[..., MockLogStream]]:
    """Make MockLogStreams on the test's engine: ``factory(log_group, log_stream, **options)``;
    all are closed (handlers too) after the test."""
    from . import MockLogStream

    made: list[MockLogStream] = []

    def factory(log_group: str = "/test/app", log_stream: str = "test", **options: Any) -> Any:
        mock = MockLogStream(log_group, log_stream, engine=cw_local_engine, **options)
        made.append(mock)
        return mock

    try:
        yield factory
    finally:
        for mock in reversed(made):
            mock.close()


@pytest.fixture
def cw_mock_stream(cw_mock_stream_factory: Callable[..., MockLogStream]) -> MockLogStream:
    """A MockLogStream collecting what handlers send to ``/test/app``."""
    return cw_mock_stream_factory()


@pytest.fixture
def cw_local_server(cw_local_engine: LocalEngine) -> Iterator[LocalServer]:
    """The test's engine over HTTP on 127.0.0.1 (a free port); ``.url`` is the endpoint."""
    from ..local import serve

    server = serve(port=0, engine=cw_local_engine)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cw_local_client(cw_local_engine: LocalEngine) -> LocalClient:
    """A boto3 ``logs`` client whose calls the test's engine answers in process."""
    from ..local import LocalClient

    return LocalClient(cw_local_engine)
