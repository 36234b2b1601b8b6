"""``&&`` / ``||`` / parentheses over conditions, shared by JSON and space-delimited patterns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .lexer import Kind, TokenStream

T = TypeVar("T")
Predicate = Callable[[T], bool]


def parse_or(
    stream: TokenStream, parse_condition: Callable[[TokenStream], Predicate[T]]
) -> Predicate[T]:
    """Parse ``a || b || ...`` where ``&&`` binds tighter and parentheses group."""
    alternatives = [_parse_and(stream, parse_condition)]
    while stream.at(Kind.LOGIC, "||"):
        stream.next()
        alternatives.append(_parse_and(stream, parse_condition))
    if len(alternatives) == 1:
        return alternatives[0]
    return lambda subject: any(alternative(subject) for alternative in alternatives)


def _parse_and(
    stream: TokenStream, parse_condition: Callable[[TokenStream], Predicate[T]]
) -> Predicate[T]:
    parts = [_parse_primary(stream, parse_condition)]
    while stream.at(Kind.LOGIC, "&&"):
        stream.next()
        parts.append(_parse_primary(stream, parse_condition))
    if len(parts) == 1:
        return parts[0]
    return lambda subject: all(part(subject) for part in parts)


def _parse_primary(
    stream: TokenStream, parse_condition: Callable[[TokenStream], Predicate[T]]
) -> Predicate[T]:
    if stream.at(Kind.PUNCT, "("):
        stream.next()
        inner = parse_or(stream, parse_condition)
        stream.expect(Kind.PUNCT, ")", what="')' to close '('")
        return inner
    return parse_condition(stream)
