"""``SOURCE logGroups(namePrefix: [...], class: [...])``: a query over every group whose name
starts with a prefix, with no group list in StartQuery (up to 10,000 groups, 5 prefixes)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import ConfigurationError

__all__ = ["LOG_CLASSES", "MAX_PREFIXES", "has_source", "source_clause", "validate_prefixes"]

MAX_PREFIXES = 5
"""Prefixes one ``SOURCE`` may list."""
LOG_CLASSES = ("STANDARD", "INFREQUENT_ACCESS")
"""Log classes a ``SOURCE`` may select (field indexes exist only in STANDARD)."""

_PREFIX = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")
_OPENS_WITH_SOURCE = re.compile(r"\s*source\b", re.IGNORECASE)


def validate_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Return the distinct prefixes if there are 1-5 valid ones, else raise."""
    if isinstance(prefixes, str):
        prefixes = [prefixes]
    chosen = tuple(dict.fromkeys(prefixes))
    if not 1 <= len(chosen) <= MAX_PREFIXES:
        raise ConfigurationError(
            f"{len(chosen)} prefixes given: a SOURCE takes 1 to {MAX_PREFIXES} log group name "
            "prefixes (name services so a few prefixes cover the fleet, e.g. '/shop/')",
            code="InvalidPrefixes",
        )
    for prefix in chosen:
        if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
            raise ConfigurationError(
                f"refused log group prefix {prefix!r}: use 1-512 of letters, digits and . - _ / #",
                code="InvalidPrefixes",
            )
    return chosen


def source_clause(prefixes: Iterable[str], log_class: str = "STANDARD") -> str:
    """The ``SOURCE`` command selecting the groups under ``prefixes`` in ``log_class``."""
    if log_class not in LOG_CLASSES:
        raise ConfigurationError(
            f"log class {log_class!r} cannot be queried: use one of {', '.join(LOG_CLASSES)}",
            code="InvalidLogGroupClass",
        )
    names = ", ".join(f"'{prefix}'" for prefix in validate_prefixes(prefixes))
    return f"SOURCE logGroups(namePrefix: [{names}], class: ['{log_class}'])"


def has_source(query: str) -> bool:
    """Whether ``query`` opens with a ``SOURCE`` command (then StartQuery names no groups)."""
    return _OPENS_WITH_SOURCE.match(query) is not None
