"""Rows 7-10 of ``bench_write_path.py``: bursts, PutLogEvents calls, and CPU per delivered event
against a CloudWatch Logs stand-in on 127.0.0.1 (a separate process, so its CPU is not counted).

Each function runs in its own worker process and returns ``{row: {field: value}}`` plus notes.
"""

from __future__ import annotations

import logging
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import boto3
from _support import REGION, bench_logger, interleaved, log_plain, log_with_context

from cw_logging import CloudWatchHandler
from cw_logging.context import REQUEST_ID_VAR, TRACE_ID_VAR

Result = dict[str, Any]
MAX_BATCH_BYTES = 1_048_576
MAX_BATCH_EVENTS = 10_000
EVENT_OVERHEAD_BYTES = 26


def burst_row(count: int, url: str, spool: bool) -> Result:
    """Row 7 (``spool=True``: dropped with ``spool_dir``), or row 8 and row 7's baseline
    (``spool=False``: PutLogEvents calls against the minimum, dropped without a spool), for a
    burst of ``count`` short records."""
    stream = "with-spool" if spool else "memory"
    with tempfile.TemporaryDirectory() as directory:
        handler = CloudWatchHandler(
            "/bench/burst", stream, endpoint_url=url, region_name=REGION,
            create_log_group=True, spool_dir=directory if spool else None,
        )  # fmt: skip
        logger = bench_logger(f"bench.burst.{stream}", handler)
        try:
            started = time.perf_counter()
            log_plain(logger.info, 0, count)
            logged_s = time.perf_counter() - started
            settled = _wait_settled(handler, 300.0)
            settled_s = time.perf_counter() - started
            stats = handler.stats()
        finally:
            handler.close()
    dropped = sum(stats["dropped"].values())
    reasons = f" {stats['dropped']}" if dropped else ""
    note = (
        f"{count:,} records logged in {logged_s:.1f} s, "
        f"{'all settled' if settled else 'NOT settled'} after {settled_s:.1f} s: "
        f"sent {stats['sent']:,}, dropped {dropped:,}{reasons}"
    )
    if spool:
        rows = {"7": {"ours": float(dropped), "value": float(dropped)}}
        return {"rows": rows, "notes": [f"row 7, with spool_dir: {note}"]}
    events, size = _stored(url, "/bench/burst", stream)
    minimum = max(math.ceil(events / MAX_BATCH_EVENTS), math.ceil(size / MAX_BATCH_BYTES))
    balance = "==" if stats["sent"] + dropped == count else "!="
    overflow = (
        ""
        if dropped
        else " (the queue never overflowed: this run could not test row 7's goal: the burst "
        "fit in the queue, or delivery kept up; try a larger --burst)"
    )
    return {
        "rows": {
            "7": {"baseline": float(dropped)},
            "8": {
                "ours": float(stats["batches"]),
                "baseline": float(minimum),
                "value": stats["batches"] / minimum,
            },
        },
        "notes": [
            f"row 7, without a spool (baseline): {note}; sent + dropped {balance} logged"
            + overflow,
            f"row 8: {stats['batches']} successful PutLogEvents calls ({stats['retried']} "
            f"retried) for {events:,} stored events of {size:,} bytes (message + "
            f"{EVENT_OVERHEAD_BYTES} B each); minimum {minimum}",
        ],
    }


def _wait_settled(handler: CloudWatchHandler, timeout: float) -> bool:
    """Wait until nothing is queued, in flight or spooled; True if that happened in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if handler.flush(timeout=5):
            stats = handler.stats()
            if not (stats["queued"] or stats["in_flight"] or stats["spool_depth"]):
                return True
    return False


def _stored(url: str, group: str, stream: str) -> tuple[int, int]:
    """(events, batch bytes) the service stored in ``stream``, read back page by page."""
    client = boto3.client("logs", region_name=REGION, endpoint_url=url)
    events = size = 0
    token = None
    while True:
        page = client.get_log_events(
            logGroupName=group, logStreamName=stream, startFromHead=True, limit=10_000,
            **({"nextToken": token} if token else {}),
        )  # fmt: skip
        for event in page["events"]:
            size += len(event["message"].encode("utf-8")) + EVENT_OVERHEAD_BYTES
        events += len(page["events"])
        if not page["events"] or page.get("nextForwardToken") == token:
            return events, size
        token = page.get("nextForwardToken")


class _IdsOnRecord(logging.Filter):
    """What a watchtower user does for correlation: copy the ids from context vars onto the
    record, so that python-json-logger writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.traceId = TRACE_ID_VAR.get()
        record.requestId = REQUEST_ID_VAR.get()
        return True


class _StoredCounter:
    """Counts the events of successful PutLogEvents calls of one boto3 client (botocore hooks,
    one call per request, not per event)."""

    def __init__(self, client: Any) -> None:
        self.events = 0
        client.meta.events.register("provide-client-params.logs.PutLogEvents", self._before)
        client.meta.events.register("after-call.logs.PutLogEvents", self._after)

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_events"] = len(params.get("logEvents", ()))

    def _after(self, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if http_response.status_code == 200:
            self.events += context.get("bench_events", 0)


def watchtower_row(quick: bool, url: str) -> Result:
    """Row 9: process CPU per delivered event, CloudWatchHandler vs watchtower."""
    import watchtower
    from pythonjsonlogger.json import JsonFormatter as PlainJsonFormatter

    count, rounds = (5_000, 3) if quick else (20_000, 5)
    ours = CloudWatchHandler(
        "/bench/cpu", "ours", endpoint_url=url, region_name=REGION, create_log_group=True
    )
    client = boto3.client("logs", region_name=REGION, endpoint_url=url)
    stored = _StoredCounter(client)
    theirs = watchtower.CloudWatchLogHandler(
        log_group_name="/bench/cpu-watchtower", log_stream_name="watchtower", boto3_client=client
    )
    theirs.setFormatter(PlainJsonFormatter("%(levelname)s %(name)s %(message)s", timestamp=True))
    theirs.addFilter(_IdsOnRecord())

    def sent_watchtower() -> int:
        theirs.flush()
        return stored.events

    def sent_ours() -> int:
        ours.flush(timeout=5)
        return ours.stats()["sent"]

    sides = {
        "ours": (bench_logger("bench.cpu.ours", ours), sent_ours),
        "watchtower": (bench_logger("bench.cpu.watchtower", theirs), sent_watchtower),
    }
    try:
        samples = _cpu_rounds(sides, log_with_context, 2_000, count, rounds)
    finally:
        ours.close()
        theirs.close()
    return _ratio_result("9", samples, count, rounds, "process CPU")


def client_row(quick: bool, url: str) -> Result:
    """Row 10: background CPU per event with a user's ``client=`` vs the handler's own."""
    count, rounds = (5_000, 3) if quick else (20_000, 5)
    user_client = boto3.client("logs", region_name=REGION, endpoint_url=url)
    handlers = {
        "client=": CloudWatchHandler("/bench/client", "user", client=user_client),
        "default": CloudWatchHandler(
            "/bench/client", "default", endpoint_url=url, region_name=REGION
        ),
    }
    user_client.create_log_group(logGroupName="/bench/client")

    def sender(handler: CloudWatchHandler) -> Callable[[], int]:
        def sent() -> int:
            handler.flush(timeout=5)
            return handler.stats()["sent"]

        return sent

    sides = {
        name: (bench_logger(f"bench.client.{name}", handler), sender(handler))
        for name, handler in handlers.items()
    }
    try:
        samples = _cpu_rounds(sides, log_plain, 2_000, count, rounds)
    finally:
        for handler in handlers.values():
            handler.close()
    return _ratio_result("10", samples, count, rounds, "background CPU")


Side = tuple[logging.Logger, Callable[[], int]]


def _cpu_rounds(
    sides: dict[str, Side], shape: Callable[..., None], warm_up: int, count: int, rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """Interleaved rounds; each returns (process CPU, caller-thread CPU) in µs per event, from
    the first call until the service stored every event."""

    def deliver(side: Side, events: int) -> tuple[float, float]:
        logger, sent = side
        before = sent()
        process, caller = time.process_time(), time.thread_time()
        shape(logger.info, 0, events)
        deadline = time.monotonic() + 120
        while sent() - before < events:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{logger.name}: not delivered within 120 s")
        process, caller = time.process_time() - process, time.thread_time() - caller
        return process / events * 1e6, caller / events * 1e6

    for side in sides.values():
        deliver(side, warm_up)  # thread start, client, connection, group and stream
    cases = {name: lambda chosen=side: deliver(chosen, count) for name, side in sides.items()}
    return interleaved(rounds, cases)


def _ratio_result(
    row: str, samples: dict[str, list[tuple[float, float]]], count: int, rounds: int, what: str
) -> Result:
    (ours_name, ours), (base_name, base) = samples.items()
    if what == "process CPU":
        ours_cost, base_cost = [s[0] for s in ours], [s[0] for s in base]
    else:  # everything but the calling thread: the sender and any other background work
        ours_cost, base_cost = [s[0] - s[1] for s in ours], [s[0] - s[1] for s in base]
    ratios = [o / b for o, b in zip(ours_cost, base_cost, strict=True)]
    split = ", ".join(
        f"{name} caller {statistics.median(s[1] for s in side):.1f} + background "
        f"{statistics.median(s[0] - s[1] for s in side):.1f} µs"
        for name, side in samples.items()
    )
    return {
        "rows": {
            row: {
                "ours": statistics.median(ours_cost),
                "baseline": statistics.median(base_cost),
                "value": statistics.median(ratios),
            }
        },
        "notes": [
            f"row {row}: {rounds} interleaved rounds of {count:,} events ({ours_name} vs "
            f"{base_name}); per-round ratios {min(ratios):.2f}-{max(ratios):.2f}; {split}"
        ],
    }
