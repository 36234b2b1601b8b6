"""The local engine at production size, side by side with a plain-Python floor (a script that
prints figures; it asserts nothing).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_local_engine.py [--events 1000000]
     [--no-gc] [--skip-http] [--skip-moto]

Prints, for ``--events`` small JSON events (default 1,000,000) in 10 streams of one group:

- ingest: PutLogEvents in batches of at most 10,000 events and 1 MiB through ``engine.call``
  (events/s, the better of two loads into a fresh engine);
- Logs Insights queries (StartQuery + GetQueryResults) next to a plain Python loop over the same
  events pre-parsed into dicts doing the same work, measured in the same run, with the ratio
  and the peak RSS growth during each query (sampled from /proc every 2 ms); best of three
  runs for both times, the largest growth of the three;
- FilterLogEvents ``{ $.level = "ERROR" }`` through all pages at a tenth of the events and at
  all of them (paging is linear when the ratio stays near 10);
- HTTP: 1,000 connections from 20 threads, one DescribeLogGroups each, against ``serve()`` and
  against moto's ThreadedMotoServer; PutLogEvents over HTTP with pre-serialised bodies.

The garbage collector stays on (as in applications) unless ``--no-gc``; every timed run, of
the engine and of the floor alike, starts after a ``gc.collect()``.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import logging
import os
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cw_logging.local import LocalEngine, serve

GROUP = "/bench/app"
STREAMS = 10
BATCH = 10_000
SERVICES = ("cart", "checkout", "search", "auth", "payments")
NOW_MS = int(time.time() * 1000)


def make_messages(count: int, seed: int = 7) -> tuple[list[int], list[str]]:
    """``count`` timestamps (one per 3 ms over the last ~hour, in order) and JSON messages."""
    rng = random.Random(seed)
    start = NOW_MS - count * 3 - 60_000
    timestamps = [start + i * 3 for i in range(count)]
    messages = [
        json.dumps(
            {
                "level": rng.choice(("INFO", "INFO", "INFO", "WARN", "ERROR")),
                "service": rng.choice(SERVICES),
                "latencyMs": rng.randint(1, 2000),
                "traceId": f"{rng.getrandbits(128):032x}",
                "msg": rng.choice(("request handled", "timeout talking to db", "cache miss")),
            },
            separators=(",", ":"),
        )
        for _ in range(count)
    ]
    return timestamps, messages


def load(timestamps: list[int], messages: list[str]) -> tuple[LocalEngine, float, float]:
    """A fresh engine holding the events; and the seconds PutLogEvents took (wall clock and
    this process's CPU)."""
    engine = LocalEngine(query_polls_before_complete=0)
    engine.call("CreateLogGroup", {"logGroupName": GROUP})
    for number in range(STREAMS):
        engine.call("CreateLogStream", {"logGroupName": GROUP, "logStreamName": f"s{number}"})
    requests = [
        {"logGroupName": GROUP, "logStreamName": f"s{number % STREAMS}", "logEvents": events}
        for number, events in enumerate(batches(timestamps, messages))
    ]
    gc.collect()
    began, cpu = time.perf_counter(), time.process_time()
    for request in requests:
        engine.call("PutLogEvents", request)
    return engine, time.perf_counter() - began, time.process_time() - cpu


def batches(timestamps: list[int], messages: list[str]) -> list[list[dict[str, Any]]]:
    """The events cut into PutLogEvents batches: at most 10,000 events and 1 MiB each."""
    cut: list[list[dict[str, Any]]] = [[]]
    size = 0
    for timestamp, message in zip(timestamps, messages, strict=True):
        cost = len(message.encode()) + 26
        if len(cut[-1]) == BATCH or size + cost > 1_048_576:
            cut.append([])
            size = 0
        cut[-1].append({"timestamp": timestamp, "message": message})
        size += cost
    return cut


class PeakRss:
    """Samples the process's resident memory while a block runs; ``growth`` in bytes."""

    def __init__(self) -> None:
        self.growth = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self._page

    def __enter__(self) -> PeakRss:
        self._base = self._peak = self._rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self._peak = max(self._peak, self._rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, self._rss())
        self.growth = self._peak - self._base


def run_query(engine: LocalEngine, query: str) -> tuple[float, int, list[Any]]:
    """Seconds for StartQuery + GetQueryResults, peak RSS growth, the rows."""
    params = {
        "logGroupName": GROUP,
        "startTime": NOW_MS // 1000 - 86_400,
        "endTime": NOW_MS // 1000 + 60,
        "queryString": query,
    }
    gc.collect()  # as before each floor run
    with PeakRss() as memory:
        began = time.perf_counter()
        query_id = engine.call("StartQuery", params)["queryId"]
        rows = engine.call("GetQueryResults", {"queryId": query_id})["results"]
        elapsed = time.perf_counter() - began
    return elapsed, memory.growth, rows


Floor = Callable[[list[int], list[dict[str, Any]]], Any]
"""A plain loop over the events' timestamps and their messages parsed into dicts."""


def floor_count_by_service(timestamps: list[int], documents: list[dict[str, Any]]) -> Any:
    counts: dict[Any, int] = defaultdict(int)
    for document in documents:
        if document.get("level") == "ERROR":
            counts[document.get("service")] += 1
    return counts


def floor_trace_lookup(trace_id: str) -> Floor:
    def lookup(timestamps: list[int], documents: list[dict[str, Any]]) -> Any:
        found = [
            (ts, d)
            for ts, d in zip(timestamps, documents, strict=True)
            if d.get("traceId") == trace_id
        ]
        found.sort(key=lambda pair: pair[0], reverse=True)
        return found

    return lookup


def floor_latency_by_minute(timestamps: list[int], documents: list[dict[str, Any]]) -> Any:
    buckets: dict[int, list[Any]] = defaultdict(list)
    for timestamp, document in zip(timestamps, documents, strict=True):
        buckets[timestamp - timestamp % 60_000].append(document.get("latencyMs"))
    result = {}
    for bucket, values in buckets.items():
        ordered = sorted(values)
        result[bucket] = (sum(values) / len(values), ordered[-(-95 * len(ordered) // 100) - 1])
    return result


def floor_newest_timeouts(timestamps: list[int], documents: list[dict[str, Any]]) -> Any:
    """The newest 20 matches, and how many match in all (the query's recordsMatched)."""
    found = []
    matched = 0
    for index in range(len(documents) - 1, -1, -1):
        if "timeout" in documents[index].get("msg", ""):
            matched += 1
            if len(found) < 20:
                found.append((timestamps[index], documents[index]))
    return found, matched


def timed(action: Callable[[], Any]) -> float:
    gc.collect()  # each timed run starts from a settled heap (the collector stays on)
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def queries_section(engine: LocalEngine, timestamps: list[int], messages: list[str]) -> None:
    documents = [json.loads(message) for message in messages]
    trace_id = documents[len(documents) // 3]["traceId"]
    cases = [
        ('filter level = "ERROR" | stats count(*) by service', floor_count_by_service),
        (
            f'fields @timestamp, @message | filter traceId = "{trace_id}" | sort @timestamp desc',
            floor_trace_lookup(trace_id),
        ),
        ("stats avg(latencyMs), pct(latencyMs, 95) by bin(1m)", floor_latency_by_minute),
        (
            "fields @timestamp, @message | filter @message like /timeout/ "
            "| sort @timestamp desc | limit 20",
            floor_newest_timeouts,
        ),
    ]
    print(f"\nLogs Insights over {len(messages):,} events (StartQuery + GetQueryResults)")
    header = f"{'query':<62} {'engine':>8} {'floor':>8} {'ratio':>6} {'peak RSS +':>11} {'rows':>5}"
    print(header)
    print("-" * len(header))
    for query, floor in cases:
        floor_seconds = min(timed(lambda f=floor: f(timestamps, documents)) for _ in range(3))
        runs = [run_query(engine, query) for _ in range(3)]
        engine_seconds = min(seconds for seconds, _, _ in runs)
        growth = max(growth for _, growth, _ in runs)
        rows = runs[0][2]
        shown = query if len(query) <= 62 else query[:59] + "..."
        print(
            f"{shown:<62} {engine_seconds:7.2f}s {floor_seconds:7.2f}s "
            f"{engine_seconds / floor_seconds:5.1f}x {growth / 2**20:8.0f} MiB {len(rows):>5}"
        )


def filter_all_pages(engine: LocalEngine) -> tuple[float, int]:
    params: dict[str, Any] = {"logGroupName": GROUP, "filterPattern": '{ $.level = "ERROR" }'}
    began = time.perf_counter()
    total = 0
    while True:
        page = engine.call("FilterLogEvents", params)
        total += len(page["events"])
        if "nextToken" not in page:
            return time.perf_counter() - began, total
        params["nextToken"] = page["nextToken"]


def paging_section(engine: LocalEngine, timestamps: list[int], messages: list[str]) -> None:
    tenth = len(messages) // 10
    small, _, _ = load(timestamps[:tenth], messages[:tenth])
    small_seconds, small_count = filter_all_pages(small)
    small.close()
    big_seconds, big_count = filter_all_pages(engine)
    print("\nFilterLogEvents '{ $.level = \"ERROR\" }' through every page")
    print(f"  {tenth:>9,} events: {small_seconds:6.2f}s  ({small_count:,} events returned)")
    print(f"  {len(messages):>9,} events: {big_seconds:6.2f}s  ({big_count:,} events returned)")
    print(f"  ratio {big_seconds / small_seconds:.1f}x for {len(messages) // tenth}x the events")


def hammer(url: str, connections: int = 1000, threads: int = 20) -> tuple[float, int]:
    """``connections`` new connections from ``threads`` threads, one DescribeLogGroups each;
    seconds and failures."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    headers = {
        "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
        "Content-Type": "application/x-amz-json-1.1",
    }

    def one(_: int) -> bool:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.request("POST", "/", body=b"{}", headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status == 200
        except OSError:
            return False
        finally:
            connection.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, range(connections)))
    return time.perf_counter() - began, results.count(False)


def http_section(timestamps: list[int], messages: list[str], skip_moto: bool) -> None:
    print("\nHTTP: 1,000 connections from 20 threads, one DescribeLogGroups each")
    with serve(port=0) as server:
        seconds, failed = hammer(server.url)
        print(f"  cw_logging serve()        {seconds:6.2f}s  {failed} failed")
        count = min(len(messages), 200_000)
        bodies = [
            json.dumps(
                {
                    "logGroupName": GROUP,
                    "logStreamName": f"s{number % STREAMS}",
                    "logEvents": events,
                }
            ).encode()
            for number, events in enumerate(batches(timestamps[:count], messages[:count]))
        ]
        server.engine.call("CreateLogGroup", {"logGroupName": GROUP})
        for number in range(STREAMS):
            server.engine.call(
                "CreateLogStream", {"logGroupName": GROUP, "logStreamName": f"s{number}"}
            )
        put_seconds = http_put(server.url, bodies)
        print(
            f"  PutLogEvents over HTTP    {put_seconds:6.2f}s  "
            f"{count / put_seconds:,.0f} events/s ({count:,} events, bodies pre-serialised)"
        )
    if skip_moto:
        return
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        seconds, failed = hammer(f"http://{host}:{port}")
        print(f"  moto ThreadedMotoServer   {seconds:6.2f}s  {failed} failed")
    finally:
        moto.stop()


def http_put(url: str, bodies: list[bytes]) -> float:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {
        "X-Amz-Target": "Logs_20140328.PutLogEvents",
        "Content-Type": "application/x-amz-json-1.1",
    }
    began = time.perf_counter()
    for body in bodies:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"PutLogEvents over HTTP failed: {response.status}")
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description="local engine benchmark")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--no-gc", action="store_true", help="disable the garbage collector")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-moto", action="store_true")
    args = parser.parse_args()
    if args.no_gc:
        gc.disable()
    load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"garbage collector {'off' if args.no_gc else 'on'}; {args.events:,} events; "
        f"{os.cpu_count()} CPUs, load average {load_average} at the start"
    )
    timestamps, messages = make_messages(args.events)
    first, first_seconds, first_cpu = load(timestamps, messages)
    first.close()
    del first
    engine, seconds, cpu = load(timestamps, messages)
    seconds, cpu = min(seconds, first_seconds), min(cpu, first_cpu)
    print(
        f"\ningest: {len(messages):,} events, PutLogEvents x{len(batches(timestamps, messages))}"
        f" (<= 10,000 events, <= 1 MiB each)\n  {seconds:6.2f}s  "
        f"{len(messages) / seconds:,.0f} events/s  (CPU {cpu:.2f}s: "
        f"{len(messages) / cpu:,.0f} events per CPU second)"
    )
    queries_section(engine, timestamps, messages)
    paging_section(engine, timestamps, messages)
    engine.close()
    if not args.skip_http:
        http_section(timestamps, messages, args.skip_moto)


if __name__ == "__main__":
    main()
