"""Querying CloudWatch Logs with cw_logging.query, run offline against the local engine.

    python examples/querying.py

cw_logging's local engine stands in for CloudWatch here (see offline.py): it really evaluates
the Insights query and the filter pattern, so only the ERROR event comes back from both.
Against AWS, drop the local engine and pass region_name= (or nothing) instead of client=.
"""

from __future__ import annotations

import json
import time
from typing import Any

from offline import local_cloudwatch

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


def main() -> None:
    with local_cloudwatch() as local:
        client = local.client
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
        print(f"query {result.query_id}: {result.status}, {len(result)} row(s)")
        for row in result:
            print("  ", row["@timestamp"].isoformat(), row["@message"])

        # One stream, newest first; then a filter pattern over the whole group.
        newest = next(get_log_events(GROUP, STREAM, direction="backward", client=client))
        print("newest event:", newest.message)
        errors = filter_log_events(GROUP, '{ $.level = "ERROR" }', max_events=10, client=client)
        print("filtered:", sum(1 for _ in errors), "events")


if __name__ == "__main__":
    main()
