"""Edges of the checksummed number rules: the longest card of each brand, IBAN letters up to
``Z`` and an IBAN followed by more upper-case text."""

from __future__ import annotations

import pytest

from cw_logging.pii import PiiRedactor, iban_valid
from cw_logging.pii._checksums import card_number_valid
from tests.pii.test_detection_edges import luhn_number

DEFAULT = PiiRedactor()


@pytest.mark.parametrize("prefix", ["4", "6011", "65", "644", "62", "3528", "300", "36"])
@pytest.mark.parametrize(("length", "valid"), [(18, None), (19, True), (20, False)])
def test_no_brand_has_cards_longer_than_19_digits(
    prefix: str, length: int, valid: bool | None
) -> None:
    if valid is None:  # 18 digits: valid for every brand but Visa (13, 16 or 19)
        valid = prefix != "4"
    assert card_number_valid(luhn_number(prefix, length)) is valid


@pytest.mark.parametrize(
    "iban",
    [
        "CZ6508000000192000145399",  # the country code holds a Z
        "AZ21NABZ00000000137010001944",  # and the bank code
        "GB33BUKB20201555555555",
    ],
)
def test_ibans_with_every_letter_are_checked_in_base_36(iban: str) -> None:
    assert iban_valid(iban)
    assert DEFAULT.redact_text(f"to {iban} ok") == "to [REDACTED:iban] ok"
    wrong = iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]
    assert not iban_valid(wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 16 and 20 characters, whole groups of four: the pattern also takes the next group
        ("pay BE68539007547034 REF1 ok", "pay [REDACTED:iban] REF1 ok"),
        ("pay BE68 5390 0754 7034 REF1 ok", "pay [REDACTED:iban] REF1 ok"),
        ("pay AT611904300234573201 REF1 ok", "pay [REDACTED:iban] REF1 ok"),
        ("pay BE68539007547034REF1 ok", "pay BE68539007547034REF1 ok"),
        ("pay BE68539007547034 ok", "pay [REDACTED:iban] ok"),
        ("pay GB82WEST12345698765432 REF1 ok", "pay [REDACTED:iban] REF1 ok"),
    ],
)
def test_an_iban_ends_where_its_country_length_says(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected


def test_an_iban_shaped_run_of_an_unknown_country_is_kept() -> None:
    text = "ref XX82WEST12345698765432 ok"
    assert DEFAULT.redact_text(text) == text
