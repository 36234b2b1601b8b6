"""Rows the evaluator works on, and the service's discovery of fields in JSON messages.

JSON objects are flattened with dots (``user.id``), arrays with indexes (``items.0.id``), at most
200 fields per event; a discovered name that starts with ``@`` gets another ``@`` in front so it
cannot shadow a system field. Discovery runs only when a query reads a field the row lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._log_types import embedded_json, log_type_fields, may_have_type_fields
from ._values import Timestamp

MAX_DISCOVERED_FIELDS = 200
SYSTEM_TIME_FIELDS = ("@timestamp", "@ingestionTime")


class Row(dict[str, Any]):
    """A result row: field name -> value, where reading a missing field gives None."""

    __slots__ = ()

    def __missing__(self, key: str) -> Any:
        return None


class EventRow(Row):
    """A log event as a row: the system fields now, the JSON fields on first need."""

    __slots__ = ("_undiscovered",)

    def __init__(self, event: Mapping[str, Any]) -> None:
        super().__init__(event)
        for name in SYSTEM_TIME_FIELDS:
            value = self.get(name)
            if value is not None and value.__class__ is not Timestamp:
                self[name] = Timestamp(value)
        message = self.get("@message")
        self._undiscovered: str | None = message if _may_discover(message) else None

    def __missing__(self, key: str) -> Any:
        if self._undiscovered is None:
            return None
        message, self._undiscovered = self._undiscovered, None
        found = _discover(message) if may_be_json(message) else _discover_typed(message)
        for taken in found.keys() & self.keys():
            del found[taken]
        self.update(found)
        return found.get(key)


def _may_discover(message: Any) -> bool:
    if message.__class__ is not str:
        return False
    return may_be_json(message) or may_have_type_fields(message)


def _discover_typed(message: str) -> dict[str, Any]:
    found = log_type_fields(message)
    if found:
        return found
    document = embedded_json(message)
    return {} if document is None else flatten_document(document)


def may_be_json(message: Any) -> bool:
    """Whether ``message`` is a string that may hold a JSON object (its first non-blank is
    ``{``)."""
    if message.__class__ is not str:
        return False
    return message[:1] == "{" or message.lstrip()[:1] == "{"


def discover_json_fields(message: str) -> dict[str, Any]:
    """The fields the service discovers in ``message`` when it is a JSON object, else ``{}``."""
    return _discover(message) if may_be_json(message) else {}


def _discover(message: str) -> dict[str, Any]:
    try:
        document = json.loads(message)
    except ValueError:
        return {}
    if document.__class__ is not dict:
        return {}
    return flatten_document(document)


def flatten_document(document: dict[str, Any]) -> dict[str, Any]:
    """A JSON object's fields as the service discovers them (dotted names, at most 200)."""
    found: dict[str, Any] = {}
    for key, item in document.items():
        if len(found) >= MAX_DISCOVERED_FIELDS:
            break
        name = "@" + key if key[:1] == "@" else key
        kind = item.__class__
        if kind is dict or kind is list:
            _flatten(item, name, found)
        elif item is not None:
            found[name] = item
    return found


def _flatten(value: Any, prefix: str, found: dict[str, Any]) -> None:
    items = value.items() if value.__class__ is dict else enumerate(value)
    for key, item in items:
        if len(found) >= MAX_DISCOVERED_FIELDS:
            return
        name = f"{prefix}.{key}"
        kind = item.__class__
        if kind is dict or kind is list:
            _flatten(item, name, found)
        elif item is not None:
            found[name] = item
