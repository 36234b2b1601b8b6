"""Shared by the examples: CloudWatch Logs on this machine, so they run offline.

`local_cloudwatch()` starts cw_logging's local engine (a CloudWatch Logs API on 127.0.0.1 that
really evaluates filter patterns and Insights queries) and yields its URL and a boto3 client on
it. Nothing else is needed: for a loopback endpoint the package fills in a placeholder region and
credentials when none are configured. Against AWS you need none of this: drop `endpoint_url`
from the logging config and let boto3 find credentials and the region as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cw_logging import CloudWatchHandler
from cw_logging.delivery.transport import build_client
from cw_logging.local import LocalEngine, serve


@dataclass
class Local:
    url: str  # give it to CloudWatchHandler as endpoint_url
    client: Any  # a boto3 "logs" client on it, for cw_logging.query


@contextmanager
def local_cloudwatch() -> Iterator[Local]:
    # queries complete on the first poll here; against AWS run_query polls until they do
    with serve(port=0, engine=LocalEngine(query_polls_before_complete=0)) as server:
        try:
            yield Local(server.url, build_client(endpoint_url=server.url))
        finally:
            logging.shutdown()  # deliver and close the handlers while the server still runs


def flush_cloudwatch(timeout: float = 10.0) -> dict[str, Any]:
    """Flush the root logger's CloudWatchHandler; return its stats (exit if undelivered)."""
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, CloudWatchHandler)]
    if not handler.flush(timeout=timeout):
        raise SystemExit(f"records not delivered in {timeout} s: {handler.stats()}")
    return handler.stats()
