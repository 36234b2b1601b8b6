"""What a matching filter pattern extracted from an event, and reading values out of it.

Metric filters name values as the service does: ``$.latency`` (a JSON selector), ``$size`` (a
named field of a space-delimited pattern) or ``$7`` (the seventh space-delimited field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ._delimited import split_fields
from ._json_pattern import selector_value

_POSITION = re.compile(r"\$([1-9][0-9]*)")
_NAME = re.compile(r"\$([A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class PatternMatch:
    """A match: the pattern's ``kind``, the raw ``message`` and what the pattern found there
    (the fields of a space-delimited pattern, the parsed event of a JSON pattern)."""

    kind: str
    message: str
    found: Any = None

    def extracted(self) -> dict[str, str]:
        """The named fields, as TestMetricFilter's ``extractedValues`` shows them (``$ip``)."""
        if self.kind != "delimited" or not isinstance(self.found, dict):
            return {}
        return {f"${name}": value for name, value in self.found.items()}

    def value(self, reference: str) -> Any:
        """The value ``reference`` (``$.a.b``, ``$name`` or ``$3``) names in the event, or
        None when the event does not hold it."""
        if reference.startswith("$.") or reference.startswith("$["):
            if self.kind == "json":
                return selector_value(self.found, reference)
            reference = "$" + reference[2:]
        position = _POSITION.fullmatch(reference)
        if position is not None and self.kind == "delimited":
            fields = split_fields(self.message)
            index = int(position.group(1)) - 1
            return fields[index] if index < len(fields) else None
        name = _NAME.fullmatch(reference)
        if name is not None and isinstance(self.found, dict) and self.kind == "delimited":
            return self.found.get(name.group(1))
        return None
