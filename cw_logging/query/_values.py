"""Checks of plain argument values shared by the read-path functions."""

from __future__ import annotations

from ..errors import ConfigurationError


def positive_int(value: object, name: str) -> int:
    """Return ``value`` if it is a positive int (not a bool), else raise ConfigurationError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            f"{name} must be a positive integer, got {value!r}", code="InvalidLimit"
        )
    return value
