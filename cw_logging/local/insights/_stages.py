"""Each pipeline command compiled into a stage: a function from the rows in to the rows out.

Stages take and give iterables, so the per-row commands (``fields``, ``filter``, ``parse``,
``dedup``, ``limit``) stream: a row goes through all of them before the next one is read, and
only the commands that need every row (``sort``, ``stats``) hold them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from . import _nodes as n
from ._compiler import ExpressionCompiler
from ._diagnostics import malformed
from ._fields import Row
from ._patterns import compile_regex, glob_to_regex
from ._values import as_text, group_key, natural_key

Stage = Callable[[Iterable[Row]], Iterable[Row]]


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

    if not assignments:
        return _unchanged

    def assign(rows: Iterable[Row]) -> Iterable[Row]:
        for row in rows:
            for name, evaluate in assignments:
                row[name] = evaluate(row)
            yield row

    return assign


def _unchanged(rows: Iterable[Row]) -> Iterable[Row]:
    return rows


def filter_stage(compiler: ExpressionCompiler, command: n.FilterCommand) -> Stage:
    """``filter``: keep the rows whose condition is true."""
    keep = compiler.condition(command.condition)
    return lambda rows: filter(keep, rows)


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

    def extract(rows: Iterable[Row]) -> Iterable[Row]:
        for row in rows:
            text = as_text(source(row))
            found = regex.search(text) if text is not None else None
            for name, number in targets:
                row[name] = found.group(number) if found is not None else None
            yield row

    return extract


def sort_stage(compiler: ExpressionCompiler, command: n.SortCommand) -> Stage:
    """``sort``: natural sort by each key in turn; missing values last in either direction."""
    keys = [(compiler.compile(key.expr), key.descending) for key in command.keys]

    def order(rows: Iterable[Row]) -> Iterable[Row]:
        ordered = list(rows)
        for evaluate, descending in reversed(keys):
            ordered.sort(key=lambda row: _sort_key(evaluate(row), descending), reverse=descending)
        return ordered

    return order


def _sort_key(value: Any, descending: bool) -> tuple[Any, ...]:
    if value is None:
        return (not descending,)
    return (descending, natural_key(value))


def limit_stage(command: n.LimitCommand) -> Stage:
    """``limit``: the first N rows."""
    count = command.count
    return lambda rows: islice(rows, count)


def dedup_stage(compiler: ExpressionCompiler, command: n.DedupCommand) -> Stage:
    """``dedup``: the first row of each combination; rows missing any of the fields all stay."""
    fields = [compiler.compile(field) for field in command.fields]

    def first_of_each(rows: Iterable[Row]) -> Iterable[Row]:
        seen: set[tuple[Any, ...]] = set()
        for row in rows:
            key = tuple(group_key(field(row)) for field in fields)
            if None in key:
                yield row
            elif key not in seen:
                seen.add(key)
                yield row

    return first_of_each


def unnest_stage(compiler: ExpressionCompiler, command: n.UnnestCommand) -> Stage:
    """``unnest``: a row per element of a list (other values: one row; missing: none)."""
    source, target = compiler.compile(command.source), command.target

    def expand(rows: Iterable[Row]) -> Iterable[Row]:
        for row in rows:
            value = source(row)
            for item in value if isinstance(value, list) else () if value is None else (value,):
                copied = copy.copy(row)
                copied[target] = item
                yield copied

    return expand
