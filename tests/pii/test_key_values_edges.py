"""Edges of secrets written as key-value pairs in text: values at the very end of the text,
quotes escaped or never closed, JSON inside a JSON string, HTTP authentication schemes, values
redacted already; and text that names a private key without holding one."""

from __future__ import annotations

import pytest

from cw_logging.pii import PiiRedactor

DEFAULT = PiiRedactor()
SECRET = "[REDACTED:secret]"
CREDENTIALS = "[REDACTED:credentials]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a separator with nothing after it: no value
        ("login password=", "login password="),
        ("login password= ", "login password= "),
        ("login password=\t", "login password=\t"),
        ("login password=x", f"login password={SECRET}"),
        # a value that starts with a backslash but is no escaped quote
        ("password=\\abcdef rest", f"password={SECRET} rest"),
        # escaped quotes inside a quoted value; the closing quote right after one
        ('password="ab\\"" user="bob"', f'password="{SECRET}" user="bob"'),
        ('password="a\\"b" user="bob"', f'password="{SECRET}" user="bob"'),
        ('password="ab\\\\" user="bob"', f'password="{SECRET}" user="bob"'),
        # a quote never closed: the value runs to the end of the line, or of the text
        ('password="hunter2', f'password="{SECRET}'),
        ('password="hunter2\nnext line', f'password="{SECRET}\nnext line'),
    ],
)
def test_values_at_the_edges_of_the_text(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\\"password\\": \\"hunter2\\", \\"user\\": \\"bob\\"}', None),
        ('{\\"password\\": \\"\\", \\"user\\": \\"bob\\"}', "unchanged"),
        ('{\\"password\\": \\"[REDACTED]\\", \\"user\\": \\"bob\\"}', "unchanged"),
        ('{\\"password\\": \\"hunter2', '{\\"password\\": \\"' + SECRET),
        ('{\\"password\\": \\"hunter2\nnext', '{\\"password\\": \\"' + SECRET + "\nnext"),
    ],
)
def test_json_inside_a_json_string(text: str, expected: str | None) -> None:
    if expected is None:
        expected = '{\\"password\\": \\"' + SECRET + '\\", \\"user\\": \\"bob\\"}'
    elif expected == "unchanged":
        expected = text
    assert DEFAULT.redact_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the credential after the scheme is replaced, however short
        ("Authorization: Basic x", f"Authorization: Basic {CREDENTIALS}"),
        ("Authorization: Bearer ab", f"Authorization: Bearer {CREDENTIALS}"),
        ("Authorization: Bearer abc next", f"Authorization: Bearer {CREDENTIALS} next"),
        # no credential after the scheme: the scheme word is the value
        ("authorization: Bearer ", f"authorization: {SECRET} "),
        ("authorization: Bearer ,x", f"authorization: {SECRET} ,x"),
        # a scheme word without a space after it is an ordinary value
        ("authorization: Bearer", f"authorization: {SECRET}"),
        # redacted already: left as it is
        (f"Authorization: Bearer {CREDENTIALS}", f"Authorization: Bearer {CREDENTIALS}"),
        ("Authorization: Bearer [REDACTED]", "Authorization: Bearer [REDACTED]"),
    ],
)
def test_http_authentication_schemes(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abc123XYZ",
        "Authorization: Basic x",
        '{\\"password\\": \\"hunter2\\"}',
        'password="ab\\"" user="bob"',
    ],
)
def test_redacting_twice_changes_nothing_more(text: str) -> None:
    once = DEFAULT.redact_text(text)
    assert once != text
    assert DEFAULT.redact_text(once) == once


@pytest.mark.parametrize(
    "text", ["rotate the private key tomorrow", "-----BEGIN PUBLIC KEY----- private key"]
)
def test_text_naming_a_private_key_without_a_key_block_is_kept(text: str) -> None:
    assert DEFAULT.redact_text(text) == text
