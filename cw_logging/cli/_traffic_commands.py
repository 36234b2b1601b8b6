"""``simulate`` and ``replay``: generating and re-sending traffic (cw_logging.testing)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..formatter._json import JsonFormatter
from ..handler._handler import CloudWatchHandler
from ..testing._replay import ReplayEvent, from_log_group, replay, to_log_group
from ..testing._simulate import simulate
from ._argtypes import (
    parse_duration,
    parse_since,
    per_second,
    positive_int,
    share,
    since_range,
)
from ._env import CliEnv
from ._output import Progress, write_json, write_json_line

__all__ = ["is_file_name", "parse_speed", "register", "shipping_handler"]


def parse_speed(text: str) -> float:
    """Return the replay time scale for ``--speed``: ``2`` halves the gaps, ``max`` drops them."""
    if text.strip().lower() in ("max", "inf", "0"):
        return 0.0
    try:
        speed = float(text)
    except ValueError:
        speed = -1.0
    if not 0 < speed < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a speed greater than 0 (2 = twice as fast) or max, got {text!r}"
        )
    return 1.0 / speed


def is_file_name(name: str) -> bool:
    """True when a replay SRC/DST names a file (``-``, or ends in .jsonl/.json) not a group."""
    return name == "-" or name.lower().endswith((".jsonl", ".json", ".ndjson"))


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
    sim.add_argument("--rate", type=per_second, default=5.0, help="requests per second (5)")
    sim.add_argument("--duration", type=parse_duration, default="30s", help="how long (30s)")
    sim.add_argument("--requests", type=positive_int, help="exactly this many requests")
    sim.add_argument("--error-rate", type=share, default=0.02, help="share failing (0.02)")
    sim.add_argument("--seed", type=int, help="reproducible traffic")
    sim.add_argument("--stream", default="simulate-{hostname}-{pid}", help="stream name template")
    sim.add_argument("--backfill", action="store_true", help="emit at once, stamped in the past")
    sim.set_defaults(run=run_simulate)

    rep = commands.add_parser(
        "replay",
        parents=[common],
        help="re-send recorded events at their original pace (or faster)",
        description="Replay the events of SRC (a log group, or a JSONL file of exported events "
        "or JSON records) into DST (a log group, created if missing, or a .jsonl file, or - "
        "for stdout), keeping their gaps divided by --speed and moving them to now.",
    )
    rep.add_argument("source", metavar="SRC", help="log group, or a .jsonl/.json file")
    rep.add_argument("target", metavar="DST", help="log group, a .jsonl file, or - (stdout)")
    rep.add_argument(
        "--speed", type=parse_speed, default=1.0, help="2 = twice as fast; max = no waiting (1)"
    )
    rep.add_argument("--since", type=parse_since, default="1h", help="from a group: since (1h)")
    rep.add_argument("--filter", dest="pattern", help="from a group: filter pattern")
    rep.add_argument("--stream", default="replay", help="stream to write in DST (replay)")
    rep.add_argument(
        "--keep-time", action="store_true", help="keep the original timestamps (else moved to now)"
    )
    rep.set_defaults(run=run_replay)


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
            env.stdout.write(f"  failed: {env.command('trace', trace_id, '-g', args.group)}\n")
    return 0 if delivery["delivered"] == summary.events else 1


def run_replay(args: argparse.Namespace, env: CliEnv) -> int:
    """Replay SRC into DST with a progress bar on a terminal."""
    source: object = args.source
    if not is_file_name(args.source):
        source = from_log_group(
            env.client(), args.source, pattern=args.pattern, time_range=since_range(args.since)
        )
    exported: list[dict[str, Any]] = []
    target: object = exported
    if not is_file_name(args.target):
        target = to_log_group(args.target, args.stream, **env.service_options())
    with Progress("replaying", stream=env.stderr) as progress:

        def count(event: ReplayEvent) -> ReplayEvent:
            progress.update(progress.done + 1)
            return event

        result = replay(
            source,
            target,
            time_scale=args.speed,
            shift_to_now=not args.keep_time,
            transform=count,
            sleep=progress.sleep,
        )
    if is_file_name(args.target):
        _write_export(env, args.target, exported)
    stats = result.target_stats or {}
    delivered = stats.get("sent", result.sent)
    document = {"source": args.source, "target": args.target, **result.to_dict()}
    if env.json and args.target != "-":
        write_json(env.stdout, document)
    elif not env.json:
        env.stderr.write(
            f"replayed {result.sent} of {result.read} events from {args.source} to "
            f"{args.target}: {delivered} delivered, {result.failed} failed\n"
        )
        for error in result.errors[:5]:
            env.stderr.write(f"  {error.origin}: {error.error}\n")
    return 0 if result.failed == 0 and delivered == result.sent else 1


def _write_export(env: CliEnv, name: str, events: list[dict[str, Any]]) -> None:
    if name == "-":
        for event in events:
            write_json_line(env.stdout, event)
        return
    with open(name, "w", encoding="utf-8") as handle:
        for event in events:
            write_json_line(handle, event)
