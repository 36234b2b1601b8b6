"""The same CloudWatchHandler delivery tests against two servers: moto's and the local engine's.

Both are reached over HTTP on 127.0.0.1 through real boto3 with the strict validator on every
client (a batch real CloudWatch would refuse fails the test at teardown). moto does not enforce
the batch limits; the local engine does, so a limit the handler got wrong fails there too.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from cw_logging._limits import MAX_BATCH_BYTES, MAX_EVENT_BYTES, event_size
from cw_logging.context import correlation
from cw_logging.delivery._batching import truncation_marker
from cw_logging.formatter import JsonFormatter
from tests.integration.helpers import all_messages, group_messages, stream_events
from tests.support.moto_server import MotoServer

pytestmark = pytest.mark.integration

Ship = Callable[..., tuple[Any, logging.Logger]]
HOUR = 3600.0


@pytest.fixture(params=["moto", "local"])
def backend_url(request: pytest.FixtureRequest, moto_server: MotoServer) -> Iterator[str]:
    """The endpoint of moto's server (reset per test) or of a fresh local engine server."""
    if request.param == "moto":
        yield moto_server.url
        return
    from cw_logging.local import serve

    with serve(port=0) as server:
        yield server.url


@pytest.fixture
def reader(backend_url: str, make_client: Callable[..., Any]) -> Any:
    """A strict boto3 client to read back what the handler sent."""
    return make_client(backend_url)


@pytest.fixture
def send(backend_url: str, ship: Ship) -> Ship:
    """``send(log_group, **handler_options)`` -> (handler, logger) shipping to the backend.

    Asks for the server first, so the handlers are closed before the server stops.
    """
    return lambda log_group, **options: ship(log_group, backend_url, **options)


def log_at(logger: logging.Logger, created: float, message: str) -> None:
    """Log ``message`` as if at epoch second ``created``."""
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, message, (), None)
    record.created = created
    logger.handle(record)


def test_concurrent_threads_deliver_every_record_exactly_once(send: Ship, reader: Any) -> None:
    handler, logger = send("/both/threads")
    messages = [f"m{n}" for n in range(6000)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(logger.info, messages))
    assert handler.flush(timeout=60)
    assert Counter(all_messages(reader, "/both/threads")) == Counter(messages)
    stats = handler.stats()
    assert stats["sent"] == 6000 and stats["dropped"] == {} and stats["rejected"] == {}


def test_group_and_stream_are_created_lazily_with_retention(send: Ship, reader: Any) -> None:
    stream = f"web-{socket.gethostname()}".replace(":", "-").replace("*", "-")
    handler, logger = send("/both/created", log_stream="web-{hostname}", retention_days=7)
    assert reader.describe_log_groups(logGroupNamePrefix="/both/created")["logGroups"] == []
    logger.info("first")
    assert handler.flush(timeout=10)
    group = reader.describe_log_groups(logGroupNamePrefix="/both/created")["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in group] == [("/both/created", 7)]
    assert group_messages(reader, "/both/created") == {stream: ["first"]}
    assert handler.stats()["groups_created"] == 1 and handler.stats()["streams_created"] == 1


def test_json_records_keep_extras_correlation_ids_and_exceptions(send: Ship, reader: Any) -> None:
    handler, logger = send("/both/json")
    handler.setFormatter(JsonFormatter())
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    with correlation(trace_id=trace_id, request_id="req-1"):
        logger.info("order placed", extra={"orderId": 42, "items": ["a", "b"]})
        try:
            raise ValueError("card declined")
        except ValueError:
            logger.exception("payment failed")
    assert handler.flush(timeout=10)
    placed, failed = (json.loads(m) for m in all_messages(reader, "/both/json"))
    assert placed["message"] == "order placed" and placed["orderId"] == 42
    assert placed["items"] == ["a", "b"]
    assert placed["traceId"] == failed["traceId"] == trace_id
    assert placed["requestId"] == "req-1" and failed["level"] == "ERROR"
    assert "ValueError: card declined" in json.dumps(failed)


def test_records_out_of_order_and_over_more_than_a_day_all_arrive_in_time_order(
    send: Ship, reader: Any
) -> None:
    handler, logger = send("/both/span")
    now = time.time()
    offsets = [-30 * HOUR, -1.0, -26 * HOUR, -2 * HOUR, -0.5, -25 * HOUR]  # spans 30 hours
    for n, offset in enumerate(offsets):
        log_at(logger, now + offset, f"e{n}")
    assert handler.flush(timeout=10)
    events = stream_events(reader, "/both/span", "s")
    by_time = sorted(range(len(offsets)), key=lambda n: offsets[n])
    assert [e["message"] for e in events] == [f"e{n}" for n in by_time]
    assert handler.stats()["batches"] >= 2  # no batch may span more than 24 hours


def test_events_too_old_or_too_new_are_rejected_and_counted(send: Ship, reader: Any) -> None:
    handler, logger = send("/both/rejected")
    now = time.time()
    log_at(logger, now - 15 * 24 * HOUR, "too old")
    log_at(logger, now - 60, "kept")
    log_at(logger, now + 3 * HOUR, "too new")
    assert handler.flush(timeout=10) is False, "two events were refused"
    assert all_messages(reader, "/both/rejected") == ["kept"]
    assert handler.stats()["rejected"] == {"too_old": 1, "too_new": 1}


def test_large_and_oversize_messages(send: Ship, reader: Any) -> None:
    handler, logger = send("/both/large")
    big = "x" * 300_000  # above the 256 KB limit CloudWatch had before 2025
    oversize = "y" * (MAX_EVENT_BYTES + 5000)
    logger.info(big)
    logger.info(oversize)
    assert handler.flush(timeout=30)
    first, second = all_messages(reader, "/both/large")
    assert first == big
    kept = second[: second.index("…[truncated")]
    assert set(kept) == {"y"} and second == kept + truncation_marker(len(oversize) - len(kept))
    assert event_size(second) <= MAX_BATCH_BYTES
    assert handler.stats()["truncated"] == 1


def test_multibyte_messages_fill_batches_by_bytes_not_characters(send: Ship, reader: Any) -> None:
    handler, logger = send("/both/utf8")
    message = "🦆" * 2000  # 8,000 UTF-8 bytes in 2,000 characters
    for n in range(400):  # about 3.2 MB: at least 4 batches of at most 1 MiB
        logger.info("%d %s", n, message)
    assert handler.flush(timeout=60)
    messages = all_messages(reader, "/both/utf8")
    assert sorted(messages, key=lambda m: int(m.split()[0])) == [
        f"{n} {message}" for n in range(400)
    ]
    assert handler.stats()["batches"] >= 4
