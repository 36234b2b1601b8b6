"""The option checks and policies every setting goes through."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cw_logging._options import Overflow, Oversize, parse_overflow, parse_oversize
from cw_logging.delivery._queue import BoundedQueue
from cw_logging.errors import ConfigurationError

WAIT = 10.0  # generous deadline for cross-thread conditions; a healthy run never reaches it
NEVER = 1 << 40  # wake thresholds that are never crossed


# -- policies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("drop_oldest", Overflow.DROP_OLDEST),
        (" BLOCK ", Overflow.BLOCK),
        (Overflow.DROP_NEWEST,) * 2,
    ],
)
def test_parse_overflow_accepts_names_and_members(value: str, expected: Overflow) -> None:
    assert parse_overflow(value) is expected


@pytest.mark.parametrize(("value", "expected"), [("split", Oversize.SPLIT), (Oversize.DROP,) * 2])
def test_parse_oversize_accepts_names_and_members(value: str, expected: Oversize) -> None:
    assert parse_oversize(value) is expected


@pytest.mark.parametrize(
    ("parse", "allowed"),
    [
        (parse_overflow, ("drop_oldest", "drop_newest", "block")),
        (parse_oversize, ("truncate", "split", "drop")),
    ],
)
def test_unknown_policy_names_the_allowed_values(
    parse: Callable[[str], object], allowed: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse("sometimes")
    assert isinstance(caught.value, ValueError)
    assert "sometimes" in str(caught.value)
    for name in allowed:
        assert name in str(caught.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_bytes": 0},
        {"max_bytes": True},
        {"max_bytes": 10, "overflow": "later"},
        {"max_bytes": 10, "block_timeout": -1},
        {"max_bytes": 10, "block_timeout": float("nan")},
        {"max_bytes": 10, "block_timeout": float("inf")},
        {"max_bytes": 10, "wake_items": 0},
        {"max_bytes": 10, "wake_bytes": 0},
    ],
)
def test_queue_rejects_bad_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        BoundedQueue(**kwargs)  # type: ignore[arg-type]
