"""Each pipeline command compiled into a stage: a function from the rows in to the rows out."""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from typing import Any

from . import _nodes as n
from ._aggregates import AGGREGATES, Accumulator
from ._compiler import Evaluator, ExpressionCompiler, QueryWindow
from ._diagnostics import malformed
from ._fields import Row
from ._patterns import compile_regex, glob_to_regex
from ._values import as_text, group_key, natural_key, to_number

Stage = Callable[[list[Row]], list[Row]]


def assigning_stage(compiler: ExpressionCompiler, items: tuple[n.Projection, ...]) -> Stage:
    """``fields``/``display``: compute each item in turn into the field it names."""
    assignments = [
        (item.name, compiler.compile(item.expr))
        for item in items
        if not (
            isinstance(item.expr, n.FieldRef)
            and item.expr.name == item.name
            and "." not in item.name
        )
    ]

    def assign(rows: list[Row]) -> list[Row]:
        for row in rows:
            for name, evaluate in assignments:
                row[name] = evaluate(row)
        return rows

    return assign


def filter_stage(compiler: ExpressionCompiler, command: n.FilterCommand) -> Stage:
    """``filter``: keep the rows whose condition is true."""
    keep = compiler.condition(command.condition)
    return lambda rows: [row for row in rows if keep(row)]


def parse_pattern(text: str, command: n.ParseCommand) -> tuple[re.Pattern[str], list[str]]:
    """The compiled ``parse`` pattern and the field names its groups fill, in group order."""
    if not command.is_regex:
        return glob_to_regex(command.pattern), list(command.names)
    try:
        regex = compile_regex(command.pattern)
    except re.error as exc:
        raise malformed(
            text, command.pattern_start, f"Invalid regular expression ({exc})"
        ) from None
    if not regex.groupindex:
        raise malformed(
            text,
            command.pattern_start,
            "The parse regex has no named group; name what to extract with (?<name>...)",
        )
    return regex, list(regex.groupindex)


def parse_stage(compiler: ExpressionCompiler, command: n.ParseCommand) -> Stage:
    """``parse``: extract fields from a field; rows that do not match get them missing."""
    regex, names = parse_pattern(compiler.text, command)
    source = compiler.compile(command.source)
    group_numbers = (
        list(range(1, len(names) + 1))
        if not command.is_regex
        else [regex.groupindex[name] for name in names]
    )
    targets = list(zip(names, group_numbers, strict=True))

    def extract(rows: list[Row]) -> list[Row]:
        for row in rows:
            text = as_text(source(row))
            found = regex.search(text) if text is not None else None
            for name, number in targets:
                row[name] = found.group(number) if found is not None else None
        return rows

    return extract


def sort_stage(compiler: ExpressionCompiler, command: n.SortCommand) -> Stage:
    """``sort``: natural sort by each key in turn; missing values last in either direction."""
    keys = [(compiler.compile(key.expr), key.descending) for key in command.keys]

    def order(rows: list[Row]) -> list[Row]:
        for evaluate, descending in reversed(keys):
            rows.sort(key=lambda row: _sort_key(evaluate(row), descending), reverse=descending)
        return rows

    return order


def _sort_key(value: Any, descending: bool) -> tuple[Any, ...]:
    if value is None:
        return (not descending,)
    return (descending, natural_key(value))


def limit_stage(command: n.LimitCommand) -> Stage:
    """``limit``: the first N rows."""
    count = command.count
    return lambda rows: rows[:count]


def dedup_stage(compiler: ExpressionCompiler, command: n.DedupCommand) -> Stage:
    """``dedup``: the first row of each combination; rows missing any of the fields all stay."""
    fields = [compiler.compile(field) for field in command.fields]

    def first_of_each(rows: list[Row]) -> list[Row]:
        seen: set[tuple[Any, ...]] = set()
        kept: list[Row] = []
        for row in rows:
            key = tuple(group_key(field(row)) for field in fields)
            if None in key:
                kept.append(row)
            elif key not in seen:
                seen.add(key)
                kept.append(row)
        return kept

    return first_of_each


def unnest_stage(compiler: ExpressionCompiler, command: n.UnnestCommand) -> Stage:
    """``unnest``: a row per element of a list (other values: one row; missing: none)."""
    source, target = compiler.compile(command.source), command.target

    def expand(rows: list[Row]) -> list[Row]:
        out: list[Row] = []
        for row in rows:
            value = source(row)
            for item in value if isinstance(value, list) else () if value is None else (value,):
                copied = copy.copy(row)
                copied[target] = item
                out.append(copied)
        return out

    return expand


def _always_true(row: Row) -> bool:
    return True


class _AggregateSlots:
    """Collects the aggregate calls of a ``stats`` command and compiles them to slot reads."""

    def __init__(self, compiler: ExpressionCompiler) -> None:
        self.argument_compiler = compiler
        self.factories: list[Callable[[], Accumulator]] = []
        self.arguments: list[Evaluator] = []

    def hook(self, call: n.Call) -> Evaluator:
        spec = AGGREGATES[call.name]
        compiler = self.argument_compiler
        args = call.args
        if spec.allows_star and (not args or (len(args) == 1 and isinstance(args[0], n.Star))):
            argument: Evaluator = _always_true
        elif len(args) != (2 if spec.takes_percent else 1):
            wanted = "a field and a percentage" if spec.takes_percent else "one argument"
            raise compiler.error(call, f"The function '{call.name}' takes {wanted}")
        else:
            argument = compiler.compile(args[0])
        factory: Callable[[], Accumulator] = spec.factory
        if spec.takes_percent:
            percent = _percentage(compiler, args[1])
            factory = functools.partial(spec.factory, percent)
        slot = f"\x00aggregate{len(self.factories)}"
        self.factories.append(factory)
        self.arguments.append(argument)
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


def stats_stage(
    text: str,
    command: n.StatsCommand,
    columns: frozenset[str] | None,
    window: QueryWindow | None = None,
) -> Stage:
    """``stats``: one row per group of the ``by`` values, with the aggregates' results."""
    row_compiler = ExpressionCompiler(text, columns=columns, window=window)
    slots = _AggregateSlots(row_compiler)
    item_compiler = ExpressionCompiler(text, aggregate_hook=slots.hook, window=window)
    items: list[tuple[str, Evaluator]] = []
    for item in command.items:
        before = len(slots.factories)
        evaluate = item_compiler.compile(item.expr)
        earlier = {name for name, _ in items}
        stray = _outside_aggregates(item.expr, earlier)
        uses_earlier = _outside_aggregates(item.expr, set()) is not None
        if (len(slots.factories) == before and not uses_earlier) or stray is not None:
            place = stray or item.expr
            raise malformed(
                text,
                place.start,
                "Each stats item must be an aggregate such as count(*), avg(x) or pct(x, 95), "
                "or combine earlier items of the same stats; group by fields with 'by'",
            )
        items.append((item.name, evaluate))
    by = [(key.name, row_compiler.compile(key.expr)) for key in command.by]

    def aggregate(rows: list[Row]) -> list[Row]:
        groups: dict[tuple[Any, ...], list[Accumulator]] = {}
        pairs = list(zip(slots.factories, slots.arguments, strict=True))
        for row in rows:
            key = tuple(group_key(evaluate(row)) for _, evaluate in by)
            accumulators = groups.get(key)
            if accumulators is None:
                accumulators = groups[key] = [factory() for factory, _ in pairs]
            timestamp = row["@timestamp"] or 0
            for accumulator, (_, argument) in zip(accumulators, pairs, strict=True):
                accumulator.add(argument(row), timestamp)
        results: list[Row] = []
        for key, accumulators in groups.items():
            result = Row(zip((name for name, _ in by), key, strict=True))
            slot_values = Row(
                (f"\x00aggregate{index}", accumulator.result())
                for index, accumulator in enumerate(accumulators)
            )
            for name, evaluate in items:
                result[name] = slot_values[name] = evaluate(slot_values)
            results.append(result)
        return results

    return aggregate
