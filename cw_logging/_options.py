"""The checks every option of the package goes through, and the policies options name.

One place for them, so that every setting is refused the same way: a
:class:`~cw_logging.errors.ConfigurationError` (code ``InvalidSetting``) that names the option,
the value and what is allowed.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from typing import TypeVar

from .errors import ConfigurationError

__all__ = [
    "INVALID_SETTING",
    "Clock",
    "Overflow",
    "Oversize",
    "parse_choice",
    "parse_overflow",
    "parse_oversize",
    "require_flag",
    "require_int",
    "require_number",
    "require_seconds",
]

Clock = Callable[[], float]
"""A clock returning seconds (``time.monotonic`` unless a test injects another)."""

INVALID_SETTING = "InvalidSetting"
"""The error code of every refused option."""


class Overflow(str, enum.Enum):
    """What a full queue (or spool) does with a new record."""

    DROP_OLDEST = "drop_oldest"
    DROP_NEWEST = "drop_newest"
    BLOCK = "block"


class Oversize(str, enum.Enum):
    """What the batch builder does with a message larger than the per-event limit."""

    TRUNCATE = "truncate"
    SPLIT = "split"
    DROP = "drop"


_E = TypeVar("_E", bound=enum.Enum)


def _refuse(message: str) -> ConfigurationError:
    return ConfigurationError(message, code=INVALID_SETTING)


def parse_choice(value: object, kind: type[_E], setting: str) -> _E:
    """Return the member of ``kind`` named by ``value`` (case and spaces ignored), or raise."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value.strip().lower())
        except ValueError:
            pass
    allowed = ", ".join(repr(member.value) for member in kind)
    raise _refuse(f"unknown {setting} policy {value!r}: use one of {allowed}")


def parse_overflow(value: object) -> Overflow:
    """Return the :class:`Overflow` policy named by ``value`` or raise ConfigurationError."""
    return parse_choice(value, Overflow, "overflow")


def parse_oversize(value: object) -> Oversize:
    """Return the :class:`Oversize` policy named by ``value`` or raise ConfigurationError."""
    return parse_choice(value, Oversize, "oversize")


def require_int(name: str, value: object, low: int, high: int | None = None) -> int:
    """Return ``value`` if it is an integer in ``[low, high]`` (no upper bound when None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        bound = f"an integer >= {low}" + (f" and <= {high}" if high is not None else "")
        raise _refuse(f"{name}={value!r} is invalid: use {bound}")
    if high is not None and value > high:
        raise _refuse(f"{name}={value!r} is above the limit of {high}: use a value <= {high}")
    return value


def require_number(name: str, value: object, low: float, high: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number in ``[low, high]``."""
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None or math.isnan(number) or math.isinf(number) or number < low:
        upper = "" if high is None else f" and <= {high:g}"
        raise _refuse(f"{name}={value!r} is invalid: use a finite number >= {low:g}{upper}")
    if high is not None and number > high:
        raise _refuse(f"{name}={value!r} is too large: use at most {high:g}")
    return float(number)


def require_seconds(
    name: str, value: object, *, allow_zero: bool = False, maximum: float | None = None
) -> float:
    """Return ``value`` as float seconds if it is a finite number > 0 (or >= 0), <= ``maximum``."""
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    low_ok = number is not None and (number >= 0 if allow_zero else number > 0)
    if number is None or math.isnan(number) or math.isinf(number) or not low_ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise _refuse(f"{name}={value!r} is invalid: use a finite number of seconds {bound}")
    if maximum is not None and number > maximum:
        raise _refuse(f"{name}={value!r} is too large: use at most {maximum:g} seconds")
    return float(number)


def require_flag(name: str, value: object) -> bool:
    """Return ``value`` if it is a bool, else raise (``"yes"`` or ``1`` are not flags)."""
    if not isinstance(value, bool):
        raise _refuse(f"{name}={value!r} is invalid: use True or False")
    return value
