"""Where a sender gets its transport: a ready one, a user's boto3 client, or a client built from
options, made on first use (on the sender thread) and made anew in a forked child."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from typing import Any

from ..._options import INVALID_SETTING
from ...errors import ConfigurationError
from ._boto3 import Boto3Transport, build_client, check_endpoint_url, default_botocore_config
from ._preload import preload_boto3
from ._protocol import Transport
from ._serializer import install_put_serializer

__all__ = ["ClientOptions", "TransportProvider"]


@dataclass(frozen=True)
class ClientOptions:
    """How to build a boto3 ``logs`` client (None: boto3's usual chain decides)."""

    boto3_session: Any = None
    region_name: str | None = None
    endpoint_url: str | None = None
    profile_name: str | None = None
    botocore_config: Any = None

    def __post_init__(self) -> None:
        check_endpoint_url(self.endpoint_url)
        if self.botocore_config is not None:
            from botocore.config import Config

            if not isinstance(self.botocore_config, Config):
                raise ConfigurationError(
                    f"botocore_config={self.botocore_config!r} is invalid: pass a "
                    "botocore.config.Config",
                    code=INVALID_SETTING,
                )
        if self.boto3_session is not None and self.profile_name is not None:
            raise ConfigurationError(
                "pass either boto3_session or profile_name, not both (the session has its profile)",
                code=INVALID_SETTING,
            )

    def given(self) -> list[str]:
        """The names of the options that were set."""
        return [field.name for field in fields(self) if getattr(self, field.name) is not None]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.given())
        return f"ClientOptions({shown})"


class TransportProvider:
    """Gives the sender its transport, creating it the first time it is needed.

    Exactly one source: ``transport`` (used as is), ``client`` (a boto3 logs client, wrapped),
    or ``options`` (a client is built with the package's defaults: connect 5 s, read 30 s,
    standard retries, keep-alive, and botocore's parameter validation off because the batch
    builder only produces valid requests).
    """

    def __init__(
        self,
        *,
        transport: Transport | None = None,
        client: Any = None,
        options: ClientOptions | None = None,
    ) -> None:
        options = options or ClientOptions()
        given = [name for name, value in (("client", client), ("transport", transport)) if value]
        if len(given) > 1 or (given and options.given()):
            raise ConfigurationError(
                f"conflicting options {', '.join(given + options.given())}: pass a ready client "
                "(or transport), or the options to build one, not both",
                code=INVALID_SETTING,
            )
        if transport is not None and not isinstance(transport, Transport):
            raise ConfigurationError(
                f"transport={transport!r} does not implement cw_logging.delivery.Transport",
                code=INVALID_SETTING,
            )
        if client is not None and not callable(getattr(client, "put_log_events", None)):
            raise ConfigurationError(
                f"client={client!r} is not a boto3 CloudWatch Logs client (boto3.client('logs'))",
                code=INVALID_SETTING,
            )
        if transport is None:
            preload_boto3()  # before any thread of ours starts (see _preload)
        self.options = options
        self._user_transport = transport
        self._user_client = client
        self._copy_client = False
        self._transport: Transport | None = transport
        self._lock = threading.Lock()

    def get(self) -> Transport:
        """Return the transport, creating it now if needed (may raise a taxonomy error)."""
        with self._lock:
            if self._transport is None:
                self._transport = Boto3Transport(self._new_client())
            return self._transport

    def _new_client(self) -> Any:
        if self._user_client is not None:
            client = _client_like(self._user_client) if self._copy_client else self._user_client
            install_put_serializer(client)  # validation stays on for the user's own calls
            return client
        options = self.options
        config = default_botocore_config(parameter_validation=False)
        if options.botocore_config is not None:
            config = config.merge(options.botocore_config)
        return build_client(
            boto3_session=options.boto3_session,
            region_name=options.region_name,
            endpoint_url=options.endpoint_url,
            profile_name=options.profile_name,
            botocore_config=config,
        )

    def for_child(self) -> TransportProvider:
        """The provider a forked child uses: it shares no HTTP connection with the parent (a
        user's client is copied, with its credentials, when the child first needs it)."""
        child = TransportProvider(
            transport=self._user_transport, client=self._user_client, options=self.options
        )
        child._copy_client = self._user_client is not None
        return child


def _client_like(client: Any) -> Any:
    """Return a new boto3 logs client with ``client``'s region, endpoint, config and credentials."""
    import boto3

    options: dict[str, Any] = {
        "region_name": client.meta.region_name,
        "endpoint_url": client.meta.endpoint_url,
        "config": client.meta.config,
    }
    credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options.update(
            aws_access_key_id=frozen.access_key,
            aws_secret_access_key=frozen.secret_key,
            aws_session_token=frozen.token,
        )
    return boto3.session.Session().client("logs", **options)
