"""Edges of the shaped-token rules: AWS secret keys (40 characters with upper case, lower case
and digits), triggers of two words, and several credentials in one text."""

from __future__ import annotations

import pytest

from cw_logging.pii import PiiRedactor

DEFAULT = PiiRedactor()
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"aws x={SECRET}", "aws x=[REDACTED:aws_secret]"),
        (f'aws x= "{SECRET}"', 'aws x= "[REDACTED:aws_secret]"'),
        (f"AKIAIOSFODNN7EXAMPLE:{SECRET}", "[REDACTED:aws_key]:[REDACTED:aws_secret]"),
        # the only digit, the only upper-case or the only lower-case letter is the first character
        ("aws x=1" + "Ab" * 19 + "c", "aws x=[REDACTED:aws_secret]"),
        ("aws x=A" + "b1" * 19 + "c", "aws x=[REDACTED:aws_secret]"),
        ("aws x=a" + "B1" * 19 + "C", "aws x=[REDACTED:aws_secret]"),
    ],
)
def test_aws_secret_keys_are_redacted_after_their_separator(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected


@pytest.mark.parametrize(
    "value",
    [
        "abcdefghij" * 4,  # lower case only
        "ABCDEFGHIJ" * 4,  # upper case only
        "0123456789" * 4,  # digits only
        "ABCDEFGHIJ" * 2 + "abcdefghij" * 2,  # no digit
        "abcdefghij" * 2 + "0123456789" * 2,  # no upper case
        "ABCDEFGHIJ" * 2 + "0123456789" * 2,  # no lower case
    ],
)
def test_forty_characters_without_all_three_kinds_are_kept(value: str) -> None:
    text = f"aws x={value}"
    assert DEFAULT.redact_text(text) == text


def test_google_oauth_tokens_are_found_by_the_second_word_of_their_trigger() -> None:
    text = "auth ya29.a0AfH6SMBx3gQ1kZ9pLmN0qRsTuVwXyZ ok"
    assert DEFAULT.redact_text(text) == "auth [REDACTED:google_api_key] ok"


def test_bearer_and_basic_credentials_in_one_text_are_both_redacted() -> None:
    text = "first Bearer Ab1cdefgh then Basic dXNlcjpwYXNz end"
    expected = "first Bearer [REDACTED:credentials] then Basic [REDACTED:credentials] end"
    assert DEFAULT.redact_text(text) == expected
