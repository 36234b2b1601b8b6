"""``tail``, ``query`` and ``trace``: reading events back (cw_logging.query underneath)."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..query import (
    DEFAULT_PRICE_PER_GB,
    CorrelatedEvent,
    LookupResult,
    Polling,
    QueryResult,
    ScanStatistics,
    find_by_trace_id,
    run_query,
    source_clause,
)
from ..query._events import LogEvent, filter_log_events
from ..query._follow import follow_log_events
from ..query._records import CorrelationKeys, decode_message
from ._argtypes import parse_since, positive_float, positive_int, since_range
from ._env import CliEnv
from ._output import (
    Progress,
    Style,
    format_time,
    render_csv,
    render_table,
    write_json,
    write_json_line,
)

__all__ = [
    "CLI_POLLING",
    "event_document",
    "event_source",
    "print_timeline",
    "query_columns",
    "register",
    "run_insights",
    "scan_document",
]

EXIT_NOT_FOUND = 1

CLI_POLLING = Polling(initial=0.2, maximum=5.0)
"""Polling for interactive queries: a short first wait, doubling up to the library's maximum."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``tail``, ``query`` and ``trace`` to the ``commands`` sub-parsers."""
    tail = commands.add_parser(
        "tail",
        parents=[common],
        help="print a log group's events (and follow new ones)",
        description="Print the events of a log group, oldest first, optionally matching a "
        "filter pattern; with --follow keep printing new events until Ctrl-C.",
    )
    tail.add_argument("group", help="log group name or ARN")
    tail.add_argument(
        "--filter", dest="pattern", help="filter pattern, e.g. '{ $.level = \"ERROR\" }'"
    )
    tail.add_argument("--since", type=parse_since, default="10m", help="duration or ISO time (10m)")
    tail.add_argument("--stream", dest="stream_prefix", help="only streams with this name prefix")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new events")
    tail.add_argument("--limit", type=positive_int, help="stop after this many events")
    tail.add_argument("--raw", action="store_true", help="print stored messages unchanged")
    tail.add_argument(
        "--interval", type=positive_float, default=2.0, help="seconds between polls (--follow)"
    )
    tail.set_defaults(run=run_tail)

    query = commands.add_parser(
        "query",
        parents=[common],
        help="run a Logs Insights query",
        description="Run a Logs Insights query over one or more log groups and print the rows. "
        "Ctrl-C stops the query on the service.",
    )
    query.add_argument("query", help='query text, e.g. "stats count(*) by level"')
    _group_options(query)
    query.add_argument("--limit", type=positive_int, help="most rows to return")
    query.add_argument(
        "--format", choices=("table", "json", "csv"), default=None, help="output (table)"
    )
    query.add_argument(
        "--timeout", type=positive_float, default=300.0, help="seconds before giving up (300)"
    )
    query.set_defaults(run=run_query_command)

    trace = commands.add_parser(
        "trace",
        parents=[common],
        help="show one trace's timeline across log groups",
        description="Find every event carrying a trace id (32 hex or X-Ray 1-...) in the given "
        "log groups and print them in time order. Exit status 1 when none is found.",
    )
    trace.add_argument("trace_id", metavar="ID", help="trace id")
    _group_options(trace, since_default=None)
    trace.add_argument(
        "--method",
        choices=("insights", "filter", "auto"),
        default="auto",
        help="Insights query, FilterLogEvents, or auto (filter for short windows)",
    )
    trace.add_argument(
        "--keys",
        choices=("camel", "snake", "either"),
        default="camel",
        help="traceId (camel), trace_id (snake) or either (both; no index can serve it)",
    )
    trace.add_argument(
        "--class",
        dest="log_classes",
        action="append",
        choices=("STANDARD", "INFREQUENT_ACCESS"),
        help="with --prefix: log classes to search (STANDARD; repeat for both)",
    )
    trace.set_defaults(run=run_trace)


def _group_options(parser: argparse.ArgumentParser, since_default: str | None = "1h") -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "-g",
        "--group",
        dest="groups",
        action="append",
        metavar="GROUP",
        help="log group name or ARN (repeat for several)",
    )
    scope.add_argument(
        "--prefix",
        dest="prefixes",
        action="append",
        metavar="PREFIX",
        help="every log group whose name starts with this (repeat, up to 5): one query, "
        "SOURCE logGroups(namePrefix: ...)",
    )
    shown = since_default or "widening 1h, 24h, 7d"
    parser.add_argument(
        "--since", type=parse_since, default=since_default, help=f"duration or ISO time ({shown})"
    )
    parser.add_argument(
        "--max-scanned-bytes",
        type=positive_int,
        metavar="BYTES",
        help="stop the query once it has scanned more than this",
    )
    parser.add_argument(
        "--price-per-gb",
        type=positive_float,
        default=DEFAULT_PRICE_PER_GB,
        metavar="USD",
        help=f"price of a GB scanned, for the cost estimate ({DEFAULT_PRICE_PER_GB:g})",
    )


def scan_document(scan: ScanStatistics, price_per_gb: float) -> dict[str, Any]:
    """The ``--json`` shape of what a query or lookup read and its estimated cost."""
    return {
        "bytesScanned": scan.bytes_scanned,
        "recordsScanned": scan.records_scanned,
        "estimatedBytesSkipped": scan.bytes_skipped,
        "estimatedRecordsSkipped": scan.records_skipped,
        "logGroupsScanned": scan.groups_scanned,
        "estimatedCostUsd": scan.estimated_cost(price_per_gb),
        "pricePerGb": price_per_gb,
    }


# ------------------------------------------------------------------------------------- tail


def _event_line(event: LogEvent, style: Style, raw: bool) -> str:
    """One event for people: time, stream, then the JSON event's level, origin and message
    (the stored text as is with ``raw`` or when it is not JSON)."""
    head = f"{style.dim(format_time(event.timestamp))} {style.dim(event.stream or '-')}"
    decoded = decode_message(
        event.message, timestamp=event.timestamp, group=None, stream=None, keys=CorrelationKeys()
    )
    if raw or not decoded.fields:
        return f"{head} {event.message.rstrip()}"
    origin = event_source(decoded)
    trace = style.dim(f"  traceId={decoded.trace_id}") if decoded.trace_id else ""
    return f"{head} {style.level(decoded.level, 7)} {origin}: {decoded.message}{trace}"


def run_tail(args: argparse.Namespace, env: CliEnv) -> int:
    """Print a group's events from ``--since``; with ``--follow`` keep polling for new ones."""
    client = env.client()
    events: Iterable[LogEvent]
    if args.follow:
        events = follow_log_events(
            args.group,
            args.pattern,
            start=args.since,
            client=client,
            interval=args.interval,
            stream_prefix=args.stream_prefix,
        )
    else:
        events = filter_log_events(
            args.group,
            args.pattern or None,
            time_range=since_range(args.since),
            stream_prefix=args.stream_prefix,
            client=client,
        )
    if args.limit is not None:
        events = itertools.islice(events, args.limit)
    style = env.style
    for event in events:
        if env.json:
            write_json_line(
                env.stdout,
                {
                    "timestamp": event.timestamp,
                    "stream": event.stream,
                    "message": event.message,
                    "eventId": event.event_id,
                },
            )
        else:
            env.stdout.write(_event_line(event, style, args.raw) + "\n")
            env.stdout.flush()
    return 0


# ------------------------------------------------------------------------------------ query


def query_columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Return the columns of ``rows`` in order of first appearance."""
    return list(dict.fromkeys(name for row in rows for name in row))


def run_insights(
    env: CliEnv,
    query: str,
    groups: Sequence[str],
    since: datetime,
    *,
    limit: int | None = None,
    timeout: float = 300.0,
    max_scanned_bytes: int | None = None,
    price_per_gb: float = DEFAULT_PRICE_PER_GB,
) -> QueryResult:
    """Run a query with a progress line on a terminal; Ctrl-C stops it on the service."""
    with Progress("query running", stream=env.stderr) as progress:
        polling = Polling(CLI_POLLING.initial, CLI_POLLING.maximum, sleep=progress.sleep)
        return run_query(
            query,
            groups,
            since_range(since),
            limit,
            timeout,
            polling=polling,
            max_scanned_bytes=max_scanned_bytes,
            price_per_gb=price_per_gb,
            client=env.client(),
        )


def run_query_command(args: argparse.Namespace, env: CliEnv) -> int:
    """Run a Logs Insights query and print its rows as a table, JSON or CSV."""
    query, groups = args.query, args.groups or ()
    if args.prefixes:
        query = f"{source_clause(args.prefixes)}\n| {query}"
    result = run_insights(
        env,
        query,
        groups,
        args.since,
        limit=args.limit,
        timeout=args.timeout,
        max_scanned_bytes=args.max_scanned_bytes,
        price_per_gb=args.price_per_gb,
    )
    output = args.format or ("json" if env.json else "table")
    columns = query_columns(result.rows)
    if output == "json":
        write_json(
            env.stdout,
            {
                "queryId": result.query_id,
                "status": result.status,
                "statistics": result.statistics,
                "scan": scan_document(result.scan, args.price_per_gb),
                "rows": result.rows,
            },
        )
    elif output == "csv":
        env.stdout.write(render_csv(columns, ([r.get(c) for c in columns] for r in result.rows)))
    else:
        if columns:
            env.stdout.write(
                render_table(
                    columns, ([r.get(c) for c in columns] for r in result.rows), style=env.style
                )
            )
        summary = f"{len(result.rows)} row(s); {result.scan.describe(args.price_per_gb)}"
        env.stderr.write(summary + "\n")
    return 0


# ------------------------------------------------------------------------------------ trace


def event_source(event: CorrelatedEvent) -> str:
    """Return what to show as the origin of a timeline event: its ``service`` field, else its
    logger, else its log group."""
    for key in ("service", "logger"):
        value = event.fields.get(key)
        if isinstance(value, str) and value:
            return value
    return event.group or "-"


def event_document(event: CorrelatedEvent) -> dict[str, Any]:
    """Return the ``--json`` shape of a timeline event."""
    return {
        "timestamp": event.timestamp,
        "group": event.group,
        "stream": event.stream,
        "source": event_source(event),
        "level": event.level,
        "message": event.message,
        "ids": dict(event.ids),
        "fields": dict(event.fields),
    }


def print_timeline(env: CliEnv, events: Sequence[CorrelatedEvent], indent: str = "") -> None:
    """Print a trace's events as an aligned timeline (offsets from the first event)."""
    style = env.style
    start = events[0].timestamp
    sources = [event_source(e) for e in events]
    source_width = max(len(s) for s in sources)
    level_width = max(len(e.level or "-") for e in events)
    for event, source in zip(events, sources, strict=True):
        offset = (event.timestamp - start).total_seconds() * 1000
        error = event.fields.get("errorType")
        text = event.message + (style.dim(f"  [{error}]") if error else "")
        env.stdout.write(
            f"{indent}{style.dim(format_time(event.timestamp)[11:])}  +{offset:6.0f} ms  "
            f"{source.ljust(source_width)}  {style.level(event.level, level_width)}  {text}\n"
        )


def run_trace(args: argparse.Namespace, env: CliEnv) -> int:
    """Print the timeline of one trace id across the given groups."""
    options: dict[str, Any] = {
        "method": "insights" if args.prefixes else args.method,
        "keys": args.keys,
        "polling": CLI_POLLING,
        "max_scanned_bytes": args.max_scanned_bytes,
        "price_per_gb": args.price_per_gb,
    }
    if args.since is not None:
        options["time_range"] = since_range(args.since)
    if args.prefixes:
        options.update(prefixes=args.prefixes, log_classes=args.log_classes or ("STANDARD",))
    events: LookupResult = find_by_trace_id(
        args.trace_id, args.groups, client=env.client(), **options
    )
    if env.json:
        write_json(env.stdout, _trace_document(args, events))
        return 0 if events else EXIT_NOT_FOUND
    if events:
        print_timeline(env, events)
    else:
        where = ", ".join(args.groups or [f"{p}*" for p in args.prefixes])
        env.stderr.write(f"no events with trace id {args.trace_id} in {where}\n")
    for note in events.notes:
        env.stderr.write(f"note: {note}\n")
    env.stderr.write(
        f"{events.queries} quer{'y' if events.queries == 1 else 'ies'}; "
        f"{events.scan.describe(args.price_per_gb)}\n"
    )
    return 0 if events else EXIT_NOT_FOUND


def _trace_document(args: argparse.Namespace, events: LookupResult) -> dict[str, Any]:
    return {
        "traceId": args.trace_id,
        "events": [event_document(e) for e in events],
        "queries": events.queries,
        "scan": scan_document(events.scan, args.price_per_gb),
        "notes": events.notes,
    }
