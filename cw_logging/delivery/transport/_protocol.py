"""What the write path needs from the service: the :class:`Transport` protocol and the result of
a PutLogEvents call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..._limits import InputLogEvent

__all__ = ["PutResult", "Transport"]


@dataclass(frozen=True)
class PutResult:
    """What PutLogEvents reported: indexes of rejected events by reason (empty when all stored).

    ``too_new_start``: events at this index and after were too new; ``too_old_end``: events
    before this index were too old; ``expired_end``: events before this index were older than the
    retention period. ``None`` means no event was rejected for that reason.
    """

    too_new_start: int | None = None
    too_old_end: int | None = None
    expired_end: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> PutResult:
        """Build from a PutLogEvents response's ``rejectedLogEventsInfo``."""
        info = response.get("rejectedLogEventsInfo") or {}
        return cls(
            too_new_start=info.get("tooNewLogEventStartIndex"),
            too_old_end=info.get("tooOldLogEventEndIndex"),
            expired_end=info.get("expiredLogEventEndIndex"),
            raw=info,
        )

    def rejected_by_reason(self, count: int) -> dict[str, int]:
        """Return how many of ``count`` sent events were rejected, per reason (zeros omitted).

        An event counted as too old is not counted again as expired.
        """
        too_old = min(self.too_old_end + 1, count) if self.too_old_end is not None else 0
        expired_total = min(self.expired_end + 1, count) if self.expired_end is not None else 0
        expired = max(expired_total - too_old, 0)
        too_new = count - self.too_new_start if self.too_new_start is not None else 0
        too_new = max(min(too_new, count - max(too_old, expired_total)), 0)
        reasons = {"too_old": too_old, "expired": expired, "too_new": too_new}
        return {reason: n for reason, n in reasons.items() if n}


@runtime_checkable
class Transport(Protocol):
    """What the write path needs from the service. Methods raise taxonomy errors (errors.py)."""

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        """Store ``events`` (a valid batch, in order) in the stream.

        ``events`` is a read-only sequence of ``{"timestamp", "message"}`` dicts, not always a
        list: ``list(events)`` gives one to keep or to serialise."""
        ...

    def create_log_group(self, log_group: str) -> None:
        """Create the group; raise ResourceAlreadyExistsError if it exists."""
        ...

    def create_log_stream(self, log_group: str, log_stream: str) -> None:
        """Create the stream; raise ResourceAlreadyExistsError if it exists."""
        ...

    def put_retention_policy(self, log_group: str, days: int) -> None:
        """Set the group's retention in days."""
        ...
