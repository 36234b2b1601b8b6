"""Contact details: email addresses (on by default), phone numbers and IPv4 addresses (off by
default: naive matches hit timestamps, versions and ids)."""

from __future__ import annotations

from ._rule import Rule, token

__all__ = ["EMAIL", "IPV4", "PHONE"]

_LOCAL = r"[A-Za-z0-9._%+-]"

EMAIL = Rule(
    "email",
    # a local part starting a run (the look-behind after its first character keeps re's fast
    # character-class search), bounded labels, a letters-only top-level domain; not followed by
    # ":path" (git@github.com:org/repo.git is an SSH address, not a mailbox)
    rf"{_LOCAL}(?<!{_LOCAL}{_LOCAL}){_LOCAL}{{0,63}}@(?:[A-Za-z0-9-]{{1,63}}\.){{1,8}}"
    r"[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9]|:[^\s])",
    token("email"),
    "@",
)
"""Email addresses (``user@localhost``, ``pkg@1.2.3`` and ``git@host:path`` are left alone)."""

PHONE = Rule(
    "phone",
    r"\+(?<![\w+]\+)[0-9]{1,3}[ .-]?(?:\([0-9]{2,4}\)[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,4}"
    r"|[0-9]{2,4}(?:[ .-]?[0-9]{2,4}){2,3})(?!\w)"
    r"|\((?<![\w+]\()[0-9]{2,4}\)[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,4}(?!\w)",
    token("phone"),
    r"[+(]",
)
"""International ``+…`` and ``(area) …`` phone numbers (optional)."""


def _redact_ipv4(text: str) -> str:
    octets = text.split(".")
    if any(int(octet) > 255 or (octet[0] == "0" and len(octet) > 1) for octet in octets):
        return text
    return token("ip")


IPV4 = Rule(
    "ipv4",
    r"[0-9](?<![\w.][0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![\w.])",
    _redact_ipv4,
    r"[0-9]\.[0-9]",
)
"""IPv4 addresses (optional)."""
