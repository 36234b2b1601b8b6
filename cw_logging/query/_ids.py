"""Ids and field names a lookup quotes into a query: checked against strict allow-lists first,
so no id can change the query."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import ConfigurationError

__all__ = ["MAX_ID_CHARS", "equality_condition", "validate_field_name", "validate_id"]

MAX_ID_CHARS = 256
"""Longest id a lookup accepts."""

_SAFE_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_ID_CHARS}}}")
_SAFE_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def validate_id(value: str, kind: str = "id") -> str:
    """Return ``value`` if it is a safe id (1-256 of letters, digits and ``. _ : -``), else raise.

    Hex trace ids, UUID request ids and X-Ray ids all pass. Anything that could change the query
    (quotes, pipes, slashes, spaces, newlines, backslashes) is refused with
    :class:`ConfigurationError`.
    """
    if isinstance(value, str) and _SAFE_ID.fullmatch(value):
        return value
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    raise ConfigurationError(
        f"refused {kind} {shown}: ids may only hold 1-{MAX_ID_CHARS} letters, digits and . _ : - "
        "(quotes, pipes, slashes, spaces and newlines are refused so an id cannot alter the "
        "query)",
        code="InvalidCorrelationId",
    )


def validate_field_name(name: str) -> str:
    """Return ``name`` if it is a plain (optionally dotted) field name, else raise."""
    if isinstance(name, str) and len(name) <= 128 and _SAFE_FIELD.fullmatch(name):
        return name
    raise ConfigurationError(
        f"refused field name {name!r}: use letters, digits and _, with dots for nested JSON "
        "keys (e.g. traceId, trace_id, http.requestId)",
        code="InvalidFieldName",
    )


def equality_condition(fields: Sequence[str], value: str) -> str:
    """``a = "v"`` (``or b = "v"`` ...) for checked field names and a checked id."""
    safe = validate_id(value, fields[0])
    return " or ".join(f'{validate_field_name(name)} = "{safe}"' for name in fields)
