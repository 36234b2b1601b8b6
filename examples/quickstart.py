"""Quickstart: ship ordinary ``logging`` records to CloudWatch Logs and read them back.

    python examples/quickstart.py

Starts cw_logging's local engine on 127.0.0.1 (any free port, see offline.py), so no AWS account
is needed. Configures logging with ``dictConfig`` and ``CloudWatchHandler`` exactly as an
application would, logs a few records (extra fields and an exception included), flushes, reads
the events back with GetLogEvents and prints them.

For real AWS, drop ``endpoint_url`` and let boto3 find credentials and the region as usual.
"""

from __future__ import annotations

import json
import logging
import logging.config
import sys
import time
from typing import Any

from offline import flush_cloudwatch, local_cloudwatch

GROUP = "/quickstart/shop"


def configure_logging(endpoint_url: str) -> None:
    """The part an application writes: a dictConfig with CloudWatchHandler."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": "cw_logging.formatter.JsonFormatter"}},
            "handlers": {
                "cloudwatch": {
                    "class": "cw_logging.CloudWatchHandler",
                    "log_group": GROUP,
                    "log_stream": "{hostname}-{pid}",
                    "endpoint_url": endpoint_url,  # omit for real AWS
                    "create_log_group": True,
                    "retention_days": 7,
                    "formatter": "json",
                }
            },
            "root": {"level": "INFO", "handlers": ["cloudwatch"]},
        }
    )


def log_some_records() -> None:
    """Ordinary application logging: nothing here knows about CloudWatch."""
    log = logging.getLogger("shop.orders")
    log.info("service started")
    log.info("order %s placed", "A-1001", extra={"order_id": "A-1001", "amount": 42.5})
    log.warning("stock low", extra={"sku": "SKU-7", "left": 3})
    try:
        _ = {"A-1001": 1}["A-1002"]
    except KeyError:
        log.exception("order lookup failed", extra={"order_id": "A-1002"})


def read_back(client: Any) -> list[dict[str, Any]]:
    """Return every event of the group, oldest first, as the API returns them."""
    events: list[dict[str, Any]] = []
    for stream in client.describe_log_streams(logGroupName=GROUP)["logStreams"]:
        page = client.get_log_events(
            logGroupName=GROUP, logStreamName=stream["logStreamName"], startFromHead=True
        )
        events.extend(dict(event) for event in page["events"])
    return events


_CORE_KEYS = {"timestamp", "level", "logger", "message", "location", "stackTrace"}


def show(events: list[dict[str, Any]]) -> None:
    """Print the events as an aligned table: time, level, logger, message and fields."""
    rows = []
    for event in events:
        document = json.loads(event["message"])
        moment = time.strftime("%H:%M:%S", time.gmtime(event["timestamp"] / 1000))
        fields = {k: v for k, v in document.items() if k not in _CORE_KEYS}
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        rows.append((moment, document["level"], document["logger"], document["message"], extra))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    print(f"{len(events)} events in log group {GROUP}:")
    for row in rows:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  " + "  ".join(cells) + "  " + row[4])


def main() -> int:
    """Run the quickstart; return the process exit code."""
    with local_cloudwatch() as local:
        configure_logging(local.url)
        log_some_records()
        stats = flush_cloudwatch(timeout=30)
        show(read_back(local.client))
        print(f"handler stats: sent={stats['sent']} batches={stats['batches']} "
              f"dropped={stats['dropped']} rejected={stats['rejected']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
