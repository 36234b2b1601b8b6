"""Tokenizer for Logs Insights QL: names, literals, time periods, operators and regexes."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ._diagnostics import malformed
from ._periods import parse_period_unit


class Kind(enum.Enum):
    """The kinds of token the parser sees."""

    NAME = "name"
    QUOTED_NAME = "quoted name"
    STRING = "string"
    NUMBER = "number"
    PERIOD = "time period"
    REGEX = "regular expression"
    OP = "operator"
    END = "end of query"


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text as written, its decoded value and where it starts and ends."""

    kind: Kind
    text: str
    start: int
    end: int
    value: object = None

    def is_op(self, *ops: str) -> bool:
        """Whether this token is one of the operators ``ops``."""
        return self.kind is Kind.OP and self.text in ops

    def is_word(self, *words: str) -> bool:
        """Whether this token is an unquoted name equal (ignoring case) to one of ``words``."""
        return self.kind is Kind.NAME and self.text.lower() in words

    def describe(self) -> str:
        """How to name this token in an error message."""
        if self.kind is Kind.END:
            return "the end of the query"
        return f"{self.kind.value} '{self.text}'"


_NAME_START = re.compile(r"[A-Za-z_@]")
_NAME = re.compile(r"[A-Za-z_@][A-Za-z0-9_@.]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_UNIT = re.compile(r"[A-Za-z]+")
_WHITESPACE = re.compile(r"[ \t\r\n]+")
_OPERATORS: tuple[str, ...] = ("!=", "<=", ">=", "=~", "|", ",", "(", ")", "[", "]", "=")
_OPERATORS += ("<", ">", "+", "-", "*", "/", "%", "^", ".")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


class Lexer:
    """Produces tokens on demand so the parser can re-read a ``/`` as the start of a regex."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def next_token(self) -> Token:
        """Scan and return the token at the current position (skipping blanks and comments)."""
        self._skip_blanks()
        text, pos = self.text, self.pos
        if pos >= len(text):
            return Token(Kind.END, "", pos, pos)
        char = text[pos]
        if char in "\"'":
            return self._string(char)
        if char == "`":
            return self._quoted_name()
        if char.isdigit():
            return self._number()
        if _NAME_START.match(char):
            match = _NAME.match(text, pos)
            assert match is not None
            self.pos = match.end()
            return Token(Kind.NAME, match.group(), pos, match.end(), match.group())
        for op in _OPERATORS:
            if text.startswith(op, pos):
                self.pos = pos + len(op)
                return Token(Kind.OP, op, pos, self.pos)
        raise malformed(text, pos, f"Unexpected character {char!r}")

    def regex_at(self, slash: Token) -> Token:
        """Re-read the text from the ``/`` token ``slash`` as a ``/regex/`` literal."""
        text = self.text
        index = slash.start + 1
        chars: list[str] = []
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text):
                follower = text[index + 1]
                chars.append(follower if follower == "/" else char + follower)
                index += 2
                continue
            if char == "/":
                self.pos = index + 1
                return Token(
                    Kind.REGEX, text[slash.start : self.pos], slash.start, self.pos, "".join(chars)
                )
            if char == "\n":
                break
            chars.append(char)
            index += 1
        raise malformed(text, slash.start, "Unterminated regular expression (missing closing '/')")

    def _skip_blanks(self) -> None:
        text = self.text
        while self.pos < len(text):
            match = _WHITESPACE.match(text, self.pos)
            if match:
                self.pos = match.end()
                continue
            if text[self.pos] == "#":
                newline = text.find("\n", self.pos)
                self.pos = len(text) if newline < 0 else newline + 1
                continue
            return

    def _string(self, quote: str) -> Token:
        text, start = self.text, self.pos
        index = start + 1
        chars: list[str] = []
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text):
                follower = text[index + 1]
                chars.append(_ESCAPES.get(follower, "\\" + follower))
                index += 2
                continue
            if char == quote:
                self.pos = index + 1
                return Token(Kind.STRING, text[start : self.pos], start, self.pos, "".join(chars))
            chars.append(char)
            index += 1
        raise malformed(text, start, f"Unterminated string (missing closing {quote})")

    def _quoted_name(self) -> Token:
        text, start = self.text, self.pos
        end = text.find("`", start + 1)
        if end < 0:
            raise malformed(text, start, "Unterminated field name (missing closing backtick)")
        if end == start + 1:
            raise malformed(text, start, "Empty field name between backticks")
        self.pos = end + 1
        return Token(
            Kind.QUOTED_NAME, text[start : self.pos], start, self.pos, text[start + 1 : end]
        )

    def _number(self) -> Token:
        text, start = self.text, self.pos
        match = _NUMBER.match(text, start)
        assert match is not None
        digits = match.group()
        unit = _UNIT.match(text, match.end())
        if unit is not None:
            period = parse_period_unit(digits, unit.group())
            if period is None:
                raise malformed(
                    text,
                    unit.start(),
                    f"Unknown time unit {unit.group()!r} (use ms, s, m, h, d, w, mo, q or y)",
                )
            self.pos = unit.end()
            return Token(Kind.PERIOD, text[start : self.pos], start, self.pos, period)
        self.pos = match.end()
        number: int | float = float(digits) if any(c in digits for c in ".eE") else int(digits)
        return Token(Kind.NUMBER, digits, start, self.pos, number)
