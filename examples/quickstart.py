"""Quickstart: ship ordinary ``logging`` records to CloudWatch Logs and read them back.

Starts a local CloudWatch Logs API (moto's server, in a child process on 127.0.0.1, any free
port), so no AWS account is needed. Configures logging with ``dictConfig`` and
``CloudWatchHandler`` exactly as an application would, logs a few records (extra fields and an
exception included), flushes, reads the events back with GetLogEvents and prints them.

For real AWS, drop ``endpoint_url`` and let boto3 find credentials and the region as usual.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import subprocess
import sys
import time
from typing import Any

import boto3

from cw_logging import CloudWatchHandler

GROUP = "/quickstart/shop"

_SERVER = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()  # runs until the parent closes our stdin
server.stop()
"""


def start_local_server() -> tuple[subprocess.Popen[str], str]:
    """Start moto's server in a child process; return it and its endpoint URL."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    if not port.isdigit():
        process.kill()
        raise SystemExit("could not start the local CloudWatch Logs server (is moto installed?)")
    return process, f"http://127.0.0.1:{port}"


def stop_local_server(process: subprocess.Popen[str]) -> None:
    """Ask the server process to stop and wait for it."""
    assert process.stdin is not None
    process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


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
                    "region_name": "us-east-1",
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


def read_back(endpoint_url: str) -> list[dict[str, Any]]:
    """Return every event of the group, oldest first, as the API returns them."""
    client = boto3.client("logs", region_name="us-east-1", endpoint_url=endpoint_url)
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
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "quickstart")  # the local server accepts any
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "quickstart")
    server, endpoint_url = start_local_server()
    try:
        configure_logging(endpoint_url)
        log_some_records()
        (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, CloudWatchHandler)]
        if not handler.flush(timeout=30):
            print("records were not delivered in time", file=sys.stderr)
            return 1
        stats = handler.stats()
        show(read_back(endpoint_url))
        print(f"handler stats: sent={stats['sent']} batches={stats['batches']} "
              f"dropped={stats['dropped']} rejected={stats['rejected']}")  # fmt: skip
        logging.shutdown()
        return 0
    finally:
        stop_local_server(server)


if __name__ == "__main__":
    sys.exit(main())
