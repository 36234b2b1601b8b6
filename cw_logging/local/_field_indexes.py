"""Field indexes in the local engine: which fields a group indexes, and which events a query
may pass over because an index says they cannot match.

A STANDARD group indexes the default fields for all its events and the fields of its index
policy for the events ingested after the policy was put; other classes index nothing. A query
whose leading commands test an indexed field for equality (``filterIndex f = "v"``, ``filter f
= "v"``, ``f in [...]``) reads only the events the index lists. ``filterIndex`` also skips the
groups that do not index the field, and the events ingested before the field was indexed;
``filter`` reads those in full, so its rows never change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidParameterError
from ._model import LogGroup
from .insights import _nodes as n
from .insights import discover_json_fields

DEFAULT_INDEXED_FIELDS = (
    "@logStream",
    "@aws.region",
    "@aws.account",
    "@source.log",
    "traceId",
    "severityText",
)
"""Fields every STANDARD group indexes without a policy."""
MAX_POLICY_FIELDS = 20
"""Fields one index policy may list."""
MAX_FIELD_CHARS = 100
"""Longest field name an index policy may list."""

EventTest = Callable[[dict[str, Any] | None, str, str, int], bool]
"""``test(fields, message, stream, ingestion_ms)``: whether a query reads the event."""


def policy_fields(document: str) -> list[str]:
    """The fields an index policy document lists (``{"Fields": [...]}``), checked."""
    try:
        parsed = json.loads(document)
    except ValueError as exc:
        raise _invalid(f"The policy document is not valid JSON: {exc}") from exc
    fields = parsed.get("Fields") if isinstance(parsed, dict) else None
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise _invalid('The policy document must hold "Fields": a list of field names.')
    if len(fields) > MAX_POLICY_FIELDS:
        raise _invalid(f"An index policy can include at most {MAX_POLICY_FIELDS} fields.")
    if any(len(f) > MAX_FIELD_CHARS for f in fields):
        raise _invalid(f"A field name in an index policy can be at most {MAX_FIELD_CHARS} chars.")
    return list(dict.fromkeys(fields))


def indexed_since(group: LogGroup) -> dict[str, int]:
    """Field -> the ingestion time (epoch ms) from which ``group`` indexes it."""
    if group.log_group_class != "STANDARD":
        return {}
    since = dict.fromkeys(DEFAULT_INDEXED_FIELDS, 0)
    if group.index_policy is not None:
        for name in policy_fields(group.index_policy):
            since.setdefault(name, group.index_policy_time)
    return since


@dataclass(frozen=True)
class IndexLookup:
    """A leading equality test a field index can answer: ``field`` equals one of ``values``;
    ``forced`` when written ``filterIndex``."""

    field: str
    values: frozenset[str]
    forced: bool


def index_lookups(query: n.Query) -> list[IndexLookup]:
    """The equality tests among the query's leading ``filter``/``filterIndex`` commands."""
    found: list[IndexLookup] = []
    for command in query.commands:
        if isinstance(command, n.FilterCommand):
            found += _equalities(command.condition, command.indexed)
        elif not _names_fields_only(command):
            break
    return found


def _equalities(condition: n.Node, forced: bool) -> list[IndexLookup]:
    if isinstance(condition, n.Binary) and condition.op == "and":
        return _equalities(condition.left, forced) + _equalities(condition.right, forced)
    if (
        isinstance(condition, n.Binary)
        and condition.op == "="
        and isinstance(condition.left, n.FieldRef)
        and isinstance(condition.right, n.Literal)
    ):
        return [IndexLookup(condition.left.name, frozenset({str(condition.right.value)}), forced)]
    if (
        isinstance(condition, n.InList)
        and not condition.negated
        and isinstance(condition.operand, n.FieldRef)
        and all(isinstance(item, n.Literal) for item in condition.items.items)
    ):
        values = frozenset(str(item.value) for item in condition.items.items)  # type: ignore[attr-defined]
        return [IndexLookup(condition.operand.name, values, forced)]
    return []


def _names_fields_only(command: n.Command) -> bool:
    if not isinstance(command, (n.FieldsCommand, n.DisplayCommand)):
        return False
    return all(isinstance(i.expr, n.FieldRef) and i.expr.name == i.name for i in command.items)


class IndexPlan:
    """For each group of a query: whether it is read, and which of its events."""

    def __init__(self, lookups: Sequence[IndexLookup]) -> None:
        self.lookups = list(lookups)

    @property
    def forced(self) -> bool:
        """Whether the query uses ``filterIndex``."""
        return any(lookup.forced for lookup in self.lookups)

    def reads_group(self, group: LogGroup) -> bool:
        """False when ``filterIndex`` names a field ``group`` does not index."""
        since = indexed_since(group)
        return all(lookup.field in since for lookup in self.lookups if lookup.forced)

    def event_test(self, group: LogGroup) -> EventTest | None:
        """The test of which of ``group``'s events are read, or None when all are."""
        since = indexed_since(group)
        usable = [(lookup, since[lookup.field]) for lookup in self.lookups if lookup.field in since]
        if not usable:
            return None

        def read(fields: dict[str, Any] | None, message: str, stream: str, ingested: int) -> bool:
            found = fields
            for lookup, indexed_from in usable:
                if ingested < indexed_from:
                    if lookup.forced:
                        return False  # not in the index: filterIndex never sees it
                    continue  # filter reads what the index does not cover
                if lookup.field == "@logStream":
                    value: Any = stream
                else:
                    if found is None:
                        found = discover_json_fields(message)
                    value = found.get(lookup.field)
                if value is None or str(value) not in lookup.values:
                    return False
            return True

        return read


def _invalid(message: str) -> InvalidParameterError:
    return InvalidParameterError(message, code="InvalidParameterException")
