"""Turning any value into one JSON can encode, without ever raising."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import math
import os
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .._records import cap_text, exception_summary, safe_repr

__all__ = [
    "DEFAULT_MAX_REPR",
    "SCALARS",
    "FrozenValue",
    "first_encodable",
    "freeze",
    "json_safe",
    "sanitised",
    "unserialisable",
]

DEFAULT_MAX_REPR = 1000
"""Default cap on the ``repr`` of an object JSON cannot encode."""

SCALARS = frozenset({str, int, float, bool, type(None)})
"""Types a record keeps as they are: immutable, and written by JSON without conversion."""


class FrozenValue(str):
    """The JSON text of a value as it was when it was logged.

    The handler turns a mutable (or unknown) ``extra=`` value into one on the caller's thread,
    so that later changes to the object do not change the record. JsonFormatter writes it as
    the JSON it holds; other formatters see its text.
    """

    __slots__ = ()


def unserialisable(value: object) -> str:
    """The placeholder of a value that no JSON can hold: ``<unserialisable TypeName>``."""
    return f"<unserialisable {type(value).__qualname__}>"


def freeze(value: object, encode: Callable[[Any], str], max_repr: int = DEFAULT_MAX_REPR) -> Any:
    """``value`` itself when it is a scalar, else its JSON text now (a :class:`FrozenValue`),
    with ``encode``; a value that cannot be encoded whole is encoded part by part."""
    if value.__class__ in SCALARS or value.__class__ is FrozenValue:
        return value
    return FrozenValue(first_encodable(value, encode, max_repr)[1])


def first_encodable(
    value: object, encode: Callable[[Any], str], max_repr: int = DEFAULT_MAX_REPR
) -> tuple[Any, str]:
    """The first of ``value``, its sanitised copy and its placeholder that ``encode`` takes,
    with its JSON text."""
    try:
        return value, encode(value)
    except (ValueError, TypeError, RecursionError):
        pass
    safe = sanitised(value, max_repr)
    try:
        return safe, encode(safe)
    except (ValueError, TypeError, RecursionError):
        placeholder = unserialisable(value)
        return placeholder, encode(placeholder)


def json_safe(value: object, max_repr: int = DEFAULT_MAX_REPR) -> Any:
    """Convert a value json cannot encode into one it can (never raises).

    datetime/date/time → ISO 8601, Decimal/UUID/paths → str, bytes → UTF-8 text (undecodable
    bytes escaped), set → list, Enum → its value, dataclass → dict, exception → ``Type: msg``,
    anything else → ``repr`` capped at ``max_repr`` characters.
    """
    try:
        if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            return value.isoformat()
        if isinstance(value, (Decimal, uuid.UUID)):
            return str(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return cap_text(bytes(value).decode("utf-8", "backslashreplace"), max_repr)
        if isinstance(value, (set, frozenset)):
            try:
                return sorted(value)
            except TypeError:
                return list(value)
        if isinstance(value, enum.Enum):
            return value.value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        if isinstance(value, BaseException):
            return "{}: {}".format(*exception_summary((type(value), value, None)))
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        if isinstance(value, float):  # NaN and infinities are not JSON
            return str(value)
    except Exception:
        pass
    return safe_repr(value, max_repr)


def sanitised(value: Any, max_repr: int, depth: int = 0, seen: frozenset[int] = frozenset()) -> Any:
    """Deep-convert ``value`` to plain JSON types, breaking cycles and non-finite floats."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        try:
            int.__repr__(value)  # over Python's digit limit: no JSON number can be written
        except ValueError:
            return unserialisable(value)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth > 32 or id(value) in seen:
        return safe_repr(value, max_repr) if depth > 32 else "<circular reference>"
    inner = seen | {id(value)}
    if isinstance(value, Mapping):
        return {
            str(key): sanitised(item, max_repr, depth + 1, inner) for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [sanitised(item, max_repr, depth + 1, inner) for item in value]
    converted = json_safe(value, max_repr)
    if isinstance(converted, str):
        return converted
    return sanitised(converted, max_repr, depth + 1, inner)
