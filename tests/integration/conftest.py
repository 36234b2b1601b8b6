"""Fixtures for the write path's integration tests: real boto3 over HTTP to moto on loopback."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cw_logging.handler import CloudWatchHandler
from tests.support.faults import FaultProxy
from tests.support.moto_server import MotoServer
from tests.support.strict import StrictValidator

_names = itertools.count()


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
def attach() -> Iterator[Callable[[CloudWatchHandler], logging.Logger]]:
    """Attach a handler to a fresh logger (no propagation); closes it at teardown."""
    attached: list[tuple[logging.Logger, CloudWatchHandler]] = []

    def attach_(handler: CloudWatchHandler) -> logging.Logger:
        logger = logging.getLogger(f"cwtest.{next(_names)}")
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        attached.append((logger, handler))
        return logger

    yield attach_
    for logger, handler in attached:
        logger.removeHandler(handler)
        handler.close()


@pytest.fixture(scope="session")
def moto_process() -> Iterator[Any]:
    """moto's server in its own process (its request logs stay out of this process's logging).

    Not reset between tests: use a distinct log group per test.
    """
    from tests.integration.moto_process import MotoProcess

    server = MotoProcess()
    yield server
    server.stop()
