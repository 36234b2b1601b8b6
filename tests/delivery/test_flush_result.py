"""``flush()`` tells the truth: True only when every record queued before the call was
delivered; False when any was dropped or refused for good. A clean close leaves no spool file."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from tests.support.faults import HandlerFactory
from tests.support.sink import LocalSink

pytestmark = pytest.mark.integration

GROUP = "/sink/default"


def test_flush_is_false_when_records_were_dropped_for_a_full_queue(
    sink: LocalSink, sink_handlers: HandlerFactory
) -> None:
    handler, logger = sink_handlers.make(
        max_queue_bytes=16_384, overflow="drop_newest", flush_interval=60
    )
    for i in range(100):
        logger.info("r-%d %s", i, "x" * 1000)  # about 150 KB into a 16 KB queue
    assert handler.stats()["dropped"].get("drop_newest", 0) > 0  # the scenario dropped some
    assert handler.flush(timeout=10) is False
    assert 0 < len(sink.messages(GROUP)) < 100  # what fitted was delivered


def test_flush_is_false_when_the_service_refused_a_record(
    sink: LocalSink, sink_handlers: HandlerFactory
) -> None:
    handler, logger = sink_handlers.make()
    for i in range(10):
        logger.info("fresh-%d", i)
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "from the past", (), None)
    record.created = time.time() - 20 * 86_400  # CloudWatch refuses events over 14 days old
    logger.handle(record)
    assert handler.flush(timeout=10) is False
    assert sorted(sink.messages(GROUP)) == sorted(f"fresh-{i}" for i in range(10))
    assert handler.stats()["rejected"] != {}


def test_flush_is_true_when_everything_was_delivered(
    sink: LocalSink, sink_handlers: HandlerFactory
) -> None:
    handler, logger = sink_handlers.make()
    for i in range(50):
        logger.info("ok-%d", i)
    assert handler.flush(timeout=10) is True
    assert len(sink.messages(GROUP)) == 50


def test_a_clean_close_leaves_no_spool_or_lock_file(
    sink: LocalSink, sink_handlers: HandlerFactory, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    handler, logger = sink_handlers.make(spool_dir=str(spool_dir))
    for i in range(50):
        logger.info("spooled-%d", i)
    assert handler.flush(timeout=10)
    handler.close()
    assert len(sink.messages(GROUP)) == 50
    assert sorted(p.name for p in spool_dir.iterdir()) == []
