"""The 128-character limit on field names a lookup quotes into a query, at 127, 128 and 129,
counted over the whole dotted name."""

from __future__ import annotations

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.query._ids import validate_field_name

DOTTED_128 = "a." * 63 + "bc"  # 64 segments, dots included: 128 characters


@pytest.mark.parametrize("name", ["f" * 127, "f" * 128, DOTTED_128])
def test_field_names_up_to_128_characters_pass(name: str) -> None:
    assert validate_field_name(name) == name


@pytest.mark.parametrize("name", ["f" * 129, DOTTED_128 + "d"])
def test_field_names_of_129_characters_are_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match="refused field name") as refused:
        validate_field_name(name)
    assert refused.value.code == "InvalidFieldName"
