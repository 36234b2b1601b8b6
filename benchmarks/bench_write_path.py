"""The write path's real cost (issue 12): every figure side by side with its baseline, measured
in the same run, with the garbage collector ON as in every application.

Run: ``python benchmarks/bench_write_path.py [--rows 1,2,9] [--runs 3] [--quick] [--no-gc]
[--server moto|local] [--burst N] [--json]``. Needs the ``bench`` extra (``pip install -e
'.[bench,test]'``: watchtower for rows 9 and 11, moto's server for delivery). ``--runs 3`` runs
every selected row three times and prints medians with the spread (min-max) of the ratio or
value; ``--quick`` uses small counts (development only: the figures are noisier and some bounds
are not reached); ``--burst`` sets the records of rows 7 and 8. ``--no-gc`` turns the collector
off in the workers, for analysis only.

Every group of rows runs in a fresh worker process (so that stalled senders, memory and the
collector's state of one row never touch another); rows that deliver start their own CloudWatch
Logs stand-in (moto's server, or ``--server local``: cw_logging's local engine) in a separate
process on 127.0.0.1, so the server's CPU is never counted. "Endpoint down" is an outage that
starts while the application runs: a socket on 127.0.0.1 answers the handler's first
PutLogEvents (a warm-up record: the client is built, the connection kept alive) and then never
answers again (the connection is never read, new ones are never accepted), so the sender hangs
in its call with whatever it drained, as it does against an unreachable service. Interleaved
rounds rotate their order; ratios are medians of per-round ratios.

How each row is measured (``ours`` is CloudWatchHandler with default settings unless said):

1.  Caller-thread CPU (``time.thread_time_ns``) per ``logger.info("order %s processed", i)``,
    one logger whose only handler is either CloudWatchHandler (delivering to the server, its
    sender running as in production) or the stdlib ``QueueHandler`` with a running
    ``QueueListener`` (NullHandler behind it). Interleaved rounds of 50,000 calls (7 rounds);
    after each round the handler is settled (flush / ``queue.join``), not timed.
2.  The same with ``extra=`` (3 fields) and ids bound by ``cw_logging.correlation(...)``; the
    QueueHandler runs in the same context (it captures no ids).
3.  Share of the caller thread's CPU spent in cyclic collections during the rounds of row 1
    (3a) and row 2 (3b): ``gc.callbacks`` time each collection that runs on the caller thread
    (thread CPU from "start" to "stop"). The notes give collections per generation.
4.  Endpoint down, ``max_queue_bytes`` 1 GiB (so that nothing is dropped): 100,000 short
    records are logged; the sender drains a chunk and hangs in its call, the rest stay
    queued. (4a) the growth of ``len(gc.get_objects())`` per held record; (4b) the growth of
    the CPU of one ``gc.collect()`` (the least of 9) per held record, each against the same
    process empty just before. Baseline: a QueueHandler whose queue has no listener, same
    records, measured in a process of its own that built the same handlers (GC time depends
    on where objects lie in memory, so the two sides never share a process).
5.  Endpoint down, ``max_queue_bytes`` 64 MiB, short records logged in chunks of 10,000
    until three times as many as had been logged at the first drop (at least 300,000, at most
    90 s). RSS (``/proc/self/statm``) sampled after every chunk; the figure is the peak minus
    the RSS after the warm-up record was delivered. Goal: the bound + 20 MiB.
6.  The same with an 8 MiB bound and a new ``extra=`` dict of about 330 bytes (as JSON) per
    record. (6b) what the handler counts at the end (``stats()['queued_bytes']``) against the
    RSS growth measured at the same moment.
7.  200,000 short records logged as fast as one thread can, default settings plus
    ``spool_dir`` (a temporary directory); waited until nothing is queued, in flight or
    spooled; the figure is the total of ``stats()['dropped']``. Baseline: the same burst
    without a spool (row 8's run); its note says whether sent + dropped == logged. When that
    burst did not overflow the queue either (the burst fit in ``max_queue_bytes``, or
    delivery kept up with the logging thread), the run could not test the goal, and the met
    column says so: then try a larger ``--burst``.
8.  The burst of row 7 without a spool: successful PutLogEvents calls (``stats()['batches']``)
    against the minimum the limits allow for the events the server stored, read back with
    GetLogEvents: max(ceil(events / 10,000), ceil(sum(UTF-8 bytes + 26) / 1,048,576)).
9.  Process CPU (``time.process_time``: every thread of the benchmark process, not the server)
    per event from the first call until the service stored every event, records as in row 2,
    formatted as JSON with the ids. Baseline: watchtower's ``CloudWatchLogHandler`` with its
    own boto3 client (default settings) and python-json-logger's ``JsonFormatter``
    (``%(levelname)s %(name)s %(message)s``, timestamp) plus a filter that copies the ids from
    the context onto the record; stored events counted by botocore hooks on its client.
    Interleaved rounds of 20,000 events (5 rounds).
10. Background CPU per event (process CPU minus the calling thread's: the sender's work) from
    the first call until stored, short records, a handler given ``client=boto3.client("logs",
    ...)`` (boto3's defaults) vs a handler that builds its own client from ``endpoint_url``.
11. Wall time of ``from cw_logging import CloudWatchHandler, JsonFormatter`` in a fresh
    interpreter vs ``import watchtower`` (11a: medians of 9 interleaved fresh processes each,
    after one untimed run of each for the bytecode caches); (11b) which of asyncio, sqlite3,
    boto3 are in ``sys.modules`` after it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import REPO, ServiceProcess, add_gc_flag, apply_gc_flag, use_dummy_credentials
from _write_path_table import Table, row_specs

WORKERS: dict[str, tuple[frozenset[int], bool]] = {
    "caller": (frozenset({1, 2, 3}), True),
    "held-ours": (frozenset({4}), False),
    "held-stdlib": (frozenset({4}), False),
    "outage-64": (frozenset({5}), False),
    "outage-8": (frozenset({6}), False),
    "burst-spool": (frozenset({7}), True),
    "burst": (frozenset({7, 8}), True),
    "watchtower": (frozenset({9}), True),
    "client": (frozenset({10}), True),
    "import": (frozenset({11}), False),
}
"""Worker groups: the rows each one measures, and whether it needs the server."""

RESULT_PREFIX = "RESULT "
WORKER_TIMEOUT_S = 900


def run_group(group: str, quick: bool, url: str, burst: int) -> dict[str, Any]:
    """Measure ``group``'s rows in this process (a worker); return rows and notes."""
    if group == "caller":
        from _write_path_caller import caller_rows

        return caller_rows(quick, url)
    if group.startswith("held-"):
        from _write_path_caller import held_row

        return held_row(quick, "ours" if group == "held-ours" else "QueueHandler")
    if group.startswith("outage-"):
        from _write_path_memory import outage_row

        bound = int(group.removeprefix("outage-"))
        return outage_row(quick, bound, payload=bound == 8)
    if group in ("burst", "burst-spool"):
        from _write_path_delivery import burst_row

        return burst_row(burst, url, spool=group == "burst-spool")
    if group == "watchtower":
        from _write_path_delivery import watchtower_row

        return watchtower_row(quick, url)
    if group == "client":
        from _write_path_delivery import client_row

        return client_row(quick, url)
    from _write_path_import import import_rows

    return import_rows(quick)


def worker_main(args: argparse.Namespace) -> None:
    """``--worker GROUP``: measure one group and print its result as one JSON line."""
    apply_gc_flag(args.no_gc)
    needs_server = WORKERS[args.worker][1]
    server = ServiceProcess(args.server) if needs_server else None
    try:
        url = server.url if server else ""
        result = run_group(args.worker, args.quick, url, args.burst)
    finally:
        if server is not None:
            server.stop()
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def spawn(group: str, args: argparse.Namespace) -> tuple[dict[str, Any] | None, float]:
    """Run ``group`` in a fresh worker process; (its result or None on failure, seconds)."""
    command = [sys.executable, __file__, "--worker", group, "--server", args.server]
    command += ["--quick"] * args.quick + ["--no-gc"] * args.no_gc + ["--burst", str(args.burst)]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=REPO, timeout=WORKER_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        print(f"  {group}: no result within {WORKER_TIMEOUT_S} s", file=sys.stderr)
        return None, time.monotonic() - started
    seconds = time.monotonic() - started
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line.removeprefix(RESULT_PREFIX))
            return result, seconds
    tail = "\n    ".join(done.stderr.strip().splitlines()[-15:])
    print(f"  {group}: failed (exit {done.returncode}):\n    {tail}", file=sys.stderr)
    return None, seconds


def parse_rows(text: str) -> frozenset[int]:
    """``--rows 1,2,9`` (default: all eleven)."""
    if text == "all":
        return frozenset(range(1, 12))
    try:
        rows = frozenset(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give row numbers like 1,2,9") from None
    if not rows or not rows <= frozenset(range(1, 12)):
        raise argparse.ArgumentTypeError(f"{text!r}: rows are numbered 1 to 11")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=parse_rows, default="all", help="e.g. 1,2,9 (default all)")
    parser.add_argument("--runs", type=int, default=1, help="repeat each row; median and spread")
    parser.add_argument("--quick", action="store_true", help="small counts, for development")
    parser.add_argument(
        "--burst", type=int, help="records of the bursts of rows 7 and 8 (default 200,000)"
    )
    parser.add_argument("--server", choices=("moto", "local"), default="moto")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    add_gc_flag(parser)
    args = parser.parse_args()
    use_dummy_credentials()
    if args.burst is None:
        args.burst = 50_000 if args.quick else 200_000
    if args.worker:
        worker_main(args)
        return
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.burst is not None and args.burst < 1:
        parser.error("--burst must be at least 1")
    gc_state = apply_gc_flag(args.no_gc)
    groups = [group for group, (rows, _) in WORKERS.items() if rows & args.rows]
    table = Table(row_specs(args.burst), args.rows)
    started = time.monotonic()
    for run in range(1, args.runs + 1):
        for group in groups:
            print(f"run {run}/{args.runs}: {group} ...", file=sys.stderr, flush=True)
            result, seconds = spawn(group, args)
            if result is not None:
                table.add(run, result)
            table.timings.append(f"run {run} {group}: {seconds:.0f} s")
    header = (
        f"python {sys.version.split()[0]}; {gc_state}; server {args.server}; commit "
        f"{_commit()}; {'QUICK counts' if args.quick else 'full counts'}; {args.runs} run(s); "
        f"{os.cpu_count()} cores; {time.monotonic() - started:.0f} s"
    )
    print(json.dumps(table.as_json(header), indent=2) if args.json else table.render(header))


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    commit = done.stdout.strip() or "unknown"
    return commit + ("+changes" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    main()
