"""Properties of the id allow-list: nothing outside it passes; what passes cannot alter a query."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cw_logging.errors import ConfigurationError
from cw_logging.query import (
    build_correlation_query,
    build_filter_pattern,
    validate_id,
    validate_query,
)

ALLOWED = string.ascii_letters + string.digits + "._:-"
safe_ids = st.text(alphabet=ALLOWED, min_size=1, max_size=256)


@given(
    prefix=st.text(alphabet=ALLOWED, max_size=20),
    bad=st.characters().filter(lambda c: c not in ALLOWED),
    suffix=st.text(max_size=20),
)
def test_any_character_outside_the_allow_list_is_refused(
    prefix: str, bad: str, suffix: str
) -> None:
    with pytest.raises(ConfigurationError, match="refused"):
        validate_id(prefix + bad + suffix)


@given(value=safe_ids)
def test_an_accepted_id_stays_one_quoted_literal(value: str) -> None:
    query = build_correlation_query("traceId", value)
    assert validate_query(query) == query
    lines = query.splitlines()
    assert len(lines) == 3
    assert lines[1] == f'| filter traceId = "{value}"'
    assert query.count('"') == 2
    pattern = build_filter_pattern("traceId", value)
    assert pattern == f'{{ $.traceId = "{value}" }}'
