"""Secrets with a structure around them: PEM private key blocks and passwords in URLs."""

from __future__ import annotations

import re

from ._keys import KeyMatcher
from ._rule import Rule, Scanner, token

__all__ = ["PRIVATE_KEY", "URL_PASSWORD"]

_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PRIVATE_KEY = token("private_key")


def _redact_private_keys(text: str, lowered: str, keys: KeyMatcher) -> str:
    """Replace every PEM private key block, from its BEGIN line to its END line; a block that
    never ends (a cut message) is replaced up to the end of the text.

    Each search starts where the previous one ended, so the text is read once.
    """
    pieces: list[str] = []
    done = 0
    while True:
        begin = _PEM_BEGIN.search(text, done)
        if begin is None:
            break
        end = _PEM_END.search(text, begin.end())
        pieces += (text[done : begin.start()], _PRIVATE_KEY)
        done = len(text) if end is None else end.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


PRIVATE_KEY = Scanner("private_key", _redact_private_keys, "private key")
"""PEM private keys: ``-----BEGIN [RSA|EC|OPENSSH|ENCRYPTED|PGP ...] PRIVATE KEY-----`` blocks."""


def _redact_url_password(match: str) -> str:
    colon = match.index(":", 3)  # match is "://user:password@"
    return match[: colon + 1] + token("password") + "@"


URL_PASSWORD = Rule(
    "url_password",
    # user, then the password up to the last "@" of the authority (bounded: no backtracking
    # beyond 256 characters)
    r"://[^\s/?#@:]{0,256}:[^\s/?#]{1,256}@",
    _redact_url_password,
    "://",
)
"""The password in ``scheme://user:password@host`` (the user and host are kept)."""
