"""A local evaluator for CloudWatch Logs Insights QL queries.

``compile_query(text)`` parses and compiles a query once (raising ``MalformedQueryError`` with a
position for bad or unsupported syntax); ``CompiledQuery.run(events)`` evaluates it over log
events and returns rows with statistics; ``CompiledQuery.run_blocks`` evaluates it over a store's
events (:class:`EventBlock`), whose fields ``discover_batch`` found once, when they arrived.
``format_value`` renders values as GetQueryResults does.
"""

from __future__ import annotations

from ._evaluator import (
    DEFAULT_FIELDS,
    DEFAULT_LIMIT,
    CompiledQuery,
    QueryResult,
    QueryStatistics,
    compile_query,
)
from ._fields import MAX_DISCOVERED_FIELDS, discover_json_fields
from ._ingest import discover_batch
from ._parser import MAX_LIMIT
from ._scan import EventBlock
from ._values import Timestamp, format_value

__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_LIMIT",
    "MAX_DISCOVERED_FIELDS",
    "MAX_LIMIT",
    "CompiledQuery",
    "EventBlock",
    "QueryResult",
    "QueryStatistics",
    "Timestamp",
    "compile_query",
    "discover_batch",
    "discover_json_fields",
    "format_value",
]
