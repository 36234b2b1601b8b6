"""Secrets written as key-value pairs in text: ``password=…``, ``"client_secret": "…"``,
``Authorization: Bearer …``, ``X-Api-Key: …``, ``aws_secret_access_key = …``.

Found by hand in linear time: the sensitive key words are searched in the lowercased text; only
where one is followed (within a key name's length) by ``=``, ``:``, ``:=`` or ``=>`` is the whole
key name read and checked against the redactor's key names, then its value's end is found by
quote or delimiter. Every character is looked at a bounded number of times.
"""

from __future__ import annotations

import re

from ._keys import KeyMatcher
from ._rule import token

__all__ = ["redact_key_values"]

# the part of a key name before its key word, matched in the reversed text
_KEY_HEAD = re.compile(r"[a-z0-9_.-]{0,32}")
# after a key word: the rest of the key name (read once: a look-ahead and a back-reference make
# it atomic, so a failed attempt never retries shorter rests), its closing quote, the separator
_KEY_TAIL = r"(?=([a-z0-9_.-]{0,32}))\1(?:\\?[\"'])?[ \t]{0,8}(?::=|=>|[=:])[ \t]{0,8}"
_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}
_UNQUOTED = re.compile(r"[^\s,;&\"'<>)\]}]+")
# HTTP authentication schemes: "Authorization: Bearer <token>" keeps the scheme
_SCHEMES = frozenset(
    {"bearer", "basic", "digest", "token", "negotiate", "ntlm", "hoba", "mutual",
     "aws4-hmac-sha256", "apikey", "sso-key", "key"}
)  # fmt: skip
_ALREADY = "[REDACTED"
_SECRET = token("secret")
_CREDENTIALS = token("credentials")


def redact_key_values(text: str, lowered: str, keys: KeyMatcher) -> str:
    """Replace the values of sensitive keys written as key-value pairs in ``text``."""
    if not keys.may_appear_in(lowered):
        return text
    if len(lowered) != len(text):  # a few non-ASCII letters lowercase into two characters
        lowered = _ascii_lower(text)
    search = _candidates(keys.words).search
    backwards = lowered[::-1]  # a key name's start is found by matching backwards from its word
    size = len(text)
    pieces: list[str] = []
    done = 0  # text before this index is in pieces
    position = 0
    while True:
        found = search(lowered, position)
        if found is None:
            break
        value = position = found.end()
        before = size - found.start()  # where the text before the key word starts, backwards
        head = _KEY_HEAD.match(backwards, before)  # always matches, maybe nothing
        key_start = found.start() - (head.end() - before if head else 0)
        if not keys(text[key_start : found.end(1)]):
            continue
        span = _value_span(text, value)
        if span is None:
            continue
        begin, end, replacement = span
        pieces += (text[done:begin], replacement)
        done = position = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _candidates(words: tuple[str, ...]) -> re.Pattern[str]:
    """A key word followed by the rest of a key name and a separator, in lowercased text."""
    pattern = _PATTERNS.get(words)
    if pattern is None:
        alternatives = "|".join(map(re.escape, words))
        pattern = _PATTERNS[words] = re.compile(f"(?:{alternatives}){_KEY_TAIL}")
    return pattern


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _value_span(text: str, start: int) -> tuple[int, int, str] | None:
    """(start, end, replacement) of the value beginning at ``start``, or None (no value, a
    nested structure whose own keys are checked, or a value redacted already)."""
    if start >= len(text) or text.startswith(_ALREADY, start):
        return None
    first = text[start]
    if first == "b" and text[start + 1 : start + 2] in ("'", '"'):  # a bytes repr: b'...'
        start, first = start + 1, text[start + 1]
    if first in "\"'":
        end = _closing_quote(text, start + 1, first)
        empty = end == start + 1 or text.startswith(_ALREADY, start + 1)
        return None if empty else (start + 1, end, _SECRET)
    if first == "\\" and text.startswith('\\"', start):  # JSON inside a JSON string
        end = text.find('\\"', start + 2)
        end = _line_end(text, start) if end < 0 else end
        empty = end == start + 2 or text.startswith(_ALREADY, start + 2)
        return None if empty else (start + 2, end, _SECRET)
    if first in "{[":
        return None
    found = _UNQUOTED.match(text, start)
    if found is None:
        return None
    end = found.end()
    if text[start:end].lower() in _SCHEMES and text.startswith(" ", end):
        if text.startswith(_ALREADY, end + 1):  # the credential is redacted already
            return None
        credential = _UNQUOTED.match(text, end + 1)
        if credential is not None:
            return end + 1, credential.end(), _CREDENTIALS
    return start, end, _SECRET


def _closing_quote(text: str, index: int, quote: str) -> int:
    """Index of the quote closing a value that starts at ``index`` (a backslash escapes it);
    the end of the line when it is never closed."""
    while True:
        found = text.find(quote, index)
        if found < 0:
            return _line_end(text, index)
        backslashes = 0
        while found - backslashes > index and text[found - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return found
        index = found + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end
