"""Property tests: filter patterns agree with simple, independent oracles."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging.local import compile_filter_pattern

WORD = st.text(alphabet="abcXYZ019_", min_size=1, max_size=4)
SEPARATOR = st.sampled_from([" ", "  ", "\t", ",", "[", "]", ": ", "-", "/", "=", '"'])
MESSAGE = st.lists(st.tuples(WORD, SEPARATOR), max_size=8).map(
    lambda parts: "".join(word + sep for word, sep in parts)
)


def words_of(message: str) -> set[str]:
    """The oracle: whole terms are the maximal runs of letters, digits and underscore."""
    return set(re.findall(r"[A-Za-z0-9_]+", message))


@settings(max_examples=200, deadline=None)
@given(term=WORD, message=MESSAGE)
def test_term_matches_iff_whole_term_present(term: str, message: str) -> None:
    assert compile_filter_pattern(term).matches(message) is (term in words_of(message))


@settings(max_examples=200, deadline=None)
@given(a=WORD, b=WORD, message=MESSAGE)
def test_alternatives_and_exclusions_follow_boolean_logic(a: str, b: str, message: str) -> None:
    has = words_of(message)
    assert compile_filter_pattern(f"?{a} ?{b}").matches(message) is (a in has or b in has)
    assert compile_filter_pattern(f"{a} -{b}").matches(message) is (a in has and b not in has)
    assert compile_filter_pattern(f"{a} {b}").matches(message) is (a in has and b in has)


@settings(max_examples=200, deadline=None)
@given(
    document=st.dictionaries(
        st.sampled_from(["a", "b", "c"]), st.integers(-1000, 1000), min_size=1
    ),
    key=st.sampled_from(["a", "b", "c"]),
    bound=st.integers(-1000, 1000),
    op=st.sampled_from(["<", "<=", ">", ">=", "=", "!="]),
)
def test_json_numeric_comparison_matches_python(
    document: dict[str, int], key: str, bound: int, op: str
) -> None:
    compare = {
        "<": int.__lt__,
        "<=": int.__le__,
        ">": int.__gt__,
        ">=": int.__ge__,
        "=": int.__eq__,
        "!=": int.__ne__,
    }[op]
    expected = key in document and compare(document[key], bound)
    pattern = compile_filter_pattern(f"{{ $.{key} {op} {bound} }}")
    assert pattern.matches(json.dumps(document)) is expected


@settings(max_examples=200, deadline=None)
@given(
    fields=st.lists(WORD, min_size=1, max_size=6),
    slots=st.integers(1, 6),
    ellipsis=st.booleans(),
)
def test_space_delimited_counts_fields(fields: list[str], slots: int, ellipsis: bool) -> None:
    names = [f"f{i}" for i in range(slots)]
    pattern = "[" + ", ".join([*names, "..."] if ellipsis else names) + "]"
    # without ..., the last slot takes the rest of the event (the page's "[w1=ERROR, w2]")
    expected = len(fields) >= slots
    assert compile_filter_pattern(pattern).matches(" ".join(fields)) is expected


@settings(max_examples=100, deadline=None)
@given(
    fields=st.lists(WORD, min_size=1, max_size=6),
    index=st.integers(0, 5),
    value=WORD,
)
def test_space_delimited_equality_checks_its_position(
    fields: list[str], index: int, value: str
) -> None:
    names = [f"f{i}" for i in range(len(fields))]
    i = index % len(fields)
    names[i] = f'{names[i]} = "{value}"'
    expected = fields[i] == value
    assert compile_filter_pattern("[" + ", ".join(names) + "]").matches(" ".join(fields)) is (
        expected
    )
