"""Delivery: the bounded queue, the batch builder, the sender thread and the transport seam."""

from __future__ import annotations

from ._emf import METRICS
from ._sender import RetryPolicy
from .transport import PutResult, Transport

__all__ = ["METRICS", "PutResult", "RetryPolicy", "Transport"]
