"""Caller cost of ``logger.info`` through NullHandler, stdlib QueueHandler and CloudWatchHandler,
and the process CPU per event CloudWatchHandler delivers (also against the usual design: format
on the caller, send one batch at a time), measured side by side in one process.

moto's server runs in a separate process on 127.0.0.1, so its CPU is not counted here. Rounds are
interleaved (the order rotates) and the median of the rounds is reported, because shared machines
are noisy. Run: ``python benchmarks/bench_handler.py [--rounds 9] [--records N] [--events N]
[--context] [--no-gc]`` (``--context``: caller rounds with ``extra=`` and correlation ids).
The garbage collector is on, as in applications; ``--no-gc`` turns it off for analysis only.
Issue 12's full table (against watchtower, memory, bursts, imports) is
``benchmarks/bench_write_path.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import logging.handlers
import queue
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from _support import (
    REGION,
    TRACE_ID,
    ServiceProcess,
    add_gc_flag,
    apply_gc_flag,
    bench_logger,
    interleaved,
    use_dummy_credentials,
)
from botocore.config import Config

from cw_logging import CloudWatchHandler
from cw_logging.context import correlation
from cw_logging.formatter import JsonFormatter


def time_calls(
    logger: logging.Logger, records: int, with_context: bool = False
) -> tuple[float, float]:
    """Return (wall ns, calling-thread CPU ns) per ``logger.info`` call over ``records`` calls;
    ``with_context``: each call has an ``extra=`` field and runs with correlation ids bound.

    Wall time includes waiting for the GIL while the handler's background thread runs; the
    thread's CPU time is the caller's own work.
    """
    info = logger.info
    scope = correlation(trace_id=TRACE_ID, request_id="req-7f3a") if with_context else None
    with scope or contextlib.nullcontext():
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        if with_context:
            for i in range(records):
                info("order %d placed by customer %s", i, "c-42", extra={"order": i})
        else:
            for i in range(records):
                info("order %d placed by customer %s", i, "c-42")
        cpu = time.thread_time_ns() - start_cpu
        wall = time.perf_counter_ns() - start
    return wall / records, cpu / records


class UsualHandler(logging.Handler):
    """The usual design, as a baseline: format on the calling thread, queue the text, and send
    one batch at a time from a thread with a default boto3 client."""

    def __init__(self, client: Any, group: str, stream: str) -> None:
        super().__init__()
        self.client, self.group, self.stream = client, group, stream
        self.queue: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
        self.sent = 0
        self._sent_changed = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def emit(self, record: logging.LogRecord) -> None:
        self.queue.put((int(record.created * 1000), self.format(record)))

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < 10_000 and not self.queue.empty():
                batch.append(self.queue.get())
            batch.sort()
            events = [{"timestamp": t, "message": m} for t, m in batch]
            self.client.put_log_events(
                logGroupName=self.group, logStreamName=self.stream, logEvents=events
            )
            with self._sent_changed:
                self.sent += len(batch)
                self._sent_changed.notify_all()

    def flush(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        with self._sent_changed:
            return self._sent_changed.wait_for(self.queue.empty, timeout=timeout or 60)


def usual_design(url: str, stream: str, *, validate: bool) -> tuple[UsualHandler, logging.Logger]:
    """The usual design's handler on its own stream and logger, warmed up (client, connection).

    ``validate=False`` turns botocore's parameter validation off, as cw_logging does: what the
    usual design would cost if it were tuned that far.
    """
    config = Config(parameter_validation=validate)
    client = boto3.client("logs", region_name=REGION, endpoint_url=url, config=config)
    client.create_log_stream(logGroupName="/bench/handler", logStreamName=stream)
    handler = UsualHandler(client, "/bench/handler", stream)
    handler.setFormatter(JsonFormatter())
    logger = bench_logger(f"bench.{stream}", handler)
    cpu_per_delivered_event(handler, logger, 2_000)
    return handler, logger


def cpu_per_delivered_event(handler: Any, logger: logging.Logger, n: int) -> float:
    """Return process CPU microseconds per event, from the call until the service stored it.

    Records carry correlation ids (a bound request id and trace id) and one ``extra=`` field.
    """

    def sent() -> int:
        return int(handler.stats()["sent"] if hasattr(handler, "stats") else handler.sent)

    handler.flush(timeout=60)
    sent_before = sent()
    cpu = time.process_time()
    with correlation(trace_id=TRACE_ID, request_id="req-7f3a"):
        for i in range(n):
            logger.info("order %d placed by customer %s", i, "c-42", extra={"order": i})
    deadline = time.monotonic() + 120
    while sent() - sent_before < n:  # every event stored (flush alone does not say so for both)
        handler.flush(timeout=1)
        if time.monotonic() > deadline:
            raise SystemExit(f"{type(handler).__name__} did not deliver within 120 s")
    used = time.process_time() - cpu
    return used / (sent() - sent_before) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--records", type=int, default=20_000, help="calls per round per handler")
    parser.add_argument(
        "--context",
        action="store_true",
        help="caller rounds: each call with an extra= field and correlation ids bound",
    )
    parser.add_argument(
        "--events", type=int, default=20_000, help="delivered events per CPU round per handler"
    )
    add_gc_flag(parser)
    args = parser.parse_args()
    gc_state = apply_gc_flag(args.no_gc)
    use_dummy_credentials()

    server = ServiceProcess()
    listener_queue: queue.Queue[logging.LogRecord] = queue.Queue(-1)
    listener = logging.handlers.QueueListener(listener_queue, logging.NullHandler())
    listener.start()
    cloudwatch = CloudWatchHandler(
        "/bench/handler", "bench", endpoint_url=server.url, region_name=REGION,
        create_log_group=True,
    )  # fmt: skip
    loggers = {
        "NullHandler": bench_logger("bench.null", logging.NullHandler()),
        "QueueHandler": bench_logger("bench.queue", logging.handlers.QueueHandler(listener_queue)),
        "CloudWatchHandler": bench_logger("bench.cloudwatch", cloudwatch),
    }
    try:
        for logger in loggers.values():  # warm-up: thread start, client creation, first batch
            time_calls(logger, 2_000)
        cloudwatch.flush(timeout=60)

        wall: dict[str, list[float]] = {name: [] for name in loggers}
        own_cpu: dict[str, list[float]] = {name: [] for name in loggers}

        def caller_case(name: str) -> Callable[[], float]:
            def run() -> float:
                wall_ns, cpu_ns = time_calls(loggers[name], args.records, args.context)
                wall[name].append(wall_ns)
                own_cpu[name].append(cpu_ns)
                if name == "CloudWatchHandler":
                    cloudwatch.flush(timeout=60)  # not timed: the queue must not grow
                return cpu_ns

            return run

        interleaved(args.rounds, {name: caller_case(name) for name in loggers})
        stats = cloudwatch.stats()

        cloudwatch.setFormatter(JsonFormatter())
        cases = {
            "CloudWatchHandler": (cloudwatch, loggers["CloudWatchHandler"]),
            "usual design": usual_design(server.url, "usual", validate=True),
            "usual, no validation": usual_design(server.url, "usual-unvalidated", validate=False),
        }
        cpu = interleaved(
            args.rounds,
            {
                name: functools.partial(cpu_per_delivered_event, handler, logger, args.events)
                for name, (handler, logger) in cases.items()
            },
        )
    finally:
        cloudwatch.close()
        listener.stop()
        server.stop()

    print(f"python {sys.version.split()[0]}; {gc_state}; medians of {args.rounds} rounds")
    print()
    shape = "with extra= and correlation ids" if args.context else "plain"
    print(f"1. caller cost of logger.info, {shape} ({args.records:,} calls per round; budget: "
          "CloudWatchHandler <= 1.0 x QueueHandler)")  # fmt: skip
    for title, table in (
        ("calling thread's own CPU per call", own_cpu),
        ("wall time per call (includes waiting for the GIL held by background threads)", wall),
    ):
        median = {name: statistics.median(values) for name, values in table.items()}
        queue_ns, null_ns = median["QueueHandler"], median["NullHandler"]
        print(f"   {title}")
        print(f"   {'handler':<20}{'ns/call':>10}{'min':>10}{'max':>10}{'x Null':>9}{'x Queue':>9}")
        for name, values in table.items():
            print(
                f"   {name:<20}{median[name]:>10.0f}{min(values):>10.0f}{max(values):>10.0f}"
                f"{median[name] / null_ns:>9.2f}{median[name] / queue_ns:>9.2f}"
            )
        print()
    ratio = statistics.median(own_cpu["CloudWatchHandler"]) / statistics.median(
        own_cpu["QueueHandler"]
    )
    print(f"   => CloudWatchHandler / QueueHandler (own CPU): {ratio:.2f} x")
    print()
    print(f"2. process CPU per delivered event, JsonFormatter + correlation ids on, "
          f"{args.events:,} events per round")  # fmt: skip
    print("   (caller + format + batch + PutLogEvents; usual design = format on the caller, one")
    print("   batch at a time, default boto3 client; budget: CloudWatchHandler <= 0.5 x usual)")
    print(f"   {'handler':<22}{'us/event':>10}{'min':>10}{'max':>10}")
    for name, values in cpu.items():
        print(
            f"   {name:<22}{statistics.median(values):>10.1f}{min(values):>10.1f}"
            f"{max(values):>10.1f}"
        )
    pairs = zip(cpu["CloudWatchHandler"], cpu["usual design"], strict=True)
    ratios = [ours / usual for ours, usual in pairs]
    print(f"   => CloudWatchHandler / usual design: {statistics.median(ratios):.2f} x "
          f"(median of per-round ratios; range {min(ratios):.2f}-{max(ratios):.2f})")  # fmt: skip
    pairs = zip(cpu["CloudWatchHandler"], cpu["usual, no validation"], strict=True)
    tuned = [ours / usual for ours, usual in pairs]
    print(f"   (against the usual design without botocore's parameter validation: "
          f"{statistics.median(tuned):.2f} x)")  # fmt: skip
    print()
    print(f"delivered {stats['sent']:,} events in {stats['batches']:,} PutLogEvents calls "
          f"during the caller rounds; dropped {stats['dropped'] or 0}")  # fmt: skip


if __name__ == "__main__":
    main()
