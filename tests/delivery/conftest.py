"""Fixtures of the delivery-guarantee tests: moto behind a fault proxy, scripts in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from cw_logging.handler import CloudWatchHandler
from tests.integration.conftest import fault_proxy, make_client, moto_process, ship
from tests.support.faults import FaultProxy, quick_retry_policy
from tests.support.sink_fixtures import sink, sink_handlers

__all__ = ["fault_proxy", "make_client", "moto_process", "ship", "sink", "sink_handlers"]

ROOT = Path(__file__).resolve().parents[2]


class QuickHandler(CloudWatchHandler):
    """A handler with short backoff and breaker timeouts, so outage tests take seconds."""

    retry_policy = quick_retry_policy()


@pytest.fixture
def server_client(moto_process: Any) -> Any:
    """A plain boto3 client of the moto process, to read back what was stored."""
    return boto3.client("logs", region_name="us-east-1", endpoint_url=moto_process.url)


@pytest.fixture
def process_proxy(moto_process: Any) -> Iterator[FaultProxy]:
    """A fault proxy in front of the moto process (for scripts running in subprocesses)."""
    proxy = FaultProxy(moto_process.url)
    yield proxy
    proxy.stop()


PRELUDE = """
import logging, os, sys, time
from cw_logging.handler import CloudWatchHandler
from tests.support.faults import quick_retry_policy

class QuickHandler(CloudWatchHandler):
    retry_policy = quick_retry_policy()

def make_handler(group, stream, url, **options):
    handler = QuickHandler(group, stream, endpoint_url=url, region_name="us-east-1",
                           create_log_group=True, **options)
    handler.setFormatter(logging.Formatter())
    logger = logging.getLogger("app")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler, logger
"""


def script_file(tmp_path: Path, body: str, name: str = "script.py") -> Path:
    """Write ``PRELUDE`` + ``body`` to a file (spawn needs an importable main module)."""
    path = tmp_path / name
    path.write_text(PRELUDE + textwrap.dedent(body), encoding="utf-8")
    return path


def script_env() -> dict[str, str]:
    """The environment of a script: fake credentials, the repository on the path."""
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PYTHONPATH": str(ROOT),
    }


def start_script(path: Path, *args: str) -> subprocess.Popen[str]:
    """Start ``path`` with this interpreter; stdin/stdout/stderr are pipes."""
    return subprocess.Popen(
        [sys.executable, str(path), *args],
        env=script_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_script(path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``path`` to its end and return the result."""
    return subprocess.run(
        [sys.executable, str(path), *args],
        env=script_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
