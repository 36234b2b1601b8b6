"""Benchmark (a script, not a test): evaluate typical queries over 100,000 JSON events.

Run from the repository root: PYTHONPATH=. .venv/bin/python tests/local/insights/bench_insights.py
"""

from __future__ import annotations

import json
import random
import time

from cw_logging.local.insights import compile_query

EVENTS = 100_000
QUERIES = (
    'filter level = "ERROR" and latencyMs > 250 | stats count(*), avg(latencyMs) by service',
    "stats count(*) as n, pct(latencyMs, 95) by bin(5m), service",
    "fields @timestamp, @message | filter @message like /timeout/"
    " | sort @timestamp desc | limit 20",
    'parse @message \'"service":"*"\' as svc | stats count(*) by svc',
)


def make_events(count: int) -> list[dict[str, object]]:
    rng = random.Random(7)
    start = 1_700_000_000_000
    services = ["cart", "checkout", "search", "auth"]
    events = []
    for index in range(count):
        body = {
            "level": rng.choice(["INFO", "INFO", "INFO", "WARN", "ERROR"]),
            "service": rng.choice(services),
            "latencyMs": rng.randint(1, 1000),
            "traceId": f"{rng.getrandbits(128):032x}",
            "msg": rng.choice(["ok", "timeout talking to db", "cache miss"]),
        }
        timestamp = start + index * 30
        events.append(
            {
                "@timestamp": timestamp,
                "@message": json.dumps(body),
                "@logStream": "s",
                "@log": "123456789012:/bench",
                "@ingestionTime": timestamp + 5,
                "@ptr": str(index),
            }
        )
    return events


def main() -> None:
    events = make_events(EVENTS)
    for text in QUERIES:
        compiled = compile_query(text)
        began = time.perf_counter()
        result = compiled.run(events)
        elapsed = time.perf_counter() - began
        print(
            f"{EVENTS / elapsed:>10,.0f} events/s  {elapsed:6.2f} s  rows={len(result):<5} "
            f"matched={result.statistics.records_matched:<6} {text}"
        )


if __name__ == "__main__":
    main()
