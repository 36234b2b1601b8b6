"""Querying CloudWatch Logs with cw_logging.query, run offline against moto's server.

    python examples/querying.py

moto stands in for CloudWatch here: it stores and returns events, but ignores the `filter` and
`stats` parts of an Insights query, so the rows printed are whatever the time range holds.
Against AWS, drop the server and the session and pass region_name= (or nothing).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from cw_logging.query import TimeRange, admin, filter_log_events, get_log_events, run_query

GROUP, STREAM = "/shop/api", "web-1"


def seed(client: Any) -> None:
    """Create a group with 14-day retention and store a few JSON events in it."""
    admin.create_log_group(GROUP, retention_days=14, tags={"team": "shop"}, client=client)
    admin.ensure_stream_exists(GROUP, STREAM, client=client)
    now = int(time.time() * 1000)
    levels = ["INFO", "INFO", "ERROR", "INFO"]
    events = [
        {"timestamp": now - 4000 + i * 1000, "message": json.dumps({"level": lvl, "n": i})}
        for i, lvl in enumerate(levels)
    ]
    client.put_log_events(logGroupName=GROUP, logStreamName=STREAM, logEvents=events)


@contextlib.contextmanager
def offline_client() -> Iterator[Any]:
    """Start moto's server on 127.0.0.1, yield a logs client for it, stop the server after."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        yield session.client("logs", endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()


def main() -> None:
    with offline_client() as client:
        seed(client)
        print("retention:", admin.get_retention(GROUP, client=client), "days")

        # Logs Insights: start, poll (0.5 s doubling to 5 s), page, decode.
        result = run_query(
            "fields @timestamp, @message | filter level = 'ERROR' | sort @timestamp asc",
            [GROUP],
            TimeRange.last(minutes=15),
            limit=100,
            timeout=30,
            client=client,
        )
        print(f"query {result.query_id}: {result.status}, {len(result)} rows")
        print("   (moto ignores `filter`: against AWS only the ERROR row comes back)")
        for row in result:
            print("  ", row["@timestamp"].isoformat(), row["@message"])

        # One stream, newest first; then a filter pattern over the whole group.
        newest = next(get_log_events(GROUP, STREAM, direction="backward", client=client))
        print("newest event:", newest.message)
        errors = filter_log_events(GROUP, '{ $.level = "ERROR" }', max_events=10, client=client)
        print("filtered:", sum(1 for _ in errors), "events")


if __name__ == "__main__":
    main()
