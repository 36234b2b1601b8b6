"""A compiled query: its stages, the fields it shows, and running it over log events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from . import _nodes as n
from ._compiler import ExpressionCompiler, QueryWindow
from ._fields import EventRow, Row
from ._parser import parse_query
from ._pushdown import Pushdown, pushdown
from ._rules import check_stats_rules
from ._scan import EventBlock, Scan
from ._stages import (
    Stage,
    assigning_stage,
    dedup_stage,
    filter_stage,
    limit_stage,
    parse_pattern,
    parse_stage,
    sort_stage,
    unnest_stage,
)
from ._stats import StatsStage

DEFAULT_LIMIT = 10_000
"""Rows a query returns when neither the query nor the caller sets a limit (as the service)."""

DEFAULT_FIELDS = ("@timestamp", "@message")
"""What a query without ``fields``, ``display`` or ``stats`` shows."""

_ORDER_CHANGING = (
    n.StatsCommand,
    n.SortCommand,
    n.LimitCommand,
    n.DedupCommand,
    n.UnnestCommand,
)


@dataclass(frozen=True)
class QueryStatistics:
    """The service's query statistics: events that matched, events and bytes scanned."""

    records_matched: int
    records_scanned: int
    bytes_scanned: int

    def as_api(self) -> dict[str, float]:
        """The ``statistics`` member of a GetQueryResults response."""
        return {
            "recordsMatched": float(self.records_matched),
            "recordsScanned": float(self.records_scanned),
            "bytesScanned": float(self.bytes_scanned),
        }


class QueryResult(list[dict[str, Any]]):
    """The result rows (field -> value, missing fields left out), with ``statistics`` and the
    ``fields`` the query shows, in order."""

    def __init__(
        self, rows: Iterable[dict[str, Any]], statistics: QueryStatistics, fields: list[str]
    ) -> None:
        super().__init__(rows)
        self.statistics = statistics
        self.fields = fields


class _FieldPlan:
    """Tracks which fields the results show as the commands are compiled."""

    def __init__(self) -> None:
        self.explicit: list[str] = []
        self.parsed: list[str] = []
        self.display: list[str] | None = None
        self.stats_columns: list[str] | None = None
        self.created: list[str] = []

    def columns(self, *more: str) -> frozenset[str] | None:
        """The columns rows have after a ``stats`` (None before any), with ``more``."""
        if self.stats_columns is None:
            return None
        return frozenset(self.stats_columns + self.explicit + self.parsed + self.created + [*more])

    def shown(self) -> list[str]:
        if self.display is not None:
            names = self.display
        elif self.stats_columns is not None:
            names = self.stats_columns + self.explicit + self.parsed
        elif self.explicit:
            names = self.explicit + self.parsed
        else:
            names = [*DEFAULT_FIELDS, *self.parsed]
        if self.stats_columns is None:
            names = [*names, "@ptr"]
        return list(dict.fromkeys(names))


class CompiledQuery:
    """A Logs Insights query compiled once; :meth:`run` evaluates it over any events,
    :meth:`run_blocks` over a store's events.

    ``limit`` is the query's own ``limit`` (None when it has none); ``is_aggregate`` says
    whether it has ``stats``; ``fields`` lists the fields the results show;
    ``last_statistics`` holds the statistics of the last run.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.query = parse_query(text)
        check_stats_rules(self.query)
        self.window = QueryWindow()
        self._stages: list[Stage] = []
        self._matched_after = len(self.query.commands)
        self.limit: int | None = None
        plan = _FieldPlan()
        for index, command in enumerate(self.query.commands):
            if isinstance(command, _ORDER_CHANGING) and self._matched_after > index:
                self._matched_after = index
            self._stages.append(self._stage(command, plan))
        self.is_aggregate = plan.stats_columns is not None
        self.fields = plan.shown()
        self.last_statistics: QueryStatistics | None = None
        self._plan_scan()

    @property
    def records_matched(self) -> int | None:
        """Events matched by the last :meth:`run` (None before the first run)."""
        return None if self.last_statistics is None else self.last_statistics.records_matched

    def _stage(self, command: n.Command, plan: _FieldPlan) -> Stage:
        window = self.window
        compiler = ExpressionCompiler(self.text, columns=plan.columns(), window=window)
        if isinstance(command, (n.FieldsCommand, n.DisplayCommand)):
            names = [item.name for item in command.items]
            compiler = ExpressionCompiler(self.text, columns=plan.columns(*names), window=window)
            if isinstance(command, n.FieldsCommand):
                plan.explicit += names
            else:
                plan.display = names
            return assigning_stage(compiler, command.items)
        if isinstance(command, n.UnnestCommand):
            plan.created.append(command.target)
            return unnest_stage(compiler, command)
        if isinstance(command, n.FilterCommand):
            return filter_stage(compiler, command)
        if isinstance(command, n.ParseCommand):
            plan.parsed += parse_pattern(self.text, command)[1]
            return parse_stage(compiler, command)
        if isinstance(command, n.StatsCommand):
            stage = StatsStage(self.text, command, plan.columns(), window)
            plan.stats_columns = [item.name for item in (*command.by, *command.items)]
            plan.explicit, plan.parsed, plan.display, plan.created = [], [], None, []
            return stage
        if isinstance(command, n.SortCommand):
            return sort_stage(compiler, command)
        if isinstance(command, n.LimitCommand):
            self.limit = command.count if self.limit is None else min(self.limit, command.count)
            return limit_stage(command)
        assert isinstance(command, n.DedupCommand), command
        return dedup_stage(compiler, command)

    def _plan_scan(self) -> None:
        """What :meth:`run_blocks` can do on stored events before rows exist: the leading
        filters it tests on stored fields, the ``stats`` it feeds from stored columns, the
        ``sort @timestamp desc`` it can skip (events arrive newest first)."""
        self._pushed: list[Pushdown] = []
        self._pushed_on_rows: list[Callable[[Row], bool]] = []
        self._skipped: set[int] = set()
        self._columnar_stats: int | None = None
        compiler = ExpressionCompiler(self.text, window=self.window)
        commands = self.query.commands
        index = 0
        while index < len(commands):
            command = commands[index]
            if isinstance(command, n.FilterCommand):
                pushed = pushdown(command.condition)
                if pushed is None:
                    break
                self._pushed.append(pushed)
                self._pushed_on_rows.append(compiler.condition(command.condition))
                self._skipped.add(index)
            elif not _only_shows(command):
                break
            index += 1
        stage = self._stages[index] if index < len(commands) else None
        if isinstance(stage, StatsStage) and stage.reads_columns:
            self._columnar_stats = index
        self._skipped |= _sorts_in_scan_order(commands)

    def run(
        self,
        events: Iterable[Mapping[str, Any]],
        *,
        limit: int | None = None,
        now_ms: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> QueryResult:
        """Evaluate the query over ``events`` (each with ``@timestamp`` in epoch ms,
        ``@message``, ``@logStream``, ``@log``, ``@ingestionTime``, ``@ptr``).

        Events are considered newest first, as the service does. ``limit`` is StartQuery's
        limit; without it and without a ``limit`` command at most :data:`DEFAULT_LIMIT` rows
        come back. ``now_ms`` is when the query started (``now()``; default: the clock),
        ``start_ms``/``end_ms`` the time range it covers (``queryStartTime()``...).
        """
        self._set_window(now_ms, start_ms, end_ms)
        rows: list[Row] = [EventRow(event) for event in events]
        scanned_bytes = sum(len(str(row.get("@message") or "").encode("utf-8")) for row in rows)
        rows.sort(key=lambda row: int(row.get("@timestamp") or 0), reverse=True)
        kept, matched = self._execute(iter(rows), 0, set(), limit)
        return self._result(kept, matched or 0, len(rows), scanned_bytes)

    def run_blocks(
        self,
        blocks: Sequence[EventBlock],
        *,
        limit: int | None = None,
        now_ms: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> QueryResult:
        """Evaluate the query over stored events: ``blocks`` newest block first, each read
        newest event first (see :class:`~._scan.EventBlock`). Same results as :meth:`run`
        over the same events, without building a row for an event a leading filter drops."""
        self._set_window(now_ms, start_ms, end_ms)
        scanned = sum(len(block.timestamps) for block in blocks)
        scanned_bytes = sum(sum(block.sizes) for block in blocks)
        stats_at = self._columnar_stats
        if stats_at is None:
            rows = Scan(blocks, self._pushed, self._pushed_on_rows)
            kept, matched = self._execute(rows, 0, self._skipped, limit)
            return self._result(kept, matched or 0, scanned, scanned_bytes)
        stage = self._stages[stats_at]
        assert isinstance(stage, StatsStage)
        aggregated, fed = stage.aggregate_blocks(blocks, self._pushed, self._pushed_on_rows)
        kept, _ = self._execute(iter(aggregated), stats_at + 1, self._skipped, limit)
        return self._result(kept, fed, scanned, scanned_bytes)

    def _set_window(self, now_ms: int | None, start_ms: int | None, end_ms: int | None) -> None:
        self.window.started_ms = int(time.time() * 1000) if now_ms is None else now_ms
        self.window.start_ms, self.window.end_ms = start_ms, end_ms

    def _execute(
        self, rows: Iterator[Row], first: int, skipped: set[int], limit: int | None
    ) -> tuple[list[Row], int | None]:
        """Run the stages from ``first`` on (but the ``skipped``), streaming; return the rows
        kept and how many rows reached the first order-changing command (the matched records;
        None when that command comes before ``first``)."""
        flowing: Iterable[Row] = rows
        counted: _Counted | None = None
        for index in range(first, len(self._stages)):
            if index == self._matched_after:
                flowing = counted = _Counted(iter(flowing))
            if index not in skipped:
                flowing = self._stages[index](flowing)
        if self._matched_after >= max(first, len(self._stages)):
            flowing = counted = _Counted(iter(flowing))
        cap = limit if limit is not None else (DEFAULT_LIMIT if self.limit is None else None)
        kept = list(flowing if cap is None else islice(flowing, cap))
        if counted is None:
            return kept, None
        counted.drain()
        return kept, counted.count

    def _result(
        self, rows: list[Row], matched: int, scanned: int, scanned_bytes: int
    ) -> QueryResult:
        shown = self.fields
        output = ({name: row[name] for name in shown if row[name] is not None} for row in rows)
        statistics = QueryStatistics(matched, scanned, scanned_bytes)
        self.last_statistics = statistics
        return QueryResult(output, statistics, shown)


class _Counted(Iterator[Row]):
    """Passes rows through and counts them; :meth:`drain` counts what nobody read."""

    def __init__(self, rows: Iterator[Row]) -> None:
        self._rows = rows
        self.count = 0

    def __next__(self) -> Row:
        row = next(self._rows)
        self.count += 1
        return row

    def drain(self) -> None:
        """Count the rows not read yet (stored events straight from a scan: without building
        their rows)."""
        if isinstance(self._rows, Scan):
            self.count += self._rows.count_rest()
            return
        for _ in self._rows:
            self.count += 1


def _only_shows(command: n.Command) -> bool:
    """A ``fields``/``display`` that only names fields changes no row."""
    if not isinstance(command, (n.FieldsCommand, n.DisplayCommand)):
        return False
    return all(
        isinstance(item.expr, n.FieldRef) and item.expr.name == item.name for item in command.items
    )


def _sorts_in_scan_order(commands: Sequence[n.Command]) -> set[int]:
    """Indexes of ``sort @timestamp desc`` commands that meet rows still in the order stored
    events are read (newest first), so sorting would change nothing."""
    found: set[int] = set()
    for index, command in enumerate(commands):
        if isinstance(command, (n.StatsCommand,)):
            break
        if isinstance(command, n.SortCommand):
            keys = command.keys
            by_time = (
                len(keys) == 1
                and keys[0].descending
                and isinstance(keys[0].expr, n.FieldRef)
                and keys[0].expr.name == "@timestamp"
            )
            if not by_time:
                break
            found.add(index)
        elif _assigns_timestamp(command):
            break
    return found


def _assigns_timestamp(command: n.Command) -> bool:
    if isinstance(command, (n.FieldsCommand, n.DisplayCommand)):
        return any(
            item.name == "@timestamp"
            and not (isinstance(item.expr, n.FieldRef) and item.expr.name == "@timestamp")
            for item in command.items
        )
    if isinstance(command, n.ParseCommand):
        return "@timestamp" in command.names or command.is_regex
    return False


def compile_query(text: str) -> CompiledQuery:
    """Parse and compile a Logs Insights QL query.

    Raises :class:`cw_logging.errors.MalformedQueryError` (code ``MalformedQueryException``)
    with the line, column and a caret excerpt for invalid or unsupported syntax.
    """
    return CompiledQuery(text)
