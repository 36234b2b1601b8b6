"""The formatter's fast path: JSON text for plain records without building a dict first."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._records import EXCEPTION_ATTRIBUTE, FORMAT_ERROR_ATTRIBUTE, added_attributes
from ._keys import FROM_FORMATTER, ID_NAMES
from ._values import FrozenValue

if TYPE_CHECKING:
    from ._json import JsonFormatter

__all__ = ["FastPath"]

_MISSING = object()
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_MAX_MEMBERS = 4096


class FastPath:
    """JSON text for plain records (no exception, stack, mapping message or redaction), built
    from pre-encoded key names; the result equals encoding :meth:`JsonFormatter.build`'s dict.

    Returns None whenever that equality is not certain, and the formatter takes its general
    path.
    """

    # methods whose work this path replaces: overriding one in a subclass disables the path
    REPLACES = ("build", "_build", "_message", "_encode", "_ids")

    def __init__(self, formatter: JsonFormatter, encoded: dict[str, str]) -> None:
        encoder = formatter._encoder
        self.quote = encode_basestring_ascii if encoder.ensure_ascii else encode_basestring
        self.encoder = encoder
        self.encode = self._encoder_function()
        self.open = "{" + encoded["timestamp"]
        self.level = "," + encoded["level"]
        self.logger = "," + encoded["logger"]
        self.message = "," + encoded["message"]
        self.location = "," + encoded["location"]
        self.ids = tuple((name, "," + encoded[name]) for name in ID_NAMES)
        self.id_keys = frozenset(formatter._keys[name] for name in ID_NAMES)
        self.adds_format_fields = any(
            field == "asctime" or field not in FROM_FORMATTER
            for field in formatter._required_fields
        )
        # (snapshot, its ids as JSON text or None, its other fields) of the last snapshot seen:
        # records logged in one correlation scope share one snapshot object
        self.last: tuple[object, str | None, Mapping[str, Any]] = (_MISSING, None, _EMPTY)
        self.members: dict[str, str] = {}  # field name -> its JSON member prefix ',"name":'

    @classmethod
    def for_formatter(cls, formatter: JsonFormatter, base: type[JsonFormatter]) -> FastPath | None:
        """Return the fast path for ``formatter``, or None if its settings or class rule it out."""
        if any(getattr(type(formatter), name) is not getattr(base, name) for name in cls.REPLACES):
            return None
        names = ("timestamp", "level", "logger", "message", "location", *ID_NAMES)
        keys = [formatter._keys[name] for name in names]
        if len(set(keys)) != len(keys) or not all(type(key) is str for key in keys):
            return None  # renamed onto each other, or not text: the dict merges or converts them
        encode = formatter._encoder.encode
        encoded = {name: encode({key: 0})[1:-2] for name, key in zip(names, keys, strict=True)}
        return cls(formatter, encoded)

    def text(
        self, formatter: JsonFormatter, record: logging.LogRecord, snapshot: Any
    ) -> str | None:
        """Return ``record`` as JSON text, or None when the general path must produce it."""
        attributes = record.__dict__
        if (
            record.msg.__class__ is not str
            or record.exc_info
            or record.exc_text
            or record.stack_info
            or EXCEPTION_ATTRIBUTE in attributes
            or FORMAT_ERROR_ATTRIBUTE in attributes
        ):
            return None
        try:
            message = record.getMessage()
        except Exception:  # the general path records the formatting error
            return None
        timestamp = formatter._timestamp(record)
        level = record.levelname
        logger = record.name
        if not (
            timestamp.__class__ is str
            and level.__class__ is str
            and logger.__class__ is str
            and message.__class__ is str
        ):
            return None
        added = added_attributes(attributes)
        # an id alias is never a standard attribute: when the added ones are known, look there
        aliased = not formatter._alias_set.isdisjoint(attributes if added is None else added)
        last_snapshot, ids, fields = self.last
        if snapshot is not last_snapshot or aliased:
            ids_dict, fields = formatter._ids(attributes, snapshot)
            ids = self._ids_text(ids_dict)
            if not aliased and (snapshot is None or snapshot.__class__ is MappingProxyType):
                self.last = (snapshot, ids, fields)  # read-only snapshots, as context makes
        if ids is None:
            return None
        quote = self.quote
        head = (
            f"{self.open}{quote(timestamp)}{self.level}{quote(level)}{self.logger}"
            f"{quote(logger)}{self.message}{quote(message)}{ids}{self.location}"
            f"{quote(f'{record.module}:{record.funcName}:{record.lineno}')}"
        )
        rest = None if fields or added is None else self._extras_only(formatter, attributes, added)
        if rest is None:
            rest = {}
            formatter._add_fields(record, fields, rest, added)
        if not rest:
            return head + "}"
        if not self.id_keys.isdisjoint(rest):
            return None  # a field replaces an id in place: only the dict gets that right
        tail = self._fields_text(rest)
        return None if tail is None else f"{head}{tail}}}"

    def _extras_only(
        self, formatter: JsonFormatter, attributes: dict[str, Any], added: list[str]
    ) -> dict[str, Any] | None:
        """The fields ``_add_fields`` adds when they are only the record's extras (among the
        ``added`` attributes), none renamed or moved aside (the common case, without its
        general bookkeeping); None otherwise."""
        if self.adds_format_fields or formatter.static_fields or formatter.rename_fields:
            return None
        skip = formatter._skip
        extras = {key: attributes[key] for key in added if key not in skip and key[:1] != "_"}
        if extras and not formatter._protected.isdisjoint(extras):
            return None  # a field named like a core key becomes extra_<name>: the general way
        return extras

    def _ids_text(self, ids: Mapping[str, Any]) -> str | None:
        """The ids as JSON members (each with a leading comma), or None if one is not text."""
        parts = []
        quote = self.quote
        for name, key in self.ids:
            if name in ids:
                value = ids[name]
                if value.__class__ is not str:
                    return None
                parts.append(key + quote(value))
        return "".join(parts)

    def _fields_text(self, fields: dict[str, Any]) -> str | None:
        """The fields as JSON members (each with a leading comma), as the encoder writes them;
        None if the encoder fails on them (the general path sanitises)."""
        quote = self.quote
        encode = self.encode
        members = self.members
        parts = []
        try:
            for key, value in fields.items():
                if key.__class__ is not str:  # the encoder converts such keys: it does them all
                    return "," + encode(fields)[1:-1]
                kind = value.__class__
                if kind is str:
                    text = quote(value)
                elif kind is int:
                    text = int.__repr__(value)
                elif kind is float and math.isfinite(value):
                    text = float.__repr__(value)
                elif kind is FrozenValue:
                    text = value  # JSON text already, written by this encoder
                elif value is None:
                    text = "null"
                elif kind is bool:
                    text = "true" if value else "false"
                else:
                    text = encode(value)
                member = members.get(key)
                if member is None:
                    member = f",{quote(key)}:"
                    if len(members) < _MAX_MEMBERS:  # field names are few; a bound if not
                        members[key] = member
                parts.append(member + text)
        except (ValueError, TypeError, RecursionError):
            self.encode = self._encoder_function()  # its circular-reference marks may be stale
            return None
        return "".join(parts)

    def _encoder_function(self) -> Callable[[Any], str]:
        """One value to JSON text exactly as the formatter's encoder writes it inside a document;
        built once (``JSONEncoder.encode`` builds its C encoder on every call)."""
        encoder = self.encoder
        if c_make_encoder is None or encoder.indent is not None:
            return encoder.encode
        make = c_make_encoder(
            {} if encoder.check_circular else None,
            encoder.default,
            self.quote,
            None,
            encoder.key_separator,
            encoder.item_separator,
            encoder.sort_keys,
            encoder.skipkeys,
            encoder.allow_nan,
        )
        return lambda value: "".join(make(value, 0))
