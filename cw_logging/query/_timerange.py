"""A UTC time range and the conversions CloudWatch Logs needs (epoch seconds and milliseconds)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from ..errors import ConfigurationError

__all__ = ["TimeRange", "as_time_range", "from_epoch_millis", "parse_service_timestamp", "to_utc"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MILLIS_LOOKALIKE = 100_000_000_000  # epoch seconds this large are in the year 5138


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_utc(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """Return ``moment`` as an aware UTC datetime.

    A naive ``moment`` is read in ``tz``; without ``tz`` it is refused, because guessing the zone
    silently shifts every query by the machine's UTC offset.
    """
    if not isinstance(moment, datetime):
        raise ConfigurationError(
            f"expected a datetime, got {type(moment).__name__}", code="InvalidTimeRange"
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        if tz is None:
            raise ConfigurationError(
                f"naive datetime {moment.isoformat()} has no time zone: pass an aware datetime "
                "(e.g. datetime.now(timezone.utc)) or tz=...",
                code="NaiveDatetime",
            )
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class TimeRange:
    """A closed interval ``[start, end]`` of aware UTC datetimes.

    Build one with :meth:`between`, :meth:`last`, :meth:`from_epoch_seconds` or
    :meth:`from_epoch_millis`; convert with :meth:`epoch_seconds` (StartQuery) and
    :meth:`epoch_millis` (GetLogEvents, FilterLogEvents).
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start, end = to_utc(self.start), to_utc(self.end)
        if start > end:
            raise ConfigurationError(
                f"time range starts ({start.isoformat()}) after it ends ({end.isoformat()})",
                code="InvalidTimeRange",
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @classmethod
    def between(cls, start: datetime, end: datetime, *, tz: tzinfo | None = None) -> TimeRange:
        """Return the range from ``start`` to ``end`` (aware, or naive read in ``tz``)."""
        return cls(to_utc(start, tz), to_utc(end, tz))

    @classmethod
    def last(
        cls,
        *,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
        now: datetime | None = None,
    ) -> TimeRange:
        """Return the range that ends now (or at ``now``) and lasts the given duration."""
        length = timedelta(minutes=minutes, hours=hours, days=days)
        if length <= timedelta(0):
            raise ConfigurationError(
                "TimeRange.last needs a positive duration, e.g. last(minutes=15)",
                code="InvalidTimeRange",
            )
        end = to_utc(now) if now is not None else _utc_now()
        return cls(end - length, end)

    @classmethod
    def around(cls, moment: datetime, radius: timedelta) -> TimeRange:
        """Return the range ``radius`` either side of ``moment`` (an aware datetime)."""
        centre = to_utc(moment)
        return cls(centre - radius, centre + radius)

    @classmethod
    def from_epoch_seconds(cls, start: float, end: float) -> TimeRange:
        """Return the range between two epoch-second timestamps."""
        return cls(_from_epoch(start), _from_epoch(end))

    @classmethod
    def from_epoch_millis(cls, start: float, end: float) -> TimeRange:
        """Return the range between two epoch-millisecond timestamps."""
        return cls(from_epoch_millis(_number(start)), from_epoch_millis(_number(end)))

    @property
    def duration(self) -> timedelta:
        """The length of the range."""
        return self.end - self.start

    def epoch_seconds(self) -> tuple[int, int]:
        """Return ``(start, end)`` in whole epoch seconds, widened outwards so no edge is lost."""
        return math.floor(self.start.timestamp()), math.ceil(self.end.timestamp())

    def epoch_millis(self) -> tuple[int, int]:
        """Return ``(start, end)`` in epoch milliseconds."""
        return _millis(self.start), _millis(self.end)

    def clip_end(self, latest: datetime) -> TimeRange:
        """Return this range with its end moved back to ``latest`` if it lies beyond it."""
        latest = to_utc(latest)
        if self.end <= latest:
            return self
        return TimeRange(min(self.start, latest), latest)


def _number(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(
            f"expected an epoch timestamp number, got {value!r}", code="InvalidTimeRange"
        )
    return value


def _from_epoch(seconds: float) -> datetime:
    if abs(_number(seconds)) >= _MILLIS_LOOKALIKE:
        raise ConfigurationError(
            f"epoch timestamp {seconds!r} looks like milliseconds: use from_epoch_millis",
            code="InvalidTimeRange",
        )
    return datetime.fromtimestamp(seconds, timezone.utc)


def _millis(moment: datetime) -> int:
    delta = moment - _EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def as_time_range(value: TimeRange | timedelta) -> TimeRange:
    """Return ``value`` as a :class:`TimeRange`; a ``timedelta`` means "the last ``value``"."""
    if isinstance(value, TimeRange):
        return value
    if isinstance(value, timedelta):
        return TimeRange.last(minutes=value.total_seconds() / 60)
    raise ConfigurationError(
        f"expected a TimeRange or a timedelta, got {type(value).__name__}: use e.g. "
        "TimeRange.last(hours=1)",
        code="InvalidTimeRange",
    )


def from_epoch_millis(millis: float) -> datetime:
    """Return the aware UTC datetime of an epoch-millisecond timestamp."""
    return _EPOCH + timedelta(milliseconds=millis)


def parse_service_timestamp(value: str) -> datetime | None:
    """Parse a timestamp as Logs Insights returns it (``YYYY-MM-DD HH:MM:SS.mmm``, UTC).

    Epoch milliseconds (all digits) are accepted too. Returns None for anything else.
    """
    text = value.strip()
    if text.isdigit():
        return from_epoch_millis(int(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
