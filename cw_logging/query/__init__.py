"""Read path: Logs Insights queries, correlation lookups, event iterators, administration.

Every function takes ``client=`` (a boto3 ``logs`` client) or builds one from
``boto3_session=``, ``region_name=``, ``endpoint_url=``, ``profile_name=``, ``botocore_config=``.
Failures raise the errors of :mod:`cw_logging.errors`.
"""

from __future__ import annotations

from . import admin
from ._correlate import (
    DEFAULT_WINDOWS,
    build_correlation_query,
    build_filter_pattern,
    find_by_field,
    find_by_request_id,
    find_by_span_id,
    find_by_trace_id,
    search_windows,
    timeline,
    validate_id,
)
from ._cost import DEFAULT_PRICE_PER_GB, ScanLimitExceeded, ScanStatistics
from ._events import LogEvent, filter_log_events, get_log_events
from ._fanout import Governor
from ._fleet import LookupResult
from ._follow import follow_log_events
from ._indexes import DEFAULT_INDEXED_FIELDS, IndexCatalog
from ._insights import Polling, QueryResult, get_query_results, run_query, start_query, stop_query
from ._querytext import validate_query
from ._records import CorrelatedEvent, CorrelationKeys
from ._source import source_clause
from ._timerange import TimeRange

__all__ = [
    "DEFAULT_INDEXED_FIELDS",
    "DEFAULT_PRICE_PER_GB",
    "DEFAULT_WINDOWS",
    "CorrelatedEvent",
    "CorrelationKeys",
    "Governor",
    "IndexCatalog",
    "LogEvent",
    "LookupResult",
    "Polling",
    "QueryResult",
    "ScanLimitExceeded",
    "ScanStatistics",
    "TimeRange",
    "admin",
    "build_correlation_query",
    "build_filter_pattern",
    "filter_log_events",
    "find_by_field",
    "find_by_request_id",
    "find_by_span_id",
    "find_by_trace_id",
    "follow_log_events",
    "get_log_events",
    "get_query_results",
    "run_query",
    "search_windows",
    "source_clause",
    "start_query",
    "stop_query",
    "timeline",
    "validate_id",
    "validate_query",
]
