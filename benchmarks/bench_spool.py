"""Cost of the durable spool per event: append, peek and ack in batches, as the sender uses it.

Run: .venv/bin/python benchmarks/bench_spool.py [--batches 50] [--batch-size 1000]
Prints microseconds per event for each step and for the whole cycle (wall time and CPU time),
and the cost of adopting a dead process's leftovers on open.
"""

from __future__ import annotations

import argparse
import tempfile
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=1_000)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
