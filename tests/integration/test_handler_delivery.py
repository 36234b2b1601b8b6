"""CloudWatchHandler against moto's HTTP server through real boto3, with real-socket faults."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from cw_logging.handler import CloudWatchHandler
from tests.integration.helpers import all_messages, group_messages, wait_until
from tests.support.faults import FaultProxy, quick_retry_policy
from tests.support.moto_server import MotoServer

pytestmark = pytest.mark.integration

Ship = Callable[..., Any]


class QuickRetryHandler(CloudWatchHandler):
    """Short backoff and breaker timeouts so outage tests finish in seconds."""

    retry_policy = quick_retry_policy()


def test_four_threads_deliver_every_record_exactly_once(
    moto_server: MotoServer, ship: Ship, logs_client: Any
) -> None:
    handler, logger = ship("/it/threads", moto_server.url, flush_interval=0.5)

    def work(thread: int) -> None:
        for i in range(5000):
            logger.info("t%d-%d", thread, i)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert handler.flush(timeout=60)

    messages = all_messages(logs_client, "/it/threads")
    expected = Counter(f"t{t}-{i}" for t in range(4) for i in range(5000))
    assert len(messages) == 20_000
    assert Counter(messages) == expected
    stats = handler.stats()
    assert stats["sent"] == 20_000
    assert stats["dropped"] == {} and stats["rejected"] == {}
    assert stats["batches"] >= 2  # 10,000 events at most per call


def test_five_second_outage_loses_nothing(
    fault_proxy: FaultProxy, ship: Ship, logs_client: Any
) -> None:
    handler, logger = ship(
        "/it/outage", fault_proxy.url, attempts=1, timeout=2, handler_class=QuickRetryHandler
    )
    stop = threading.Event()
    logged: list[str] = []

    def produce() -> None:
        i = 0
        while not stop.is_set():
            message = f"rec-{i}"
            logger.info(message)
            logged.append(message)
            i += 1
            stop.wait(0.002)  # pacing: a steady trickle of records across the outage

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        wait_until(lambda: handler.stats()["sent"] > 100, 10, "first deliveries")
        fault_proxy.down()
        outage_start = time.monotonic()
        wait_until(lambda: handler.stats()["retried"] >= 3, 5, "failed attempts")
        sent_during = handler.stats()["sent"]
        time.sleep(max(0.0, 5.0 - (time.monotonic() - outage_start)))  # the outage itself
        assert handler.stats()["sent"] == sent_during  # really nothing got through
        assert handler.stats()["breaker"] in ("open", "half_open")
        fault_proxy.up()
        wait_until(lambda: handler.stats()["sent"] > sent_during + 100, 15, "recovery")
    finally:
        stop.set()
        producer.join()
    assert handler.flush(timeout=30)

    messages = all_messages(logs_client, "/it/outage")
    assert set(messages) == set(logged)  # every record arrived; nothing foreign
    assert handler.stats()["dropped"] == {}


def test_throttling_and_503_are_retried_without_loss(
    fault_proxy: FaultProxy, ship: Ship, logs_client: Any
) -> None:
    fault_proxy.fail("throttle", ratio=0.3, seed=1)
    fault_proxy.fail("unavailable", ratio=0.3, seed=2)
    handler, logger = ship(
        "/it/throttle", fault_proxy.url, attempts=1, handler_class=QuickRetryHandler
    )
    for batch in range(20):
        for i in range(50):
            logger.info("b%d-%d", batch, i)
        assert handler.flush(timeout=20)

    messages = all_messages(logs_client, "/it/throttle")
    assert Counter(messages) == Counter(f"b{b}-{i}" for b in range(20) for i in range(50))
    assert fault_proxy.injected["throttle"] > 0 and fault_proxy.injected["unavailable"] > 0
    stats = handler.stats()
    assert (
        stats["retried"]
        >= fault_proxy.injected["throttle"] + fault_proxy.injected["unavailable"] - 1
    )  # the group/stream creation calls are not faulted; every put fault is retried
    assert stats["dropped"] == {}
    assert "ThrottlingException" in str(stats["last_error"]) or "ServiceUnavailable" in str(
        stats["last_error"]
    )


def test_connection_dropped_after_store_is_retried_at_least_once(
    fault_proxy: FaultProxy, ship: Ship, logs_client: Any
) -> None:
    handler, logger = ship("/it/drop", fault_proxy.url, attempts=1, handler_class=QuickRetryHandler)
    logger.info("warm-up")
    assert handler.flush(timeout=10)  # group and stream exist; the next put is the one to cut
    fault_proxy.fail("drop_after_forward", times=1)
    for i in range(100):
        logger.info("rec-%d", i)
    assert handler.flush(timeout=10)

    assert len(fault_proxy.forwarded_then_dropped) == 1
    messages = all_messages(logs_client, "/it/drop")
    counts = Counter(messages)
    assert set(counts) == {"warm-up", *(f"rec-{i}" for i in range(100))}
    duplicated = {message for message, n in counts.items() if n > 1}
    assert duplicated  # the server stored the batch, the client never heard: sent again
    assert all(counts[m] == 2 for m in duplicated)
    assert all(m.encode() in fault_proxy.forwarded_then_dropped[0] for m in duplicated)
    assert handler.stats()["retried"] >= 1


def test_endpoint_down_at_start_then_up(
    fault_proxy: FaultProxy, ship: Ship, logs_client: Any
) -> None:
    fault_proxy.down()
    handler, logger = ship(
        "/it/late", fault_proxy.url, attempts=1, timeout=1, handler_class=QuickRetryHandler
    )
    for i in range(300):
        logger.info("rec-%d", i)
    wait_until(lambda: handler.stats()["retried"] >= 2, 10, "failed attempts")
    assert handler.stats()["sent"] == 0
    fault_proxy.up()
    assert handler.flush(timeout=20)
    assert Counter(all_messages(logs_client, "/it/late")) == Counter(f"rec-{i}" for i in range(300))


def test_unreachable_endpoint_constructor_returns_at_once_and_close_is_bounded(
    ship: Ship,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    handler, logger = ship(
        "/it/unreachable",
        None,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        close_timeout=1.5,
    )
    assert time.monotonic() - started < 0.5
    for i in range(20):
        logger.info("rec-%d", i)
    started = time.monotonic()
    handler.close()
    elapsed = time.monotonic() - started
    assert elapsed < 1.5 + 0.5
    stats = handler.stats()
    assert stats["sent"] == 0
    assert stats["dropped"].get("close_timeout") == 20
    assert stats["last_error"] and "EndpointConnectionError" in stats["last_error"]


def test_records_logged_while_the_stream_is_created_are_kept(
    moto_server: MotoServer, make_client: Callable[..., Any], ship: Ship, logs_client: Any
) -> None:
    client = make_client(moto_server.url)
    creating = threading.Event()
    release = threading.Event()

    def slow_create(**_: Any) -> None:
        creating.set()
        assert release.wait(10)

    client.meta.events.register("before-call.logs.CreateLogStream", slow_create)
    handler, logger = ship("/it/creating", None, client=client)
    logger.info("first")
    assert creating.wait(10)
    for i in range(500):  # the sender is inside CreateLogStream meanwhile
        logger.info("during-%d", i)
    release.set()
    assert handler.flush(timeout=10)
    assert Counter(all_messages(logs_client, "/it/creating")) == Counter(
        ["first", *(f"during-{i}" for i in range(500))]
    )
    assert handler.stats()["streams_created"] == 1


def test_stream_template_splits_by_logger(
    moto_server: MotoServer, ship: Ship, logs_client: Any
) -> None:
    handler, logger = ship("/it/template", moto_server.url, log_stream="app/{logger}/{date}")
    child = logger.getChild("db")
    child.addHandler(handler)
    child.propagate = False
    logger.info("from parent")
    child.info("from child")
    assert handler.flush(timeout=10)
    date = time.strftime("%Y-%m-%d", time.gmtime())
    streams = group_messages(logs_client, "/it/template")
    assert streams == {
        f"app/{logger.name}/{date}": ["from parent"],
        f"app/{child.name}/{date}": ["from child"],
    }
    child.removeHandler(handler)
