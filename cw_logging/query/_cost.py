"""What a Logs Insights query read and what it costs: statistics, price, and a scan budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from ..errors import ConfigurationError, QueryError

__all__ = [
    "BYTES_PER_GB",
    "DEFAULT_PRICE_PER_GB",
    "ScanBudget",
    "ScanLimitExceeded",
    "ScanStatistics",
]

DEFAULT_PRICE_PER_GB = 0.005
"""US East list price of Logs Insights, in US dollars per GB scanned."""
BYTES_PER_GB = 1024**3
"""AWS bills a GB as 2^30 bytes."""


@dataclass(frozen=True)
class ScanStatistics:
    """A query's statistics as the service reports them (summed over several queries with
    ``+``): records and bytes scanned, estimated records and bytes an index let it skip,
    records matched and log groups scanned."""

    records_scanned: int = 0
    bytes_scanned: int = 0
    records_skipped: int = 0
    bytes_skipped: int = 0
    records_matched: int = 0
    groups_scanned: int = 0

    @classmethod
    def from_api(cls, statistics: Mapping[str, float]) -> ScanStatistics:
        """From the ``statistics`` of a GetQueryResults response (absent members are 0)."""

        def read(name: str) -> int:
            return int(statistics.get(name) or 0)

        return cls(
            records_scanned=read("recordsScanned"),
            bytes_scanned=read("bytesScanned"),
            records_skipped=read("estimatedRecordsSkipped"),
            bytes_skipped=read("estimatedBytesSkipped"),
            records_matched=read("recordsMatched"),
            groups_scanned=read("logGroupsScanned"),
        )

    def __add__(self, other: ScanStatistics) -> ScanStatistics:
        return ScanStatistics(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )

    def estimated_cost(self, price_per_gb: float = DEFAULT_PRICE_PER_GB) -> float:
        """US dollars for the bytes scanned at ``price_per_gb``."""
        return self.bytes_scanned / BYTES_PER_GB * price_per_gb

    def describe(self, price_per_gb: float = DEFAULT_PRICE_PER_GB) -> str:
        """One line for a person: bytes and records scanned, groups, bytes an index skipped,
        estimated cost."""
        return (
            f"scanned {human_bytes(self.bytes_scanned)} ({self.records_scanned:,} records, "
            f"{self.groups_scanned:,} groups), index skipped {human_bytes(self.bytes_skipped)}; "
            f"estimated cost ${self.estimated_cost(price_per_gb):.6f}"
        )


def human_bytes(count: float) -> str:
    """``count`` bytes as B, KiB, MiB, GiB or TiB with one decimal."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


class ScanLimitExceeded(QueryError):
    """A query (or a lookup's queries) scanned more than ``max_scanned_bytes``; it was stopped."""


class ScanBudget:
    """Bytes several queries may scan together (ended ones and those still running, as their
    latest statistics say); :meth:`observe` raises once they pass it."""

    def __init__(self, max_scanned_bytes: int | None) -> None:
        if max_scanned_bytes is not None and (
            isinstance(max_scanned_bytes, bool)
            or not isinstance(max_scanned_bytes, int)
            or max_scanned_bytes < 1
        ):
            raise ConfigurationError(
                f"max_scanned_bytes={max_scanned_bytes!r} is invalid: use a positive number of "
                "bytes (e.g. 10 * 1024**3 for 10 GiB) or None",
                code="InvalidScanLimit",
            )
        self.limit = max_scanned_bytes
        self.spent = 0  # bytes of the queries that have ended
        self._running: dict[str, int] = {}

    def observe(self, query_id: str, scanned_bytes: float) -> None:
        """Note what ``query_id`` has scanned so far; raise :class:`ScanLimitExceeded` when
        all the queries together have passed the limit."""
        self._running[query_id] = int(scanned_bytes)
        if self.limit is None:
            return
        total = self.spent + sum(self._running.values())
        if total > self.limit:
            raise ScanLimitExceeded(
                f"query {query_id} was stopped: the scan reached {human_bytes(total)}, over "
                f"max_scanned_bytes={self.limit:,} ({human_bytes(self.limit)}); narrow the time "
                "range or the log groups, use an indexed field, or raise the limit",
                code="ScanLimitExceeded",
            )

    def ended(self, query_id: str, scanned_bytes: int) -> None:
        """Count a query that has ended with ``scanned_bytes``."""
        self._running.pop(query_id, None)
        self.spent += scanned_bytes
