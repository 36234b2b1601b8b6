"""Where a client's region, endpoint and credentials come from: one lookup order shared by the
handler, the read path and the CLI, and the placeholders that let a loopback endpoint (the local
engine, moto) work on a machine with no AWS set-up at all."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...errors import NO_REGION_MESSAGE, ConfigurationError
from ._preload import new_session

__all__ = [
    "ENDPOINT_VARIABLES",
    "LOOPBACK_CREDENTIALS",
    "LOOPBACK_REGION",
    "REGION_VARIABLES",
    "ClientSettings",
    "client_settings",
    "configured_endpoint",
    "is_loopback_host",
    "is_loopback_url",
    "resolve_region",
]

REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
"""Environment variables naming the region, in the order they are read (botocore itself reads
only ``AWS_DEFAULT_REGION``; Lambda and ECS set both, many tools only ``AWS_REGION``)."""
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL")
"""Environment variables botocore reads for the CloudWatch Logs endpoint, in its order (then
the profile's ``services`` section and ``endpoint_url``)."""
LOOPBACK_REGION = "us-east-1"
"""Region used for a loopback endpoint when none is configured."""
LOOPBACK_CREDENTIALS = ("local", "local")
"""Access key id and secret used for a loopback endpoint when none are configured: the local
engine (and moto) accept any signature, and a fresh machine has no credentials."""


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str | None) -> bool:
    """True when ``url``'s host is a loopback one (the name itself, never what it resolves to)."""
    if not url:
        return False
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and is_loopback_host(str(host))


def resolve_region(region_name: str | None, session: Any) -> str | None:
    """Return the region a client uses: ``region_name``, then a region given to the boto3
    ``session`` itself, then ``AWS_REGION``, then ``AWS_DEFAULT_REGION``, then the profile's
    ``region``; None when there is none."""
    if region_name:
        return region_name
    core = session._session  # the botocore session under boto3's
    given = core.instance_variables().get("region")
    if given:
        return str(given)
    for name in REGION_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    profile_region = core.get_scoped_config().get("region")
    return str(profile_region) if profile_region else None


def configured_endpoint(session: Any, config: Any = None) -> str | None:
    """Return the endpoint boto3 uses for CloudWatch Logs when none is passed, as botocore finds
    it: ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``, ``AWS_ENDPOINT_URL``, then the profile's
    ``services`` section and ``endpoint_url`` (none when configured endpoints are ignored)."""
    from botocore.configprovider import ConfiguredEndpointProvider

    core = session._session
    ignore = getattr(config, "ignore_configured_endpoint_urls", None)
    if ignore is None:
        ignore = core.get_config_variable("ignore_configured_endpoint_urls")
    if ignore:
        return None
    provider = ConfiguredEndpointProvider(
        full_config=core.full_config, scoped_config=core.get_scoped_config(), client_name="logs"
    )
    endpoint = provider.provide()
    return str(endpoint) if endpoint else None


@dataclass(frozen=True)
class ClientSettings:
    """The session, region and endpoint a ``logs`` client is built with."""

    session: Any
    region_name: str
    endpoint_url: str | None


def client_settings(
    session: Any, region_name: str | None, endpoint_url: str | None, config: Any = None
) -> ClientSettings:
    """Return what a client is built with: the endpoint (``endpoint_url``, else the configured
    one), the region (:func:`resolve_region`) and the session.

    Only for a loopback endpoint, a missing region becomes :data:`LOOPBACK_REGION` and missing
    credentials :data:`LOOPBACK_CREDENTIALS`; any other endpoint without a region raises
    ``ConfigurationError`` (``NoRegionError``) and without credentials fails when called.
    """
    endpoint = endpoint_url or configured_endpoint(session, config)
    region = resolve_region(region_name, session)
    if not is_loopback_url(endpoint):
        if region is None:
            raise ConfigurationError(NO_REGION_MESSAGE, code="NoRegionError")
        return ClientSettings(session, region, endpoint)
    region = region or LOOPBACK_REGION
    if session.get_credentials() is None:
        session = new_session(None)
        session._session.set_credentials(*LOOPBACK_CREDENTIALS)
    return ClientSettings(session, region, endpoint)
