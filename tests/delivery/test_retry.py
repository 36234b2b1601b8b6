"""The retry policy: checked values, and the handler's ``retry=`` option (also from dictConfig)."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest

from cw_logging import CloudWatchHandler, RetryPolicy
from cw_logging.errors import ConfigurationError
from tests.support.faults import MemoryTransport


@pytest.fixture
def isolated_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:], root.level = saved


def test_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.base_delay, policy.max_delay, policy.failure_threshold) == (0.2, 30.0, 5)
    assert (policy.reset_timeout, policy.max_reset_timeout) == (5.0, 60.0)
    assert (policy.bisect_budget, policy.report_interval) == (64, 60.0)


@pytest.mark.parametrize(
    "fields",
    [
        {"base_delay": 0},
        {"base_delay": float("nan")},
        {"max_delay": 1e10},
        {"base_delay": 5, "max_delay": 1},
        {"reset_timeout": 10, "max_reset_timeout": 5},
        {"failure_threshold": 0},
        {"bisect_budget": -1},
        {"report_interval": -1},
    ],
)
def test_bad_values_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RetryPolicy(**fields)
    assert caught.value.code == "InvalidSetting"


def test_from_value_takes_a_policy_a_mapping_or_none() -> None:
    policy = RetryPolicy(base_delay=1.0)
    assert RetryPolicy.from_value(policy) is policy
    assert RetryPolicy.from_value(None) == RetryPolicy()
    assert RetryPolicy.from_value({"max_delay": 5}) == RetryPolicy(max_delay=5)
    with pytest.raises(ConfigurationError, match="unknown keys"):
        RetryPolicy.from_value({"max_delay": 5, "jitter": True})
    with pytest.raises(ConfigurationError, match="RetryPolicy or a dict"):
        RetryPolicy.from_value(3)  # type: ignore[arg-type]


def test_the_handler_takes_retry_as_a_keyword() -> None:
    handler = CloudWatchHandler("/app", transport=MemoryTransport(), retry=RetryPolicy(max_delay=2))
    try:
        assert handler.options.delivery.retry.max_delay == 2
        assert handler._sender.putter.backoff.cap == 2
    finally:
        handler.close()


def test_a_subclass_policy_is_the_default_and_the_keyword_wins() -> None:
    class Patient(CloudWatchHandler):
        retry_policy = RetryPolicy(max_delay=120, max_reset_timeout=120)

    default = Patient("/app", transport=MemoryTransport())
    given = Patient("/app", transport=MemoryTransport(), retry={"max_delay": 1})
    try:
        assert default.options.delivery.retry.max_delay == 120
        assert given.options.delivery.retry.max_delay == 1
    finally:
        default.close()
        given.close()


def test_retry_from_dict_config(isolated_logging: None) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "handlers": {
                "cw": {
                    "class": "cw_logging.CloudWatchHandler",
                    "log_group": "/app",
                    "transport": MemoryTransport(),
                    "retry": {"base_delay": 0.5, "failure_threshold": 3},
                }
            },
            "root": {"handlers": ["cw"]},
        }
    )
    handler = logging.getLogger().handlers[-1]
    assert isinstance(handler, CloudWatchHandler)
    assert handler.options.delivery.retry == RetryPolicy(base_delay=0.5, failure_threshold=3)
