"""JSON filter patterns: ``{ $.a.b = "x" && ($.n > 3 || $.c IS NULL) }``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ._boolexpr import Predicate, parse_or
from ._lexer import Kind, Token, TokenStream, tokenize
from ._values import MAX_REGEXES, MISSING, count_regexes, parse_comparison, stream_error_at

_STEP = re.compile(r"\.([^.\[\]'\"]+)|\.?\[(\d+)\]|\.?\[(?:'([^']*)'|\"([^\"]*)\")\]")

Step = str | int


def compile_json(pattern: str) -> Callable[[str], bool]:
    """Compile a ``{ ... }`` pattern into a predicate over raw event messages."""
    tokens = tokenize(pattern)
    stream = TokenStream(pattern, tokens)
    if count_regexes(tokens) > MAX_REGEXES:
        raise stream.error(f"a JSON pattern may hold at most {MAX_REGEXES} regular expressions")
    stream.expect(Kind.PUNCT, "{")
    if stream.at(Kind.PUNCT, "}"):
        raise stream.error('expected a condition such as $.field = "value"')
    predicate: Predicate[Any] = parse_or(stream, _parse_condition)
    stream.expect(Kind.PUNCT, "}", what="'}' or && or ||")
    if not stream.at(Kind.END):
        raise stream.error("expected the end of the pattern after '}'")

    def matches(message: str) -> bool:
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return isinstance(document, (dict, list)) and predicate(document)

    return matches


def _parse_condition(stream: TokenStream) -> Predicate[Any]:
    token = stream.peek()
    if token.kind is not Kind.WORD or not token.text.startswith("$"):
        raise stream.error("expected a selector starting with '$.' (for example $.level)")
    stream.next()
    path = _parse_selector(stream, token)
    if stream.at_keyword("IS"):
        stream.next()
        if not stream.at_keyword("NULL", "TRUE", "FALSE"):
            raise stream.error("expected NULL, TRUE or FALSE after IS")
        expected = {"NULL": None, "TRUE": True, "FALSE": False}[stream.next().text.upper()]
        return lambda document: _is(_resolve(document, path), expected)
    if stream.at_keyword("NOT"):
        stream.next()
        if not stream.at_keyword("EXISTS"):
            raise stream.error("expected EXISTS after NOT")
        stream.next()
        return lambda document: _resolve(document, path) is MISSING
    comparison = parse_comparison(stream, numbers_from_text=False)
    test = comparison.test
    return lambda document: test(_resolve(document, path))


def _is(value: object, expected: bool | None) -> bool:
    return value is expected


def _parse_selector(stream: TokenStream, token: Token) -> tuple[Step, ...]:
    text = token.text
    steps: list[Step] = []
    i = 1
    while i < len(text):
        match = _STEP.match(text, i)
        if match is None:
            raise stream_error_at(stream, token, f"invalid selector {text!r}")
        name, index, single, double = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(name if name is not None else (single if single is not None else double))
        i = match.end()
    if not steps:
        raise stream_error_at(stream, token, "a selector needs a field, for example $.level")
    return tuple(steps)


def _resolve(document: object, path: tuple[Step, ...]) -> object:
    current = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return MISSING
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                return MISSING
            current = current[step]
    return current
