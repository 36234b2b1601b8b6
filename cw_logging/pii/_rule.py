"""What a redaction rule is: a regular expression with its replacement (:class:`Rule`), or a
scanner that finds its matches by hand (:class:`Scanner`), each with a cheap trigger."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._keys import KeyMatcher

__all__ = [
    "Rule",
    "Scanner",
    "Trigger",
    "any_word_in",
    "compile_trigger",
    "token",
    "trigger_words",
]


class Rule(NamedTuple):
    """A text redaction rule.

    ``pattern`` is a regular expression (string); ``replace`` is either the replacement text or a
    function from the matched text to its replacement (returning the text unchanged keeps it);
    ``trigger`` optionally is a cheap regex, run on the *lowercased* text, that matches wherever
    ``pattern`` can (a pre-check; without it the pattern itself is the check).
    """

    name: str
    pattern: str
    replace: str | Callable[[str], str]
    trigger: str | None = None


class Scanner(NamedTuple):
    """A built-in rule whose matches one regular expression cannot find in linear time.

    ``scan(text, lowered, keys)`` returns ``text`` redacted (the same object when nothing
    matched); ``lowered`` is ``text.lower()``, ``keys`` the redactor's sensitive key names.
    ``trigger`` is as for :class:`Rule`.
    """

    name: str
    scan: Callable[[str, str, KeyMatcher], str]
    trigger: str | None = None


def token(name: str) -> str:
    """Return the replacement text of a match of rule ``name``: ``[REDACTED:<name>]``."""
    return f"[REDACTED:{name}]"


Trigger = Callable[[str], bool]
"""A pre-check on the lowercased text: False when the rule cannot match."""

_WORDS = re.compile(r"(?:[a-z0-9_ :/@=-]|\\\.)+(?:\|(?:[a-z0-9_ :/@=-]|\\\.)+)*")


def trigger_words(trigger: str) -> tuple[str, ...] | None:
    """The plain words a trigger regex is made of (``"akia|asia"``, ``"sg\\."``), or None."""
    if not _WORDS.fullmatch(trigger):
        return None
    return tuple(word.replace("\\.", ".") for word in trigger.split("|"))


def compile_trigger(trigger: str) -> Trigger:
    """Return the check for a trigger regex; plain words become substring tests, much faster
    than a regular expression on short texts."""
    words = trigger_words(trigger)
    if words is None:
        search = re.compile(trigger).search
        return lambda text: search(text) is not None
    if len(words) == 1:
        word = words[0]
        return lambda text: word in text
    return lambda text: any_word_in(words, text)


def any_word_in(words: tuple[str, ...], text: str) -> bool:
    """True when one of ``words`` is in ``text``."""
    for word in words:  # noqa: SIM110 - a loop: any() over a generator is twice as slow here
        if word in text:
            return True
    return False
