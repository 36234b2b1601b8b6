"""MockLogStream.live_tail: Live Tail over the mock's engine, fed by a real handler."""

from __future__ import annotations

import itertools
import logging
import threading

from cw_logging.testing import MockLogStream
from tests.integration.helpers import wait_until


def test_live_tail_sees_what_the_handler_sends_afterwards_filtered_by_the_engine(
    logger: logging.Logger,
) -> None:
    with MockLogStream("/mock/live") as mock:
        logger.addHandler(mock.handler())
        logger.error("before the tail")
        mock.flush()
        with mock.live_tail('{ $.level = "ERROR" }') as tail:
            writer = threading.Thread(
                target=lambda: [logger.info("fine"), logger.error("payment failed")]
            )
            writer.start()
            timer = threading.Timer(15, tail.close)  # a missing event fails, never hangs
            timer.start()
            events = list(itertools.islice(tail, 1))
            timer.cancel()
            writer.join()
        assert [(e.group, '"payment failed"' in e.message) for e in events] == [
            ("/mock/live", True)
        ]
        wait_until(lambda: mock.engine.live_tail.sessions == 0, 10, "the session to end")
