"""Turns expression nodes into Python closures ``row -> value`` (compiled once per query)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from ...errors import MalformedQueryError
from . import _nodes as n
from ._aggregates import AGGREGATES
from ._diagnostics import malformed, unsupported
from ._fields import Row
from ._functions import SCALAR_FUNCTIONS, UNSUPPORTED_FUNCTIONS
from ._patterns import compile_regex
from ._periods import Period
from ._values import COMPARISONS, Timestamp, as_text, to_number, truthy, values_equal

Evaluator = Callable[[Row], Any]
AggregateHook = Callable[[n.Call], Evaluator]


class QueryWindow:
    """What a running query knows of itself: when it started (epoch ms) and the time range
    it covers (epoch ms, None when the caller gave none). Set by each run."""

    def __init__(self) -> None:
        self.started_ms: int = 0
        self.start_ms: int | None = None
        self.end_ms: int | None = None


def _now(window: QueryWindow) -> Evaluator:
    return lambda row: window.started_ms // 1000


def _range_reader(window: QueryWindow, what: str) -> Evaluator:
    def read(row: Row) -> Any:
        start, end = window.start_ms, window.end_ms
        if what == "start":
            return start
        if what == "end":
            return end
        return None if start is None or end is None else end - start

    return read


_WINDOW_FUNCTIONS: dict[str, Callable[[QueryWindow], Evaluator]] = {
    "now": _now,
    "querystarttime": lambda window: _range_reader(window, "start"),
    "queryendtime": lambda window: _range_reader(window, "end"),
    "querytimerange": lambda window: _range_reader(window, "range"),
}


def member_of(value: Any, key: str | int) -> Any:
    """``value.key`` / ``value[key]`` of a map or list; missing for anything else."""
    if isinstance(value, dict):
        return value.get(key if isinstance(key, str) else str(key))
    if isinstance(value, list):
        index = key if isinstance(key, int) else int(key) if key.isdigit() else None
        return value[index] if index is not None and 0 <= index < len(value) else None
    return None


def _field_reader(name: str) -> Evaluator:
    """Reads a field; a dotted name that is no field walks into a map or list held by one
    of its prefixes (``json_message.status_code`` after ``jsonParse``)."""
    if "." not in name:
        return lambda row: row[name]
    parts = name.split(".")
    splits = [(".".join(parts[:cut]), parts[cut:]) for cut in range(len(parts) - 1, 0, -1)]

    def read(row: Row) -> Any:
        value = row[name]
        if value is not None:
            return value
        for prefix, rest in splits:
            base = row[prefix]
            if isinstance(base, (dict, list)):
                for key in rest:
                    base = member_of(base, key)
                return base
        return None

    return read


def _remainder(a: Any, b: Any) -> Any:
    if isinstance(a, float) or isinstance(b, float):
        return math.fmod(a, b)
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def _power(a: Any, b: Any) -> Any:
    result = float(a) ** float(b)
    return result if isinstance(result, float) else None


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": _remainder,
    "^": _power,
}


def _arithmetic(apply: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        return None
    try:
        return apply(a, b)
    except (ZeroDivisionError, OverflowError, ValueError):
        return None


def _connective(left: Evaluator, right: Evaluator, *, decisive: bool) -> Evaluator:
    """``and`` (decisive False) or ``or`` (decisive True) in three-valued logic."""

    def combine(row: Row) -> Any:
        first = truthy(left(row))
        if first is decisive:
            return decisive
        second = truthy(right(row))
        if second is decisive:
            return decisive
        return None if first is None or second is None else not decisive

    return combine


class ExpressionCompiler:
    """Compiles expressions of one query.

    ``aggregate_hook`` compiles aggregate calls inside ``stats``. After a ``stats``,
    ``columns`` holds the names of the result columns: a call written like a column name
    (``count(*)``, ``bin(5m)``) reads that column. Any other aggregate outside ``stats`` is an
    error.
    """

    def __init__(
        self,
        text: str,
        *,
        columns: frozenset[str] | None = None,
        aggregate_hook: AggregateHook | None = None,
        window: QueryWindow | None = None,
    ) -> None:
        self.text = text
        self.columns = columns
        self.aggregate_hook = aggregate_hook
        self.window = window or QueryWindow()

    def error(self, node: n.Node, problem: str) -> MalformedQueryError:
        """A malformed-query error pointing at ``node``."""
        return malformed(self.text, node.start, problem)

    def compile(self, node: n.Node) -> Evaluator:
        """The closure that evaluates ``node`` on a row."""
        if isinstance(node, n.Literal):
            value = node.value
            return lambda row: value
        if isinstance(node, n.FieldRef):
            self._check_column(node)
            return _field_reader(node.name)
        if isinstance(node, n.Member):
            base, key = self.compile(node.base), node.key
            return lambda row: member_of(base(row), key)
        if isinstance(node, n.Unary):
            return self._unary(node)
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.Match):
            return self._match(node)
        if isinstance(node, n.InList):
            return self._in_list(node)
        if isinstance(node, n.Call):
            return self._call(node)
        if isinstance(node, n.PeriodLiteral):
            raise self.error(
                node, "A time period is only valid as an argument of bin, datefloor or dateceil"
            )
        if isinstance(node, n.RegexLiteral):
            raise self.error(node, "A /regular expression/ may only follow 'like' or '=~'")
        if isinstance(node, n.ListLiteral):
            raise self.error(node, "A [list] may only follow 'in'")
        raise self.error(node, "'*' is only valid in count(*)")

    def _check_column(self, node: n.FieldRef) -> None:
        """After ``stats``, only what it produced (and later commands made) exists."""
        columns = self.columns
        if columns is None or node.name in columns:
            return
        if any(node.name.startswith(column + ".") for column in columns):
            return
        known = ", ".join(sorted(columns))
        raise self.error(
            node,
            f"The field '{node.name}' is not produced by the stats command before it; after "
            f"stats only its results exist ({known})",
        )

    def condition(self, node: n.Node) -> Callable[[Row], bool]:
        """The closure that tells whether a row satisfies ``node`` (unknown counts as false)."""
        evaluate = self.compile(node)
        return lambda row: truthy(evaluate(row)) is True

    def _unary(self, node: n.Unary) -> Evaluator:
        operand = self.compile(node.operand)
        if node.op == "not":

            def negate(row: Row) -> Any:
                value = truthy(operand(row))
                return None if value is None else not value

            return negate

        def minus(row: Row) -> Any:
            number = to_number(operand(row))
            return None if number is None else -number

        return minus

    def _binary(self, node: n.Binary) -> Evaluator:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        if op in ("and", "or"):
            return _connective(left, right, decisive=op == "or")
        compare = COMPARISONS.get(op)
        if compare is not None:
            return lambda row: compare(left(row), right(row))
        apply = _ARITHMETIC[op]
        return lambda row: _arithmetic(apply, left(row), right(row))

    def _match(self, node: n.Match) -> Evaluator:
        operand, negated = self.compile(node.operand), node.negated
        if isinstance(node.pattern, n.RegexLiteral):
            try:
                regex = compile_regex(node.pattern.pattern)
            except re.error as exc:
                raise self.error(node.pattern, f"Invalid regular expression ({exc})") from None

            def test(text: str) -> bool:
                return regex.search(text) is not None

        else:
            part = str(node.pattern.value) if isinstance(node.pattern, n.Literal) else ""

            def test(text: str) -> bool:
                return part in text

        def match(row: Row) -> Any:
            text = as_text(operand(row))
            if text is None:
                return None
            return test(text) != negated

        return match

    def _in_list(self, node: n.InList) -> Evaluator:
        operand, negated = self.compile(node.operand), node.negated
        items = [self.compile(item) for item in node.items.items]

        def member(row: Row) -> Any:
            value = operand(row)
            if value is None:
                return None
            found = any(values_equal(value, item(row)) for item in items)
            return found != negated

        return member

    def _call(self, node: n.Call) -> Evaluator:
        if node.name in AGGREGATES and self.aggregate_hook is not None:
            return self.aggregate_hook(node)
        if self.columns is not None and node.text in self.columns:
            column = node.text
            return lambda row: row[column]
        if node.name in AGGREGATES:
            if self.columns is not None:
                known = ", ".join(sorted(self.columns))
                raise self.error(
                    node, f"'{node.text}' is not a column of the stats results ({known})"
                )
            raise self.error(node, f"The aggregate function '{node.name}' is only valid in stats")
        if node.name == "bin":
            return self._bin(node)
        if node.name in _WINDOW_FUNCTIONS:
            self._check_arity(node, 0, 0)
            return _WINDOW_FUNCTIONS[node.name](self.window)
        function = SCALAR_FUNCTIONS.get(node.name)
        if function is None:
            if node.name in UNSUPPORTED_FUNCTIONS:
                named = UNSUPPORTED_FUNCTIONS[node.name]
                raise unsupported(self.text, node.start, f"the function '{named}'")
            raise self.error(node, f"Unknown function '{node.name}'")
        self._check_arity(node, function.min_args, function.max_args)
        args = [
            self._period_constant(arg) if index in function.period_args else self.compile(arg)
            for index, arg in enumerate(node.args)
        ]
        impl = function.impl
        if len(args) == 1:
            only = args[0]
            return lambda row: impl(only(row))
        return lambda row: impl(*[arg(row) for arg in args])

    def _bin(self, node: n.Call) -> Evaluator:
        self._check_arity(node, 1, 1)
        period = self.period(node.args[0])

        def bucket(row: Row) -> Any:
            timestamp = row["@timestamp"]
            return None if timestamp is None else Timestamp(period.floor(int(timestamp)))

        return bucket

    def period(self, node: n.Node) -> Period:
        """The time period written at ``node`` (such as ``5m``)."""
        if not isinstance(node, n.PeriodLiteral):
            raise self.error(node, "Expected a time period such as 5m, 1h or 1d")
        return node.period

    def _period_constant(self, node: n.Node) -> Evaluator:
        period = self.period(node)
        return lambda row: period

    def _check_arity(self, node: n.Call, low: int, high: int | None) -> None:
        count = len(node.args)
        if count < low or (high is not None and count > high):
            wanted = str(low) if low == high else f"{low} to {high}" if high else f"{low} or more"
            raise self.error(
                node, f"The function '{node.name}' takes {wanted} argument(s), not {count}"
            )
