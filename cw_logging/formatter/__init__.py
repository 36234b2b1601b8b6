"""``JsonFormatter``: one queryable JSON document per record, with correlation ids and safe values.

See ``docs/formatter.md`` for the keys, options and the fast path.
"""

from __future__ import annotations

from ._json import (
    EXCEPTION_ATTRIBUTE,
    KEY_STYLES,
    JsonFormatter,
    exception_summary,
    json_safe,
    standard_attributes,
)

__all__ = [
    "EXCEPTION_ATTRIBUTE",
    "KEY_STYLES",
    "JsonFormatter",
    "exception_summary",
    "json_safe",
    "standard_attributes",
]
