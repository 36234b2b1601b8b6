"""Time periods (``5m``, ``1h``, ``3mo``) and flooring/ceiling timestamps to them, in UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_FIXED_UNITS_MS = {
    "ms": 1,
    "msec": 1,
    "millisecond": 1,
    "s": 1_000,
    "sec": 1_000,
    "second": 1_000,
    "m": 60_000,
    "min": 60_000,
    "minute": 60_000,
    "h": 3_600_000,
    "hr": 3_600_000,
    "hour": 3_600_000,
    "d": 86_400_000,
    "day": 86_400_000,
    "w": 604_800_000,
    "week": 604_800_000,
}
_CAPS = {1: 1000, 1_000: 60, 60_000: 60, 3_600_000: 24}
"""The most of a unit a period may hold, by the unit's length in ms: the functions page says
CloudWatch caps ``ms`` at 1000, ``s`` and ``m`` at 60 and ``h`` at 24 (``bin(300s)`` is
``bin(60s)``)."""

_CALENDAR_UNITS_MONTHS = {
    "mo": 1,
    "mon": 1,
    "month": 1,
    "q": 3,
    "qtr": 3,
    "quarter": 3,
    "y": 12,
    "yr": 12,
    "year": 12,
}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Period:
    """A length of time: a fixed number of milliseconds, or a whole number of calendar months."""

    millis: int = 0
    months: int = 0

    def floor(self, epoch_ms: int) -> int:
        """The start (epoch ms) of the period that contains ``epoch_ms``."""
        if self.months:
            moment = _EPOCH + dt.timedelta(milliseconds=epoch_ms)
            index = (moment.year - 1970) * 12 + moment.month - 1
            index -= index % self.months
            return _month_start_ms(index)
        return epoch_ms - epoch_ms % self.millis

    def ceil(self, epoch_ms: int) -> int:
        """The end (epoch ms) of the period that contains ``epoch_ms``; itself on a boundary."""
        start = self.floor(epoch_ms)
        if start == epoch_ms:
            return start
        if self.months:
            moment = _EPOCH + dt.timedelta(milliseconds=start)
            index = (moment.year - 1970) * 12 + moment.month - 1 + self.months
            return _month_start_ms(index)
        return start + self.millis


def _month_start_ms(months_since_epoch: int) -> int:
    year, month = divmod(months_since_epoch, 12)
    start = dt.datetime(1970 + year, month + 1, 1, tzinfo=dt.timezone.utc)
    return (start - _EPOCH) // dt.timedelta(milliseconds=1)


def parse_period_unit(amount: str, unit: str) -> Period | None:
    """The period ``amount`` ``unit`` (``5``, ``min``), or None when the unit is unknown.

    Units follow the service's list for ``bin``; a trailing ``s`` pluralises any unit longer
    than one character (``hrs``, ``mins``). Amounts above a unit's cap are capped.
    """
    key = unit.lower()
    if key not in _FIXED_UNITS_MS and key not in _CALENDAR_UNITS_MONTHS and len(key) > 2:
        key = key[:-1] if key.endswith("s") else key
    if "." in amount or "e" in amount.lower():
        return None
    count = int(amount)
    if count <= 0:
        return None
    if key in _FIXED_UNITS_MS:
        unit_ms = _FIXED_UNITS_MS[key]
        return Period(millis=min(count, _CAPS.get(unit_ms, count)) * unit_ms)
    if key in _CALENDAR_UNITS_MONTHS:
        return Period(months=count * _CALENDAR_UNITS_MONTHS[key])
    return None
