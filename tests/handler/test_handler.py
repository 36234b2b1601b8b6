"""CloudWatchHandler: configuration, the caller side, lifecycle guarantees (in-memory transport)."""

from __future__ import annotations

import gc
import logging
import logging.config
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from cw_logging import CloudWatchHandler, ConfigurationError
from cw_logging._limits import InputLogEvent
from cw_logging.delivery.transport import PutResult
from cw_logging.handler._handler import default_formatter
from tests.integration.helpers import wait_until
from tests.support.faults import HandlerFactory, MemoryTransport

GROUP = "/unit/handler"


@pytest.fixture
def transport() -> MemoryTransport:
    return MemoryTransport(groups=[GROUP])


@pytest.fixture
def make(transport: MemoryTransport) -> Iterator[Any]:
    factory = HandlerFactory(CloudWatchHandler, GROUP, transport=transport, flush_interval=0.05)
    yield factory.make
    factory.close_all()


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"log_group": "aws/reserved"}, "reserved"),
        ({"log_group": "bad group!"}, "invalid log group name"),
        ({"log_stream": "{nope}"}, "placeholders"),
        ({"log_stream": ""}, "non-empty"),
        ({"flush_interval": -1}, "flush_interval"),
        ({"flush_interval": 0}, "flush_interval"),
        ({"close_timeout": float("nan")}, "close_timeout"),
        ({"overflow": "drop_random"}, "overflow"),
        ({"oversize": "shrink"}, "oversize"),
        ({"max_batch_events": 10_001}, "max_batch_events"),
        ({"max_batch_bytes": 2_000_000}, "max_batch_bytes"),
        ({"max_event_bytes": 10}, "max_event_bytes"),
        ({"max_queue_bytes": 0}, "max_queue_bytes"),
        ({"retention_days": 8, "create_log_group": True}, "retention"),
        ({"retention_days": 7}, "create_log_group=True"),
        ({"create_log_stream": "yes"}, "create_log_stream"),
        ({"endpoint_url": "http://logs.example.com"}, "plain http"),
        ({"client": object()}, "not a boto3"),
        ({"region_name": "us-east-1", "transport": MemoryTransport()}, "conflicting"),
        ({"boto3_session": object(), "profile_name": "p"}, "not both"),
        ({"client": boto3.client("logs"), "botocore_config": Config()}, "conflicting"),
        ({"transport": object()}, "Transport"),
        ({"botocore_config": {"retries": 1}}, "botocore.config.Config"),
    ],
)
def test_bad_options_raise_a_clear_configuration_error(
    options: dict[str, Any], fragment: str
) -> None:
    group = options.pop("log_group", GROUP)
    with pytest.raises(ConfigurationError, match=None) as caught:
        CloudWatchHandler(group, **options)
    assert isinstance(caught.value, ValueError)
    assert fragment in str(caught.value)


def test_bad_level_raises_value_error() -> None:
    def registered() -> list[logging.Handler]:  # others' handlers may be collected meanwhile
        handlers = [ref() for ref in logging._handlerList]  # type: ignore[attr-defined]
        return [handler for handler in handlers if handler is not None]

    before = registered()  # kept alive (and their ids unique) until the end
    with pytest.raises(ValueError):
        CloudWatchHandler(GROUP, level="LOUD")
    with pytest.raises(ConfigurationError):
        CloudWatchHandler(GROUP, flush_interval=-1)
    # a refused handler is not left registered for logging.shutdown() to flush
    assert all(any(handler is old for old in before) for handler in registered())


def test_construction_needs_no_network_and_starts_no_thread() -> None:
    class Refusing(MemoryTransport):
        def put_log_events(self, *args: Any) -> PutResult:
            raise AssertionError("no call expected")

    threads = threading.active_count()
    started = time.monotonic()
    handler = CloudWatchHandler(GROUP, transport=Refusing())
    other = CloudWatchHandler(GROUP, region_name="eu-west-1", endpoint_url="https://10.255.255.1")
    assert time.monotonic() - started < 0.5
    assert threading.active_count() == threads
    assert handler.stats()["accepted"] == 0
    handler.close()
    other.close()


@pytest.mark.parametrize("style", ["class", "()"])
def test_dictconfig_builds_the_handler(style: str, transport: MemoryTransport) -> None:
    key = "class" if style == "class" else "()"
    name = f"unit.dictconfig.{style}"
    logging.config.dictConfig(
        {
            "version": 1,
            "incremental": False,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(message)s"}},
            "handlers": {
                "cw": {
                    key: "cw_logging.CloudWatchHandler",
                    "formatter": "plain",
                    "log_group": GROUP,
                    "log_stream": "dict-{logger}",
                    "transport": transport,
                    "flush_interval": 0.05,
                    "max_queue_bytes": 1_000_000,
                    "level": "INFO",
                }
            },
            "loggers": {name: {"handlers": ["cw"], "level": "DEBUG", "propagate": False}},
        }
    )
    logger = logging.getLogger(name)
    (handler,) = logger.handlers
    try:
        assert isinstance(handler, CloudWatchHandler)
        assert handler.level == logging.INFO
        logger.debug("filtered by the handler level")
        logger.info("configured")
        assert handler.flush(timeout=5)
        assert transport.messages(GROUP, f"dict-{name}") == ["configured"]
    finally:
        logger.removeHandler(handler)
        handler.close()


def test_repr_shows_no_secrets() -> None:
    session = boto3.session.Session(
        aws_access_key_id="AKIAEXAMPLEKEY123456",
        aws_secret_access_key="very-secret-value",
        region_name="us-east-1",
    )
    handler = CloudWatchHandler(GROUP, boto3_session=session)
    text = repr(handler)
    assert GROUP in text
    assert "very-secret-value" not in text and "AKIAEXAMPLEKEY" not in text
    handler.close()


def test_stats_keys_are_stable(make: Any) -> None:
    handler, _ = make()
    assert set(handler.stats()) == {
        "queued", "queued_bytes", "accepted", "in_flight", "in_flight_bytes", "sent", "batches",
        "retried", "dropped", "rejected", "format_errors", "truncated", "split", "repaired",
        "groups_created", "streams_created", "internal_skipped", "last_error",
        "last_error_time", "breaker", "closed", "spool_depth", "spool_bytes", "spool_adopted",
        "spool_path", "oldest_unsent_age",
    }  # fmt: skip


# -- caller side ------------------------------------------------------------------------------


def test_message_is_captured_when_logged_not_when_sent(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make()
    transport.gate.clear()  # nothing leaves until the caller has changed its data
    items = ["before"]
    logger.info("items=%s", items)
    items[0] = "after"
    transport.gate.set()
    assert handler.flush(timeout=5)
    assert transport.messages(GROUP) == ["items=['before']"]


def test_record_seen_by_other_handlers_is_not_modified(make: Any) -> None:
    _, logger = make()
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    keep = Keep()
    logger.addHandler(keep)
    try:
        logger.info("a %s", "b")
    finally:
        logger.removeHandler(keep)
    assert seen[0].args == ("b",) and seen[0].msg == "a %s"


def test_exception_text_is_captured_and_the_traceback_released(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make()
    transport.gate.clear()

    class Payload:
        pass

    def fail() -> None:
        local = Payload()
        tracker.append(weakref.ref(local))
        raise KeyError("missing")

    tracker: list[weakref.ref[Payload]] = []
    try:
        fail()
    except KeyError:
        logger.exception("lookup failed")
    gc.collect()
    assert tracker[0]() is None  # the queued record does not keep the frame alive
    transport.gate.set()
    assert handler.flush(timeout=5)
    (message,) = transport.messages(GROUP)
    assert message.startswith("lookup failed\nTraceback (most recent call last):")
    assert "KeyError: 'missing'" in message


def test_bad_format_arguments_keep_the_record(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make()
    logger.info("%d items", "many")
    assert handler.flush(timeout=5)
    (message,) = transport.messages(GROUP)
    assert message.startswith("%d items") and "many" in message


def test_records_from_the_sender_thread_are_never_queued(
    make: Any, transport: MemoryTransport
) -> None:
    class Chatty(MemoryTransport):
        def put_log_events(
            self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
        ) -> PutResult:
            logger.debug("sending %d events", len(events))  # like botocore at DEBUG
            return super().put_log_events(log_group, log_stream, events)

    chatty = Chatty(groups=[GROUP])
    handler, logger = make(transport=chatty)
    for i in range(5):
        logger.info("m%d", i)
        assert handler.flush(timeout=5)
    assert chatty.messages(GROUP) == [f"m{i}" for i in range(5)]
    assert handler.stats()["internal_skipped"] == chatty.count("put_log_events")
    assert handler.stats()["accepted"] == 5


def test_emit_after_close_is_counted(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make()
    logger.info("before")
    handler.close()
    logger.info("after")
    logger.info("after again")
    stats = handler.stats()
    assert stats["dropped"] == {"after_close": 2}
    assert stats["closed"] is True
    assert transport.messages(GROUP) == ["before"]


def test_records_without_a_formatter_get_the_default_formatters_text(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make(formatter=None)
    seen: list[logging.LogRecord] = []
    logger.addFilter(lambda record: seen.append(record) or True)
    logger.info("plain %s", "text")
    logger.info("no arguments")
    logger.info({"a": 1})
    logger.warning("with stack", stack_info=True)
    assert handler.flush(timeout=5)
    expected = [default_formatter().format(record) for record in seen]
    assert transport.messages(GROUP) == expected


def test_flush_without_records_returns_at_once(make: Any) -> None:
    handler, _ = make()
    started = time.monotonic()
    assert handler.flush() is True
    assert time.monotonic() - started < 0.1


# -- the logging lock (second dictConfig) -----------------------------------------------------


def test_close_inside_the_logging_lock_never_waits_for_the_sender(
    make: Any, transport: MemoryTransport
) -> None:
    needs_lock = threading.Event()

    class LockHungry(MemoryTransport):
        def put_log_events(
            self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
        ) -> PutResult:
            needs_lock.set()
            logging.getLogger("botocore.like")  # takes logging's module lock, as botocore does
            return super().put_log_events(log_group, log_stream, events)

    hungry = LockHungry(groups=[GROUP])
    handler, logger = make(transport=hungry)
    # Handlers of earlier tests that are garbage now: collected on the sender thread, their
    # weakref callback (logging._removeHandlerRef) would wait for the lock held below.
    gc.collect()
    lock: Any = logging._lock  # type: ignore[attr-defined]
    lock.acquire()  # what dictConfig holds while it closes the old handlers
    try:
        logger.info("in flight")
        assert needs_lock.wait(5)  # the sender now waits for the lock we hold
        started = time.monotonic()
        assert handler.flush() is False
        handler.close()
        assert time.monotonic() - started < 0.5
    finally:
        lock.release()
    wait_until(lambda: hungry.messages(GROUP) == ["in flight"], 5, "the handed-off delivery")
    wait_until(lambda: handler.stats()["in_flight"] == 0, 5, "the sender to settle")
    assert handler.stats()["sent"] == 1


# -- DataAlreadyAccepted through the boto3 transport --------------------------------------------


def test_data_already_accepted_counts_as_delivered(make: Any) -> None:
    client = boto3.client("logs", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_client_error(
        "put_log_events", service_error_code="DataAlreadyAcceptedException", http_status_code=400
    )
    stubber.activate()
    handler, logger = make(transport=None, client=client)
    logger.info("again")
    assert handler.flush(timeout=5)
    stubber.assert_no_pending_responses()
    stats = handler.stats()
    assert stats["sent"] == 1 and stats["dropped"] == {} and stats["retried"] == 0


def test_missing_region_is_reported_not_raised(
    make: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    handler, logger = make(transport=None)  # builds its boto3 client on the sender thread
    logger.info("waiting for a region")
    assert handler.flush(timeout=1) is False
    stats = handler.stats()
    assert stats["dropped"] == {} and stats["queued"] + stats["in_flight"] == 1, "kept, retried"
    assert "region" in str(stats["last_error"])
    assert "AWS_REGION" in capsys.readouterr().err


def test_signals_are_left_alone_unless_asked(transport: MemoryTransport) -> None:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    CloudWatchHandler(GROUP, transport=transport).close()
    assert signal.getsignal(signal.SIGTERM) is before
