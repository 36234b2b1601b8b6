"""``JsonFormatter``: one queryable JSON document per record, with correlation ids and safe values.

See ``docs/formatter.md`` for the keys, options and the fast path.
"""

from __future__ import annotations

from .._records import EXCEPTION_ATTRIBUTE, exception_summary, standard_attributes
from ._json import JsonFormatter
from ._keys import KEY_STYLES
from ._values import json_safe

__all__ = [
    "EXCEPTION_ATTRIBUTE",
    "KEY_STYLES",
    "JsonFormatter",
    "exception_summary",
    "json_safe",
    "standard_attributes",
]
