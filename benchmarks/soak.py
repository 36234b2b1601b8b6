"""Soak: many records over minutes through a proxy that faults 30 % of PutLogEvents calls.

Run from the repository root (the venv's python):

    python benchmarks/soak.py [--records 300000] [--minutes 3] [--spool] [--clustered-hangs]
                              [--no-gc] [--seed 11]

An application process logs ``--records`` records, each with a unique id, at an even pace over
``--minutes``, through ``CloudWatchHandler`` (default settings but ``max_batch_events=500``, so
that there are hundreds of calls to fault), into the package's local server on 127.0.0.1 behind
the fault proxy of the test suite. Faulted calls get, at random: throttling, 503, a connection
reset before the server saw the batch, a reset after the server stored it; four calls, spread
over the run, hang 20 s before they go on (``--clustered-hangs``: each call may hang, at 2 %,
so the four come close together: about 80 s of stalled sender within the first 100 s, an outage
that only a spool or a larger ``max_queue_bytes`` rides out). The garbage collector is on unless
``--no-gc``.

Printed: records lost (must be 0); duplicates, which must equal the events of the calls cut
after the server stored them (the proxy counts those); the application's RSS, thread and file
descriptor counts 5 % in (warm), half way and after ``close()``. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GROUP = "/soak/app"
HANG_SECONDS = 20.0
HANGS = 4  # 20 s each: nearly half of a 3-minute run, with catching up after each
FAULT_RATIO = 0.3
FAULT_KINDS = ("throttle", "unavailable", "reset", "drop_after_forward")


# -- the application process ---------------------------------------------------------------------


def resources() -> dict[str, float]:
    """This process's resident memory (MiB), OS threads and open file descriptors."""
    status = Path("/proc/self/status").read_text(encoding="utf-8").splitlines()
    fields = dict(line.split(":", 1) for line in status if ":" in line)
    return {
        "rss_mib": round(int(fields["VmRSS"].split()[0]) / 1024, 1),
        "peak_rss_mib": round(int(fields["VmHWM"].split()[0]) / 1024, 1),
        "threads": int(fields["Threads"]),
        "fds": len(os.listdir("/proc/self/fd")),
    }


def application(url: str, records: int, seconds: float, spool_dir: str | None) -> None:
    """Log ``records`` records evenly over ``seconds``; print samples and the flush result."""
    from cw_logging import CloudWatchHandler

    options: dict[str, Any] = {"spool_dir": spool_dir} if spool_dir else {}
    handler = CloudWatchHandler(
        GROUP,
        "soak-{pid}",
        endpoint_url=url,
        region_name="us-east-1",
        create_log_group=True,
        max_batch_events=500,
        **options,
    )
    logger = logging.getLogger("soak")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    samples: dict[str, dict[str, float]] = {}
    started = time.monotonic()
    tick = threading.Event()
    for i in range(records):
        logger.info("order %d placed", i, extra={"order_id": i, "customer": f"c-{i % 977}"})
        if i == records // 20:  # "start": warm (boto3 loaded, first calls made), 5 % in
            samples["start"] = resources()
        elif i == records // 2:
            samples["middle"] = resources()
        if i % 100 == 99:  # keep the pace: record i is due at started + i * seconds / records
            ahead = started + (i + 1) * seconds / records - time.monotonic()
            if ahead > 0:
                tick.wait(ahead)
    logged_for = time.monotonic() - started
    flush_started = time.monotonic()
    delivered = handler.flush(timeout=300)
    flush_seconds = time.monotonic() - flush_started
    stats = handler.stats()
    handler.close()
    samples["end"] = resources()
    report = {
        "samples": samples,
        "logged_for": logged_for,
        "flush": delivered,
        "flush_seconds": flush_seconds,
        "dropped": stats["dropped"],
        "rejected": stats["rejected"],
        "retried": stats["retried"],
    }
    print(json.dumps(report), flush=True)


# -- the harness ---------------------------------------------------------------------------------


def schedule_hangs(proxy: Any, seconds: float, stop: threading.Event) -> threading.Thread:
    """Make one PutLogEvents call hang at each of ``HANGS`` times spread evenly over the run."""

    def hang_on_time() -> None:
        period = seconds / HANGS
        for turn in range(HANGS):
            if stop.wait(period / 2 if turn == 0 else period):
                return
            proxy.fail("hang", times=1)

    thread = threading.Thread(target=hang_on_time, name="soak-hangs", daemon=True)
    thread.start()
    return thread


def run(records: int, minutes: float, spool: bool, gc_on: bool, seed: int, clustered: bool) -> int:
    """Serve, fault, run the application, count; print the figures; return the exit status."""
    sys.path.insert(0, str(ROOT))
    from tests.support.faults import FaultProxy
    from tests.support.sink import LocalSink

    sink = LocalSink()
    proxy = FaultProxy(sink.url, hang_seconds=HANG_SECONDS)
    if clustered:
        proxy.fail("hang", ratio=0.02, limit=HANGS, seed=seed)
    proxy.fail(FAULT_KINDS, ratio=FAULT_RATIO, seed=seed + 1)
    stop_hangs = threading.Event()
    hangs = None if clustered else schedule_hangs(proxy, minutes * 60, stop_hangs)
    try:
        with tempfile.TemporaryDirectory() as directory:
            spool_dir = str(Path(directory) / "spool") if spool else ""
            argv = [
                sys.executable,
                __file__,
                "--app",
                proxy.url,
                str(records),
                str(minutes * 60),
                spool_dir,
                "gc" if gc_on else "no-gc",
            ]
            env = {**os.environ, "AWS_ACCESS_KEY_ID": "soak", "AWS_SECRET_ACCESS_KEY": "soak"}
            started = time.monotonic()
            finished = subprocess.run(
                argv,
                env=env,
                capture_output=True,
                text=True,
                timeout=minutes * 60 + 600,
                check=False,
            )
            elapsed = time.monotonic() - started
        if finished.returncode != 0:
            print(finished.stderr[-3000:], file=sys.stderr)
            return 2
        report = json.loads(finished.stdout.strip().splitlines()[-1])
        stored = Counter(json.loads(message)["order_id"] for message in sink.messages(GROUP))
    finally:
        stop_hangs.set()
        if hangs is not None:
            hangs.join()
        proxy.stop()
        sink.stop()
    return print_figures(records, minutes, spool, gc_on, elapsed, report, stored, proxy, clustered)


def print_figures(
    records: int,
    minutes: float,
    spool: bool,
    gc_on: bool,
    elapsed: float,
    report: dict[str, Any],
    stored: Counter[int],
    proxy: Any,
    clustered: bool,
) -> int:
    """Print the figures as an aligned table; return 0 when both checks hold, else 1."""
    lost = sum(1 for i in range(records) if i not in stored)
    duplicates = sum(stored.values()) - len(stored)
    expected = proxy.events_stored_then_dropped()
    calls = proxy.requests["PutLogEvents"]
    faulted = sum(proxy.injected.values())
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(proxy.injected.items()))
    samples = report["samples"]

    def row(name: str, value: str) -> None:
        print(f"  {name:<26} {value}")

    print(
        f"soak: {records:,} records over {minutes:g} min, spool {'on' if spool else 'off'}, "
        f"GC {'on' if gc_on else 'off'}, hangs {'clustered' if clustered else 'spread'}; "
        f"ran {elapsed:.0f} s "
        f"(logging {report['logged_for']:.0f} s, final flush {report['flush_seconds']:.1f} s)"
    )
    row(
        "PutLogEvents calls",
        f"{calls:,}, faulted {faulted:,} ({faulted / max(calls, 1):.0%}): {kinds}",
    )
    row("hung calls abandoned", f"{proxy.hung_abandoned} (the client gave up before forwarding)")
    row("lost", f"{lost:,}  (must be 0)  {'OK' if lost == 0 else 'FAIL'}")
    row(
        "duplicates",
        f"{duplicates:,}  (events of calls cut after storing: {expected:,})  "
        f"{'OK' if duplicates == expected else 'FAIL'}",
    )
    for name, unit in (
        ("rss_mib", "RSS MiB"),
        ("peak_rss_mib", "peak RSS MiB"),
        ("threads", "threads"),
        ("fds", "open fds"),
    ):
        values = "   ".join(
            f"{when} {samples[when][name]:g}" for when in ("start", "middle", "end")
        )
        row(f"application {unit}", values)
    row("flush() before exit", f"{report['flush']}")
    row(
        "handler stats",
        f"dropped {report['dropped']}, rejected {report['rejected']}, retried {report['retried']}",
    )
    return 0 if lost == 0 and duplicates == expected else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the soak (or, with ``--app``, the application side)."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["--app"]:
        url, records, seconds, spool_dir, gc_mode = arguments[1:6]
        if gc_mode == "no-gc":
            gc.disable()
        application(url, int(records), float(seconds), spool_dir or None)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--spool", action="store_true", help="give the handler a spool_dir")
    parser.add_argument(
        "--clustered-hangs",
        action="store_true",
        help="let each call hang at 2 %% (the four hangs come close together) instead of "
        "spreading them over the run",
    )
    parser.add_argument("--no-gc", action="store_true", help="turn the GC off (analysis only)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the fault choices")
    args = parser.parse_args(arguments)
    return run(
        args.records, args.minutes, args.spool, not args.no_gc, args.seed, args.clustered_hangs
    )


if __name__ == "__main__":
    sys.exit(main())
