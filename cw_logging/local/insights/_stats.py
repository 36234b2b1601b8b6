"""``stats``: one row per group of the ``by`` values, with the aggregates' results.

Over rows it works like any stage. When it reads stored events directly (it is the first
command after the pushed-down filters) and its ``by`` keys and aggregate arguments are plain
fields or ``bin(...)``, it aggregates straight from the stored columns, building no row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import _nodes as n
from ._aggregates import AGGREGATES, Accumulator
from ._compiler import Evaluator, ExpressionCompiler, QueryWindow
from ._diagnostics import malformed
from ._fields import Row
from ._pushdown import Pushdown
from ._scan import EventBlock, make_row, newest_first
from ._values import Timestamp, group_key, to_number

ColumnReader = Callable[[dict[str, Any], int], Any]
"""Reads a value from an event's discovered fields and its timestamp."""
KeyFunction = Callable[[dict[str, Any], int], tuple[Any, ...]]
"""Reads a group key from an event's discovered fields and its timestamp."""
_NO_FIELDS: dict[str, Any] = {}


def _always_true(row: Row) -> bool:
    return True


class _AggregateSlots:
    """Collects the aggregate calls of a ``stats`` command and compiles them to slot reads."""

    def __init__(self, compiler: ExpressionCompiler) -> None:
        self.argument_compiler = compiler
        self.factories: list[Callable[[], Accumulator]] = []
        self.arguments: list[Evaluator] = []
        self.argument_nodes: list[n.Node | None] = []  # None: count(*)

    def hook(self, call: n.Call) -> Evaluator:
        spec = AGGREGATES[call.name]
        compiler = self.argument_compiler
        args = call.args
        node: n.Node | None = None
        if spec.allows_star and (not args or (len(args) == 1 and isinstance(args[0], n.Star))):
            argument: Evaluator = _always_true
        elif len(args) != (2 if spec.takes_percent else 1):
            wanted = "a field and a percentage" if spec.takes_percent else "one argument"
            raise compiler.error(call, f"The function '{call.name}' takes {wanted}")
        else:
            argument = compiler.compile(args[0])
            node = args[0]
        factory: Callable[[], Accumulator] = spec.factory
        if spec.takes_percent:
            percent = _percentage(compiler, args[1])
            factory = functools.partial(spec.factory, percent)
        slot = f"\x00aggregate{len(self.factories)}"
        self.factories.append(factory)
        self.arguments.append(argument)
        self.argument_nodes.append(node)
        return lambda row: row[slot]


def _percentage(compiler: ExpressionCompiler, node: n.Node) -> float:
    value = to_number(node.value) if isinstance(node, n.Literal) else None
    if value is None or not 0 <= value <= 100:
        raise compiler.error(node, "The percentile must be a number from 0 to 100")
    return float(value)


def _outside_aggregates(node: n.Node, aliases: set[str]) -> n.FieldRef | None:
    """The first field read outside any aggregate call in a stats item, if any (names of
    earlier items of the same ``stats`` may be read)."""
    if isinstance(node, n.FieldRef):
        return None if node.name in aliases else node
    if isinstance(node, n.Call):
        if node.name in AGGREGATES:
            return None
        children: tuple[n.Node, ...] = node.args
    elif isinstance(node, n.Unary):
        children = (node.operand,)
    elif isinstance(node, (n.Binary,)):
        children = (node.left, node.right)
    else:
        children = ()
    return next(
        (found for child in children if (found := _outside_aggregates(child, aliases))), None
    )


class StatsStage:
    """A compiled ``stats`` command; call it on rows, or :meth:`aggregate_blocks` on stored
    events when :attr:`reads_columns`."""

    def __init__(
        self,
        text: str,
        command: n.StatsCommand,
        columns: frozenset[str] | None,
        window: QueryWindow | None = None,
    ):
        row_compiler = ExpressionCompiler(text, columns=columns, window=window)
        self._slots = slots = _AggregateSlots(row_compiler)
        item_compiler = ExpressionCompiler(text, aggregate_hook=slots.hook, window=window)
        self._items: list[tuple[str, Evaluator]] = []
        for item in command.items:
            before = len(slots.factories)
            evaluate = item_compiler.compile(item.expr)
            earlier = {name for name, _ in self._items}
            stray = _outside_aggregates(item.expr, earlier)
            uses_earlier = _outside_aggregates(item.expr, set()) is not None
            if (len(slots.factories) == before and not uses_earlier) or stray is not None:
                place = stray or item.expr
                raise malformed(
                    text,
                    place.start,
                    "Each stats item must be an aggregate such as count(*), avg(x) or "
                    "pct(x, 95), or combine earlier items of the same stats; group by fields "
                    "with 'by'",
                )
            self._items.append((item.name, evaluate))
        self._by = [(key.name, row_compiler.compile(key.expr)) for key in command.by]
        self._key_readers = [_column_reader(row_compiler, key.expr) for key in command.by]
        self._single_key = (
            _single_key(row_compiler, command.by[0].expr) if len(command.by) == 1 else None
        )
        self._columns = _ArgumentColumns(slots)
        self._bins = [
            index
            for index, key in enumerate(command.by)
            if isinstance(key.expr, n.Call) and key.expr.name == "bin"
        ]

    @property
    def reads_columns(self) -> bool:
        """Whether every ``by`` key and aggregate argument can be read from stored columns."""
        return None not in self._key_readers and self._columns.readable

    def __call__(self, rows: Iterable[Row]) -> list[Row]:
        groups: dict[tuple[Any, ...], list[Accumulator]] = {}
        for row in rows:
            self._add(groups, row)
        return self._results(groups)

    def _add(self, groups: dict[tuple[Any, ...], list[Accumulator]], row: Row) -> None:
        key = tuple(group_key(evaluate(row)) for _, evaluate in self._by)
        accumulators = groups.get(key)
        if accumulators is None:
            accumulators = groups[key] = [factory() for factory in self._slots.factories]
        timestamp = row["@timestamp"] or 0
        for accumulator, argument in zip(accumulators, self._slots.arguments, strict=True):
            accumulator.add(argument(row), timestamp)

    def aggregate_blocks(
        self,
        blocks: Sequence[EventBlock],
        pushed: Sequence[Pushdown],
        on_rows: Sequence[Callable[[Row], bool]],
    ) -> tuple[list[Row], int]:
        """Aggregate the events of ``blocks`` (newest block first, read newest first) that
        pass the pushed-down filters; return the rows and how many events were aggregated.

        Each group collects its argument values column by column (a list per distinct
        argument, appended in reading order); the aggregates take them at the end."""
        columns = self._columns
        groups: dict[tuple[Any, ...], list[list[Any]]] = {}
        key_of = self._single_key or _key_function(self._key_readers)  # type: ignore[arg-type]
        collect = columns.collector()
        test = _all_of([p.test for p in pushed])
        reads_fields = any(p.reads_fields for p in pushed)
        fed = 0
        for block in blocks:
            timestamps, fields, messages = block.timestamps, block.fields, block.messages
            for index in newest_first(timestamps):
                found = fields[index]
                if found is None:  # fields discovered on demand: go through a row
                    row = self._row_passing(block, index, test, reads_fields, on_rows)
                    if row is not None:
                        key = tuple(group_key(evaluate(row)) for _, evaluate in self._by)
                        collected = groups.get(key)
                        if collected is None:
                            collected = groups[key] = columns.empty()
                        columns.collect_row(collected, row)
                        fed += 1
                    continue
                if test is not None and not test(found, messages[index]):
                    continue
                timestamp = timestamps[index]
                key = key_of(found, timestamp)
                collected = groups.get(key)
                if collected is None:
                    collected = groups[key] = columns.empty()
                collect(collected, found, timestamp)
                fed += 1
        factories = self._slots.factories
        accumulated = {
            key: columns.accumulate(collected, factories) for key, collected in groups.items()
        }
        return self._results(accumulated), fed

    @staticmethod
    def _row_passing(
        block: EventBlock,
        index: int,
        test: Callable[[dict[str, Any], str], Any] | None,
        reads_fields: bool,
        on_rows: Sequence[Callable[[Row], bool]],
    ) -> Row | None:
        """Event ``index`` as a row when it passes the filters (tested on the row when they
        read fields the event discovers only on demand)."""
        if reads_fields:
            row = make_row(block, index)
            return row if all(keep(row) for keep in on_rows) else None
        if test is None or test(_NO_FIELDS, block.messages[index]):
            return make_row(block, index)
        return None

    def _results(self, groups: dict[tuple[Any, ...], list[Accumulator]]) -> list[Row]:
        results: list[Row] = []
        names = [name for name, _ in self._by]
        for key, accumulators in groups.items():
            result = Row(zip(names, key, strict=True))
            for index in self._bins:
                value = result[names[index]]
                if value is not None and value.__class__ is not Timestamp:
                    result[names[index]] = Timestamp(value)
            slot_values = Row(
                (f"\x00aggregate{index}", accumulator.result())
                for index, accumulator in enumerate(accumulators)
            )
            for name, evaluate in self._items:
                result[name] = slot_values[name] = evaluate(slot_values)
            results.append(result)
        return results


def _column_reader(compiler: ExpressionCompiler, node: n.Node) -> ColumnReader | None:
    """How to read a ``by`` key from stored fields and the timestamp, if it can be."""
    if isinstance(node, n.FieldRef) and node.name[:1] != "@":
        name = node.name
        return lambda found, timestamp: found.get(name)
    if isinstance(node, n.Call) and node.name == "bin" and len(node.args) == 1:
        period = compiler.period(node.args[0])
        if period.months:
            return lambda found, timestamp: period.floor(timestamp)
        millis = period.millis
        return lambda found, timestamp: timestamp - timestamp % millis
    return None


def _single_key(compiler: ExpressionCompiler, node: n.Node) -> KeyFunction | None:
    """The whole group key when it is one plain field or one fixed ``bin``, read without a
    nested call."""
    if isinstance(node, n.FieldRef) and node.name[:1] != "@":
        name = node.name
        return lambda found, timestamp: (found.get(name),)
    if isinstance(node, n.Call) and node.name == "bin" and len(node.args) == 1:
        millis = compiler.period(node.args[0]).millis
        if millis:
            return lambda found, timestamp: (timestamp - timestamp % millis,)
    return None


def _key_function(readers: list[ColumnReader]) -> KeyFunction:
    if not readers:
        return lambda found, timestamp: ()
    if len(readers) == 1:
        only = readers[0]
        return lambda found, timestamp: (only(found, timestamp),)
    return lambda found, timestamp: tuple([read(found, timestamp) for read in readers])


class _ArgumentColumns:
    """The distinct arguments of a ``stats`` command's aggregates, read from stored fields:
    ``count(*)``, and plain fields. A group collects one list per argument (and the
    timestamps, when an aggregate such as ``latest`` needs them)."""

    def __init__(self, slots: _AggregateSlots) -> None:
        names: list[str | None] = []  # None: count(*)
        self.readable = True
        self._of_aggregate: list[int] = []
        self._evaluators: list[Evaluator] = []
        for node, evaluate in zip(slots.argument_nodes, slots.arguments, strict=True):
            if node is not None and not (isinstance(node, n.FieldRef) and node.name[:1] != "@"):
                self.readable = False
                return
            name = None if node is None else node.name
            if name not in names:
                names.append(name)
                self._evaluators.append(evaluate)
            self._of_aggregate.append(names.index(name))
        self._names = names
        self._timestamps = any(factory().needs_timestamps for factory in slots.factories)

    def empty(self) -> list[list[Any]]:
        """A new group's columns."""
        return [[] for _ in range(len(self._names) + self._timestamps)]

    def collector(self) -> Callable[[list[list[Any]], dict[str, Any], int], None]:
        """The function that appends one stored event's arguments to a group's columns."""
        names = self._names
        if len(names) == 1 and not self._timestamps:
            only = names[0]
            if only is None:
                return lambda columns, found, timestamp: columns[0].append(True)
            return lambda columns, found, timestamp: columns[0].append(found.get(only))
        with_time = self._timestamps

        def collect(columns: list[list[Any]], found: dict[str, Any], timestamp: int) -> None:
            for column, name in zip(columns, names, strict=False):
                column.append(True if name is None else found.get(name))
            if with_time:
                columns[-1].append(timestamp)

        return collect

    def collect_row(self, columns: list[list[Any]], row: Row) -> None:
        """Append one row's arguments (evaluated as on any row) to a group's columns."""
        for column, evaluate in zip(columns, self._evaluators, strict=False):
            column.append(evaluate(row))
        if self._timestamps:
            columns[-1].append(row["@timestamp"] or 0)

    def accumulate(
        self, columns: list[list[Any]], factories: list[Callable[[], Accumulator]]
    ) -> list[Accumulator]:
        """The group's accumulators, fed its collected columns."""
        stamps = columns[-1] if self._timestamps else None
        accumulators = []
        for factory, index in zip(factories, self._of_aggregate, strict=True):
            accumulator = factory()
            accumulator.add_all(columns[index], stamps)
            accumulators.append(accumulator)
        return accumulators


def _all_of(
    tests: list[Callable[[dict[str, Any], str], Any]],
) -> Callable[[dict[str, Any], str], Any] | None:
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda found, message: all(test(found, message) for test in tests)
