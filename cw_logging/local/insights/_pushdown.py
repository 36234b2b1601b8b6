"""Filters evaluated on stored events before any row is built ("filter before copying").

:func:`pushdown` turns a ``filter`` condition into a test of an event's discovered fields (a
plain dict) and its message, for the shapes queries use most: comparisons of a field with a
literal, ``like`` / ``=~`` on a field or ``@message``, ``in`` lists, ``and`` / ``or`` / ``not``.
The test answers exactly what the compiled condition answers on a row holding those fields
(the same value functions, three-valued logic; the suite checks the two agree); any other shape
returns None and the condition is evaluated on rows as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import _nodes as n
from ._patterns import compile_regex
from ._values import COMPARISONS, as_text, truthy, values_equal

Fields = Mapping[str, Any]
Operand = Callable[[Fields, str], Any]


@dataclass(frozen=True)
class Pushdown:
    """``test(fields, message)`` is the condition's verdict (True; False or None, unknown, both
    drop the event); ``reads_fields`` says whether it reads discovered fields (else only
    ``@message``)."""

    test: Callable[[Fields, str], bool | None]
    reads_fields: bool


def pushdown(condition: n.Node) -> Pushdown | None:
    """The test for ``condition``, or None when its shape is not one this module handles."""
    compiled = _condition(condition)
    if compiled is None:
        return None
    # Every shape here answers True, False or None (unknown), so the verdict is its truth.
    return Pushdown(*compiled)


def _operand(node: n.Node) -> tuple[Operand, bool] | None:
    if isinstance(node, n.Literal):
        value = node.value
        return (lambda fields, message: value), False
    if isinstance(node, n.FieldRef):
        name = node.name
        if name == "@message":
            return (lambda fields, message: message), False
        if name[:1] == "@":
            return None
        return (lambda fields, message: fields.get(name)), True
    return None


def _condition(node: n.Node) -> tuple[Operand, bool] | None:
    if isinstance(node, n.Binary):
        if node.op in ("and", "or"):
            return _connective(node)
        if node.op in COMPARISONS:
            return _comparison(node)
        return None
    if isinstance(node, n.Unary) and node.op == "not":
        inner = _condition(node.operand)
        if inner is None:
            return None
        operand, reads = inner

        def negate(fields: Fields, message: str) -> Any:
            value = truthy(operand(fields, message))
            return None if value is None else not value

        return negate, reads
    if isinstance(node, n.Match):
        return _match(node)
    if isinstance(node, n.InList):
        return _in_list(node)
    return None


def _connective(node: n.Binary) -> tuple[Operand, bool] | None:
    left, right = _condition(node.left), _condition(node.right)
    if left is None or right is None:
        return None
    first_of, second_of = left[0], right[0]
    decisive = node.op == "or"

    def combine(fields: Fields, message: str) -> Any:
        first = truthy(first_of(fields, message))
        if first is decisive:
            return decisive
        second = truthy(second_of(fields, message))
        if second is decisive:
            return decisive
        return None if first is None or second is None else not decisive

    return combine, left[1] or right[1]


def _comparison(node: n.Binary) -> tuple[Operand, bool] | None:
    left, right = _operand(node.left), _operand(node.right)
    if left is None or right is None:
        return None
    compare = COMPARISONS[node.op]
    reads = left[1] or right[1]
    if (
        node.op == "="
        and isinstance(node.left, n.FieldRef)
        and isinstance(node.right, n.Literal)
        and node.right.value.__class__ is str
    ):
        return _text_equality(node.left.name, node.right.value), reads
    left_of, right_of = left[0], right[0]
    return (
        lambda fields, message: compare(left_of(fields, message), right_of(fields, message))
    ), reads


def _text_equality(name: str, text: str) -> Operand:
    """``field = "text"``: strings compare directly, anything else as ``values_equal`` does."""
    if name == "@message":
        return lambda fields, message: message == text

    def equal(fields: Fields, message: str) -> Any:
        value = fields.get(name)
        if value.__class__ is str:
            return value == text
        return values_equal(value, text)

    return equal


def _match(node: n.Match) -> tuple[Operand, bool] | None:
    operand = _operand(node.operand)
    if operand is None or isinstance(node.operand, n.Literal):
        return None
    if isinstance(node.pattern, n.RegexLiteral):
        try:
            regex = compile_regex(node.pattern.pattern)
        except re.error:
            return None
        search = regex.search

        def found(text: str) -> bool:
            return search(text) is not None

    else:
        part = str(node.pattern.value) if isinstance(node.pattern, n.Literal) else ""

        def found(text: str) -> bool:
            return part in text

    operand_of, negated = operand[0], node.negated
    if isinstance(node.operand, n.FieldRef) and node.operand.name == "@message":
        return (lambda fields, message: found(message) != negated), False

    def match(fields: Fields, message: str) -> Any:
        text = as_text(operand_of(fields, message))
        if text is None:
            return None
        return found(text) != negated

    return match, operand[1]


def _in_list(node: n.InList) -> tuple[Operand, bool] | None:
    operand = _operand(node.operand)
    if operand is None or not all(isinstance(item, n.Literal) for item in node.items.items):
        return None
    values = [item.value for item in node.items.items if isinstance(item, n.Literal)]
    operand_of, negated = operand[0], node.negated

    def member(fields: Fields, message: str) -> Any:
        value = operand_of(fields, message)
        if value is None:
            return None
        return any(values_equal(value, item) for item in values) != negated

    return member, operand[1]
