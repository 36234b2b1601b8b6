"""Literal values of filter patterns and how they compare with what an event holds."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import InvalidParameterError
from ._lexer import Kind, Token, TokenStream, pattern_error

MAX_REGEXES = 2
"""Most regular expressions one JSON or space-delimited pattern may hold."""

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_REGEX_ALLOWED = re.compile(r"[A-Za-z0-9_#=@/;,:\-^$?\[\]{}|\\*+.]*")

Test = Callable[[object], bool]
"""A compiled comparison: given a field's value, whether it satisfies the condition."""


class Missing:
    """The value of a selector or field that is not in the event."""


MISSING = Missing()


def compile_regex(stream: TokenStream, token: Token) -> re.Pattern[str]:
    """Compile the ``%regex%`` in ``token`` after checking it uses only the documented subset."""
    body = token.text
    if not body:
        raise stream.error("empty regular expression")
    bad = next((c for c in body if not _REGEX_ALLOWED.fullmatch(c)), None)
    if bad is not None:
        what = "parentheses are" if bad in "()" else f"{bad!r} is"
        raise stream_error_at(stream, token, f"{what} not supported in a filter-pattern regex")
    try:
        return re.compile(body)
    except re.error as exc:
        raise stream_error_at(stream, token, f"invalid regular expression: {exc}") from exc


def stream_error_at(stream: TokenStream, token: Token, what: str) -> InvalidParameterError:
    """Return an InvalidParameterException pointing at ``token``."""
    return pattern_error(stream.pattern, token.pos, what)


def parse_number(text: str) -> float | None:
    """Return ``text`` as a number if it is one (the pattern's numeric syntax), else None."""
    if not _NUMBER.fullmatch(text):
        return None
    return float(text)


def as_number(value: object) -> float | None:
    """Return ``value`` (a JSON number or a numeric text field) as a float, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        number = parse_number(value.strip())
        return number if number is not None and math.isfinite(number) else None
    return None


def as_text(value: object) -> str | None:
    """Return a scalar value as the text a string comparison sees, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def wildcard(text: str) -> re.Pattern[str]:
    """Compile a value into a whole-value matcher: a ``*`` at its start or end matches any
    text there; one inside is a plain character (``Ev*ent`` matches only ``Ev*ent``)."""
    if text.strip("*") == "":
        return re.compile(".*", re.DOTALL)
    core = text.lstrip("*")
    before = ".*" if len(core) < len(text) else ""
    inner = core.rstrip("*")
    after = ".*" if len(inner) < len(core) else ""
    return re.compile(before + re.escape(inner) + after, re.DOTALL)


@dataclass(frozen=True)
class Comparison:
    """``<field> <op> <literal>`` compiled once; ``test`` answers it for a value."""

    op: str
    test: Test


def parse_comparison(stream: TokenStream, *, numbers_from_text: bool) -> Comparison:
    """Parse ``op literal`` at the stream's cursor and compile it.

    ``numbers_from_text``: compare numerically when the field is numeric text (space-delimited
    fields are text); JSON patterns compare numerically only with JSON numbers.
    """
    op_token = stream.expect(Kind.OP, what="a comparison operator (= != < <= > >=)")
    op = op_token.text
    literal = stream.next()
    if literal.kind not in (Kind.STRING, Kind.WORD, Kind.REGEX):
        raise stream_error_at(stream, literal, f"expected a value after {op!r}")
    number = parse_number(literal.text) if literal.kind is Kind.WORD else None
    to_number: Callable[[object], float | None] = as_number if numbers_from_text else _json_number
    if op in ("<", "<=", ">", ">="):
        if number is None:
            raise stream_error_at(stream, literal, f"{op!r} needs a number, not {literal.text!r}")
        return Comparison(op, _ordering(op, number, to_number))
    if literal.kind is Kind.REGEX:
        equal = _regex_equal(compile_regex(stream, literal))
    elif number is not None:
        equal = _number_equal(number, literal.text, to_number)
    else:
        equal = _text_equal(wildcard(literal.text))
    if op == "=":
        return Comparison(op, equal)
    return Comparison(op, lambda value: _is_scalar(value) and not equal(value))


def _json_number(value: object) -> float | None:
    return None if isinstance(value, (bool, str)) else as_number(value)


def _is_scalar(value: object) -> bool:
    return value is not None and not isinstance(value, (dict, list, Missing))


def _ordering(op: str, bound: float, to_number: Callable[[object], float | None]) -> Test:
    compare: Callable[[float, float], bool] = {
        "<": float.__lt__,
        "<=": float.__le__,
        ">": float.__gt__,
        ">=": float.__ge__,
    }[op]

    def test(value: object) -> bool:
        number = to_number(value)
        return number is not None and compare(number, bound)

    return test


def _number_equal(number: float, text: str, to_number: Callable[[object], float | None]) -> Test:
    def test(value: object) -> bool:
        got = to_number(value)
        if got is not None:
            return got == number
        return as_text(value) == text

    return test


def _text_equal(matcher: re.Pattern[str]) -> Test:
    def test(value: object) -> bool:
        text = as_text(value)
        return text is not None and matcher.fullmatch(text) is not None

    return test


def _regex_equal(regex: re.Pattern[str]) -> Test:
    def test(value: object) -> bool:
        text = as_text(value)
        return text is not None and regex.search(text) is not None

    return test


def count_regexes(tokens: list[Token]) -> int:
    """Return how many ``%regex%`` tokens a pattern holds."""
    return sum(1 for token in tokens if token.kind is Kind.REGEX)
