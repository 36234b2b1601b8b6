"""Aggregation functions of ``stats``: one accumulator per group, fed one value per row."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._values import natural_key, to_number

_NUMBER_TYPES = frozenset((int, float))


class Accumulator:
    """Collects the values of one aggregate for one group."""

    needs_timestamps = False
    """Whether :meth:`add_all` needs the rows' timestamps (else it may get None)."""

    def add(self, value: Any, timestamp: int) -> None:
        """Feed the aggregate's argument for one row, and that row's ``@timestamp``."""
        raise NotImplementedError

    def add_all(self, values: list[Any], timestamps: list[int] | None) -> None:
        """Feed many rows at once, in order (the same as :meth:`add` for each)."""
        stamps = timestamps if timestamps is not None else [0] * len(values)
        for value, timestamp in zip(values, stamps, strict=True):
            self.add(value, timestamp)

    def result(self) -> Any:
        """The aggregate's value for the group (None when it has none)."""
        raise NotImplementedError


class _Count(Accumulator):
    def __init__(self) -> None:
        self.count = 0

    def add(self, value: Any, timestamp: int) -> None:
        if value is not None:
            self.count += 1

    def add_all(self, values: list[Any], timestamps: list[int] | None) -> None:
        self.count += len(values) - values.count(None)

    def result(self) -> Any:
        return self.count


class _CountDistinct(Accumulator):
    def __init__(self) -> None:
        self.seen: set[Any] = set()

    def add(self, value: Any, timestamp: int) -> None:
        if value is not None:
            self.seen.add(value)

    def result(self) -> Any:
        return len(self.seen)


class _Numbers(Accumulator):
    """Keeps the numeric values; subclasses reduce them."""

    def __init__(self) -> None:
        self.numbers: list[int | float] = []

    def add(self, value: Any, timestamp: int) -> None:
        number = to_number(value)
        if number is not None:
            self.numbers.append(number)

    def add_all(self, values: list[Any], timestamps: list[int] | None) -> None:
        if _NUMBER_TYPES.issuperset(map(type, values)):  # to_number would return each as is
            self.numbers += values
            return
        self.numbers += [number for number in map(to_number, values) if number is not None]

    def result(self) -> Any:
        return self.reduce(self.numbers) if self.numbers else None

    def reduce(self, numbers: list[int | float]) -> Any:
        raise NotImplementedError


class _Sum(_Numbers):
    def reduce(self, numbers: list[int | float]) -> Any:
        return sum(numbers)


class _Average(_Numbers):
    def reduce(self, numbers: list[int | float]) -> Any:
        return sum(numbers) / len(numbers)


class _StandardDeviation(_Numbers):
    def reduce(self, numbers: list[int | float]) -> Any:
        if len(numbers) < 2:
            return 0.0
        mean = sum(numbers) / len(numbers)
        return math.sqrt(sum((x - mean) ** 2 for x in numbers) / (len(numbers) - 1))


class _Percentile(_Numbers):
    def __init__(self, percent: float) -> None:
        super().__init__()
        self.percent = percent

    def reduce(self, numbers: list[int | float]) -> Any:
        ordered = sorted(numbers)
        rank = math.ceil(self.percent / 100 * len(ordered))
        return ordered[min(max(rank, 1), len(ordered)) - 1]


class _Extreme(Accumulator):
    """min/max: numerically when any value is a number, else in the natural sort order."""

    def __init__(self, largest: bool) -> None:
        self.largest = largest
        self.numbers: list[int | float] = []
        self.others: list[Any] = []

    def add(self, value: Any, timestamp: int) -> None:
        if value is None:
            return
        number = to_number(value)
        if number is None:
            self.others.append(value)
        else:
            self.numbers.append(value if isinstance(value, (int, float)) else number)

    def result(self) -> Any:
        pick = max if self.largest else min
        if self.numbers:
            return pick(self.numbers)
        return pick(self.others, key=natural_key) if self.others else None


class _ByTime(Accumulator):
    """earliest/latest: the value from the row with the smallest/largest ``@timestamp``."""

    needs_timestamps = True

    def __init__(self, latest: bool) -> None:
        self.latest = latest
        self.best: tuple[int, Any] | None = None

    def add(self, value: Any, timestamp: int) -> None:
        if value is None:
            return
        if self.best is None or (
            timestamp > self.best[0] if self.latest else timestamp < self.best[0]
        ):
            self.best = (timestamp, value)

    def result(self) -> Any:
        return None if self.best is None else self.best[1]


class _BySortOrder(Accumulator):
    """sortsFirst/sortsLast: the value that sorts first/last in the natural sort order."""

    def __init__(self, last: bool) -> None:
        self.last = last
        self.values: list[Any] = []

    def add(self, value: Any, timestamp: int) -> None:
        if value is not None:
            self.values.append(value)

    def result(self) -> Any:
        if not self.values:
            return None
        return (max if self.last else min)(self.values, key=natural_key)


@dataclass(frozen=True)
class AggregateSpec:
    """How to make an accumulator, and whether the second argument is a percentage."""

    factory: Callable[..., Accumulator]
    takes_percent: bool = False
    allows_star: bool = False


AGGREGATES: dict[str, AggregateSpec] = {
    "count": AggregateSpec(_Count, allows_star=True),
    "count_distinct": AggregateSpec(_CountDistinct),
    "sum": AggregateSpec(_Sum),
    "avg": AggregateSpec(_Average),
    "stddev": AggregateSpec(_StandardDeviation),
    "pct": AggregateSpec(_Percentile, takes_percent=True),
    "min": AggregateSpec(lambda: _Extreme(largest=False)),
    "max": AggregateSpec(lambda: _Extreme(largest=True)),
    "earliest": AggregateSpec(lambda: _ByTime(latest=False)),
    "latest": AggregateSpec(lambda: _ByTime(latest=True)),
    "sortsfirst": AggregateSpec(lambda: _BySortOrder(last=False)),
    "sortslast": AggregateSpec(lambda: _BySortOrder(last=True)),
}
"""Aggregation functions by lower-cased name."""
