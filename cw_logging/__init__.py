"""cw_logging: Python logging to AWS CloudWatch Logs, and the tools to read it back.

Public names are imported on first use so that ``import cw_logging`` stays cheap (dictConfig
imports the package at start-up); see ``__all__``. The subpackages ``cw_logging.query``,
``cw_logging.local`` and ``cw_logging.testing`` are imported by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _moved
from ._lazy import lazy_attributes
from .errors import (
    AuthenticationError,
    CloudWatchLogsError,
    ConfigurationError,
    NetworkError,
    QueryError,
    QueryTimeout,
    RateLimitError,
    RequestError,
    ResourceError,
    ServerError,
)

if TYPE_CHECKING:
    from . import query
    from .context import (
        ContextThreadPoolExecutor,
        CorrelationFilter,
        bind,
        clear,
        correlation,
        current,
        ids_from_headers,
        new_span_id,
        new_trace_id,
        wrap,
    )
    from .formatter import JsonFormatter
    from .handler import CloudWatchHandler, flush_all, lambda_handler
    from .pii import PiiFilter, PiiRedactor

__version__ = "0.1.0"

_moved.install()

_LAZY: dict[str, str] = {
    "CloudWatchHandler": "handler",
    "RetryPolicy": "delivery",
    "flush_all": "handler",
    "lambda_handler": "handler",
    "JsonFormatter": "formatter",
    "ContextThreadPoolExecutor": "context",
    "CorrelationFilter": "context",
    "bind": "context",
    "clear": "context",
    "correlation": "context",
    "current": "context",
    "ids_from_headers": "context",
    "new_span_id": "context",
    "new_trace_id": "context",
    "wrap": "context",
    "PiiFilter": "pii",
    "PiiRedactor": "pii",
}

__all__ = [
    "AuthenticationError",
    "CloudWatchHandler",
    "CloudWatchLogsError",
    "ConfigurationError",
    "ContextThreadPoolExecutor",
    "CorrelationFilter",
    "JsonFormatter",
    "NetworkError",
    "PiiFilter",
    "PiiRedactor",
    "QueryError",
    "QueryTimeout",
    "RateLimitError",
    "RequestError",
    "ResourceError",
    "RetryPolicy",
    "ServerError",
    "__version__",
    "bind",
    "clear",
    "correlation",
    "current",
    "flush_all",
    "ids_from_headers",
    "lambda_handler",
    "new_span_id",
    "new_trace_id",
    "query",
    "wrap",
]


__getattr__ = lazy_attributes(__name__, {**_LAZY, "query": "", "local": "", "testing": ""})
