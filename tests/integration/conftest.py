"""Fixtures for the write path's integration tests: real boto3 over HTTP to moto on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cw_logging.handler import CloudWatchHandler
from tests.support.faults import FaultProxy, HandlerFactory
from tests.support.moto_server import MotoServer
from tests.support.strict import StrictValidator


@pytest.fixture
def fault_proxy(moto_server: MotoServer) -> Iterator[FaultProxy]:
    """A fault-injecting HTTP proxy in front of moto's server."""
    proxy = FaultProxy(moto_server.url)
    yield proxy
    proxy.stop()


@pytest.fixture
def make_client(logs_client: Any, strict_validator: StrictValidator) -> Callable[..., Any]:
    """Build a boto3 logs client for a URL with the strict validator installed.

    Depends on ``logs_client`` so that the teardown check covers every client made here.
    """

    def make(url: str, *, attempts: int = 3, timeout: float = 5.0) -> Any:
        config = Config(
            retries={"mode": "standard", "total_max_attempts": attempts},
            connect_timeout=timeout,
            read_timeout=timeout,
        )
        client = boto3.client("logs", region_name="us-east-1", endpoint_url=url, config=config)
        return strict_validator.install(client)

    return make


@pytest.fixture
def ship(make_client: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Make ``(handler, logger)`` shipping to ``url`` through a strict client (closed at teardown).

    ``url`` None means no client is made (pass ``endpoint_url`` or ``client`` yourself);
    ``attempts`` and ``timeout`` configure the client; other options go to the handler
    (defaults: ``create_log_group=True``, ``flush_interval=0.05``).
    """
    factory = HandlerFactory(
        CloudWatchHandler, "/it/default", create_log_group=True, flush_interval=0.05
    )

    def ship_(
        log_group: str, url: str | None, *, attempts: int = 3, timeout: float = 5.0, **options: Any
    ) -> Any:
        if url is not None:
            options["client"] = make_client(url, attempts=attempts, timeout=timeout)
        return factory.make(log_group=log_group, **options)

    yield ship_
    factory.close_all()


@pytest.fixture(scope="session")
def moto_process() -> Iterator[Any]:
    """moto's server in its own process (its request logs stay out of this process's logging).

    Not reset between tests: use a distinct log group per test.
    """
    from tests.integration.moto_process import MotoProcess

    server = MotoProcess()
    yield server
    server.stop()
