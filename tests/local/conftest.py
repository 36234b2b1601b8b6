"""Fixtures for the local engine tests: a settable clock, an engine, a server and clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cw_logging.local import LocalClient, LocalEngine, LocalServer, serve

NOW_S = 1_767_225_600.0  # 2026-01-01T00:00:00Z: tests reason about ages relative to this


class FakeClock:
    """A clock in epoch seconds that only moves when told."""

    def __init__(self, now: float = NOW_S) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    @property
    def ms(self) -> int:
        return int(self.now * 1000)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[LocalEngine]:
    """An engine in memory; parametrize it indirectly with N to keep queries running N polls."""
    polls = getattr(request, "param", 0)
    with LocalEngine(clock=clock, query_polls_before_complete=polls) as eng:
        yield eng


@pytest.fixture
def local_server(engine: LocalEngine) -> Iterator[LocalServer]:
    with serve(port=0, engine=engine) as server:
        yield server


@pytest.fixture
def boto_logs(local_server: LocalServer) -> Any:
    """A real boto3 logs client talking HTTP to the local server (signed with fake creds)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "logs",
        region_name="us-east-1",
        endpoint_url=local_server.url,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


@pytest.fixture
def local_client(engine: LocalEngine) -> LocalClient:
    return LocalClient(engine)


def make_stream(engine: LocalEngine, group: str = "/app/test", stream: str = "s1") -> None:
    engine.call("CreateLogGroup", {"logGroupName": group})
    engine.call("CreateLogStream", {"logGroupName": group, "logStreamName": stream})
