"""Rows 1-4 of ``bench_write_path.py``: what ``logger.info`` costs the calling thread, how much
of it is the garbage collector, and what records held by the handler cost every full collection.

Each function runs in its own worker process and returns ``{row: {field: value}}`` plus notes.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import logging.handlers
import queue
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from _support import (
    REGION,
    OutageEndpoint,
    bench_logger,
    interleaved,
    log_plain,
    log_with_context,
)

from cw_logging import CloudWatchHandler

Result = dict[str, Any]


class CallerGcMeter:
    """Times the cyclic collections that run on one thread (``gc.callbacks``), while active."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.active = False
        self.nanoseconds = 0
        self.by_generation = [0, 0, 0]
        self._started = 0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if not self.active or threading.get_ident() != self.thread:
            return
        if phase == "start":
            self._started = time.thread_time_ns()
        else:
            self.nanoseconds += time.thread_time_ns() - self._started
            self.by_generation[info["generation"]] += 1

    @contextlib.contextmanager
    def measuring(self) -> Iterator[None]:
        """Count collections on this thread inside the block."""
        self.active = True
        try:
            yield
        finally:
            self.active = False

    def close(self) -> None:
        """Stop listening to the collector."""
        gc.callbacks.remove(self._callback)


def caller_rows(quick: bool, url: str) -> Result:
    """Rows 1, 2, 3a, 3b: caller-thread CPU per call, CloudWatchHandler vs QueueHandler."""
    calls, rounds = (10_000, 3) if quick else (50_000, 7)
    listener_queue: queue.Queue[logging.LogRecord] = queue.Queue(-1)
    listener = logging.handlers.QueueListener(listener_queue, logging.NullHandler())
    listener.start()
    ours = CloudWatchHandler(
        "/bench/caller", "caller", endpoint_url=url, region_name=REGION, create_log_group=True
    )
    handlers: dict[str, logging.Handler] = {
        "ours": ours,
        "QueueHandler": logging.handlers.QueueHandler(listener_queue),
    }
    settle: dict[str, Callable[[], object]] = {
        "ours": lambda: ours.flush(timeout=120),
        "QueueHandler": listener_queue.join,
    }
    logger = bench_logger("bench.app")
    meter = CallerGcMeter()
    rows: Result = {}
    notes: list[str] = []
    try:
        for name, handler in handlers.items():  # warm-up: threads, client, connection
            logger.handlers[:] = [handler]
            log_plain(logger.info, 0, 2_000)
            settle[name]()
        shapes = (("1", "3a", log_plain), ("2", "3b", log_with_context))
        for cost_row, gc_row, shape in shapes:

            def case(name: str, shape: Callable[..., None] = shape) -> Callable[[], Any]:
                def run() -> tuple[int, int, list[int]]:
                    logger.handlers[:] = [handlers[name]]
                    meter.nanoseconds, meter.by_generation = 0, [0, 0, 0]
                    with meter.measuring():
                        start = time.thread_time_ns()
                        shape(logger.info, 0, calls)
                        cpu = time.thread_time_ns() - start
                    settle[name]()  # not timed: the next round starts with an empty queue
                    return cpu, meter.nanoseconds, meter.by_generation

                return run

            samples = interleaved(rounds, {name: case(name) for name in handlers})
            rows.update(_caller_figures(cost_row, gc_row, samples, calls))
            notes.append(_gc_note(cost_row, samples, calls))
        stats = ours.stats()
        notes.append(
            f"rows 1-3: {rounds} interleaved rounds of {calls:,} calls per handler; "
            f"CloudWatchHandler sent {stats['sent']:,} events in {stats['batches']} calls, "
            f"dropped {sum(stats['dropped'].values())}"
        )
    finally:
        meter.close()
        ours.close()
        listener.stop()
    return {"rows": rows, "notes": notes}


def _caller_figures(
    cost_row: str, gc_row: str, samples: dict[str, list[Any]], calls: int
) -> dict[str, dict[str, float]]:
    ours, base = samples["ours"], samples["QueueHandler"]
    ratios = [o[0] / b[0] for o, b in zip(ours, base, strict=True)]

    def share(side: list[Any]) -> float:
        return 100.0 * sum(s[1] for s in side) / sum(s[0] for s in side)

    return {
        cost_row: {
            "ours": statistics.median(s[0] for s in ours) / calls,
            "baseline": statistics.median(s[0] for s in base) / calls,
            "value": statistics.median(ratios),
        },
        gc_row: {"ours": share(ours), "baseline": share(base), "value": share(ours)},
    }


def _gc_note(row: str, samples: dict[str, list[Any]], calls: int) -> str:
    parts = []
    for name, side in samples.items():
        counts = [sum(s[2][g] for s in side) for g in range(3)]
        per = 100_000 / (calls * len(side))
        parts.append(f"{name} " + "/".join(f"{c * per:.0f}" for c in counts))
    ratios = [o[0] / b[0] for o, b in zip(samples["ours"], samples["QueueHandler"], strict=True)]
    return (
        f"row {row}: per-round ratios {min(ratios):.2f}-{max(ratios):.2f}; caller-thread "
        f"collections of generation 0/1/2 per 100k calls: " + ", ".join(parts)
    )


def held_row(quick: bool, side: str) -> Result:
    """Rows 4a, 4b for one side (``"ours"`` or ``"QueueHandler"``, each in its own process):
    GC-tracked objects and full-collection CPU per record held by the handler."""
    count, repeats = (20_000, 5) if quick else (100_000, 9)
    endpoint = OutageEndpoint()
    ours = CloudWatchHandler(
        "/bench/held", "held", endpoint_url=endpoint.url, region_name=REGION,
        max_queue_bytes=1 << 30, close_timeout=0.2,
    )  # fmt: skip
    ours_logger = bench_logger("bench.held.ours", ours)
    stdlib_queue: queue.Queue[logging.LogRecord] = queue.Queue(-1)  # no listener: records stay
    stdlib_logger = bench_logger("bench.held.stdlib", logging.handlers.QueueHandler(stdlib_queue))
    try:  # both sides build both handlers, so that both processes hold the same objects
        ours_logger.info("warm-up: delivered before the outage")
        if not (ours.flush(timeout=30) and endpoint.wait_answered(10)):
            raise RuntimeError("the warm-up record was not delivered")
        empty = _full_collection(repeats)
        if side == "ours":
            log_plain(ours_logger.info, 0, count)
            if not endpoint.wait_stalled_call(60):
                raise RuntimeError("the sender never called the endpoint after the outage")
        else:
            log_plain(stdlib_logger.info, 0, count)
        held = _full_collection(repeats)
        stats = ours.stats()
    finally:
        ours.close()
        endpoint.close()
    objects, nanoseconds = ((h - e) / count for h, e in zip(held, empty, strict=True))
    field = "ours" if side == "ours" else "baseline"
    rows: dict[str, dict[str, float]] = {"4a": {field: objects}, "4b": {field: nanoseconds}}
    if side == "ours":
        rows["4a"]["value"], rows["4b"]["value"] = objects, nanoseconds
    holding = (
        f"{stats['queued']:,} queued + {stats['in_flight']:,} in flight, "
        f"{sum(stats['dropped'].values())} dropped"
        if side == "ours"
        else f"{stdlib_queue.qsize():,} queued"
    )
    return {
        "rows": rows,
        "notes": [
            f"row 4, {side}: {count:,} records held ({holding}); gc.collect() CPU, least of "
            f"{repeats}: {empty[1] / 1e6:.1f} ms empty, {held[1] / 1e6:.1f} ms held; "
            f"{empty[0]:,} -> {held[0]:,} tracked objects"
        ],
    }


def _full_collection(repeats: int) -> tuple[int, float]:
    """(GC-tracked objects, least CPU ns of ``repeats`` gc.collect() calls) in the process as it
    is now. The least, because interference from other processes only ever adds time."""
    gc.collect()
    gc.collect()
    objects = len(gc.get_objects())
    times = []
    for _ in range(repeats):
        start = time.thread_time_ns()
        gc.collect()
        times.append(time.thread_time_ns() - start)
    return objects, min(times)
