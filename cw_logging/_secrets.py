"""Masking credentials in the package's own diagnostics: stderr lines, ``stats()`` and the
messages errors carry.

A service error, an endpoint URL or a botocore message may echo a password in URL userinfo, a
session token, a request signature or a secret access key; :func:`mask_secrets` replaces them
before the text is shown or stored. Every pattern here is linear-time: literal prefixes,
bounded repetitions, and unbounded runs only after a fixed context a failed attempt never
re-reads.
"""

from __future__ import annotations

import re

__all__ = ["MASK", "mask_secrets"]

MASK = "[REDACTED]"
"""What a masked credential is replaced by."""

# scheme://userinfo@host: a password after the user's colon, or a whole userinfo without a
# colon (https://<token>@github.com); the user part stops at the colon, so a failed attempt
# never tries other splits
_USERINFO = re.compile(r"://(?:([^\s/?#@:]{0,256}):[^\s/?#]{0,256}|[^\s/?#@:]{1,256})@")

_SECRET_NAMES = (
    r"x-amz-security-token|x-amz-signature|security[_ -]?token|session[_ -]?token"
    r"|aws_secret_access_key|secret[_ -]?access[_ -]?key|secret[_ -]?key|client[_ -]?secret"
    r"|access[_ -]?token|refresh[_ -]?token|id[_ -]?token|signature|password|passwd"
    r"|authorization|api[_ -]?key|token|secret"
)
# name, optional closing quote, separator, optional opening quote (of a str or bytes repr): the
# value is masked
_KEY_VALUE = re.compile(
    rf"((?i:(?<![A-Za-z0-9])(?:{_SECRET_NAMES})(?![A-Za-z0-9])))"
    r"([\"']?[ \t]{0,4}[=:][ \t]{0,4}(?:b?[\"'])?"
    r"(?:(?i:bearer|basic|aws4-hmac-sha256) )?)[^\s\"'&,;<>]+"
)
# 40+ characters of base64 with upper case, lower case and digits: secret access keys (40),
# STS session tokens (hundreds)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+=](?<![A-Za-z0-9+/=][A-Za-z0-9+=])[A-Za-z0-9+/=]{39,}")


def _mask_userinfo(match: re.Match[str]) -> str:
    user = match.group(1)
    return f"://{MASK}@" if user is None else f"://{user}:{MASK}@"


def _mask_base64(match: re.Match[str]) -> str:
    run = match.group(0)
    mixed = any(c.isupper() for c in run) and any(c.islower() for c in run)
    return MASK if mixed and any(c.isdigit() for c in run) else run


def mask_secrets(text: str) -> str:
    """Return ``text`` with credentials masked (the same object when there were none)."""
    if not text:
        return text
    masked = _USERINFO.sub(_mask_userinfo, text) if "://" in text else text
    masked = _KEY_VALUE.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", masked)
    masked = _BASE64_RUN.sub(_mask_base64, masked)
    return text if masked == text else masked
