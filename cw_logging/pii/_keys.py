"""Sensitive key names: values under them are replaced whole."""

from __future__ import annotations

import re

__all__ = ["DEFAULT_KEYS", "normalise_key"]

DEFAULT_KEYS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "x_api_key",
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        "session",
        "session_id",
        "credentials",
        "credential",
        "private_key",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "aws_secret_access_key",
        "aws_session_token",
        "credit_card",
        "card_number",
        "cvv",
        "ssn",
    }
)
"""Sensitive key names (compared after normalising case, ``-`` and camelCase to snake_case);
a key also matches when it ends with ``_<name>`` (``db_password``, ``githubToken``)."""

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def normalise_key(key: str) -> str:
    """Return ``key`` in the form names are compared in: snake_case, lower case."""
    return _CAMEL_BOUNDARY.sub("_", key).lower().replace("-", "_").replace(" ", "_")
