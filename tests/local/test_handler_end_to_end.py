"""A CloudWatchHandler ships records to the local engine, over HTTP and in process, and the
engine's filter patterns find them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from cw_logging.local import LocalEngine, LocalTransport, serve

GROUP = "/e2e/app"


@pytest.fixture
def live_engine() -> Iterator[LocalEngine]:
    """An engine on the real clock: the handler stamps records with the real time."""
    with LocalEngine() as engine:
        yield engine


def shipped(engine: LocalEngine, pattern: str) -> list[str]:
    response = engine.call("FilterLogEvents", {"logGroupName": GROUP, "filterPattern": pattern})
    return [event["message"] for event in response["events"]]


def attach(logger: logging.Logger, **options: Any) -> Any:
    from cw_logging import CloudWatchHandler
    from cw_logging.formatter import JsonFormatter

    handler = CloudWatchHandler(GROUP, "web-1", create_log_group=True, **options)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    return handler


@pytest.mark.integration
def test_handler_over_http_to_the_local_server(
    logger: logging.Logger, live_engine: LocalEngine
) -> None:
    with serve(port=0, engine=live_engine) as server:
        handler = attach(logger, endpoint_url=server.url, region_name="us-east-1")
        logger.info("order placed", extra={"order_id": 42})
        logger.error("payment failed", extra={"order_id": 43})
        assert handler.flush(timeout=10)
        handler.close()
    errors = shipped(live_engine, '{ $.level = "ERROR" && $.order_id = 43 }')
    assert len(errors) == 1 and "payment failed" in errors[0]
    assert len(shipped(live_engine, "")) == 2


def test_handler_in_process_through_local_transport(
    logger: logging.Logger, live_engine: LocalEngine
) -> None:
    engine = live_engine
    handler = attach(logger, transport=LocalTransport(engine))
    for n in range(5):
        logger.warning("slow request", extra={"latencyMs": 100 * n})
    assert handler.flush(timeout=10)
    assert len(shipped(engine, "{ $.latencyMs >= 300 }")) == 2
