"""The ``SOURCE logGroups(...)`` clause that opens a query: which log groups it covers.

``SOURCE logGroups(namePrefix: ['/shop/', '/pay/'], class: ['STANDARD'])`` selects every group
whose name starts with one of up to five prefixes, in one log class (STANDARD when none is
named). StartQuery then needs no group list. The clause is read here and cut from the query
before the rest is compiled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import MalformedQueryError
from ._model import LogGroup

MAX_PREFIXES = 5
"""Prefixes one ``SOURCE`` may list."""
MAX_SOURCE_GROUPS = 10_000
"""Log groups one ``SOURCE`` may cover."""
LOG_CLASSES = ("STANDARD", "INFREQUENT_ACCESS")
"""The classes ``SOURCE`` may select."""
_MALFORMED = "MalformedQueryException"
_KEYS = {
    "nameprefix": "prefixes",
    "class": "classes",
    "loggroupclass": "classes",
    "accountidentifiers": "accounts",
}


@dataclass(frozen=True)
class Source:
    """What a ``SOURCE`` clause selects and the query that follows it."""

    prefixes: tuple[str, ...]
    classes: tuple[str, ...]
    accounts: tuple[str, ...]
    rest: str

    def covers(self, group: LogGroup) -> bool:
        """Whether ``group`` is one of the groups this clause selects."""
        if group.log_group_class not in self.classes:
            return False
        return not self.prefixes or group.name.startswith(self.prefixes)

    def select(self, groups: Iterable[LogGroup], account_id: str) -> list[LogGroup]:
        """The groups selected, by name; refused when over :data:`MAX_SOURCE_GROUPS`."""
        if self.accounts and account_id not in self.accounts:
            return []
        chosen = sorted((g for g in groups if self.covers(g)), key=lambda g: g.name)
        if len(chosen) > MAX_SOURCE_GROUPS:
            raise _malformed(
                f"SOURCE selects {len(chosen)} log groups, over the limit of "
                f"{MAX_SOURCE_GROUPS}; use longer prefixes"
            )
        return chosen


def split_source(query: str) -> Source | None:
    """The ``SOURCE`` clause opening ``query``, or None when it has none."""
    scanner = _Scanner(query)
    scanner.blank()
    if not scanner.word_is("source"):
        return None
    scanner.blank()
    if not scanner.word_is("loggroups"):
        raise _malformed("SOURCE must be followed by logGroups(...)")
    scanner.expect("(")
    found: dict[str, list[str]] = {"prefixes": [], "classes": [], "accounts": []}
    scanner.blank()
    while not scanner.take(")"):
        key = scanner.word()
        target = _KEYS.get(key.lower())
        if target is None:
            raise _malformed(
                f"unknown SOURCE keyword {key!r}: use namePrefix, class or accountIdentifiers"
            )
        scanner.expect(":")
        found[target] += scanner.strings()
        scanner.blank()
        if not scanner.take(","):
            scanner.expect(")")
            break
        scanner.blank()
    scanner.expect("|")
    rest = query[scanner.pos :]
    prefixes, classes = _prefixes(found["prefixes"]), _classes(found["classes"])
    return Source(prefixes, classes, tuple(found["accounts"]), rest)


def _prefixes(prefixes: list[str]) -> tuple[str, ...]:
    if len(prefixes) > MAX_PREFIXES:
        raise _malformed(f"SOURCE lists {len(prefixes)} name prefixes; at most {MAX_PREFIXES}")
    if any(not prefix for prefix in prefixes):
        raise _malformed("a SOURCE name prefix is empty")
    return tuple(prefixes)


def _classes(classes: list[str]) -> tuple[str, ...]:
    for name in classes:
        if name not in LOG_CLASSES:
            raise _malformed(f"unknown log class {name!r}: use one of {', '.join(LOG_CLASSES)}")
    return tuple(classes) or ("STANDARD",)


def _malformed(problem: str) -> MalformedQueryError:
    return MalformedQueryError(problem, code=_MALFORMED)


class _Scanner:
    """Reads the clause left to right (one pass, no backtracking)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def blank(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
            elif text[self.pos] == "#":
                newline = text.find("\n", self.pos)
                self.pos = len(text) if newline < 0 else newline + 1
            else:
                return

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "_"
        ):
            self.pos += 1
        if self.pos == start:
            raise _malformed(f"expected a keyword at position {start + 1}")
        return self.text[start : self.pos]

    def word_is(self, expected: str) -> bool:
        start = self.pos
        readable = start < len(self.text) and self.text[start].isalpha()
        if readable and self.word().lower() == expected:
            return True
        self.pos = start
        return False

    def take(self, char: str) -> bool:
        self.blank()
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.take(char):
            raise _malformed(f"expected '{char}' at position {self.pos + 1} of the SOURCE clause")

    def strings(self) -> list[str]:
        if not self.take("["):
            return [self.string()]
        values: list[str] = []
        if self.take("]"):
            return values
        values.append(self.string())
        while self.take(","):
            values.append(self.string())
        self.expect("]")
        return values

    def string(self) -> str:
        self.blank()
        quote = self.text[self.pos : self.pos + 1]
        if quote not in ("'", '"'):
            raise _malformed(f"expected a quoted string at position {self.pos + 1}")
        end = self.text.find(quote, self.pos + 1)
        if end < 0:
            raise _malformed(f"unterminated string at position {self.pos + 1}")
        value = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return value
