"""JSON filter patterns: ``{ $.a.b = "x" && ($.n > 3 || $.c IS NULL) }``.

A selector may hold one wildcard step (``$.items[*].id``, ``$.*``), which matches when any
element satisfies the condition; a pattern may hold at most three of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from ._boolexpr import Predicate, parse_or
from ._lexer import Kind, Token, TokenStream, tokenize
from ._values import MAX_REGEXES, MISSING, count_regexes, parse_comparison, stream_error_at

_STEP = re.compile(
    r"\.(\*)|\[(\*)\]|\.([^.\[\]'\"*]+)|\.?\[(\d+)\]|\.?\[(?:'([^']*)'|\"([^\"]*)\")\]"
)
MAX_WILDCARDS = 3
"""Most wildcard selector steps (``[*]``, ``.*``) one JSON pattern may hold."""


class _Wildcard:
    """The ``*`` step of a selector: any element of an array or value of an object."""


WILDCARD = _Wildcard()
Step = str | int | _Wildcard


def compile_json(pattern: str) -> Callable[[str], Any]:
    """Compile a ``{ ... }`` pattern into a function that returns the parsed event (a dict or
    list) when the raw message matches, else None."""
    tokens = tokenize(pattern)
    stream = TokenStream(pattern, tokens)
    if count_regexes(tokens) > MAX_REGEXES:
        raise stream.error(f"a JSON pattern may hold at most {MAX_REGEXES} regular expressions")
    stream.expect(Kind.PUNCT, "{")
    if stream.at(Kind.PUNCT, "}"):
        raise stream.error('expected a condition such as $.field = "value"')
    wildcards: list[Token] = []
    predicate: Predicate[Any] = parse_or(stream, lambda s: _parse_condition(s, wildcards))
    stream.expect(Kind.PUNCT, "}", what="'}' or && or ||")
    if not stream.at(Kind.END):
        raise stream.error("expected the end of the pattern after '}'")
    if len(wildcards) > MAX_WILDCARDS:
        raise stream_error_at(
            stream,
            wildcards[MAX_WILDCARDS],
            f"a JSON pattern may hold at most {MAX_WILDCARDS} wildcard selectors",
        )

    def find(message: str) -> Any:
        try:
            document = json.loads(message)
        except ValueError:
            return None
        if isinstance(document, (dict, list)) and predicate(document):
            return document
        return None

    return find


def _parse_condition(stream: TokenStream, wildcards: list[Token]) -> Predicate[Any]:
    token = stream.peek()
    if token.kind is not Kind.WORD or not token.text.startswith("$"):
        raise stream.error("expected a selector starting with '$.' (for example $.level)")
    stream.next()
    path = _parse_selector(stream, token)
    if any(step is WILDCARD for step in path):
        wildcards.append(token)
    if stream.at_keyword("IS"):
        stream.next()
        if not stream.at_keyword("NULL", "TRUE", "FALSE"):
            raise stream.error("expected NULL, TRUE or FALSE after IS")
        expected = {"NULL": None, "TRUE": True, "FALSE": False}[stream.next().text.upper()]
        return lambda document: any(v is expected for v in resolve_all(document, path))
    if stream.at_keyword("NOT"):
        stream.next()
        if not stream.at_keyword("EXISTS"):
            raise stream.error("expected EXISTS after NOT")
        stream.next()
        return lambda document: all(v is MISSING for v in resolve_all(document, path))
    test = parse_comparison(stream, numbers_from_text=False).test
    return lambda document: any(test(value) for value in resolve_all(document, path))


def _parse_selector(stream: TokenStream, token: Token) -> tuple[Step, ...]:
    try:
        return parse_selector(token.text)
    except ValueError as exc:
        raise stream_error_at(stream, token, str(exc)) from None


def parse_selector(text: str) -> tuple[Step, ...]:
    """The steps of a ``$.a.b[0]`` selector; ValueError saying what is wrong."""
    steps: list[Step] = []
    i = 1
    while i < len(text):
        match = _STEP.match(text, i)
        if match is None:
            raise ValueError(f"invalid selector {text!r}")
        star_name, star_index, name, index, single, double = match.groups()
        if star_name or star_index:
            steps.append(WILDCARD)
        elif index is not None:
            steps.append(int(index))
        else:
            steps.append(name if name is not None else (single if single is not None else double))
        i = match.end()
    if not steps:
        raise ValueError("a selector needs a field, for example $.level")
    if sum(1 for step in steps if step is WILDCARD) > 1:
        raise ValueError(f"a selector may hold only one wildcard step: {text!r}")
    return tuple(steps)


def resolve_all(document: object, path: tuple[Step, ...]) -> Iterator[object]:
    """Every value the selector reaches (several through a wildcard), or MISSING once."""
    found = False
    for value in _walk(document, path):
        found = True
        yield value
    if not found:
        yield MISSING


def _walk(current: object, path: tuple[Step, ...]) -> Iterator[object]:
    for position, step in enumerate(path):
        if step is WILDCARD:
            if isinstance(current, dict):
                children: list[object] = list(current.values())
            elif isinstance(current, list):
                children = list(current)
            else:
                return
            for child in children:
                yield from _walk(child, path[position + 1 :])
            return
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                return
            current = current[step]
    yield current


def selector_value(document: object, text: str) -> object:
    """The first value the selector ``text`` reaches in ``document``, or None when it reaches
    nothing or is not a valid selector."""
    try:
        path = parse_selector(text)
    except ValueError:
        return None
    value = next(resolve_all(document, path))
    return None if value is MISSING else value
