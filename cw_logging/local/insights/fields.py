"""Rows the evaluator works on, and the service's discovery of fields in JSON messages.

JSON objects are flattened with dots (``user.id``), arrays with indexes (``items.0.id``), at most
200 fields per event; a discovered name that starts with ``@`` gets another ``@`` in front so it
cannot shadow a system field. Discovery runs only when a query reads a field the row lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .values import Timestamp

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
            if value is not None and not isinstance(value, Timestamp):
                self[name] = Timestamp(value)
        message = self.get("@message")
        self._undiscovered: str | None = message if _may_be_json(message) else None

    def __missing__(self, key: str) -> Any:
        if self._undiscovered is None:
            return None
        message, self._undiscovered = self._undiscovered, None
        for name, value in discover_json_fields(message).items():
            self.setdefault(name, value)
        return self.get(key)


def _may_be_json(message: Any) -> bool:
    return isinstance(message, str) and message.lstrip()[:1] == "{"


def discover_json_fields(message: str) -> dict[str, Any]:
    """The fields the service discovers in ``message`` when it is a JSON object, else ``{}``."""
    if not _may_be_json(message):
        return {}
    try:
        document = json.loads(message)
    except ValueError:
        return {}
    if not isinstance(document, dict):
        return {}
    found: dict[str, Any] = {}
    _flatten(document, "", found)
    return found


def _flatten(value: Any, prefix: str, found: dict[str, Any]) -> None:
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return
    for key, item in items:
        if len(found) >= MAX_DISCOVERED_FIELDS:
            return
        name = f"{prefix}.{key}" if prefix else ("@" + key if key.startswith("@") else key)
        if isinstance(item, (dict, list)):
            _flatten(item, name, found)
        elif item is not None:
            found[name] = item
