"""Per-record cost of cw_logging.JsonFormatter (fast and general path) vs python-json-logger's
plain JsonFormatter, and the caller-side cost of capturing correlation ids.

Interleaved rounds in one process (these machines are noisy); prints medians and ratios.
The garbage collector is on, as in applications; ``--no-gc`` turns it off for analysis only.
Run: .venv/bin/python benchmarks/bench_formatter.py [--rounds 15] [--records 2000] [--no-gc]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import time
from collections.abc import Callable
from typing import Any

from _support import add_gc_flag, apply_gc_flag, interleaved
from pythonjsonlogger.json import JsonFormatter as PlainJsonFormatter

from cw_logging.context import RECORD_ATTRIBUTE, capture, correlation
from cw_logging.formatter import JsonFormatter


def make_records(count: int, with_snapshot: bool) -> list[logging.LogRecord]:
    logger = logging.getLogger("shop.orders")
    records = []
    with correlation(trace_id="4bf92f3577b34da6a3ce929d0e0e4736", request_id="req-1234"):
        snapshot = capture()
    for index in range(count):
        record = logger.makeRecord(
            "shop.orders",
            logging.INFO,
            "/app/shop/orders.py",
            120,
            "order %s placed by customer %s",
            (index, f"c-{index % 97}"),
            None,
            "place_order",
            {"order_id": index, "amount": 19.9, "items": ["sku-1", "sku-2"], "region": "eu"},
        )
        if with_snapshot:
            setattr(record, RECORD_ATTRIBUTE, snapshot)
        records.append(record)
    return records


def general_path(formatter: JsonFormatter) -> JsonFormatter:
    """``formatter`` with its fast path for plain records switched off (the reference path)."""
    formatter._fast = None
    return formatter


def per_record_us(formatter: logging.Formatter, records: list[logging.LogRecord]) -> float:
    fmt = formatter.format
    start = time.perf_counter()
    for record in records:
        fmt(record)
    return (time.perf_counter() - start) / len(records) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--records", type=int, default=2000)
    add_gc_flag(parser)
    args = parser.parse_args()
    print(apply_gc_flag(args.no_gc))

    plain_records = make_records(args.records, with_snapshot=False)
    snap_records = make_records(args.records, with_snapshot=True)
    cases: dict[str, Callable[[], float]] = {
        "python-json-logger JsonFormatter (plain)": lambda: per_record_us(
            PlainJsonFormatter("%(levelname)s %(name)s %(message)s", timestamp=True),
            plain_records,
        ),
        "cw_logging JsonFormatter, no ids": lambda: per_record_us(JsonFormatter(), plain_records),
        "cw_logging JsonFormatter, ids on record": lambda: per_record_us(
            JsonFormatter(), snap_records
        ),
        "  same, general path (fast path off)": lambda: per_record_us(
            general_path(JsonFormatter()), snap_records
        ),
        "cw_logging JsonFormatter, ids + redact=True": lambda: per_record_us(
            JsonFormatter(redact=True), snap_records
        ),
    }
    samples = interleaved(args.rounds, cases)
    print_table(f"{args.rounds} interleaved rounds x {args.records} records", "formatter", samples)
    print()
    print_table(
        "caller-side correlation capture() per call (what CloudWatchHandler.emit pays)",
        "context state",
        capture_samples(args.rounds),
    )


def capture_samples(rounds: int, calls: int = 20000) -> dict[str, list[float]]:
    """Median cost of capture() with nothing bound, ids bound, and an OpenTelemetry span."""
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext

    span = NonRecordingSpan(
        SpanContext(0x4BF92F3577B34DA6A3CE929D0E0E4736, 0xF067AA0BA902B7, False)
    )

    def timed(setup: Callable[[], object]) -> float:
        with setup():  # type: ignore[attr-defined]
            start = time.perf_counter()
            for _ in range(calls):
                capture()
            return (time.perf_counter() - start) / calls * 1e6

    states: dict[str, Callable[[], object]] = {
        "nothing bound (baseline)": lambda: correlation(),
        "ids bound": lambda: correlation(
            trace_id="4bf92f3577b34da6a3ce929d0e0e4736", request_id="r"
        ),
        "request id bound + OTel span": lambda: _both(
            trace.use_span(span), correlation(request_id="r")
        ),
    }
    return interleaved(rounds, {name: lambda s=s: timed(s) for name, s in states.items()})


def _both(first: Any, second: Any) -> Any:
    stack = contextlib.ExitStack()
    stack.enter_context(first)
    stack.enter_context(second)
    return stack


def print_table(title: str, label: str, samples: dict[str, list[float]]) -> None:
    """Print medians (microseconds) and ratios to the first row, aligned."""
    baseline = statistics.median(next(iter(samples.values())))
    width = max(len(name) for name in [label, *samples])
    print(f"{title}; median per call")
    print(f"{label:<{width}}  {'us':>8}  {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<{width}}  {median:>8.2f}  {median / baseline:>6.2f}x")


if __name__ == "__main__":
    main()
