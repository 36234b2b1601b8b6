"""``CloudWatchHandler`` and what wires the write path to a process: the registry of live
handlers, fork / exit / signal hooks and the AWS Lambda decorator."""

from __future__ import annotations

from ._handler import CloudWatchHandler, flush_all
from ._lambda import lambda_handler

__all__ = ["CloudWatchHandler", "flush_all", "lambda_handler"]
