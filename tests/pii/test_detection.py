"""Detection details the corpus does not pin down: key names in every spelling, value ends,
checksums, blocks that never end, and text whose lowercase is longer than itself."""

from __future__ import annotations

import pytest

from cw_logging.pii import PiiRedactor, iban_valid, normalise_key

DEFAULT = PiiRedactor()


@pytest.mark.parametrize(
    ("key", "normal"),
    [
        ("SecretAccessKey", "secret_access_key"),
        ("AWSSecretAccessKey", "aws_secret_access_key"),
        ("X-Amz-Security-Token", "x_amz_security_token"),
        ("db.password", "db_password"),
        ("APIKey", "api_key"),
        ("client secret", "client_secret"),
    ],
)
def test_key_names_are_normalised(key: str, normal: str) -> None:
    assert normalise_key(key) == normal
    assert DEFAULT.is_sensitive_key(key)


@pytest.mark.parametrize(
    "key", ["password_policy", "passwordless", "tokens", "max_tokens", "pinned", "bypass", "key"]
)
def test_near_names_are_not_sensitive(key: str) -> None:
    assert not DEFAULT.is_sensitive_key(key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AWSSecretAccessKey=abc123", "AWSSecretAccessKey=[REDACTED:secret]"),
        ('"X-Amz-Security-Token" : "FwoG//x"', '"X-Amz-Security-Token" : "[REDACTED:secret]"'),
        ("--db.password=s3 next", "--db.password=[REDACTED:secret] next"),
        ("{'pwd': 'a \\' b', 'u': 1}", "{'pwd': '[REDACTED:secret]', 'u': 1}"),
        ('password: "never closed\nnext line', 'password: "[REDACTED:secret]\nnext line'),
        ("token := abc; other=1", "token := [REDACTED:secret]; other=1"),
        ("{'secret' => 'x'}", "{'secret' => '[REDACTED:secret]'}"),
        ("(password=abc) done", "(password=[REDACTED:secret]) done"),
        ("credentials: {user: ann}", "credentials: {user: ann}"),  # nested: its keys decide
        ("password=[REDACTED]", "password=[REDACTED]"),
        (  # botocore's debug line for a request: header values are bytes
            "headers={'X-Amz-Security-Token': b'FwoGZXIvYXdzE//x', 'Authorization': "
            "b'AWS4-HMAC-SHA256 Credential=AKIAX/x, Signature=ab12'}",
            "headers={'X-Amz-Security-Token': b'[REDACTED:secret]', 'Authorization': "
            "b'[REDACTED:secret]'}",
        ),
        ("ṖASSWORD=İİİ password=x", "ṖASSWORD=İİİ password=[REDACTED:secret]"),
    ],
)
def test_key_value_pairs_in_text(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected


def test_extra_keys_are_found_in_text_too() -> None:
    redactor = PiiRedactor(extra_keys=["date_of_birth"])
    assert redactor.redact_text("customerDateOfBirth: 1990-01-01 ok") == (
        "customerDateOfBirth: [REDACTED:secret] ok"
    )
    assert PiiRedactor(keys=[]).redact_text("password=x") == "password=x"


def test_a_private_key_that_never_ends_is_redacted_to_the_end() -> None:
    text = "key -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB (cut by a size limit)"
    assert DEFAULT.redact_text(text) == "key [REDACTED:private_key]"
    two = "-----BEGIN PRIVATE KEY-----a-----END PRIVATE KEY----- x -----BEGIN PRIVATE KEY-----b"
    assert DEFAULT.redact_text(two) == "[REDACTED:private_key] x [REDACTED:private_key]"


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("DE89370400440532013000", True),
        ("GB82WEST12345698765432", True),
        ("NO9386011117947", True),
        ("DE89370400440532013001", False),  # a check digit off
        ("DE8937040044053201300", False),  # a character short
        ("XX89370400440532013000", False),  # no such country
    ],
)
def test_iban_check_digits(iban: str, valid: bool) -> None:
    assert iban_valid(iban) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IBAN DE89 3704 0044 0532 0130 00 EUR", "IBAN [REDACTED:iban] EUR"),
        ("GB82WEST12345698765432X", "GB82WEST12345698765432X"),  # glued to a word
        ("card 4111-1111 1111-1111 ok", "card [REDACTED:card] ok"),
        ("card 4111:1111-1111:1111 ok", "card 4111:1111-1111:1111 ok"),  # mixed with colons
        ("v1.4111111111111111", "v1.4111111111111111"),
        ("ghp_short and sk_live_", "ghp_short and sk_live_"),
        ("url https://user@example.com/x", "url https://[REDACTED:email]/x"),
        (
            "url https://user:p@ss@example.com/x",
            "url https://user:[REDACTED:password]@example.com/x",
        ),
    ],
)
def test_shapes_and_boundaries(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected
