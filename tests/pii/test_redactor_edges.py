"""Edges of ``PiiRedactor`` itself: the nesting depth limit on both sides, the short-text
memory (its length and size limits, seen through a rule that counts its calls), rule triggers
and rule lists, and what ``mask_keys``/``redact`` do with each kind of value."""

from __future__ import annotations

from typing import Any

import pytest

from cw_logging.pii import REDACTED, PiiRedactor, Rule

DEFAULT = PiiRedactor()


def nested_lists(levels: int) -> list[Any]:
    """``levels`` lists inside each other, the innermost holding one plain word."""
    value: list[Any] = ["safe"]
    for _ in range(levels - 1):
        value = [value]
    return value


def innermost(value: Any) -> Any:
    """The word in the innermost list of ``nested_lists``, or what replaced that list."""
    while isinstance(value, list):
        value = value[0]
    return value


class Wrapper:
    """An object the test converter unwraps into what it holds."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner


def unwrap(value: Any) -> Any:
    return value.inner if isinstance(value, Wrapper) else value


# a container at depth 32 (MAX_DEPTH; the outermost value has depth 0) is replaced whole
MAX_DEPTH = 32
DEPTHS = [
    pytest.param(MAX_DEPTH - 1, "safe", id="N-1"),
    pytest.param(MAX_DEPTH, "safe", id="N"),
    pytest.param(MAX_DEPTH + 1, REDACTED, id="N+1"),
]


@pytest.mark.parametrize(("levels", "expected"), DEPTHS)
def test_redact_replaces_containers_below_the_depth_limit(levels: int, expected: Any) -> None:
    assert innermost(DEFAULT.redact(nested_lists(levels))) == expected


@pytest.mark.parametrize(("levels", "expected"), DEPTHS)
def test_mask_keys_replaces_containers_below_the_depth_limit(levels: int, expected: Any) -> None:
    assert innermost(DEFAULT.mask_keys(nested_lists(levels))) == expected


@pytest.mark.parametrize(("levels", "expected"), DEPTHS)
def test_redact_mapping_counts_its_mapping_as_the_outermost_value(
    levels: int, expected: Any
) -> None:
    # the mapping is level 1, so its value holds one list fewer
    result = DEFAULT.redact_mapping({"items": nested_lists(levels - 1)})
    assert innermost(result["items"]) == expected


@pytest.mark.parametrize(
    ("wrappers", "expected"),
    [
        pytest.param(MAX_DEPTH - 1, ["safe"], id="N-1"),
        pytest.param(MAX_DEPTH, REDACTED, id="N"),
        pytest.param(MAX_DEPTH + 1, REDACTED, id="N+1"),
    ],
)
def test_each_conversion_counts_as_one_level(wrappers: int, expected: Any) -> None:
    value: Any = ["safe"]
    for _ in range(wrappers):
        value = Wrapper(value)
    assert DEFAULT.redact(value, convert=unwrap) == expected


def test_a_converted_object_is_redacted_one_level_down() -> None:
    value = Wrapper(Wrapper({"password": "hunter2", "id": 1}))
    assert DEFAULT.redact(value, convert=unwrap) == {"password": REDACTED, "id": 1}


# ------------------------------------------------------------------ the memory of short texts


class CountingRule:
    """A rule matching every text once and keeping it; counts how often it ran."""

    def __init__(self) -> None:
        self.calls = 0
        self.rule = Rule("count", r"\A", self._keep)

    def _keep(self, match: str) -> str:
        self.calls += 1
        return match


@pytest.mark.parametrize(("length", "remembered"), [(63, True), (64, True), (65, False)])
def test_texts_up_to_64_characters_are_remembered(length: int, remembered: bool) -> None:
    counting = CountingRule()
    redactor = PiiRedactor(rules=[counting.rule])
    text = "a" * length
    assert redactor.redact_text(text) == text
    assert redactor.redact_text(text) == text
    assert counting.calls == (1 if remembered else 2)


def test_a_remembered_redaction_is_returned_again() -> None:
    counting = CountingRule()
    redactor = PiiRedactor(rules=[counting.rule, "email"])
    assert redactor.redact_text("to ann@example.com") == "to [REDACTED:email]"
    assert redactor.redact_text("to ann@example.com") == "to [REDACTED:email]"
    assert counting.calls == 1


@pytest.mark.parametrize(
    ("texts", "first_remembered"),
    [(4095, True), (4096, True), (4097, False)],
)
def test_the_memory_is_emptied_when_it_holds_4096_texts(texts: int, first_remembered: bool) -> None:
    counting = CountingRule()
    redactor = PiiRedactor(rules=[counting.rule])
    for number in range(texts):
        redactor.redact_text(f"t{number}")
    assert counting.calls == texts
    redactor.redact_text("t0")
    assert counting.calls == texts + (0 if first_remembered else 1)


# ------------------------------------------------------------------ rules and their triggers


def test_a_rule_does_not_run_on_text_without_its_trigger() -> None:
    rule = Rule("order", r"\d{4}", "[ORDER]", "order")
    redactor = PiiRedactor(rules=[rule])
    assert redactor.redact_text("order 1234") == "order [ORDER]"
    assert redactor.redact_text("invoice 1234") == "invoice 1234"


def plain_rule(word: str) -> Rule:
    return Rule(word, word, f"[{word.upper()}]", word)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_rule_list_may_end_with_rules_triggered_by_words(count: int) -> None:
    words = ["alpha", "beta", "gamma", "delta"][:count]
    redactor = PiiRedactor(rules=[Rule("digits", r"\d", "#"), *map(plain_rule, words)])
    expected = " ".join(f"[{word.upper()}]" for word in words) + " #"
    assert redactor.redact_text(" ".join(words) + " 7") == expected


@pytest.mark.parametrize("count", [2, 3, 4])
def test_rules_without_a_trigger_all_run(count: int) -> None:
    rules = [Rule(f"r{index}", f"x{index}", f"[{index}]") for index in range(count)]
    text = " ".join(f"x{index}" for index in range(count))
    expected = " ".join(f"[{index}]" for index in range(count))
    assert PiiRedactor(rules=rules).redact_text(text) == expected


def test_the_first_unknown_rule_name_in_sorted_order_is_reported() -> None:
    with pytest.raises(ValueError, match="unknown PII rule 'aardvark'"):
        PiiRedactor(disable=["zebra", "aardvark", "mole"])


def test_the_key_names_are_public_in_normal_form() -> None:
    redactor = PiiRedactor(keys=["apiKey"], extra_keys=["Session-Id"])
    assert redactor.keys == frozenset({"api_key", "session_id"})


# ------------------------------------------------------------------ values of each kind


def test_mask_keys_walks_lists_and_tuples_keeping_their_type() -> None:
    value = [{"password": "p1"}, ({"token": "t1"}, "plain")]
    masked = DEFAULT.mask_keys(value)
    assert masked == [{"password": REDACTED}, ({"token": REDACTED}, "plain")]
    assert type(masked) is list
    assert type(masked[1]) is tuple
    assert value == [{"password": "p1"}, ({"token": "t1"}, "plain")]


def test_mask_keys_returns_unchanged_sequences_themselves() -> None:
    value = [{"user": "ann"}, ("a", 1)]
    assert DEFAULT.mask_keys(value) is value


@pytest.mark.parametrize(
    "value", [frozenset({"password"}), {"ann@example.com"}, Wrapper({"password": "x"})]
)
def test_mask_keys_keeps_other_objects_as_they_are(value: object) -> None:
    assert DEFAULT.mask_keys(value) is value


def test_string_subclasses_are_redacted_as_text() -> None:
    class Text(str):
        pass

    assert DEFAULT.redact(Text("to ann@example.com")) == "to [REDACTED:email]"


@pytest.mark.parametrize("convert", [None, lambda value: value])
def test_objects_that_are_not_converted_are_kept(convert: Any) -> None:
    value = Wrapper("ann@example.com")
    assert DEFAULT.redact(value, convert=convert) is value
