"""Lookups across a fleet named by prefixes: one ``SOURCE`` query per log class, with
``filterIndex`` where every group covered indexes the field, and what the lookup cost."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import ConfigurationError
from ._cost import DEFAULT_PRICE_PER_GB, ScanStatistics
from ._ids import equality_condition
from ._indexes import DEFAULT_INDEXED_FIELDS, IndexCatalog
from ._records import CorrelatedEvent
from ._source import LOG_CLASSES, source_clause

__all__ = ["FleetQuery", "LookupResult", "plan_fleet_queries"]

_SHOWN = "| fields @timestamp, @message, @logStream, @log\n| sort @timestamp asc"


class LookupResult(list[CorrelatedEvent]):
    """A lookup's events (a list, in time order) and what finding them took: ``queries``
    issued, ``scan`` statistics summed over them, ``notes`` for a person (a class searched
    without an index, a field not indexed everywhere) and the ``estimated_cost``."""

    def __init__(
        self,
        events: Iterable[CorrelatedEvent] = (),
        *,
        queries: int = 0,
        scan: ScanStatistics | None = None,
        notes: Sequence[str] = (),
        price_per_gb: float = DEFAULT_PRICE_PER_GB,
    ) -> None:
        super().__init__(events)
        self.queries = queries
        self.scan = scan or ScanStatistics()
        self.notes = list(notes)
        self.price_per_gb = price_per_gb

    @property
    def estimated_cost(self) -> float:
        """US dollars for the bytes the lookup's queries scanned."""
        return self.scan.estimated_cost(self.price_per_gb)


@dataclass(frozen=True)
class FleetQuery:
    """One query of a prefix lookup: its text, its class, whether it uses ``filterIndex``."""

    query: str
    log_class: str
    indexed: bool


def plan_fleet_queries(
    fields: Sequence[str],
    value: str,
    prefixes: Sequence[str],
    log_classes: Sequence[str],
    *,
    use_index: bool | None,
    catalog: IndexCatalog | None,
) -> tuple[list[FleetQuery], list[str]]:
    """The queries of a lookup of ``field = value`` (for any field of ``fields``; checked
    names and id) under ``prefixes``, and notes about them.

    STANDARD groups are read with ``filterIndex`` when ``use_index`` is True, or when it is
    None and the one field is indexed by default or (asking ``catalog``) in every STANDARD
    group covered; else with ``filter``. INFREQUENT_ACCESS groups have no field indexes, and
    several fields make an ``or`` no index answers: ``filter``.
    """
    classes = _classes(log_classes)
    notes: list[str] = []
    queries: list[FleetQuery] = []
    condition = equality_condition(fields, value)
    for log_class in classes:
        indexed = False
        if log_class == "STANDARD" and len(fields) > 1:
            notes.append(
                f"{' and '.join(fields)} searched together with filter: an 'or' of two fields "
                "cannot use a field index, so every event in the window is scanned"
            )
        elif log_class == "STANDARD":
            indexed, note = _decide(fields[0], prefixes, use_index, catalog)
            if note:
                notes.append(note)
        else:
            notes.append(
                f"{log_class} groups under {list(prefixes)} searched with filter: that class has "
                "no field indexes, so every event in the window is scanned"
            )
        command = "filterIndex" if indexed else "filter"
        text = f"{source_clause(prefixes, log_class)}\n| {command} {condition}\n{_SHOWN}"
        queries.append(FleetQuery(text, log_class, indexed))
    return queries, notes


def _decide(
    field: str, prefixes: Sequence[str], use_index: bool | None, catalog: IndexCatalog | None
) -> tuple[bool, str]:
    if use_index is not None:
        return use_index, ""
    if field in DEFAULT_INDEXED_FIELDS:
        return True, ""
    if catalog is None:
        return False, f"{field} is not a default index: searched with filter"
    coverage = catalog.coverage(prefixes, field)
    if coverage.standard and coverage.complete:
        return True, ""
    return False, (
        f"{field} is indexed in {coverage.indexed} of {coverage.standard} STANDARD groups under "
        f"{list(prefixes)}: searched with filter (filterIndex would skip the others); index it "
        "everywhere with cw_logging.query.admin.put_field_index_policy"
    )


def _classes(log_classes: Sequence[str] | str) -> list[str]:
    chosen = [log_classes] if isinstance(log_classes, str) else list(dict.fromkeys(log_classes))
    if not chosen or any(c not in LOG_CLASSES for c in chosen):
        raise ConfigurationError(
            f"log_classes={log_classes!r} is invalid: use one or both of {', '.join(LOG_CLASSES)}",
            code="InvalidLogGroupClass",
        )
    return chosen
