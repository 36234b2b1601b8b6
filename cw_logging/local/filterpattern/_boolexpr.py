"""``&&`` / ``||`` / parentheses over conditions, shared by JSON and space-delimited patterns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ._lexer import Kind, TokenStream

T = TypeVar("T")
Predicate = Callable[[T], bool]


def parse_or(
    stream: TokenStream, parse_condition: Callable[[TokenStream], Predicate[T]]
) -> Predicate[T]:
    """Parse ``a || b || ...`` where ``&&`` binds tighter and parentheses group."""

    def parse_and(inner: TokenStream) -> Predicate[T]:
        return _parse_chain(inner, "&&", lambda s: _parse_primary(s, parse_condition), all)

    return _parse_chain(stream, "||", parse_and, any)


def _parse_chain(
    stream: TokenStream,
    operator: str,
    parse_operand: Callable[[TokenStream], Predicate[T]],
    combine: Callable[[Iterable[bool]], bool],
) -> Predicate[T]:
    """Parse operands joined by ``operator``; the result combines them with ``any``/``all``."""
    operands = [parse_operand(stream)]
    while stream.at(Kind.LOGIC, operator):
        stream.next()
        operands.append(parse_operand(stream))
    if len(operands) == 1:
        return operands[0]
    return lambda subject: combine(operand(subject) for operand in operands)


def _parse_primary(
    stream: TokenStream, parse_condition: Callable[[TokenStream], Predicate[T]]
) -> Predicate[T]:
    if stream.at(Kind.PUNCT, "("):
        stream.next()
        inner = parse_or(stream, parse_condition)
        stream.expect(Kind.PUNCT, ")", what="')' to close '('")
        return inner
    return parse_condition(stream)
