"""Caller cost of ``logger.info`` through NullHandler, stdlib QueueHandler and CloudWatchHandler,
and the process CPU per event CloudWatchHandler delivers, measured side by side in one process.

moto's server runs in a separate process on 127.0.0.1, so its CPU is not counted here. Rounds are
interleaved (the order rotates) and the median of the rounds is reported, because shared machines
are noisy. Run: ``python benchmarks/bench_handler.py [--rounds 9] [--records 20000]``.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import queue
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cw_logging import CloudWatchHandler
from tests.integration.moto_process import MotoProcess


def _logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"bench.{name}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def time_calls(logger: logging.Logger, records: int) -> tuple[float, float]:
    """Return (wall ns, calling-thread CPU ns) per ``logger.info`` call over ``records`` calls.

    Wall time includes waiting for the GIL while the handler's background thread runs; the
    thread's CPU time is the caller's own work.
    """
    info = logger.info
    start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
    for i in range(records):
        info("order %d placed by customer %s", i, "c-42")
    cpu = time.thread_time_ns() - start_cpu
    return (time.perf_counter_ns() - start) / records, cpu / records


def cpu_per_delivered_event(handler: CloudWatchHandler, logger: logging.Logger, n: int) -> float:
    """Return process CPU microseconds per event, from the call until the service stored it."""
    handler.flush(timeout=60)
    sent_before = handler.stats()["sent"]
    cpu = time.process_time()
    for i in range(n):
        logger.info("order %d placed by customer %s", i, "c-42")
    if not handler.flush(timeout=120):
        raise SystemExit("CloudWatchHandler did not deliver within 120 s")
    used = time.process_time() - cpu
    delivered = handler.stats()["sent"] - sent_before
    return used / max(delivered, 1) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--records", type=int, default=20_000, help="calls per round per handler")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

    server = MotoProcess()
    listener_queue: queue.Queue[logging.LogRecord] = queue.Queue(-1)
    listener = logging.handlers.QueueListener(listener_queue, logging.NullHandler())
    listener.start()
    cloudwatch = CloudWatchHandler(
        "/bench/handler", "bench", endpoint_url=server.url, region_name="us-east-1",
        create_log_group=True,
    )  # fmt: skip
    loggers = {
        "NullHandler": _logger("null", logging.NullHandler()),
        "QueueHandler": _logger("queue", logging.handlers.QueueHandler(listener_queue)),
        "CloudWatchHandler": _logger("cloudwatch", cloudwatch),
    }
    try:
        for logger in loggers.values():  # warm-up: thread start, client creation, first batch
            time_calls(logger, 2_000)
        cloudwatch.flush(timeout=60)

        samples: dict[str, list[float]] = {name: [] for name in loggers}
        cpu_samples: dict[str, list[float]] = {name: [] for name in loggers}
        names = list(loggers)
        for round_ in range(args.rounds):
            order = names[round_ % 3 :] + names[: round_ % 3]
            for name in order:
                wall, thread_cpu = time_calls(loggers[name], args.records)
                samples[name].append(wall)
                cpu_samples[name].append(thread_cpu)
            cloudwatch.flush(timeout=60)  # not timed: keep the queue from growing across rounds
        cpu = cpu_per_delivered_event(cloudwatch, loggers["CloudWatchHandler"], 50_000)
        stats = cloudwatch.stats()
    finally:
        cloudwatch.close()
        listener.stop()
        server.stop()

    print(f"logger.info caller cost, median of {args.rounds} interleaved rounds of "
          f"{args.records:,} calls (python {sys.version.split()[0]})")  # fmt: skip
    for title, table in (
        ("wall time per call (includes waiting for the GIL held by background threads)", samples),
        ("calling thread's own CPU per call", cpu_samples),
    ):
        median = {name: statistics.median(values) for name, values in table.items()}
        queue_ns, null_ns = median["QueueHandler"], median["NullHandler"]
        print()
        print(title)
        print(f"{'handler':<20}{'ns/call':>10}{'min':>10}{'max':>10}{'x Null':>9}{'x Queue':>9}")
        for name, values in table.items():
            print(
                f"{name:<20}{median[name]:>10.0f}{min(values):>10.0f}{max(values):>10.0f}"
                f"{median[name] / null_ns:>9.2f}{median[name] / queue_ns:>9.2f}"
            )
    print()
    print(f"CloudWatchHandler process CPU per delivered event: {cpu:.1f} us "
          "(caller + format + batch + HTTP, 50,000 events)")  # fmt: skip
    print(f"delivered {stats['sent']:,} events in {stats['batches']:,} PutLogEvents calls; "
          f"dropped {stats['dropped'] or 0}")  # fmt: skip


if __name__ == "__main__":
    main()
