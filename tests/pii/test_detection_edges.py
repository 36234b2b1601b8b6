"""Edges of PII detection on both sides of every written limit: credential lengths, card brand
prefixes and lengths, SSN ranges and IBAN lengths."""

from __future__ import annotations

import pytest

from cw_logging.pii import PiiRedactor, iban_valid, luhn_valid
from cw_logging.pii._checksums import card_number_valid, ssn_valid

DEFAULT = PiiRedactor()


def luhn_number(prefix: str, length: int) -> str:
    """A ``length``-digit number starting with ``prefix`` whose Luhn check digit is right."""
    body = prefix + "0" * (length - len(prefix) - 1)
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable: one check digit always fits")


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("sent Bearer Ab1cdef now", False),  # 7 characters
        ("sent Bearer Ab1cdefg now", True),  # 8
        ("sent Bearer Ab1cdefgh now", True),  # 9
        ("sent Basic dXNlcjp now", False),
        ("sent Basic dXNlcjpw now", True),
        ("sent bearer ab1cdefg now", True),
        ("sent Bearer abcdefgh now", False),  # a plain word, not a credential
        ("sent Bearer Abcdefgh now", False),  # a capitalised word
        ("sent Bearer aBcdefgh now", True),  # mixed case after the first letter
        ("sent Bearer abcdefgH now", True),
        ("sent Bearer abcd.efg now", True),  # punctuation of a token
        ("sent Bearer ABCDEFGH now", False),
    ],
)
def test_http_credentials_need_eight_characters_that_look_like_a_token(
    text: str, redacted: bool
) -> None:
    result = DEFAULT.redact_text(text)
    assert ("[REDACTED:credentials]" in result) is redacted, result
    assert result.startswith("sent ") and result.endswith(" now")


@pytest.mark.parametrize(
    ("prefix", "length", "valid"),
    [
        ("4", 12, False),
        ("4", 13, True),
        ("4", 14, False),
        ("4", 16, True),
        ("4", 19, True),
        ("50", 16, False),
        ("51", 16, True),
        ("55", 16, True),
        ("56", 16, False),
        ("51", 15, False),
        ("51", 17, False),
        ("2220", 16, False),
        ("2221", 16, True),
        ("2720", 16, True),
        ("2721", 16, False),
        ("34", 15, True),
        ("37", 15, True),
        ("35", 15, False),
        ("34", 16, False),
        ("34", 14, False),
        ("6011", 16, True),
        ("6011", 15, False),
        ("6011", 19, True),
        ("6012", 16, False),
        ("65", 16, True),
        ("643", 16, False),
        ("644", 16, True),
        ("649", 16, True),
        ("62", 16, True),
        ("622126", 19, True),
        ("3527", 16, False),
        ("3528", 16, True),
        ("3589", 16, True),
        ("3589", 15, False),
        ("3589", 19, True),
        ("3590", 16, False),
        ("299", 14, False),
        ("300", 14, True),
        ("301", 14, True),
        ("305", 14, True),
        ("306", 14, False),
        ("300", 13, False),
        ("300", 19, True),
        ("36", 14, True),
        ("38", 14, True),
        ("39", 14, True),
        ("37", 14, False),
        ("1", 16, False),
    ],
)
def test_card_brand_prefix_and_length_edges(prefix: str, length: int, valid: bool) -> None:
    number = luhn_number(prefix, length)
    assert card_number_valid(number) is valid


def test_a_card_must_also_pass_luhn() -> None:
    number = luhn_number("4", 16)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert card_number_valid(number) and not card_number_valid(wrong)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("79927398713", True), ("79927398710", False), ("0", True), ("18", True), ("19", False)],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize("text", ["7992739871x", "7992 7398 713", "\u0667992739871\u0663", ""])
def test_luhn_refuses_anything_but_ascii_digits(text: str) -> None:
    """Arabic-Indic digits, separators and the empty string are no card number."""
    assert luhn_valid(text) is False


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("card 4111:1111:1111:1111 ok", True),  # colons alone are a separator
        ("card 4111-1111-1111-1111 ok", True),
        ("card 4111 1111 1111 1111 ok", True),
        ("card 4111-1111:1111-1111 ok", False),  # colons mixed with dashes: a time, an id
        ("card 4111 1111:1111 1111 ok", False),
    ],
)
def test_card_separators(text: str, redacted: bool) -> None:
    assert (DEFAULT.redact_text(text) == "card [REDACTED:card] ok") is redacted


@pytest.mark.parametrize(
    ("area", "group", "serial", "valid"),
    [
        ("000", "12", "3456", False),
        ("001", "12", "3456", True),
        ("665", "12", "3456", True),
        ("666", "12", "3456", False),
        ("667", "12", "3456", True),
        ("899", "12", "3456", True),
        ("900", "12", "3456", False),
        ("123", "00", "3456", False),
        ("123", "01", "3456", True),
        ("123", "45", "0000", False),
        ("123", "45", "0001", True),
    ],
)
def test_ssn_ranges(area: str, group: str, serial: str, valid: bool) -> None:
    assert ssn_valid(area, group, serial) is valid
    text = f"ssn {area}-{group}-{serial} ok"
    assert (DEFAULT.redact_text(text) == "ssn [REDACTED:ssn] ok") is valid


def test_iban_length_must_fit_the_country_exactly() -> None:
    good = "GB82WEST12345698765432"  # 22 characters, the GB length
    assert iban_valid(good)
    assert not iban_valid(good[:-1])
    assert not iban_valid(good + "1")
    assert not iban_valid("GB82WEST1234569876543!")
    assert DEFAULT.redact_text(f"iban {good} ok") == "iban [REDACTED:iban] ok"
    assert DEFAULT.redact_text(f"iban {good[:-1]} ok") == f"iban {good[:-1]} ok"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('password="" user="bob"', 'password="" user="bob"'),  # an empty value stays
        ('msg="password=\\"hunter2\\" ok"', 'msg="password=\\"[REDACTED:secret]\\" ok"'),
        ('password="ab\\\\" x="y"', 'password="[REDACTED:secret]" x="y"'),  # "\\" then the end
        ('password="a\\"b" x="y"', 'password="[REDACTED:secret]" x="y"'),  # an escaped quote
    ],
)
def test_quoted_values_end_at_their_closing_quote(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected


def _nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {"leaf": "plain"}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


def _innermost(value: object) -> object:
    while isinstance(value, dict) and "k" in value:
        value = value["k"]
    return value


def test_structures_deeper_than_the_limit_are_redacted_at_the_limit() -> None:
    from cw_logging.pii import REDACTED
    from cw_logging.pii._redactor import MAX_DEPTH

    shallow, deep = _nested(MAX_DEPTH), _nested(MAX_DEPTH + 1)
    assert DEFAULT.redact(shallow) is shallow and DEFAULT.mask_keys(shallow) is shallow
    assert _innermost(DEFAULT.redact(deep)) == REDACTED  # the 33rd mapping, replaced whole
    assert _innermost(DEFAULT.mask_keys(deep)) == REDACTED
    assert DEFAULT.redact([[["x"]]], _depth=MAX_DEPTH) == REDACTED


def test_numbers_of_subclasses_pass_through() -> None:
    import enum

    class Level(enum.IntEnum):
        HIGH = 3

    assert DEFAULT.redact(Level.HIGH) is Level.HIGH
    assert DEFAULT.redact({"level": Level.HIGH}, _depth=0)["level"] is Level.HIGH
