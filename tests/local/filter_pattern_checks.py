"""Shared checks for the filter-pattern tests."""

from __future__ import annotations

import pytest

from cw_logging.errors import InvalidParameterError
from cw_logging.local import compile_filter_pattern


def refusal(pattern: str) -> str:
    """The message of the InvalidParameterException compiling ``pattern`` raises (fails the
    test when it compiles or raises something else)."""
    with pytest.raises(InvalidParameterError) as caught:
        compile_filter_pattern(pattern)
    assert caught.value.code == "InvalidParameterException"
    return caught.value.message
