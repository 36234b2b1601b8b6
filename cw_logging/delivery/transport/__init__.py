"""The one seam between the write path and the service: the :class:`Transport` protocol, its
boto3 implementation and where a sender gets it from.

Nothing here imports boto3 until a client is built.
"""

from __future__ import annotations

from ._boto3 import (
    Boto3Transport,
    build_client,
    call_client,
    check_endpoint_url,
    default_botocore_config,
    service_errors,
)
from ._protocol import PutResult, Transport
from ._provider import ClientOptions, TransportProvider
from ._serializer import PutLogEventsSerializer, install_put_serializer
from ._session import (
    LOOPBACK_CREDENTIALS,
    LOOPBACK_REGION,
    REGION_VARIABLES,
    configured_endpoint,
    is_loopback_host,
    is_loopback_url,
    resolve_region,
)

__all__ = [
    "LOOPBACK_CREDENTIALS",
    "LOOPBACK_REGION",
    "REGION_VARIABLES",
    "Boto3Transport",
    "ClientOptions",
    "PutLogEventsSerializer",
    "PutResult",
    "Transport",
    "TransportProvider",
    "build_client",
    "call_client",
    "check_endpoint_url",
    "configured_endpoint",
    "default_botocore_config",
    "install_put_serializer",
    "is_loopback_host",
    "is_loopback_url",
    "resolve_region",
    "service_errors",
]
