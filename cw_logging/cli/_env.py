"""The global options every command shares (region, profile, endpoint, output mode) and the
boto3 ``logs`` client they describe."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..delivery.transport import (
    build_client,
    check_endpoint_url,
    default_botocore_config,
    is_loopback_host,
)
from ..errors import ConfigurationError
from ._output import Style

__all__ = ["LOCAL_CREDENTIALS", "CliEnv", "loopback_session"]

LOCAL_CREDENTIALS = ("local", "local")
"""Access key id and secret for a loopback endpoint when none are configured: the local
engine (and moto) accept any signature, and a fresh machine has none."""
DEFAULT_LOCAL_REGION = "us-east-1"
"""Region used for a loopback endpoint when none is configured."""


def loopback_session(profile: str | None, region: str | None) -> Any:
    """Return a boto3 session for a loopback endpoint: the configured credentials and region
    when there are some, else :data:`LOCAL_CREDENTIALS` and ``us-east-1``."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        configured = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise ConfigurationError(
            f"AWS profile {profile!r} not found: check ~/.aws/config or drop --profile",
            code="ProfileNotFound",
        ) from exc
    region = configured.region_name or DEFAULT_LOCAL_REGION
    if configured.get_credentials() is None:
        key, secret = LOCAL_CREDENTIALS
        return boto3.session.Session(key, secret, region_name=region)
    return boto3.session.Session(profile_name=profile, region_name=region)


@dataclass
class CliEnv:
    """The parsed global options, where output goes, and the client built from them on demand."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    json: bool = False
    debug: bool = False
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _client: Any = field(default=None, repr=False)

    @property
    def is_local(self) -> bool:
        """True when the endpoint is on this machine (the local engine or moto)."""
        if self.endpoint_url is None:
            return False
        from urllib.parse import urlsplit

        host = urlsplit(self.endpoint_url).hostname
        return bool(host) and is_loopback_host(str(host))

    def service_options(self) -> dict[str, Any]:
        """Return the handler/client keyword arguments these options mean.

        A loopback endpoint gets a session with placeholder credentials when none are
        configured, so that ``--endpoint-url http://127.0.0.1:4588`` works on any machine.
        """
        check_endpoint_url(self.endpoint_url)
        if self.is_local:
            return {
                "boto3_session": loopback_session(self.profile, self.region),
                "endpoint_url": self.endpoint_url,
            }
        options: dict[str, Any] = {}
        for key, value in (
            ("region_name", self.region),
            ("profile_name", self.profile),
            ("endpoint_url", self.endpoint_url),
        ):
            if value is not None:
                options[key] = value
        return options

    def client(self) -> Any:
        """Return the boto3 ``logs`` client (built once, on first use)."""
        if self._client is None:
            self._client = build_client(
                **self.service_options(), botocore_config=default_botocore_config()
            )
        return self._client

    @property
    def style(self) -> Style:
        """Colours for stdout (off when piped or with ``NO_COLOR``)."""
        return Style(self.stdout)
