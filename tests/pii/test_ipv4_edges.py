"""The optional IPv4 rule on both sides of its limits: octets up to 255, no leading zeros."""

from __future__ import annotations

import pytest

from cw_logging.pii import PiiRedactor

WITH_IPV4 = PiiRedactor(enable=["ipv4"])


@pytest.mark.parametrize(
    ("address", "redacted"),
    [
        ("10.0.0.254", True),
        ("10.0.0.255", True),
        ("10.0.0.256", False),
        ("255.255.255.255", True),
        ("256.1.1.1", False),
        ("10.0.0.0", True),  # a lone zero
        ("10.0.0.1", True),
        ("10.0.0.01", False),  # a leading zero: a version or a date, not an address
        ("10.0.0.001", False),
        ("10.00.0.1", False),
        ("10.0.0.100", True),
    ],
)
def test_ipv4_octets(address: str, redacted: bool) -> None:
    text = f"from {address} ok"
    expected = "from [REDACTED:ip] ok" if redacted else text
    assert WITH_IPV4.redact_text(text) == expected
