"""Benchmark of the local engine: prints figures, asserts nothing (run it as a script).

.venv/bin/python -m tests.local.bench_local_engine
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

import boto3

from cw_logging.local import LocalEngine, compile_filter_pattern, serve

EVENTS = 100_000
BATCH = 5_000


def timed(label: str, count: int, action: Any) -> Any:
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed * 1000:9.1f} ms  {count / elapsed:12,.0f} /s")
    return result


def main() -> None:
    rng = random.Random(7)
    now = time.time()
    engine = LocalEngine(clock=lambda: now, query_polls_before_complete=0)
    engine.call("CreateLogGroup", {"logGroupName": "/bench"})
    engine.call("CreateLogStream", {"logGroupName": "/bench", "logStreamName": "s"})
    base = int(now * 1000) - 3_600_000
    messages = [
        json.dumps(
            {
                "level": rng.choice(["INFO", "INFO", "INFO", "WARN", "ERROR"]),
                "latencyMs": rng.randint(1, 2000),
                "traceId": f"{rng.getrandbits(128):032x}",
                "msg": "request handled",
            }
        )
        for _ in range(EVENTS)
    ]

    def ingest() -> None:
        for start in range(0, EVENTS, BATCH):
            batch = [{"timestamp": base + i, "message": messages[i]}
                     for i in range(start, start + BATCH)]  # fmt: skip
            engine.call(
                "PutLogEvents", {"logGroupName": "/bench", "logStreamName": "s", "logEvents": batch}
            )

    timed(f"PutLogEvents {EVENTS:,} events (batches of {BATCH:,})", EVENTS, ingest)
    for pattern in ["ERROR", '{ $.level = "ERROR" && $.latencyMs > 1500 }', "%latencyMs.:19%"]:
        compiled = compile_filter_pattern(pattern)
        timed(f"match {pattern!r}", EVENTS, lambda c=compiled: sum(map(c.matches, messages)))

    def filter_all() -> int:
        params: dict[str, Any] = {"logGroupName": "/bench", "filterPattern": "ERROR"}
        total = 0
        while True:
            page = engine.call("FilterLogEvents", params)
            total += len(page["events"])
            if "nextToken" not in page:
                return total
            params["nextToken"] = page["nextToken"]

    timed("FilterLogEvents 'ERROR', all pages", EVENTS, filter_all)
    query = {
        "logGroupName": "/bench",
        "startTime": int(now) - 7200,
        "endTime": int(now),
        "queryString": 'filter level = "ERROR" | stats count(*), avg(latencyMs) by bin(5m)',
    }
    timed("StartQuery (stats by bin(5m))", EVENTS, lambda: engine.call("StartQuery", query))

    with serve(port=0, engine=engine) as server:
        client = boto3.client(
            "logs", region_name="us-east-1", endpoint_url=server.url,
            aws_access_key_id="x", aws_secret_access_key="x",
        )  # fmt: skip
        client.describe_log_groups()
        calls = 200
        timed(
            "boto3 DescribeLogStreams over HTTP (round trips)",
            calls,
            lambda: [client.describe_log_streams(logGroupName="/bench") for _ in range(calls)],
        )


if __name__ == "__main__":
    main()
