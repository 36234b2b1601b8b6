"""The first version's module paths keep working after the regrouping, and say where to go."""

from __future__ import annotations

import importlib
import sys
import warnings

import pytest

from cw_logging._moved import MOVED


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("cw_logging.aws_lambda", "lambda_handler", "cw_logging.handler"),
        ("cw_logging.transport", "Transport", "cw_logging.delivery.transport"),
        ("cw_logging.transport", "PutResult", "cw_logging.delivery.transport"),
        ("cw_logging.sender", "RetryPolicy", "cw_logging.delivery"),
        ("cw_logging.metrics", "METRICS", "cw_logging.delivery._emf"),
        ("cw_logging.demo", "logging_config", "cw_logging.cli._demo"),
        ("cw_logging.limits", "MAX_BATCH_BYTES", "cw_logging._limits"),
    ],
)
def test_an_old_path_gives_the_same_object_and_warns(old: str, name: str, new: str) -> None:
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)
    assert [w.category for w in caught] == [DeprecationWarning]
    assert new in str(caught[0].message)


def test_every_moved_path_is_listed_and_other_names_are_not_found() -> None:
    assert set(MOVED) == {
        "cw_logging.aws_lambda",
        "cw_logging.demo",
        "cw_logging.limits",
        "cw_logging.metrics",
        "cw_logging.sender",
        "cw_logging.transport",
    }
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("cw_logging.buffer")
