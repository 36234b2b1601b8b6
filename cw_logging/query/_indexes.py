"""Which fields a fleet's log groups index, so a lookup knows when ``filterIndex`` is safe.

Every STANDARD group indexes :data:`DEFAULT_INDEXED_FIELDS` (``traceId``, ``severityText``,
...); other fields are indexed where an index policy names them, which DescribeFieldIndexes
reports (100 groups a call). Answers are cached for ``ttl`` seconds per client.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._options import Clock
from ..errors import ConfigurationError
from ._client import paginate, require_operation
from ._groups import group_name

__all__ = ["DEFAULT_INDEXED_FIELDS", "Coverage", "IndexCatalog", "catalog_for"]

DEFAULT_INDEXED_FIELDS = frozenset(
    {"@logStream", "@aws.region", "@aws.account", "@source.log", "traceId", "severityText"}
)
"""Fields CloudWatch indexes in every STANDARD log group without a policy."""
DESCRIBE_FIELD_INDEXES_BATCH = 100
"""Log groups one DescribeFieldIndexes call may name."""


@dataclass(frozen=True)
class Coverage:
    """How the groups under some prefixes index one field: STANDARD groups, how many of them
    index it, and how many INFREQUENT_ACCESS groups (which index nothing) there are."""

    field: str
    standard: int
    indexed: int
    infrequent: int

    @property
    def complete(self) -> bool:
        """Whether every STANDARD group indexes the field (``filterIndex`` misses nothing)."""
        return self.indexed == self.standard


class IndexCatalog:
    """Group classes and indexed fields under name prefixes, cached for ``ttl`` seconds."""

    def __init__(self, client: Any, *, ttl: float = 300.0, clock: Clock = time.monotonic) -> None:
        if ttl < 0:
            raise ConfigurationError(f"ttl={ttl} must not be negative", code="InvalidTtl")
        self.client = client
        self.ttl = ttl
        self.clock = clock
        self._groups: dict[str, tuple[float, dict[str, str]]] = {}
        self._fields: dict[str, tuple[float, frozenset[str]]] = {}

    def groups(self, prefixes: Iterable[str]) -> dict[str, str]:
        """``{group name: log class}`` of every group under ``prefixes`` (DescribeLogGroups)."""
        found: dict[str, str] = {}
        for prefix in prefixes:
            cached = self._groups.get(prefix)
            if cached is None or self.clock() - cached[0] > self.ttl:
                listed = {
                    str(g["logGroupName"]): str(g.get("logGroupClass") or "STANDARD")
                    for g in paginate(
                        self.client,
                        "describe_log_groups",
                        {"logGroupNamePrefix": prefix},
                        items_key="logGroups",
                    )
                }
                cached = (self.clock(), listed)
                self._groups[prefix] = cached
            found.update(cached[1])
        return found

    def indexed_fields(self, groups: Sequence[str]) -> dict[str, frozenset[str]]:
        """``{group: fields it indexes}`` from DescribeFieldIndexes (defaults not included)."""
        stale = [g for g in groups if self._stale(g)]
        if stale:
            require_operation(self.client, "DescribeFieldIndexes")
        for start in range(0, len(stale), DESCRIBE_FIELD_INDEXES_BATCH):
            batch = stale[start : start + DESCRIBE_FIELD_INDEXES_BATCH]
            seen: dict[str, set[str]] = {g: set() for g in batch}
            for entry in paginate(
                self.client,
                "describe_field_indexes",
                {"logGroupIdentifiers": batch},
                items_key="fieldIndexes",
            ):
                name = group_name(str(entry.get("logGroupIdentifier", "")))
                seen.setdefault(name, set()).add(str(entry.get("fieldIndexName")))
            now = self.clock()
            for group, names in seen.items():
                self._fields[group] = (now, frozenset(names))
        return {g: self._fields[g][1] for g in groups if g in self._fields}

    def coverage(self, prefixes: Iterable[str], field: str) -> Coverage:
        """How the groups under ``prefixes`` index ``field``."""
        classes = self.groups(prefixes)
        standard = sorted(g for g, c in classes.items() if c == "STANDARD")
        infrequent = sum(1 for c in classes.values() if c == "INFREQUENT_ACCESS")
        if field in DEFAULT_INDEXED_FIELDS:
            return Coverage(field, len(standard), len(standard), infrequent)
        indexed = self.indexed_fields(standard)
        count = sum(1 for g in standard if field in indexed.get(g, ()))
        return Coverage(field, len(standard), count, infrequent)

    def forget(self) -> None:
        """Drop every cached answer (after changing an index policy, say)."""
        self._groups.clear()
        self._fields.clear()

    def _stale(self, group: str) -> bool:
        cached = self._fields.get(group)
        return cached is None or self.clock() - cached[0] > self.ttl


_CATALOGS: weakref.WeakKeyDictionary[Any, IndexCatalog] = weakref.WeakKeyDictionary()


def catalog_for(client: Any) -> IndexCatalog:
    """The cached catalog of ``client`` (a fresh one when the client cannot be weakly held)."""
    try:
        catalog = _CATALOGS.get(client)
        if catalog is None:
            catalog = _CATALOGS[client] = IndexCatalog(client)
        return catalog
    except TypeError:
        return IndexCatalog(client)
