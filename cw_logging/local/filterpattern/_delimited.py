"""Space-delimited filter patterns: ``[ip, user, ..., status = 4*, size > 1000]``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ._boolexpr import Predicate, parse_or
from ._lexer import Kind, Token, TokenStream, pattern_error, tokenize
from ._values import MAX_REGEXES, MISSING, count_regexes, parse_comparison

ELLIPSIS = "..."
Fields = Mapping[str, str]


@dataclass(frozen=True)
class _Slot:
    """One position of the pattern: a named field (with an optional condition) or ``...``."""

    name: str | None  # None for "..."
    condition: Predicate[Fields] | None


def compile_delimited(pattern: str) -> Callable[[str], dict[str, str] | None]:
    """Compile a ``[ ... ]`` pattern into a function that returns the named fields of a
    matching raw message (the first way its slots cover the fields), else None."""
    tokens = tokenize(pattern)
    stream = TokenStream(pattern, tokens)
    if count_regexes(tokens) > MAX_REGEXES:
        raise stream.error(
            f"a space-delimited pattern may hold at most {MAX_REGEXES} regular expressions"
        )
    stream.expect(Kind.PUNCT, "[")
    if stream.at(Kind.PUNCT, "]"):
        # "[]" is how many subscription filters say "every event" (the service accepts it)
        stream.next()
        if not stream.at(Kind.END):
            raise stream.error("expected the end of the pattern after ']'")
        return lambda message: {}
    referenced: list[Token] = []
    slots = [_parse_slot(stream, referenced)]
    while stream.at(Kind.PUNCT, ","):
        stream.next()
        slots.append(_parse_slot(stream, referenced))
    stream.expect(Kind.PUNCT, "]", what="',' or ']'")
    if not stream.at(Kind.END):
        raise stream.error("expected the end of the pattern after ']'")
    names = [slot.name for slot in slots if slot.name is not None]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate is not None:
        raise stream.error(f"field name {duplicate!r} is used twice")
    unknown = next((t for t in referenced if t.text not in names), None)
    if unknown is not None:
        raise pattern_error(pattern, unknown.pos, f"condition on unknown field {unknown.text!r}")
    conditions = [slot.condition for slot in slots if slot.condition is not None]
    shape = tuple(slot.name for slot in slots)

    absorbs_rest = ELLIPSIS not in [slot.name or ELLIPSIS for slot in slots]

    def find(message: str) -> dict[str, str] | None:
        values = split_fields(message)
        if absorbs_rest and len(values) > len(shape):
            # the last field takes the rest of the event ("[w1=ERROR, w2]")
            values[len(shape) - 1 :] = [" ".join(values[len(shape) - 1 :])]
        for fields in _alignments(shape, values):
            if all(condition(fields) for condition in conditions):
                return fields
        return None

    return find


def _parse_slot(stream: TokenStream, referenced: list[Token]) -> _Slot:
    token = stream.peek()
    if token.kind is Kind.WORD and token.text == ELLIPSIS:
        stream.next()
        return _Slot(None, None)
    if token.kind is not Kind.WORD or not _is_name(token.text):
        raise stream.error("expected a field name or '...'")
    if stream.tokens[stream.index + 1].kind in (Kind.OP, Kind.LOGIC) or stream.at(Kind.PUNCT, "("):
        return _Slot(token.text, parse_or(stream, lambda s: _parse_condition(s, referenced)))
    stream.next()
    return _Slot(token.text, None)


def _is_name(text: str) -> bool:
    return text != ELLIPSIS and all(ch.isalnum() or ch in "_-." for ch in text)


def _parse_condition(stream: TokenStream, referenced: list[Token]) -> Predicate[Fields]:
    token = stream.peek()
    if token.kind is not Kind.WORD or not _is_name(token.text):
        raise stream.error("expected a field name in a condition")
    stream.next()
    referenced.append(token)
    name = token.text
    test = parse_comparison(stream, numbers_from_text=True).test
    return lambda fields: test(fields.get(name, MISSING))


def split_fields(message: str) -> list[str]:
    """Split a message into space-delimited fields; ``"..."`` and ``[...]`` are one field each."""
    fields: list[str] = []
    i, n = 0, len(message)
    while i < n:
        ch = message[i]
        if ch.isspace():
            i += 1
            continue
        closer = {'"': '"', "[": "]"}.get(ch)
        if closer is not None:
            end = message.find(closer, i + 1)
            if end >= 0:
                fields.append(message[i + 1 : end])
                i = end + 1
                continue
        start = i
        while i < n and not message[i].isspace():
            i += 1
        fields.append(message[start:i])
    return fields


def _alignments(shape: tuple[str | None, ...], values: list[str]) -> Iterator[dict[str, str]]:
    """Yield each way the pattern's slots can cover all ``values`` (``...`` takes 0 or more)."""
    if not shape:
        if not values:
            yield {}
        return
    head, rest = shape[0], shape[1:]
    if head is None:
        fixed = sum(1 for slot in rest if slot is not None)
        for taken in range(len(values) - fixed + 1):
            yield from _alignments(rest, values[taken:])
        return
    if not values:
        return
    for fields in _alignments(rest, values[1:]):
        fields[head] = values[0]
        yield fields
