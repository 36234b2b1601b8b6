"""``simulate`` and ``replay``: generating and re-sending traffic (cw_logging.testing)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..formatter import JsonFormatter
from ..handler import CloudWatchHandler
from ..testing.simulate import simulate
from .argtypes import parse_duration, positive_float, positive_int
from .env import CliEnv
from .output import Progress, write_json

__all__ = ["register", "shipping_handler"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``simulate`` and ``replay`` to the ``commands`` sub-parsers."""
    sim = commands.add_parser(
        "simulate",
        parents=[common],
        help="send simulated multi-service traffic to a log group",
        description="Log simulated requests (gateway -> orders -> inventory, payments, with "
        "trace ids, slow and failing requests) through CloudWatchHandler into GROUP, live at "
        "--rate for --duration, or all at once with --backfill (timestamps spread over the "
        "past --duration).",
    )
    sim.add_argument("group", help="log group (created if missing)")
    sim.add_argument("--rate", type=positive_float, default=5.0, help="requests per second (5)")
    sim.add_argument("--duration", type=parse_duration, default="30s", help="how long (30s)")
    sim.add_argument("--requests", type=positive_int, help="exactly this many requests")
    sim.add_argument("--error-rate", type=float, default=0.02, help="share failing (0.02)")
    sim.add_argument("--seed", type=int, help="reproducible traffic")
    sim.add_argument("--stream", default="simulate-{hostname}-{pid}", help="stream name template")
    sim.add_argument("--backfill", action="store_true", help="emit at once, stamped in the past")
    sim.set_defaults(run=run_simulate)


@contextmanager
def shipping_handler(env: CliEnv, group: str, stream: str) -> Iterator[CloudWatchHandler]:
    """A JSON CloudWatchHandler into ``group`` for the global options' service; on leaving it
    is flushed and closed (what it could not deliver is reported by its stats)."""
    handler = CloudWatchHandler(
        group, stream, create_log_group=True, flush_interval=1.0, **env.service_options()
    )
    handler.setFormatter(JsonFormatter())
    try:
        yield handler
    finally:
        handler.close()


def _delivery(handler: CloudWatchHandler) -> dict[str, Any]:
    stats = handler.stats()
    return {
        "delivered": stats["sent"],
        "putLogEventsCalls": stats["batches"],
        "dropped": stats["dropped"],
        "lastError": stats["last_error"],
    }


def run_simulate(args: argparse.Namespace, env: CliEnv) -> int:
    """Simulate traffic into a group, with a progress bar on a terminal."""
    seconds = args.duration.total_seconds()
    options: dict[str, Any] = {
        "rate": args.rate,
        "duration": seconds,
        "error_rate": args.error_rate,
        "seed": args.seed,
    }
    if args.requests is not None:
        options["requests"] = args.requests
        seconds = args.requests / args.rate
    with shipping_handler(env, args.group, args.stream) as handler:
        with Progress("simulating", total=round(seconds), stream=env.stderr) as progress:
            started = time.monotonic()

            def sleep(delay: float) -> None:
                progress.sleep(delay)
                progress.update(round(time.monotonic() - started))

            summary = simulate(handler, realtime=not args.backfill, sleep=sleep, **options)
        handler.flush(timeout=handler.close_timeout)
        delivery = _delivery(handler)
    document = {"logGroup": args.group, **summary.to_dict(), **delivery}
    if env.json:
        write_json(env.stdout, document)
    else:
        env.stdout.write(
            f"{summary.requests} requests, {summary.events} events "
            f"({summary.failed_requests} failed, {summary.slow_requests} slow) -> {args.group}: "
            f"{delivery['delivered']} delivered in {delivery['putLogEventsCalls']} call(s)\n"
        )
        for trace_id in summary.failed_trace_ids[:5]:
            env.stdout.write(f"  failed: cw-logging trace {trace_id} -g {args.group}\n")
    return 0 if delivery["delivered"] == summary.events else 1
