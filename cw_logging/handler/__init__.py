"""``CloudWatchHandler`` and what wires the write path to a process: its options, the registry
of live handlers, fork / exit / signal hooks and the AWS Lambda decorator."""

from __future__ import annotations

from ._handler import CloudWatchHandler
from ._lambda import lambda_handler
from ._registry import flush_all

__all__ = ["CloudWatchHandler", "flush_all", "lambda_handler"]
