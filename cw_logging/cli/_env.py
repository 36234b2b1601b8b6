"""The global options every command shares (region, profile, endpoint, output mode) and the
boto3 ``logs`` client they describe."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from .._secrets import mask_secrets
from ..delivery.transport import build_client, check_endpoint_url, default_botocore_config
from ._output import Style

__all__ = ["CliEnv"]


@dataclass
class CliEnv:
    """The parsed global options, where output goes, and the client built from them on demand.

    The client is built like the handler's (``cw_logging.delivery.transport.build_client``):
    ``--region``, then ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's region; a loopback
    ``--endpoint-url`` (the local engine) works without any AWS set-up.
    """

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    json: bool = False
    debug: bool = False
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _client: Any = field(default=None, repr=False)

    def service_options(self) -> dict[str, Any]:
        """Return the handler/client keyword arguments these options mean."""
        check_endpoint_url(self.endpoint_url)
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

    def command(self, *argv: str) -> str:
        """Return ``cw-logging`` with these global options and ``argv``, quoted for a shell, so
        that a printed command works as pasted."""
        words = ["cw-logging"]
        endpoint = None if self.endpoint_url is None else mask_secrets(self.endpoint_url)
        for option, value in (
            ("--endpoint-url", endpoint),  # a password in its userinfo is not printed
            ("--region", self.region),
            ("--profile", self.profile),
        ):
            if value is not None:
                words += [option, value]
        return shlex.join([*words, *argv])

    @property
    def style(self) -> Style:
        """Colours for stdout (off when piped or with ``NO_COLOR``)."""
        return Style(self.stdout)
