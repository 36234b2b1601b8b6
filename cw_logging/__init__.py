"""cw_logging: Python logging to AWS CloudWatch Logs, and the tools to read it back.

Public names are imported lazily so that ``import cw_logging`` stays cheap; see ``__all__``.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    AuthenticationError,
    BatchError,
    CloudWatchLogsError,
    ConfigurationError,
    NetworkError,
    QueryError,
    RateLimitError,
    RequestError,
    ResourceError,
    ServerError,
)

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "CloudWatchHandler": "handler",
}

__all__ = [
    "AuthenticationError",
    "BatchError",
    "CloudWatchLogsError",
    "ConfigurationError",
    "NetworkError",
    "QueryError",
    "RateLimitError",
    "RequestError",
    "ResourceError",
    "ServerError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cw_logging' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
