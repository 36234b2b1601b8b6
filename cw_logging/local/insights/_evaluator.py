"""A compiled query: its stages, the fields it shows, and running it over log events."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import _nodes as n
from ._compiler import ExpressionCompiler, QueryWindow
from ._fields import EventRow, Row
from ._parser import parse_query
from ._rules import check_stats_rules
from ._stages import (
    Stage,
    assigning_stage,
    dedup_stage,
    filter_stage,
    limit_stage,
    parse_pattern,
    parse_stage,
    sort_stage,
    stats_stage,
    unnest_stage,
)

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
    """A Logs Insights query compiled once; :meth:`run` evaluates it over any events.

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
            stage = stats_stage(self.text, command, plan.columns(), window)
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
        self.window.started_ms = int(time.time() * 1000) if now_ms is None else now_ms
        self.window.start_ms, self.window.end_ms = start_ms, end_ms
        rows: list[Row] = [EventRow(event) for event in events]
        scanned_bytes = sum(len(str(row.get("@message") or "").encode("utf-8")) for row in rows)
        scanned = len(rows)
        rows.sort(key=lambda row: int(row.get("@timestamp") or 0), reverse=True)
        matched = scanned
        for index, stage in enumerate(self._stages):
            if index == self._matched_after:
                matched = len(rows)
            rows = stage(rows)
        if self._matched_after == len(self._stages):
            matched = len(rows)
        cap = limit if limit is not None else (DEFAULT_LIMIT if self.limit is None else None)
        if cap is not None:
            rows = rows[:cap]
        shown = self.fields
        output = ({name: row[name] for name in shown if row[name] is not None} for row in rows)
        statistics = QueryStatistics(matched, scanned, scanned_bytes)
        self.last_statistics = statistics
        return QueryResult(output, statistics, shown)


def compile_query(text: str) -> CompiledQuery:
    """Parse and compile a Logs Insights QL query.

    Raises :class:`cw_logging.errors.MalformedQueryError` (code ``MalformedQueryException``)
    with the line, column and a caret excerpt for invalid or unsupported syntax.
    """
    return CompiledQuery(text)
