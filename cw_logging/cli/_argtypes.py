"""Command-line argument types: positive numbers, durations (``10m``) and ``--since`` moments."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from ..query._timerange import TimeRange

__all__ = [
    "dollars",
    "parse_duration",
    "parse_since",
    "per_second",
    "positive_int",
    "positive_number",
    "seconds",
    "share",
    "since_range",
]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)([smhdw]))+")
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> timedelta:
    """Return the duration written as ``30s``, ``10m``, ``2h``, ``7d``, ``1w`` or ``1h30m``."""
    value = text.strip().lower()
    if not _DURATION.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use a number and a unit s, m, h, d or w (e.g. 10m, 2h, "
            "1h30m)"
        )
    seconds = sum(float(n) * _UNITS[unit] for n, unit in _PART.findall(value))
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}: it must be positive")
    return timedelta(seconds=seconds)


def parse_since(text: str) -> datetime:
    """Return the moment ``--since`` names: a duration back from now, or an ISO 8601 time.

    ISO times without a zone are read as UTC (log timestamps are UTC). A moment in the future
    is refused: every read looks back from now, so it could only ever find nothing.
    """
    now = datetime.now(timezone.utc)
    try:
        return now - parse_duration(text)
    except argparse.ArgumentTypeError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid time {text!r}: use a duration back from now (10m, 2h, 7d) or an ISO 8601 "
            "time (2026-01-31T12:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    if moment > now:
        raise argparse.ArgumentTypeError(
            f"{text!r} is in the future (it is {now:%Y-%m-%dT%H:%M:%SZ} now): pass a past time, "
            "or a duration back from now such as 10m"
        )
    return moment


def since_range(since: datetime) -> TimeRange:
    """Return the range from ``since`` (in the past, as :func:`parse_since` ensures) until now."""
    now = datetime.now(timezone.utc)
    return TimeRange(min(since, now), now)


def positive_int(text: str) -> int:
    """Return ``text`` as a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def positive_number(unit: str) -> Callable[[str], float]:
    """Return the argument type of a number > 0 counted in ``unit`` (for the error message)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = 0.0
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(
                f"expected a number of {unit} greater than 0, got {text!r}"
            )
        return value

    parse.__name__ = f"number of {unit}"
    return parse


seconds = positive_number("seconds")
"""Argument type: a number of seconds > 0."""
per_second = positive_number("requests per second")
"""Argument type: a rate > 0."""
dollars = positive_number("US dollars")
"""Argument type: a price > 0."""


def share(text: str) -> float:
    """Return ``text`` as a share between 0 and 1 (``0.02`` is 2 %)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(
            f"expected a share between 0 and 1 (0.02 is 2 %), got {text!r}"
        )
    return value
