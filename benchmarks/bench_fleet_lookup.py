"""Following one trace across a fleet of log groups: by prefix (one SOURCE query, filterIndex)
against by list (one query per 50 groups), on the local server over real HTTP and boto3 (a
script that prints figures; it asserts nothing).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_fleet_lookup.py [--groups 500]
     [--events 200] [--rounds 3] [--polls 2] [--no-gc]

Builds ``--groups`` log groups under ``/fleet/`` with ``--events`` JSON events each (the trace
in one group of ten, one event each), plus 50 groups under ``/other/`` that also carry the
trace, then times, interleaved over ``--rounds`` rounds:

- list, governed: ``find_by_trace_id(trace, log_groups=[500 names])``, 10 queries of 50 groups,
  up to 10 in flight (the baseline);
- list, one at a time: the same with ``Governor(max_in_flight=1)`` (the previous behaviour);
- prefix + filterIndex: ``find_by_trace_id(trace, prefixes=["/fleet/"])``, one query, reading
  only the events the default ``traceId`` index lists;
- prefix, unindexed field: the same lookup on ``trace_id`` (``keys="snake"``: what a
  ``key_style="snake"`` app without ``indexed_keys`` writes) — ``filter``, every event read.

For each: queries issued, best wall time, bytes and records scanned, bytes an index skipped,
estimated cost at the US East price, and the ratios to the baseline. A query of the local engine
reports Scheduled/Running for ``--polls`` polls before Complete (as the service does while it
scans), and the lookups poll every 50 ms doubling to 200 ms, so wall time is HTTP, evaluation
and those waits; on AWS a query runs for seconds, so the waits weigh more there.
The garbage collector stays on unless ``--no-gc``.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from benchmarks._support import add_gc_flag, apply_gc_flag, interleaved, use_dummy_credentials
from cw_logging.local import LocalEngine, serve
from cw_logging.query import (
    Governor,
    LookupResult,
    Polling,
    TimeRange,
    find_by_field,
    find_by_trace_id,
)
from cw_logging.query._cost import human_bytes

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
POLLING = Polling(initial=0.05, maximum=0.2)
"""Polls of the lookups: 50 ms doubling to 200 ms (the library's default starts at 500 ms)."""


def build_fleet(engine: LocalEngine, groups: int, events: int, now_ms: int) -> int:
    """Create the groups and their events; return how many events carry the trace."""
    carrying = 0
    for prefix, count in (("/fleet/", groups), ("/other/", 50)):
        for number in range(count):
            name = f"{prefix}svc-{number:04d}"
            engine.call("CreateLogGroup", {"logGroupName": name})
            engine.call("CreateLogStream", {"logGroupName": name, "logStreamName": "i-1"})
            batch = []
            for index in range(events):
                on_trace = index == 0 and (prefix == "/other/" or number % 10 == 0)
                trace = TRACE if on_trace else f"{number:016x}{index:016x}"
                carrying += on_trace and prefix == "/fleet/"
                document = {
                    "timestamp": now_ms - 60_000 + index,
                    "level": "INFO",
                    "service": name,
                    "message": f"handled request {index}",
                    "traceId": trace,
                    "trace_id": trace,
                    "requestId": f"req-{number}-{index}",
                }
                batch.append(
                    {"timestamp": now_ms - 60_000 + index, "message": json.dumps(document)}
                )
            engine.call(
                "PutLogEvents", {"logGroupName": name, "logStreamName": "i-1", "logEvents": batch}
            )
    return carrying


def cases(client: Any, groups: int, window: TimeRange) -> dict[str, Callable[[], Any]]:
    """The four lookups, each returning (seconds, result)."""
    names = [f"/fleet/svc-{n:04d}" for n in range(groups)]
    common: dict[str, Any] = {"time_range": window, "polling": POLLING, "client": client}

    def timed(run: Callable[[], LookupResult]) -> Callable[[], tuple[float, LookupResult]]:
        def measure() -> tuple[float, LookupResult]:
            gc.collect()
            start = time.perf_counter()
            result = run()
            return time.perf_counter() - start, result

        return measure

    return {
        "list, governed (baseline)": timed(lambda: find_by_trace_id(TRACE, names, **common)),
        "list, one at a time": timed(
            lambda: find_by_trace_id(TRACE, names, governor=Governor(max_in_flight=1), **common)
        ),
        "prefix + filterIndex": timed(
            lambda: find_by_trace_id(TRACE, prefixes=["/fleet/"], **common)
        ),
        "prefix, unindexed field": timed(
            lambda: find_by_field("trace_id", TRACE, prefixes=["/fleet/"], **common)
        ),
    }


def report(samples: dict[str, list[tuple[float, LookupResult]]], expected: int) -> None:
    """Print one line per case and its ratios to the baseline."""
    rows = {}
    for name, runs in samples.items():
        best = min(seconds for seconds, _ in runs)
        rows[name] = (best, runs[0][1])
    base_time, base = rows["list, governed (baseline)"]
    header = f"{'lookup':26} {'found':>5} {'queries':>7} {'wall':>8} {'scanned':>10} "
    header += f"{'skipped':>10} {'cost $':>10}   vs baseline: wall, bytes scanned"
    print(header)
    for name, (seconds, result) in rows.items():
        scan = result.scan
        ratio_bytes = scan.bytes_scanned / base.scan.bytes_scanned if base.scan.bytes_scanned else 0
        print(
            f"{name:26} {len(result):5d} {result.queries:7d} {seconds * 1000:6.0f}ms "
            f"{human_bytes(scan.bytes_scanned):>10} {human_bytes(scan.bytes_skipped):>10} "
            f"{result.estimated_cost:10.7f}   {seconds / base_time:5.2f}x, {ratio_bytes:6.4f}x"
        )
    print(f"events of the trace under /fleet/: {expected} (each lookup must find them all)")


def main() -> None:
    """Parse the options, build the fleet, run the lookups, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=500, help="groups under /fleet/ (500)")
    parser.add_argument("--events", type=int, default=200, help="events per group (200)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument(
        "--polls", type=int, default=2, help="polls before a query completes (2; 0: at once)"
    )
    add_gc_flag(parser)
    args = parser.parse_args()
    print(apply_gc_flag(args.no_gc))
    use_dummy_credentials()
    import boto3
    from botocore.config import Config

    now = time.time()
    now_ms = int(now * 1000)
    window = TimeRange(
        datetime.fromtimestamp(now - 3600, timezone.utc),
        datetime.fromtimestamp(now + 60, timezone.utc),
    )
    engine = LocalEngine(query_polls_before_complete=args.polls)
    with engine, serve(port=0, engine=engine) as srv:
        started = time.perf_counter()
        expected = build_fleet(engine, args.groups, args.events, now_ms)
        total = (args.groups + 50) * args.events
        print(
            f"fleet: {args.groups} groups under /fleet/ + 50 under /other/, {total:,} events "
            f"(built in {time.perf_counter() - started:.1f} s); a query completes after "
            f"{args.polls} poll(s)"
        )
        client = boto3.client(
            "logs",
            endpoint_url=srv.url,
            config=Config(retries={"mode": "standard", "max_attempts": 2}, max_pool_connections=20),
        )
        samples = interleaved(args.rounds, cases(client, args.groups, window))
    report(samples, expected)


if __name__ == "__main__":
    main()
