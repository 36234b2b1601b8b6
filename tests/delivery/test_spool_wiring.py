"""The spool in the handler, with an in-memory service: options, leftovers first, bounds, stats,
the EMF line and the Lambda decorator."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cw_logging import ConfigurationError
from cw_logging.delivery._emf import METRICS
from cw_logging.errors import NetworkError
from cw_logging.handler import CloudWatchHandler
from cw_logging.handler._lambda import lambda_handler
from tests.delivery.conftest import QuickHandler
from tests.integration.helpers import wait_until
from tests.support.faults import HandlerFactory, MemoryTransport

GROUP = "/unit/spool"
DOWN = NetworkError("connection refused (injected)", code="EndpointConnectionError")


@pytest.fixture
def transport() -> MemoryTransport:
    return MemoryTransport(groups=[GROUP])


@pytest.fixture
def make(transport: MemoryTransport, tmp_path: Path) -> Iterator[Any]:
    factory = HandlerFactory(
        QuickHandler,
        GROUP,
        transport=transport,
        flush_interval=0.05,
        spool_dir=str(tmp_path / "spool"),
    )
    yield factory.make
    factory.close_all()


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"spool_dir": ""}, "spool_dir=''"),
        ({"spool_dir": 5}, "spool_dir=5"),
        ({"spool_commit_interval": 0}, "spool_commit_interval=0"),
        ({"spool_max_bytes": 0}, "spool_max_bytes=0"),
        ({"spool_max_bytes": True}, "spool_max_bytes=True"),
        ({"install_signal_handlers": "yes"}, "install_signal_handlers='yes'"),
        ({"emit_metrics_interval": -1}, "emit_metrics_interval=-1"),
    ],
)
def test_bad_delivery_options_are_refused(
    options: dict[str, Any], fragment: str, transport: MemoryTransport
) -> None:
    with pytest.raises(ConfigurationError, match=fragment.replace("(", r"\(")):
        CloudWatchHandler(GROUP, transport=transport, **options)


def test_signal_handlers_need_the_main_thread(transport: MemoryTransport) -> None:
    errors: list[BaseException] = []

    def build() -> None:
        try:
            CloudWatchHandler(GROUP, transport=transport, install_signal_handlers=True)
        except ConfigurationError as exc:
            errors.append(exc)

    thread = threading.Thread(target=build)
    thread.start()
    thread.join()
    assert len(errors) == 1 and "main thread" in str(errors[0])


def test_leftovers_of_a_previous_handler_go_out_first_without_a_new_record(
    make: Any, transport: MemoryTransport
) -> None:
    transport.fail_next("put_log_events", DOWN, times=10_000)
    first, logger = make(log_stream="s", close_timeout=0.3)
    for i in range(300):
        logger.info("old-%d", i)
    first.close()  # the service is down: the records stay on disk
    stats = first.stats()
    assert stats["sent"] == 0 and stats["spool_depth"] == 300 and stats["dropped"] == {}
    transport.failures.clear()

    second, logger = make(log_stream="s")
    assert second.flush(timeout=10)  # no record logged here: flush waits for the leftovers
    assert transport.messages(GROUP, "s") == [f"old-{i}" for i in range(300)]
    logger.info("new")
    assert second.flush(timeout=10)
    assert transport.messages(GROUP, "s")[-1] == "new"
    assert second.stats()["spool_adopted"] == 300


def test_the_spool_bound_applies_the_overflow_policy_and_counts(
    make: Any, transport: MemoryTransport
) -> None:
    transport.fail_next("put_log_events", DOWN, times=10_000)
    handler, logger = make(spool_max_bytes=20_000, close_timeout=0.2)
    for i in range(1000):
        logger.info("%04d %s", i, "y" * 95)  # 100 characters + 26 per event

    def settled() -> bool:
        stats = handler.stats()
        overflowed = stats["dropped"].get("spool_overflow_oldest", 0)
        return bool(stats["spool_depth"] + overflowed == 1000 and stats["breaker"] == "open")

    wait_until(settled, 10, "every record spooled or counted, breaker open")
    stats = handler.stats()
    assert 0 < stats["spool_bytes"] <= 20_000
    assert stats["dropped"]["spool_overflow_oldest"] > 0
    assert stats["oldest_unsent_age"] is not None and stats["oldest_unsent_age"] >= 0


def test_stats_without_a_spool_report_the_oldest_queued_record(
    transport: MemoryTransport,
) -> None:
    transport.gate.clear()  # the service hangs
    factory = HandlerFactory(CloudWatchHandler, GROUP, transport=transport, flush_interval=60)
    handler, logger = factory.make()
    try:
        record_time = time.time()
        logger.info("waiting")
        stats = handler.stats()
        assert stats["spool_depth"] == 0 and stats["spool_path"] is None
        age = stats["oldest_unsent_age"]
        assert age is not None and 0 <= age <= time.time() - record_time + 0.01
    finally:
        transport.gate.set()
        factory.close_all()


def test_emf_line_has_the_embedded_metric_format_schema(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    handler, logger = make(emit_metrics_interval=0.05)
    logger.info("counted")
    assert handler.flush(timeout=10)
    wait_until(lambda: out.getvalue().count("\n") >= 2, 10, "two metrics lines")
    line = json.loads(out.getvalue().splitlines()[-1])
    aws = line["_aws"]
    assert isinstance(aws["Timestamp"], int) and abs(aws["Timestamp"] / 1000 - time.time()) < 60
    (directive,) = aws["CloudWatchMetrics"]
    assert directive["Namespace"] == "cw_logging"
    assert directive["Dimensions"] == [["LogGroup"]] and line["LogGroup"] == GROUP
    names = [metric["Name"] for metric in directive["Metrics"]]
    assert names == [name for name, _, _ in METRICS]
    units = {"Count", "Bytes", "Seconds"}
    for metric in directive["Metrics"]:
        assert set(metric) == {"Name", "Unit"} and metric["Unit"] in units
        value = line[metric["Name"]]
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
    assert line["Sent"] == 1 and line["BreakerOpen"] == 0


def test_metrics_are_off_by_default(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    handler, logger = make()
    logger.info("not counted on stdout")
    assert handler.flush(timeout=10)
    handler.close()
    assert out.getvalue() == ""


class _Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_lambda_handler_delivers_before_the_invocation_returns(
    transport: MemoryTransport,
) -> None:
    factory = HandlerFactory(CloudWatchHandler, GROUP, transport=transport, flush_interval=60)
    _, logger = factory.make(log_stream="lambda")

    @lambda_handler
    def function(event: dict[str, Any], context: Any) -> str:
        logger.info("invocation %s", event["id"])
        return "ok"

    try:
        assert function({"id": 7}, _Context(30_000)) == "ok"
        assert transport.messages(GROUP, "lambda") == ["invocation 7"]
    finally:
        factory.close_all()


def test_lambda_handler_keeps_within_the_remaining_time(transport: MemoryTransport) -> None:
    transport.gate.clear()  # the service hangs: only the deadline ends the flush
    factory = HandlerFactory(CloudWatchHandler, GROUP, transport=transport, flush_interval=60)
    _, logger = factory.make(log_stream="lambda")

    @lambda_handler(safety_margin_ms=500)
    def function(event: Any, context: Any) -> None:
        logger.info("late")
        raise RuntimeError("the function failed")

    try:
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="the function failed"):
            function({}, _Context(800))  # 300 ms left for the flush
        elapsed = time.monotonic() - started
        assert 0.25 <= elapsed < 2.0
    finally:
        transport.gate.set()
        factory.close_all()


def test_no_io_in_the_constructor_the_sender_opens_the_spool(
    transport: MemoryTransport, tmp_path: Path
) -> None:
    directory = tmp_path / "later"
    handler = CloudWatchHandler(GROUP, transport=transport, spool_dir=directory)
    try:
        wait_until(lambda: handler.stats()["spool_path"] is not None, 10, "spool opened")
        assert str(handler.stats()["spool_path"]).startswith(str(directory))
    finally:
        handler.close()
    assert not list(directory.glob("*.db"))  # an empty spool leaves no file behind
    logging.getLogger(__name__).debug("done")
