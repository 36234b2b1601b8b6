"""Fixtures shared by the whole suite."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

# Fake credentials and a region for every test: no test may reach a real AWS account.
for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}.items():
    os.environ[_key] = _value
os.environ.pop("AWS_PROFILE", None)

from tests.support.moto_server import MotoServer  # noqa: E402
from tests.support.strict import StrictValidator  # noqa: E402


@pytest.fixture(scope="session")
def moto_server_session() -> Iterator[MotoServer]:
    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def moto_server(moto_server_session: MotoServer) -> Iterator[MotoServer]:
    """moto's HTTP server on 127.0.0.1, emptied before each test."""
    moto_server_session.reset()
    yield moto_server_session


@pytest.fixture
def strict_validator() -> StrictValidator:
    return StrictValidator()


@pytest.fixture
def logs_client(moto_server: MotoServer, strict_validator: StrictValidator) -> Iterator[Any]:
    """A real boto3 logs client talking HTTP to moto's server, with the strict validator on.

    The test fails at teardown if any call sent something real CloudWatch would refuse.
    """
    import boto3

    client = boto3.client("logs", region_name="us-east-1", endpoint_url=moto_server.url)
    strict_validator.install(client)
    yield client
    assert strict_validator.violations == [], strict_validator.violations


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """A fresh non-propagating logger at DEBUG; its handlers are removed and closed after."""
    log = logging.getLogger(f"test.{uuid.uuid4().hex}")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
