"""Rows 5, 6 of ``bench_write_path.py``: resident memory while the endpoint is down and the
application keeps logging well past ``max_queue_bytes``.

Each function runs in its own worker process and returns ``{row: {field: value}}`` plus notes.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from _support import (
    REGION,
    OutageEndpoint,
    bench_logger,
    log_plain,
    log_with_payload,
    rss_bytes,
)

from cw_logging import CloudWatchHandler

MIB = 1 << 20
CHUNK = 10_000


def outage_row(quick: bool, bound_mib: int, payload: bool) -> dict[str, Any]:
    """Row 5 (``payload=False``) or rows 6 and 6b: RSS growth during an outage."""
    min_records, time_cap = (60_000, 20.0) if quick else (300_000, 90.0)
    shape = log_with_payload if payload else log_plain
    endpoint = OutageEndpoint()
    handler = CloudWatchHandler(
        "/bench/outage", "outage", endpoint_url=endpoint.url, region_name=REGION,
        max_queue_bytes=bound_mib * MIB, close_timeout=0.2,
    )  # fmt: skip
    logger = bench_logger("bench.outage", handler)
    try:
        logger.info("warm-up: delivered before the outage")
        if not (handler.flush(timeout=30) and endpoint.wait_answered(10)):
            raise RuntimeError("the warm-up record was not delivered")
        gc.collect()
        base = rss_bytes()
        peak, logged, first_drop = base, 0, 0
        started = time.monotonic()
        while True:
            shape(logger.info, logged, CHUNK)
            logged += CHUNK
            peak = max(peak, rss_bytes())
            dropped = sum(handler.stats()["dropped"].values())
            if dropped and not first_drop:
                first_drop = logged
            if first_drop and logged >= max(3 * first_drop, min_records):
                break
            if time.monotonic() - started > time_cap:
                break
        elapsed = time.monotonic() - started
        now = rss_bytes()
        stats = handler.stats()
    finally:
        handler.close()
        endpoint.close()
    growth = (peak - base) / MIB
    row = "6" if payload else "5"
    rows: dict[str, dict[str, float]] = {
        row: {"ours": growth, "baseline": float(bound_mib), "value": growth}
    }
    counted = (stats["queued_bytes"] + stats["in_flight_bytes"]) / MIB
    if payload:
        measured = (now - base) / MIB
        rows["6b"] = {
            "ours": counted,
            "baseline": measured,
            "value": counted / measured if measured > 0 else float("nan"),
        }
    reached = f"first drop after {first_drop:,}" if first_drop else "no drop before the time cap"
    note = (
        f"row {row}: logged {logged:,} records in {elapsed:.1f} s ({reached}); "
        f"dropped {sum(stats['dropped'].values()):,}; at the end {stats['queued']:,} queued "
        f"+ {stats['in_flight']:,} in flight ({counted:.1f} MiB counted); "
        f"RSS growth peak {growth:.1f} MiB, at the end {(now - base) / MIB:.1f} MiB"
    )
    return {"rows": rows, "notes": [note]}
