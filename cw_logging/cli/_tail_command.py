"""``tail``: print the events of one or more log groups; follow new ones by polling (``-f``)
or as Live Tail pushes them (``--live``)."""

from __future__ import annotations

import argparse
import heapq
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import ResourceNotFoundError
from ..query import admin
from ..query._events import filter_log_events
from ..query._follow import follow_groups
from ..query._groups import group_name
from ..query._live_tail import live_tail
from ._argtypes import parse_since, positive_int, seconds, since_range
from ._env import CliEnv
from ._output import write_json_line
from ._tail_output import TailView, search_terms
from ._usage import UsageError

__all__ = ["DEFAULT_SINCE", "field_list", "register", "run_tail"]

DEFAULT_SINCE = timedelta(minutes=10)
"""How far back ``tail`` (and ``tail -f``) start without ``--since``."""

Shown = tuple[str, Any, bool]
"""A group, its event (polled or live) and whether the service sampled it."""


def field_list(text: str) -> list[str]:
    """``--fields a,b.c``: the JSON field names (dotted paths) to show."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("name at least one field, e.g. --fields level,msg")
    return names


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``tail`` to the ``commands`` sub-parsers."""
    tail = commands.add_parser(
        "tail",
        parents=[common],
        help="print log groups' events (and follow new ones, polled or live)",
        description="Print the events of one or more log groups, oldest first, optionally "
        "matching a filter pattern. -f keeps polling for new events; --live streams them as "
        "CloudWatch ingests them (Live Tail), until Ctrl-C.",
    )
    tail.add_argument("groups", nargs="*", metavar="GROUP", help="log group names or ARNs")
    tail.add_argument(
        "--prefix",
        action="append",
        default=[],
        metavar="P",
        help="also every group whose name starts with P (repeatable)",
    )
    tail.add_argument(
        "--filter", dest="pattern", help="filter pattern, e.g. '{ $.level = \"ERROR\" }'"
    )
    tail.add_argument(
        "--since", type=parse_since, default=None, help="duration or ISO time (10m); not --live"
    )
    tail.add_argument("--stream", dest="stream_prefix", help="only streams with this name prefix")
    mode = tail.add_mutually_exclusive_group()
    mode.add_argument("-f", "--follow", action="store_true", help="keep polling for new events")
    mode.add_argument(
        "--live",
        action="store_true",
        help="stream new events as they are ingested (Live Tail; polls where it is refused)",
    )
    tail.add_argument("--limit", type=positive_int, help="stop after this many events")
    tail.add_argument("--raw", action="store_true", help="print stored messages unchanged")
    tail.add_argument("--expand", action="store_true", help="pretty-print JSON messages")
    tail.add_argument("--fields", type=field_list, default=(), help="show these JSON fields: a,b.c")
    tail.add_argument("--interval", type=seconds, default=2.0, help="seconds between polls (-f)")
    tail.set_defaults(run=run_tail)


def _groups(args: argparse.Namespace, client: Any) -> list[str]:
    groups = list(args.groups)
    for prefix in args.prefix:
        found = [g["logGroupName"] for g in admin.describe_log_groups(prefix, client=client)]
        if not found:
            raise UsageError(
                f"no log group name starts with {prefix!r}", "list them with cw-logging groups"
            )
        groups += found
    return list(dict.fromkeys(groups))


def _check(args: argparse.Namespace, groups: Sequence[str]) -> None:
    if args.live and args.since is not None:
        raise UsageError(
            "--since does not apply to --live (Live Tail shows events from now on)",
            "use -f to start earlier; see cw-logging tail --help",
        )
    if args.live and args.stream_prefix and len(groups) != 1:
        raise UsageError(
            "--stream with --live needs exactly one group (a Live Tail rule)",
            "see cw-logging tail --help",
        )


def _stored(
    groups: Sequence[str], args: argparse.Namespace, since: datetime, client: Any
) -> Iterator[Shown]:
    time_range = since_range(since)

    def keyed(index: int, group: str) -> Iterator[tuple[datetime, int, str, Any]]:
        for event in filter_log_events(
            group,
            args.pattern or None,
            time_range=time_range,
            stream_prefix=args.stream_prefix,
            client=client,
        ):
            yield event.timestamp, index, group, event

    merged = heapq.merge(*(keyed(index, group) for index, group in enumerate(groups)))
    for _, _, group, event in merged:
        yield group_name(group), event, False


def _followed(
    groups: Sequence[str],
    args: argparse.Namespace,
    since: datetime,
    client: Any,
    env: CliEnv,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Shown]:
    """Follow the groups; while one does not exist yet (a ``simulate`` starting beside), say so
    once on stderr and look again every ``--interval`` seconds."""
    waiting = False
    while True:
        shown = False
        try:
            for group, event in follow_groups(
                groups,
                args.pattern,
                start=since,
                client=client,
                interval=args.interval,
                stream_prefix=args.stream_prefix,
            ):
                shown = True
                yield group_name(group), event, False
            return
        except ResourceNotFoundError:
            if shown:  # a group went away while it was followed
                raise
            if not waiting:
                names = ", ".join(group_name(group) for group in groups)
                plural = "s" if len(groups) > 1 else ""
                env.stderr.write(
                    f"waiting for log group{plural} {names} to be created (Ctrl-C to stop)\n"
                )
                env.stderr.flush()
                waiting = True
            sleep(args.interval)


def _print(env: CliEnv, view: TailView, shown: Iterable[Shown], live: bool) -> None:
    noted = False
    for group, event, sampled in shown:
        if sampled and not noted:
            noted = True
            env.stderr.write(
                "cw-logging: note: the service is sampling (over 500 matching events a second); "
                "events marked [sampled] are a sample: narrow --filter to see them all\n"
            )
        if env.json:
            write_json_line(env.stdout, view.document(group, event, live=live, sampled=sampled))
        else:
            env.stdout.write(view.line(group, event, sampled) + "\n")
            env.stdout.flush()


def run_tail(args: argparse.Namespace, env: CliEnv) -> int:
    """Print the groups' events from ``--since``; with ``-f`` keep polling for new ones, with
    ``--live`` stream them as they are ingested."""
    if not args.groups and not args.prefix:  # before any AWS set-up is needed
        raise UsageError("name at least one GROUP or --prefix P", "see cw-logging tail --help")
    client = env.client()
    groups = _groups(args, client)
    _check(args, groups)
    view = TailView(
        env.style,
        raw=args.raw,
        expand=args.expand,
        fields=args.fields,
        terms=search_terms(args.pattern),
        show_group=len(groups) > 1,
    )
    for group in groups:
        view.group_label(group_name(group))  # colours in the order the groups were named
    since = args.since or datetime.now(timezone.utc) - DEFAULT_SINCE
    if not args.live:
        if args.follow:
            shown = _followed(groups, args, since, client, env)
        else:
            shown = _stored(groups, args, since, client)
        _print(env, view, itertools.islice(shown, args.limit), live=False)
        return 0

    def note(message: str) -> None:
        env.stderr.write(f"cw-logging: note: {message}\n")

    with live_tail(
        groups,
        filter_pattern=args.pattern,
        stream_prefixes=[args.stream_prefix] if args.stream_prefix else None,
        client=client,
        poll_interval=args.interval,
        on_fallback=note,
    ) as tail:
        events = ((event.group, event, event.sampled) for event in tail)
        _print(env, view, itertools.islice(events, args.limit), live=True)
    return 0
