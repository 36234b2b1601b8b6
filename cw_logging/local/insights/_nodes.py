"""The syntax tree of a Logs Insights query: expressions and the commands of the pipeline.

Every node keeps ``start``/``end`` offsets into the query text, so later stages can point at it
in an error and name result columns after the text the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._periods import Period


@dataclass(frozen=True)
class Node:
    """Base of every expression node: where it is in the query text."""

    start: int
    end: int


@dataclass(frozen=True)
class Literal(Node):
    """A string or number written in the query."""

    value: Any


@dataclass(frozen=True)
class FieldRef(Node):
    """A reference to a log field (``@message``, ``user.id``, `` `foo-bar` ``)."""

    name: str


@dataclass(frozen=True)
class Member(Node):
    """``base.key`` or ``base[index]``: an attribute of a map or an item of a list (the
    structure types ``jsonParse`` returns)."""

    base: Node
    key: str | int


@dataclass(frozen=True)
class PeriodLiteral(Node):
    """A time period such as ``5m`` (only valid as an argument of datetime functions)."""

    period: Period


@dataclass(frozen=True)
class RegexLiteral(Node):
    """A ``/regex/`` as written (Java-style syntax; translated when compiled)."""

    pattern: str


@dataclass(frozen=True)
class Star(Node):
    """The ``*`` of ``count(*)``."""


@dataclass(frozen=True)
class ListLiteral(Node):
    """The ``[a, b, c]`` after ``in``."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Unary(Node):
    """``-x`` or ``not x``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    """Arithmetic (``+ - * / % ^``), comparison (``= != < <= > >=``) or ``and``/``or``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Match(Node):
    """``x like "text"``, ``x like /re/``, ``x =~ /re/`` and their ``not`` forms."""

    operand: Node
    pattern: Node
    negated: bool


@dataclass(frozen=True)
class InList(Node):
    """``x in [..]`` / ``x not in [..]``."""

    operand: Node
    items: ListLiteral
    negated: bool


@dataclass(frozen=True)
class Call(Node):
    """A function call; ``name`` is lower-cased; ``text`` is the call as written (blanks
    normalised), which names its result column (``count(*)``)."""

    name: str
    args: tuple[Node, ...]
    text: str


@dataclass(frozen=True)
class Projection:
    """One item of ``fields``/``display``/``stats``/``by``: an expression and its result name."""

    expr: Node
    name: str


@dataclass(frozen=True)
class Command:
    """Base of the pipeline commands; ``start`` is the offset of the command word."""

    start: int


@dataclass(frozen=True)
class FieldsCommand(Command):
    """``fields a, f(b) as c``: compute and show fields."""

    items: tuple[Projection, ...]


@dataclass(frozen=True)
class DisplayCommand(Command):
    """``display a, b``: which fields the results show (the last one wins)."""

    items: tuple[Projection, ...]


@dataclass(frozen=True)
class FilterCommand(Command):
    """``filter <condition>`` (also spelt ``where``); ``filterIndex <condition>`` when
    ``indexed`` (the same test, reading only events a field index lists)."""

    condition: Node
    indexed: bool = False


@dataclass(frozen=True)
class ParseCommand(Command):
    """``parse <field> "glob*" as a`` or ``parse <field> /(?<a>re)/``."""

    source: Node
    pattern: str
    is_regex: bool
    names: tuple[str, ...]
    pattern_start: int


@dataclass(frozen=True)
class StatsCommand(Command):
    """``stats agg(x) as a, ... by k1, bin(5m)``."""

    items: tuple[Projection, ...]
    by: tuple[Projection, ...]


@dataclass(frozen=True)
class SortKey:
    """One key of ``sort``: an expression and its direction."""

    expr: Node
    descending: bool


@dataclass(frozen=True)
class SortCommand(Command):
    """``sort a desc, b asc``."""

    keys: tuple[SortKey, ...]


@dataclass(frozen=True)
class LimitCommand(Command):
    """``limit N`` (or ``limit any N``)."""

    count: int


@dataclass(frozen=True)
class DedupCommand(Command):
    """``dedup a, b``: keep the first row of each combination of values."""

    fields: tuple[FieldRef, ...]


@dataclass(frozen=True)
class UnnestCommand(Command):
    """``unnest list into item``: one row per element of a list."""

    source: Node
    target: str


@dataclass(frozen=True)
class Query:
    """A parsed query: its text and its commands in pipeline order."""

    text: str
    commands: tuple[Command, ...] = field(default_factory=tuple)
