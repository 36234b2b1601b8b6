"""Per-record cost of cw_logging.JsonFormatter (fast and general path) vs python-json-logger's
plain JsonFormatter, the cost of redaction per record, redaction of adversarial inputs, the
recall of the PII corpus, and the caller-side cost of capturing correlation ids.

Interleaved rounds in one process (these machines are noisy); prints medians and ratios of the
thread's CPU time (time.thread_time: other processes on a shared machine do not count, the
garbage collector's work on this thread does). The garbage collector is on, as in
applications; ``--no-gc`` turns it off for analysis only.
Run: .venv/bin/python benchmarks/bench_formatter.py [--rounds 15] [--records 2000] [--no-gc]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _support import add_gc_flag, apply_gc_flag, interleaved
from pythonjsonlogger.json import JsonFormatter as PlainJsonFormatter

from cw_logging.context import RECORD_ATTRIBUTE, capture, correlation
from cw_logging.formatter import JsonFormatter
from cw_logging.pii import PiiRedactor

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpus lives in the tests
from tests.pii.corpus import LOOK_ALIKES, SECRETS, log_corpus, score
from tests.pii.test_linear_time import ADVERSARIAL_UNITS, Ticker, adversarial


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


def make_request_records(count: int) -> list[logging.LogRecord]:
    """Records with access-log-like messages, different every time (no cache helps), and the
    extras a web request logs; a few carry secrets, as real traffic does."""
    logger = logging.getLogger("shop.http")
    with correlation(trace_id="4bf92f3577b34da6a3ce929d0e0e4736", request_id="req-1234"):
        snapshot = capture()
    records = []
    for index in range(count):
        message = (
            f"GET /api/v1/orders/{index}?expand=items 200 in {index % 97}.{index % 10} ms "
            f"user=c-{index % 42} agent=Mozilla/5.0 at 2024-05-06T07:08:{index % 60:02d}.123Z"
        )
        if index % 50 == 0:
            message += f" customer ann{index}@example.com token=tk-{index:08x}"
        extra = {"status": 200, "path": f"/api/v1/orders/{index}", "bytes": 512 + index}
        record = logger.makeRecord(
            "shop.http", logging.INFO, "/app/shop/http.py", 42, message, None, None, "handle", extra
        )
        setattr(record, RECORD_ATTRIBUTE, snapshot)
        records.append(record)
    return records


def python_json_logger() -> logging.Formatter:
    """The baseline: python-json-logger's plain JsonFormatter with level, logger and time."""
    return PlainJsonFormatter("%(levelname)s %(name)s %(message)s", timestamp=True)


def general_path(formatter: JsonFormatter) -> JsonFormatter:
    """``formatter`` with its fast path for plain records switched off (the reference path)."""
    formatter._fast = None
    return formatter


def per_record_us(formatter: logging.Formatter, records: list[logging.LogRecord]) -> float:
    fmt = formatter.format
    start = time.thread_time()
    for record in records:
        fmt(record)
    return (time.thread_time() - start) / len(records) * 1e6


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
            python_json_logger(), plain_records
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
    request_records = make_request_records(args.records)
    redaction_cases: dict[str, Callable[[], float]] = {
        "python-json-logger JsonFormatter (plain)": lambda: per_record_us(
            python_json_logger(), request_records
        ),
        "cw_logging JsonFormatter": lambda: per_record_us(JsonFormatter(), request_records),
        "cw_logging JsonFormatter, redact=True": lambda: per_record_us(
            JsonFormatter(redact=True), request_records
        ),
    }
    redaction = interleaved(args.rounds, redaction_cases)
    print_table(
        f"redaction per record: access-log messages of ~150 characters, each different, "
        f"3 extras ({args.rounds} interleaved rounds x {args.records} records)",
        "formatter",
        redaction,
    )
    medians = [statistics.median(values) for values in redaction.values()]
    print(
        f"redaction cost per record: {medians[2] - medians[1]:.2f} us "
        f"({(medians[2] - medians[1]) / medians[0]:.2f}x python-json-logger's whole record)"
    )
    print()
    print_adversarial()
    print()
    print_ticker()
    print()
    print_corpus()
    print()
    print_table(
        "caller-side correlation capture() per call (what CloudWatchHandler.emit pays)",
        "context state",
        capture_samples(args.rounds),
    )


def print_adversarial(size: int = 100_000) -> None:
    """CPU time to redact 100 KB and 400 KB of each adversarial input (every rule enabled)."""
    redactor = PiiRedactor(enable=["phone", "ipv4"])
    rows = []
    for name, unit in ADVERSARIAL_UNITS.items():
        small = cpu_ms(redactor.redact_text, adversarial(unit, size))
        large = cpu_ms(redactor.redact_text, adversarial(unit, 4 * size))
        rows.append((name, small, large))
    width = max(len(name) for name, _, _ in rows)
    print("adversarial inputs: thread CPU ms to redact (best of 3; budget 50 ms per 100 KB)")
    print(f"{'input':<{width}}  {'100 KB':>8}  {'400 KB':>8}  {'x':>5}")
    for name, small, large in rows:
        print(f"{name:<{width}}  {small:>8.2f}  {large:>8.2f}  {large / max(small, 1e-3):>5.1f}")
    print(f"{'worst':<{width}}  {max(row[1] for row in rows):>8.2f}")


def print_ticker() -> None:
    """Longest pause of an application thread (ticking every 1 ms) while a CloudWatchHandler
    with JsonFormatter(redact=True) redacts and sends one 200 KB adversarial message to the
    local server (after a warm-up record, so that building the boto3 client is not counted)."""
    import boto3

    from cw_logging.handler import CloudWatchHandler
    from cw_logging.local import serve

    server = serve()
    session = boto3.session.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1"
    )
    session.client("logs", endpoint_url=server.url).create_log_group(logGroupName="/bench/pii")
    handler = CloudWatchHandler("/bench/pii", "s", endpoint_url=server.url, boto3_session=session)
    handler.setFormatter(JsonFormatter(redact=True))
    logger = logging.getLogger("bench.ticker")
    logger.propagate = False
    logger.addHandler(handler)
    print("application thread during redaction of 200 KB by the sender (limit 100 ms)")
    print(f"{'input':<12}  {'longest pause ms':>16}  {'flush s':>8}")
    try:
        logger.warning("warm-up")
        handler.flush(30)
        for unit in ("://", "-----BEGIN ", "a@", "password=", "aZ09+/=", "7", "4111 1112 "):
            message = adversarial(unit, 200_000)
            with Ticker() as ticker:
                start = time.perf_counter()
                logger.warning(message)
                handler.flush(30)
                busy = time.perf_counter() - start
            print(f"{unit!r:<12}  {ticker.longest * 1000:>16.1f}  {busy:>8.3f}")
    finally:
        logger.removeHandler(handler)
        handler.close()
        server.stop()


def cpu_ms(function: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.thread_time()
        function(text)
        best = min(best, time.thread_time() - start)
    return best * 1000


def print_corpus() -> None:
    """Recall and false positives of JsonFormatter(redact=True) on the test corpus."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(redact=True))
    logger = logging.getLogger("bench.corpus")
    logger.propagate = False
    logger.addHandler(handler)
    log_corpus(logger)
    logger.removeHandler(handler)
    stored = {json.loads(line)["case"]: line for line in stream.getvalue().splitlines()}
    result = score(stored)
    caught = len(SECRETS) - len(result.leaked)
    print(
        f"PII corpus (tests/pii/corpus.py): {caught}/{len(SECRETS)} secrets caught "
        f"(recall {result.recall:.1%}), {len(result.changed)}/{len(LOOK_ALIKES)} look-alikes "
        "changed"
    )
    for category, (hit, total) in result.by_category().items():
        print(f"  {category:<12} {hit:>2}/{total}")
    for secret in result.leaked:
        print(f"  missed: {secret.message[:70]}")
    for look_alike in result.changed:
        print(f"  changed: {look_alike.message[:70]}")


def capture_samples(rounds: int, calls: int = 20000) -> dict[str, list[float]]:
    """Median cost of capture() with nothing bound, ids bound, and an OpenTelemetry span."""
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext

    span = NonRecordingSpan(
        SpanContext(0x4BF92F3577B34DA6A3CE929D0E0E4736, 0xF067AA0BA902B7, False)
    )

    def timed(setup: Callable[[], object]) -> float:
        with setup():  # type: ignore[attr-defined]
            start = time.thread_time()
            for _ in range(calls):
                capture()
            return (time.thread_time() - start) / calls * 1e6

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
    print(f"{title}; median CPU per call")
    print(f"{label:<{width}}  {'us':>8}  {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<{width}}  {median:>8.2f}  {median / baseline:>6.2f}x")


if __name__ == "__main__":
    main()
