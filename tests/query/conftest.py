"""Fixtures of the read-path tests: a stubbed client and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cw_logging.query import Polling


class FakeTime:
    """A monotonic clock that only moves when ``sleep`` is called; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def polling(self) -> Polling:
        return Polling(sleep=self.sleep, clock=self.clock)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    """A real boto3 logs client whose every call is answered by botocore's Stubber.

    The Stubber checks each call's parameters exactly against the expected ones, and the test
    fails at teardown if an expected call was never made.
    """
    client = boto3.client("logs", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()
