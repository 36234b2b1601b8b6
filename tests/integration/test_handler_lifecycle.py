"""Lifecycle against a moto server in its own process: dictConfig twice, root at DEBUG, fork,
and delivery at interpreter exit."""

from __future__ import annotations

import logging
import logging.config
import os
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from cw_logging.handler import CloudWatchHandler
from tests.integration.helpers import all_messages, group_messages, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def server_client(moto_process: Any) -> Any:
    return boto3.client("logs", region_name="us-east-1", endpoint_url=moto_process.url)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    yield
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    root.setLevel(saved_level)
    for handler in saved_handlers:
        if handler not in root.handlers:
            root.addHandler(handler)


def _config(client: Any, group: str, stream: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(message)s"}},
        "handlers": {
            "cloudwatch": {
                "class": "cw_logging.CloudWatchHandler",
                "formatter": "plain",
                "log_group": group,
                "log_stream": stream,
                "client": client,
                "create_log_group": True,
                "flush_interval": 0.05,
            }
        },
        "root": {"level": "DEBUG", "handlers": ["cloudwatch"]},
    }


def _root_handler() -> CloudWatchHandler:
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, CloudWatchHandler)]
    assert len(handlers) == 1
    return handlers[0]


def test_second_dictconfig_returns_promptly_and_delivery_continues(
    moto_process: Any,
    make_client: Callable[..., Any],
    server_client: Any,
    restore_logging: None,
) -> None:
    group = "/it/dictconfig"
    clients = [make_client(moto_process.url) for _ in range(2)]  # before logging is at DEBUG
    logging.config.dictConfig(_config(clients[0], group, "first"))
    first = _root_handler()
    logger = logging.getLogger("cwtest.app")
    for i in range(3000):  # keeps the sender busy (and botocore logging at DEBUG) meanwhile
        logger.info("a-%d", i)

    started = time.monotonic()
    logging.config.dictConfig(_config(clients[1], group, "second"))
    assert time.monotonic() - started < 1.0  # watchtower blocks here for 60 s

    second = _root_handler()
    assert second is not first
    for i in range(200):
        logger.info("b-%d", i)
    assert second.flush(timeout=15)
    wait_until(
        lambda: first.stats()["queued"] == first.stats()["in_flight"] == 0,
        15,
        "the first handler's final delivery",
    )
    assert first.stats()["sent"] == 3000 and first.stats()["dropped"] == {}
    logging.getLogger().setLevel(logging.WARNING)  # reading back must not log into the group

    streams = group_messages(server_client, group)
    assert Counter(streams["first"]) == Counter(f"a-{i}" for i in range(3000))
    assert Counter(streams["second"]) == Counter(f"b-{i}" for i in range(200))
    # root at DEBUG: botocore/urllib3 records of both sender threads reached the current
    # handler and were not queued (the streams above hold only the application's records)
    assert second.stats()["internal_skipped"] > 0


def test_root_logger_at_debug_does_not_recurse(
    moto_process: Any,
    make_client: Callable[..., Any],
    server_client: Any,
    restore_logging: None,
) -> None:
    group = "/it/debugroot"
    logging.config.dictConfig(_config(make_client(moto_process.url), group, "s"))
    handler = _root_handler()
    logger = logging.getLogger("cwtest.debug")
    for i in range(50):
        logger.debug("d-%d", i)
        if i % 10 == 0:
            assert handler.flush(timeout=10)  # many separate sends, each logging via botocore
    assert handler.flush(timeout=10)
    stats = handler.stats()  # before reading back: that logs through botocore on this thread
    assert stats["accepted"] == 50
    assert stats["internal_skipped"] > 0
    logging.getLogger().setLevel(logging.WARNING)  # reading back must not log into the group
    messages = all_messages(server_client, group)
    assert Counter(messages) == Counter(f"d-{i}" for i in range(50))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_child_sends_its_own_records_and_not_the_parents(
    moto_process: Any, ship: Callable[..., Any], server_client: Any
) -> None:
    group = "/it/fork"
    handler, logger = ship(
        group,
        moto_process.url,
        log_stream="p-{pid}",
        flush_interval=30,  # nothing leaves the parent before the fork
    )
    for i in range(40):
        logger.info("parent-%d", i)
    assert handler.stats()["queued"] == 40

    pid = os.fork()
    if pid == 0:  # child: only this thread exists here
        code = 1
        try:
            assert handler.stats()["queued"] == 0
            for i in range(25):
                logger.info("child-%d", i)
            code = 0 if handler.flush(timeout=15) and handler.stats()["sent"] == 25 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert handler.flush(timeout=15)

    streams = group_messages(server_client, group)
    assert streams == {
        f"p-{os.getpid()}": [f"parent-{i}" for i in range(40)],
        f"p-{pid}": [f"child-{i}" for i in range(25)],
    }


def test_records_queued_at_exit_are_delivered(moto_process: Any, server_client: Any) -> None:
    group = "/it/atexit"
    script = textwrap.dedent(
        f"""
        import logging.config
        import time

        import boto3

        def configure(stream, **client):
            logging.config.dictConfig({{
                "version": 1,
                "disable_existing_loggers": False,
                "formatters": {{"plain": {{"format": "%(message)s"}}}},
                "handlers": {{"cw": {{
                    "class": "cw_logging.CloudWatchHandler", "log_group": {group!r},
                    "formatter": "plain",
                    "log_stream": stream, "create_log_group": True, "flush_interval": 60,
                    **client,
                }}}},
                "root": {{"level": "INFO", "handlers": ["cw"]}},
            }})

        slow = boto3.client("logs", region_name="us-east-1", endpoint_url={moto_process.url!r})
        # a slow service: the replaced handler is still delivering when the script ends
        slow.meta.events.register("before-call.logs.PutLogEvents", lambda **_: time.sleep(1))
        logger = logging.getLogger("app")
        configure("replaced", client=slow)
        for i in range(300):
            logger.info("replaced-%d", i)
        configure("current", endpoint_url={moto_process.url!r}, region_name="us-east-1")
        for i in range(500):
            logger.info("exit-%d", i)
        """
    )
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    streams = group_messages(server_client, group)
    assert Counter(streams["replaced"]) == Counter(f"replaced-{i}" for i in range(300))
    assert Counter(streams["current"]) == Counter(f"exit-{i}" for i in range(500))
