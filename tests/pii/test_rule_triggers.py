"""A rule's trigger is a pre-check: where it does not match, the rule is not applied, whether
it is one word, several words or a regular expression."""

from __future__ import annotations

import pytest

from cw_logging.pii import PiiRedactor, Rule


def _redactor(trigger: str) -> PiiRedactor:
    # a trigger deliberately narrower than its pattern shows when the rule is skipped
    return PiiRedactor([Rule("order", r"order-[0-9]+", "[order]", trigger)])


@pytest.mark.parametrize(
    ("trigger", "text", "applied"),
    [
        ("vip", "order-42 for a vip", True),
        ("vip", "order-42 for a guest", False),
        ("vip|gold", "order-42 for a vip", True),
        ("vip|gold", "order-42 for a gold member", True),  # the second word
        ("vip|gold", "order-42 for a vip gold member", True),  # both words
        ("vip|gold", "order-42 for a guest", False),
        ("vip|gold|staff", "order-42 for staff", True),
        ("vip|gold|staff", "order-42 for a guest", False),
        (r"tier [0-9]", "order-42 at tier 3", True),  # a regular expression
        (r"tier [0-9]", "order-42 at tier x", False),
    ],
)
def test_a_rule_applies_only_where_its_trigger_matches(
    trigger: str, text: str, applied: bool
) -> None:
    expected = text.replace("order-42", "[order]") if applied else text
    assert _redactor(trigger).redact_text(text) == expected


def test_triggers_look_at_the_lowercased_text() -> None:
    assert _redactor("vip|gold").redact_text("order-42 for a GOLD member") == (
        "[order] for a GOLD member"
    )


def test_a_rule_without_trigger_always_applies() -> None:
    redactor = PiiRedactor([Rule("order", r"order-[0-9]+", "[order]")])
    assert redactor.redact_text("order-42 for a guest") == "[order] for a guest"
