"""JsonFormatter behind CloudWatchHandler: ids captured on the caller, JSON and redaction on the
sender thread, read back from a real CloudWatch Logs API (moto server over HTTP)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from cw_logging.context import ContextThreadPoolExecutor, correlation, new_trace_id
from cw_logging.formatter import JsonFormatter
from cw_logging.handler import CloudWatchHandler

pytestmark = pytest.mark.integration

GROUP = "/cw-logging/formatter-test"


@pytest.fixture
def shipped(logs_client: Any) -> Iterator[tuple[logging.Logger, CloudWatchHandler]]:
    logs_client.create_log_group(logGroupName=GROUP)
    handler = CloudWatchHandler(log_group=GROUP, log_stream="s", client=logs_client)
    handler.setFormatter(JsonFormatter(redact=True, service="shop"))
    logger = logging.getLogger("test_formatter_handler")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield logger, handler
    finally:
        logger.removeHandler(handler)
        handler.close()


def read_back(logs_client: Any) -> list[dict[str, Any]]:
    events = logs_client.get_log_events(logGroupName=GROUP, logStreamName="s", startFromHead=True)
    return [json.loads(event["message"]) for event in events["events"]]


def test_each_task_and_thread_keeps_its_ids_through_the_sender_thread(
    shipped: tuple[logging.Logger, CloudWatchHandler], logs_client: Any
) -> None:
    logger, handler = shipped
    pool = ContextThreadPoolExecutor(max_workers=6)
    all_started = threading.Barrier(6, timeout=10)

    async def request(index: int, trace_id: str) -> None:
        with correlation(trace_id=trace_id, request_id=f"req-{index}"):
            logger.info("start %d", index, extra={"index": index, "email": "a@example.com"})
            await asyncio.wrap_future(pool.submit(worker, index))

    def worker(index: int) -> None:
        all_started.wait()  # all six requests are in flight before any worker logs
        logger.info("worker %d", index, extra={"index": index, "password": "p"})

    async def main() -> None:
        await asyncio.gather(*(request(i, traces[i]) for i in range(6)))

    traces = [new_trace_id() for _ in range(6)]
    try:
        asyncio.run(main())
    finally:
        pool.shutdown()
    assert handler.flush(30)
    records = read_back(logs_client)
    assert len(records) == 12
    for record in records:
        index = record["index"]
        assert record["traceId"] == traces[index] and record["requestId"] == f"req-{index}"
        assert record["service"] == "shop"
    assert {r["email"] for r in records if "email" in r} == {"[REDACTED:email]"}
    assert {r["password"] for r in records if "password" in r} == {"[REDACTED]"}


def test_exceptions_arrive_as_structured_fields(
    shipped: tuple[logging.Logger, CloudWatchHandler], logs_client: Any
) -> None:
    logger, handler = shipped
    try:
        raise ValueError("card 4111 1111 1111 1111 declined")
    except ValueError:
        logger.exception("payment failed")
    assert handler.flush(30)
    (record,) = read_back(logs_client)
    assert record["errorType"] == "ValueError"
    assert record["errorMessage"] == "card [REDACTED:card] declined"
    assert record["stackTrace"][0] == "Traceback (most recent call last):"
    assert not any("4111" in line for line in record["stackTrace"])
