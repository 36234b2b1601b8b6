"""``groups``, ``streams`` and ``retention``: log group administration (cw_logging.query.admin)."""

from __future__ import annotations

import argparse
from typing import Any

from ..query import admin
from ..query._timerange import from_epoch_millis
from ._env import CliEnv
from ._output import render_table, write_json
from ._usage import UsageError

__all__ = ["group_document", "register", "stream_document"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``groups``, ``streams`` and ``retention`` to the ``commands`` sub-parsers."""
    groups = commands.add_parser(
        "groups", parents=[common], help="list log groups", description="List log groups."
    )
    groups.add_argument("--prefix", help="only groups whose name starts with this")
    groups.set_defaults(run=run_groups)

    streams = commands.add_parser(
        "streams",
        parents=[common],
        help="list a group's log streams",
        description="List a log group's streams, most recent event first (or by name with "
        "--prefix).",
    )
    streams.add_argument("group", help="log group name or ARN")
    streams.add_argument("--prefix", help="only streams whose name starts with this")
    streams.set_defaults(run=run_streams)

    retention = commands.add_parser(
        "retention",
        parents=[common],
        help="show, set or remove a group's retention",
        description="Show a log group's retention; with DAYS set it (1, 3, 5, 7, 14, 30, 60, "
        "90, ... 3653); with --delete keep events forever.",
    )
    retention.add_argument("group", help="log group name")
    retention.add_argument("days", nargs="?", type=int, metavar="DAYS", help="days to keep events")
    retention.add_argument("--delete", action="store_true", help="remove the retention policy")
    retention.set_defaults(run=run_retention)


def _millis(value: Any) -> Any:
    return from_epoch_millis(int(value)) if value is not None else None


def group_document(group: dict[str, Any]) -> dict[str, Any]:
    """Return the ``--json`` shape of one log group (as DescribeLogGroups describes it)."""
    return {
        "name": group.get("logGroupName"),
        "created": _millis(group.get("creationTime")),
        "retentionDays": group.get("retentionInDays"),
        "storedBytes": group.get("storedBytes"),
        "class": group.get("logGroupClass"),
        "arn": group.get("logGroupArn") or group.get("arn"),
    }


def stream_document(stream: dict[str, Any]) -> dict[str, Any]:
    """Return the ``--json`` shape of one log stream (as DescribeLogStreams describes it)."""
    return {
        "name": stream.get("logStreamName"),
        "created": _millis(stream.get("creationTime")),
        "firstEvent": _millis(stream.get("firstEventTimestamp")),
        "lastEvent": _millis(stream.get("lastEventTimestamp")),
        "lastIngestion": _millis(stream.get("lastIngestionTime")),
    }


def _retention_text(days: Any) -> str:
    return "forever" if days is None else f"{days} days"


def run_groups(args: argparse.Namespace, env: CliEnv) -> int:
    """List log groups by name."""
    groups = [
        group_document(g) for g in admin.describe_log_groups(args.prefix, client=env.client())
    ]
    if env.json:
        write_json(env.stdout, groups)
        return 0
    rows = [
        (g["name"], g["class"], _retention_text(g["retentionDays"]), g["storedBytes"], g["created"])
        for g in groups
    ]
    headers = ("GROUP", "CLASS", "RETENTION", "BYTES", "CREATED")
    env.stdout.write(render_table(headers, rows, right=(3,), style=env.style))
    return 0


def run_streams(args: argparse.Namespace, env: CliEnv) -> int:
    """List a group's streams, most recent event first (by name with ``--prefix``)."""
    streams = [
        stream_document(s)
        for s in admin.describe_log_streams(
            args.group, args.prefix, newest_first=args.prefix is None, client=env.client()
        )
    ]
    if env.json:
        write_json(env.stdout, streams)
        return 0
    rows = [(s["name"], s["lastEvent"], s["firstEvent"], s["created"]) for s in streams]
    env.stdout.write(
        render_table(("STREAM", "LAST EVENT", "FIRST EVENT", "CREATED"), rows, style=env.style)
    )
    return 0


def run_retention(args: argparse.Namespace, env: CliEnv) -> int:
    """Show, set (DAYS) or delete (``--delete``) a group's retention."""
    if args.delete and args.days is not None:
        raise UsageError("pass DAYS or --delete, not both (see cw-logging retention --help)")
    client = env.client()
    if args.delete:
        admin.delete_retention(args.group, client=client)
    elif args.days is not None:
        admin.put_retention(args.group, args.days, client=client)
    days = admin.get_retention(args.group, client=client)
    if env.json:
        write_json(env.stdout, {"group": args.group, "retentionDays": days})
    else:
        env.stdout.write(f"{args.group}: events kept {_retention_text(days)}\n")
    return 0
