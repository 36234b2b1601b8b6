"""Patterns in queries: ``parse`` globs and Java-style ``/regex/`` translated to Python's ``re``."""

from __future__ import annotations

import re

_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z])")
_BACK_REFERENCE = re.compile(r"\\k<([A-Za-z][A-Za-z0-9]*)>")
_INLINE_FLAGS = re.compile(r"\(\?([imsx]+)\)")


def compile_regex(pattern: str) -> re.Pattern[str]:
    """Compile a query regex: ``(?<name>..)`` groups, ``\\k<name>``, and inline flags such as
    ``(?i)`` anywhere (Java applies them from that point; here they apply to the whole pattern).

    Raises ``re.error`` when the pattern is invalid.
    """
    translated = _NAMED_GROUP.sub("(?P<", pattern)
    translated = _BACK_REFERENCE.sub(r"(?P=\1)", translated)
    flags = "".join(sorted(set("".join(_INLINE_FLAGS.findall(translated)))))
    translated = _INLINE_FLAGS.sub("", translated)
    if flags:
        translated = f"(?{flags}){translated}"
    return re.compile(translated)


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """The regex for a ``parse`` glob: each ``*`` captures as little as possible, except a
    trailing ``*``, which takes the rest of the value; the pattern may match anywhere."""
    parts = glob.split("*")
    pieces = [re.escape(parts[0])]
    for index, literal in enumerate(parts[1:], start=1):
        last = index == len(parts) - 1
        pieces.append("(.*)" if last and literal == "" else "(.*?)")
        pieces.append(re.escape(literal))
    return re.compile("".join(pieces), re.DOTALL)
