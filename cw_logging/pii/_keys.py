"""Sensitive key names: values under them are replaced whole, in structures and in text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._rule import any_word_in

__all__ = ["DEFAULT_KEYS", "KeyMatcher", "normalise_key"]

DEFAULT_KEYS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "passphrase",
        "password_confirmation",
        "password_confirm",
        "pin",
        "otp",
        "secret",
        "secret_key",
        "secret_access_key",
        "aws_secret_access_key",
        "token",
        "api_key",
        "apikey",
        "x_api_key",
        "account_key",
        "shared_access_key",
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        "session",
        "session_id",
        "credentials",
        "credential",
        "signature",
        "private_key",
        "client_secret",
        "credit_card",
        "card_number",
        "cvv",
        "cvc",
        "ssn",
    }
)
"""Sensitive key names (compared after normalising case, ``-``, ``.``, spaces and camelCase to
snake_case); a key also matches when it ends with ``_<name>``: ``db_password``, ``githubToken``,
``X-Amz-Security-Token``, ``aws_session_token``, ``refresh_token``."""

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = str.maketrans({"-": "_", ".": "_", " ": "_"})
_CACHE_LIMIT = 4096


def normalise_key(key: str) -> str:
    """Return ``key`` in the form names are compared in: snake_case, lower case
    (``SecretAccessKey`` → ``secret_access_key``, ``X-Api-Key`` → ``x_api_key``)."""
    return _CAMEL_BOUNDARY.sub("_", key).lower().translate(_SEPARATORS)


class KeyMatcher:
    """Tells whether a key name is sensitive.

    ``words`` are words every sensitive name contains as part of a segment, whatever its case
    and separators (``x_api_key``, ``X-Api-Key`` and ``xApiKey`` all contain ``api``): text
    without any of them (lowercased) holds no sensitive key.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(normalise_key(name) for name in names)
        self._suffixes = tuple(f"_{name}" for name in self.names)
        self._cache: dict[str, bool] = {}
        self.words: tuple[str, ...] = tuple(_covering_words(self.names))

    def may_appear_in(self, lowered: str) -> bool:
        """False when the lowercased text cannot contain a sensitive key name."""
        return any_word_in(self.words, lowered)

    def __call__(self, key: object) -> bool:
        """Return True when values under ``key`` are to be replaced whole."""
        if not isinstance(key, str):
            return False
        cached = self._cache.get(key)
        if cached is None:
            normal = normalise_key(key)
            cached = normal in self.names or normal.endswith(self._suffixes)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = cached
        return cached


# segments too frequent in ordinary log text to look for ("/api/v1", "account 42")
_COMMON_SEGMENTS = frozenset({"api", "id", "number", "access", "account", "shared", "client"})


def _covering_words(names: frozenset[str]) -> list[str]:
    """A short list of words such that every name contains one of them as part of a segment
    (segments survive every spelling of a name: ``x_api_key``, ``X-Api-Key``, ``xApiKey``)."""
    words: list[str] = []
    for name in sorted(names, key=len):
        segments = [segment for segment in name.split("_") if segment]
        if not segments or any(word in segment for segment in segments for word in words):
            continue
        words.append(
            max(segments, key=lambda segment: (segment not in _COMMON_SEGMENTS, len(segment)))
        )
    words = [word for word in words if not any(other in word for other in words if other != word)]
    return sorted(words, key=len, reverse=True)
