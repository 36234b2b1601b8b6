"""Delivery: the bounded queue, the batch builder, the sender thread and the transport seam.

Public here: :class:`RetryPolicy` (the handler's ``retry=`` option), the :class:`Transport`
protocol and :class:`PutResult` (for a transport of your own), and :data:`METRICS` (the
metrics of the handler's EMF line).
"""

from __future__ import annotations

from ._emf import METRICS
from ._retry import RetryPolicy
from .transport import PutResult, Transport

__all__ = ["METRICS", "PutResult", "RetryPolicy", "Transport"]
