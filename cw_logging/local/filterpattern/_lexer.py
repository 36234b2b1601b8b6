"""Tokens of structured (JSON and space-delimited) filter patterns, with their positions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ...errors import InvalidParameterError

INVALID_PARAMETER = "InvalidParameterException"


class Kind(Enum):
    """What a token is."""

    PUNCT = "punctuation"  # { } [ ] ( ) ,
    LOGIC = "logical operator"  # && ||
    OP = "comparison operator"  # = != < <= > >=
    STRING = "quoted string"
    REGEX = "regular expression"
    WORD = "word"
    END = "end of pattern"


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text (quotes and % removed for strings and regexes), its offset."""

    kind: Kind
    text: str
    pos: int


def pattern_error(pattern: str, pos: int, what: str) -> InvalidParameterError:
    """Return the error the service gives for an invalid pattern, pointing at ``pos``."""
    shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
    return InvalidParameterError(
        f"Invalid filter pattern at character {pos + 1}: {what} (pattern: {shown!r})",
        code=INVALID_PARAMETER,
    )


_PUNCT = "{}[](),"
_WORD_STOP = frozenset(_PUNCT + '=!<>&|" \t\r\n')


def tokenize(pattern: str) -> list[Token]:
    """Split a structured pattern into tokens; raise InvalidParameterException on bad input."""
    tokens: list[Token] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch.isspace():
            i += 1
        elif ch in _PUNCT:
            tokens.append(Token(Kind.PUNCT, ch, i))
            i += 1
        elif pattern.startswith(("&&", "||"), i):
            tokens.append(Token(Kind.LOGIC, pattern[i : i + 2], i))
            i += 2
        elif pattern.startswith(("!=", "<=", ">="), i):
            tokens.append(Token(Kind.OP, pattern[i : i + 2], i))
            i += 2
        elif ch in "=<>":
            tokens.append(Token(Kind.OP, ch, i))
            i += 1
        elif ch == '"':
            text, end = _quoted(pattern, i)
            tokens.append(Token(Kind.STRING, text, i))
            i = end
        elif ch == "%":
            end = pattern.find("%", i + 1)
            if end < 0:
                raise pattern_error(pattern, i, "unterminated regular expression (missing %)")
            tokens.append(Token(Kind.REGEX, pattern[i + 1 : end], i))
            i = end + 1
        elif ch in "!&|":
            raise pattern_error(pattern, i, f"unexpected {ch!r}")
        else:
            start = i
            while i < n and (pattern[i] not in _WORD_STOP or _selector_bracket(pattern, start, i)):
                i = pattern.find("]", i) + 1 if pattern[i] == "[" else i + 1
            tokens.append(Token(Kind.WORD, pattern[start:i], start))
    tokens.append(Token(Kind.END, "", n))
    return tokens


def _selector_bracket(pattern: str, start: int, i: int) -> bool:
    """Whether ``pattern[i]`` opens an index (``$.a[0]``, ``$.['k']``) inside a JSON selector."""
    return pattern[start] == "$" and pattern[i] == "[" and pattern.find("]", i) > 0


def _quoted(pattern: str, start: int) -> tuple[str, int]:
    """Read the quoted string at ``start``; return its unescaped text and the offset after it."""
    out: list[str] = []
    i = start + 1
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
        elif ch == '"':
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise pattern_error(pattern, start, 'unterminated quoted string (missing closing ")')


class TokenStream:
    """A cursor over tokens with the helpers a recursive-descent parser needs."""

    def __init__(self, pattern: str, tokens: list[Token]) -> None:
        self.pattern = pattern
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token:
        """Return the current token without consuming it."""
        return self.tokens[self.index]

    def next(self) -> Token:
        """Consume and return the current token."""
        token = self.tokens[self.index]
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def at(self, kind: Kind, text: str | None = None) -> bool:
        """Whether the current token has ``kind`` (and ``text``, when given)."""
        token = self.peek()
        return token.kind is kind and (text is None or token.text == text)

    def at_keyword(self, *words: str) -> bool:
        """Whether the current token is a bare word equal to one of ``words`` (any case)."""
        token = self.peek()
        return token.kind is Kind.WORD and token.text.upper() in words

    def expect(self, kind: Kind, text: str | None = None, what: str | None = None) -> Token:
        """Consume a token of ``kind``/``text`` or raise an error saying what was expected."""
        if not self.at(kind, text):
            raise self.error(f"expected {what or text or kind.value}")
        return self.next()

    def error(self, what: str) -> InvalidParameterError:
        """Return an error at the current token, naming what was found there."""
        token = self.peek()
        found = "end of pattern" if token.kind is Kind.END else repr(token.text)
        return pattern_error(self.pattern, token.pos, f"{what}, found {found}")
