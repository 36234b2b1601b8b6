"""Cost of the durable spool per event: append, peek and ack in batches, as the sender uses it,
and through CloudWatchHandler with and without ``spool_dir``.

Run: .venv/bin/python benchmarks/bench_spool.py [--batches 50] [--batch-size 1000] [--no-gc]
(the garbage collector is on, as in applications; ``--no-gc`` turns it off for analysis only).
Prints microseconds per event for each step and for the whole cycle (wall time and CPU time),
the cost of adopting a dead process's leftovers on open, then the handler figures: nanoseconds
per ``logger.info`` on the caller and sender CPU per delivered event, with and without a spool,
in interleaved rounds (median), against a service stand-in that accepts every batch at once.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Sequence

from _support import add_gc_flag, apply_gc_flag

from cw_logging._limits import InputLogEvent
from cw_logging.delivery.transport import PutResult
from cw_logging.handler import CloudWatchHandler
from cw_logging.spool import Spool


def run(batch_size: int, batches: int, message_bytes: int, fsync: bool) -> dict[str, float]:
    message = "x" * message_bytes
    totals = {"append": 0.0, "peek": 0.0, "ack": 0.0}
    cpu_start = time.process_time()
    with tempfile.TemporaryDirectory() as directory:
        spool = Spool.open(directory, log_group="/bench", log_stream_key="k", fsync=fsync)
        for batch_number in range(batches):
            events = [("stream", batch_number * batch_size + i, message) for i in range(batch_size)]
            start = time.perf_counter()
            spool.append(events)
            appended = time.perf_counter()
            peeked = spool.peek(max_events=batch_size, max_bytes=1 << 30)
            peeked_at = time.perf_counter()
            spool.ack(event.seq for event in peeked)
            acked = time.perf_counter()
            totals["append"] += appended - start
            totals["peek"] += peeked_at - appended
            totals["ack"] += acked - peeked_at
        assert spool.depth() == 0
        spool.close()
    count = batch_size * batches
    result = {step: seconds / count * 1e6 for step, seconds in totals.items()}
    result["cycle"] = sum(totals.values()) / count * 1e6
    result["cpu"] = (time.process_time() - cpu_start) / count * 1e6
    return result


def adoption(count: int, message_bytes: int) -> float:
    """Return microseconds per event for a new process adopting ``count`` leftover events."""
    message = "x" * message_bytes
    with tempfile.TemporaryDirectory() as directory:
        settings = {"log_group": "/bench", "log_stream_key": "k"}
        old = Spool.open(directory, **settings)
        for start in range(0, count, 10_000):
            old.append([("stream", start + i, message) for i in range(10_000)])
        old.close()
        began = time.perf_counter()
        new = Spool.open(directory, **settings)
        elapsed = time.perf_counter() - began
        assert new.depth() == count
        new.close()
    return elapsed / count * 1e6


class AcceptingTransport:
    """A service stand-in that accepts every batch at once, so only our own CPU is measured."""

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        return PutResult()

    def create_log_group(self, log_group: str) -> None:
        """Nothing to create."""

    def create_log_stream(self, log_group: str, log_stream: str) -> None:
        """Nothing to create."""

    def put_retention_policy(self, log_group: str, days: int) -> None:
        """Nothing to set."""


def handler_round(records: int, spool_dir: str | None) -> tuple[float, float, float]:
    """Return (caller wall ns, caller CPU ns per logger.info, sender CPU µs per event)."""
    handler = CloudWatchHandler(
        "/bench", "s", transport=AcceptingTransport(), flush_interval=60, spool_dir=spool_dir
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(f"bench.spool.{spool_dir is not None}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    assert handler.flush(timeout=30)  # the sender (and the spool) are up before measuring
    info = logger.info
    process_start = time.process_time()
    caller_cpu_start = time.thread_time()
    start = time.perf_counter_ns()
    for i in range(records):
        info("order %d placed by customer %s", i, "c-42")
    caller_ns = (time.perf_counter_ns() - start) / records
    caller_cpu = time.thread_time() - caller_cpu_start
    assert handler.flush(timeout=60)
    sender_cpu = time.process_time() - process_start - caller_cpu
    handler.close()
    assert handler.stats()["sent"] == records
    return caller_ns, caller_cpu / records * 1e9, sender_cpu / records * 1e6


def handler_figures(rounds: int, records: int) -> None:
    """Print caller and sender cost with and without a spool (medians of interleaved rounds)."""
    results: dict[str, list[tuple[float, float, float]]] = {"memory": [], "spool": []}
    with tempfile.TemporaryDirectory() as directory:
        for index in range(rounds):
            order = ["memory", "spool"] if index % 2 == 0 else ["spool", "memory"]
            for mode in order:
                spool_dir = directory if mode == "spool" else None
                results[mode].append(handler_round(records, spool_dir))
    print(f"CloudWatchHandler, {rounds} interleaved rounds of {records} records (median)")
    print(f"{'mode':>8} {'caller wall ns':>15} {'caller CPU ns':>14} {'sender CPU us/event':>20}")
    for mode, figures in results.items():
        wall, cpu, sender = (statistics.median(f[i] for f in figures) for i in range(3))
        print(f"{mode:>8} {wall:>15.0f} {cpu:>14.0f} {sender:>20.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--records", type=int, default=20_000)
    add_gc_flag(parser)
    args = parser.parse_args()
    print(apply_gc_flag(args.no_gc))
    print(f"{args.batches} batches of {args.batch_size} events; microseconds per event")
    print(
        f"{'message':>8} {'fsync':>5} {'append':>7} {'peek':>6} {'ack':>6} {'cycle':>6} {'cpu':>6}"
    )
    for message_bytes in (100, 1_000):
        for fsync in (False, True):
            r = run(args.batch_size, args.batches, message_bytes, fsync)
            print(
                f"{message_bytes:>8} {fsync!s:>5} {r['append']:>7.2f} {r['peek']:>6.2f} "
                f"{r['ack']:>6.2f} {r['cycle']:>6.2f} {r['cpu']:>6.2f}"
            )
    for message_bytes in (100, 1_000):
        cost = adoption(100_000, message_bytes)
        print(f"adopting 100,000 leftover events of {message_bytes} bytes: {cost:.2f} us/event")
    handler_figures(args.rounds, args.records)


if __name__ == "__main__":
    main()
