"""Properties of the evaluator over generated events (hypothesis)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging.local.insights import compile_query
from cw_logging.local.insights._values import natural_key

from .events import BASE_MS, event

settings.register_profile("insights", max_examples=60, deadline=None)
settings.load_profile("insights")

numbers = st.one_of(
    st.integers(-1_000, 1_000), st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
)
field_values = st.one_of(
    st.none(), numbers, st.sampled_from(["", "abc", "12", "-3.5", "x1"]), st.booleans()
)
keys = st.sampled_from(["red", "green", "blue", "Red"])


def build(values: list[Any], name: str = "x") -> list[dict[str, Any]]:
    """One JSON event per value; None leaves the field out."""
    out = []
    for index, value in enumerate(values):
        body = {} if value is None else {name: value}
        out.append(event(body, BASE_MS + index, index=index))
    return out


def numeric(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return float(value) if isinstance(value, bool) else None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return None


@given(st.lists(field_values, max_size=40), st.integers(-50, 50))
def test_filter_greater_than_keeps_exactly_the_numerically_larger(
    values: list[Any], n: int
) -> None:
    result = compile_query(f"filter x > {n} | fields @ptr").run(build(values))
    expected = {
        f"ptr-{i}-{BASE_MS + i}"
        for i, value in enumerate(values)
        if (number := numeric(value)) is not None and number > n
    }
    assert {row["@ptr"] for row in result} == expected
    assert result.statistics.records_matched == len(expected)
    assert result.statistics.records_scanned == len(values)


@given(st.lists(st.one_of(st.none(), keys), max_size=60))
def test_stats_count_by_key_partitions_all_events(values: list[Any]) -> None:
    result = compile_query("stats count(*) as n by k").run(build(values, "k"))
    counts = {row.get("k"): row["n"] for row in result}
    assert sum(counts.values()) == len(values)
    assert counts == dict(Counter(values))


@given(st.lists(field_values, max_size=40), st.booleans())
def test_sort_orders_by_the_natural_key_with_missing_values_last(
    values: list[Any], descending: bool
) -> None:
    direction = "desc" if descending else "asc"
    result = compile_query(f"fields x | sort x {direction}").run(build(values))
    present = [row["x"] for row in result if "x" in row]
    assert [row.get("x") for row in result[len(present) :]] == [None] * (len(result) - len(present))
    keys_in_order = [natural_key(value) for value in present]
    assert keys_in_order == sorted(keys_in_order, reverse=descending)
    assert len(result) == len(values)


@given(st.lists(field_values, max_size=40), st.integers(1, 50))
def test_limit_caps_the_rows(values: list[Any], n: int) -> None:
    result = compile_query(f"fields x | limit {n}").run(build(values))
    assert len(result) == min(n, len(values))


@given(st.lists(st.one_of(st.none(), keys), max_size=30), st.lists(keys, min_size=1, max_size=3))
def test_in_list_equals_a_chain_of_equalities(values: list[Any], members: list[str]) -> None:
    listed = ", ".join(f'"{m}"' for m in members)
    chained = " or ".join(f'k = "{m}"' for m in members)
    evts = build(values, "k")
    by_in = compile_query(f"filter k in [{listed}] | fields @ptr").run(evts)
    by_or = compile_query(f"filter {chained} | fields @ptr").run(evts)
    assert by_in == by_or
    negated = compile_query(f"filter k not in [{listed}] | fields @ptr").run(evts)
    present = sum(value is not None for value in values)
    assert len(by_in) + len(negated) == present


@given(st.integers(-100, 100), st.integers(-100, 100), st.integers(-100, 100))
def test_arithmetic_precedence_matches_python(a: int, b: int, c: int) -> None:
    body = {"a": a, "b": b, "c": c}
    row = compile_query(
        "fields a + b * c as r1, (a + b) * c as r2, a - b - c as r3, -a ^ 2 as r4"
    ).run([event(body)])[0]
    assert (row["r1"], row["r2"], row["r3"]) == (a + b * c, (a + b) * c, a - b - c)
    assert row["r4"] == -(float(a) ** 2)


@given(st.lists(st.text(alphabet="abcAB x", max_size=8), max_size=20), st.text("abcA", max_size=3))
def test_like_string_is_a_case_sensitive_substring_test(texts: list[str], part: str) -> None:
    result = compile_query(f'filter m like "{part}" | fields m').run(build(texts, "m"))
    assert sorted(row["m"] for row in result) == sorted(t for t in texts if part in t)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=50), st.integers(1, 100))
def test_percentile_is_a_value_with_that_share_at_or_below(values: list[int], p: int) -> None:
    row = compile_query(f"stats pct(x, {p}) as v, min(x) as lo, max(x) as hi").run(build(values))[0]
    assert row["v"] in values
    at_or_below = sum(value <= row["v"] for value in values)
    assert at_or_below / len(values) >= p / 100
    assert (row["lo"], row["hi"]) == (min(values), max(values))


FRAGMENTS = [
    "fields",
    "filter",
    "stats",
    "sort",
    "limit",
    "parse",
    "dedup",
    "display",
    "by",
    "as",
    "and",
    "or",
    "not",
    "like",
    "in",
    "|",
    ",",
    "(",
    ")",
    "[",
    "]",
    "=",
    "!=",
    "<",
    ">=",
    "=~",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "x",
    "@message",
    "@timestamp",
    "`a-b`",
    '"s*t"',
    "'q'",
    "/r.e/",
    "5",
    "2.5",
    "5m",
    "count(*)",
    "avg(x)",
    "bin(1h)",
    "strlen(x)",
    "desc",
    "#c\n",
]


@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12))
def test_any_text_compiles_or_fails_with_malformed_query_only(parts: list[str]) -> None:
    from cw_logging.errors import MalformedQueryError

    text = " ".join(parts)
    try:
        query = compile_query(text)
    except MalformedQueryError as error:
        assert re.search(r"at line \d+, column \d+:", error.message)
        return
    evts = build([1, "a", None, 2.5])
    result = query.run(evts)
    assert len(result) <= len(evts)
