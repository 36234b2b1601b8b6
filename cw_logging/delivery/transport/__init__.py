"""The one seam between the write path and the service: a small protocol, its boto3 implementation
and the fast PutLogEvents serialiser."""

from __future__ import annotations

from ._transport import (
    Boto3Transport,
    PutLogEventsSerializer,
    PutResult,
    Transport,
    build_client,
    call_client,
    check_endpoint_url,
    default_botocore_config,
    ensure_created,
    install_put_serializer,
)

__all__ = [
    "Boto3Transport",
    "PutLogEventsSerializer",
    "PutResult",
    "Transport",
    "build_client",
    "call_client",
    "check_endpoint_url",
    "default_botocore_config",
    "ensure_created",
    "install_put_serializer",
]
