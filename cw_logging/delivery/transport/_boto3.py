"""The transport over a boto3 ``logs`` client, and how that client is built."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from ..._limits import InputLogEvent
from ...errors import (
    CloudWatchLogsError,
    ConfigurationError,
    DataAlreadyAcceptedError,
    from_exception,
)
from .._columns import EventColumns
from ._preload import new_session
from ._protocol import PutResult
from ._serializer import PutLogEventsSerializer, install_put_serializer
from ._session import ENDPOINT_VARIABLES, client_settings, is_loopback_host

__all__ = [
    "Boto3Transport",
    "build_client",
    "call_client",
    "check_endpoint_url",
    "default_botocore_config",
    "service_errors",
]


CONFIGURED_ENDPOINT = f"endpoint from {' / '.join(ENDPOINT_VARIABLES)} / the profile"
"""How an endpoint configured for boto3 (not passed) is named in messages."""


def default_botocore_config(**overrides: Any) -> Any:
    """Return the package's default ``botocore.config.Config``, with ``overrides`` applied.

    Defaults: connect timeout 5 s, read timeout 30 s, ``standard`` retries (3 attempts), TCP
    keep-alive on.
    """
    from botocore.config import Config

    settings: dict[str, Any] = {
        "connect_timeout": 5,
        "read_timeout": 30,
        "retries": {"mode": "standard", "total_max_attempts": 3},
        "tcp_keepalive": True,
    }
    settings.update(overrides)
    return Config(**settings)


def check_endpoint_url(endpoint_url: str | None, name: str = "endpoint_url") -> str | None:
    """Return ``endpoint_url`` if it is https, or http on a loopback host; else raise.

    Plain http elsewhere would send signed requests and log data in clear text. ``name`` says
    where the URL came from, for the message.
    """
    if endpoint_url is None:
        return None
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"invalid {name} {endpoint_url!r}: expected https://host[:port]",
            code="InvalidEndpoint",
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(
            f"{name} {endpoint_url!r} uses plain http to a non-loopback host: use https",
            code="InsecureEndpoint",
        )
    return endpoint_url


def build_client(
    *,
    boto3_session: Any = None,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    profile_name: str | None = None,
    botocore_config: Any = None,
) -> Any:
    """Return a boto3 ``logs`` client built from the given session, profile, region and endpoint.

    The region is ``region_name``, then ``AWS_REGION``, then ``AWS_DEFAULT_REGION``, then the
    profile's; the endpoint ``endpoint_url``, else the one configured for boto3
    (``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``, ``AWS_ENDPOINT_URL``, the profile); credentials come
    from boto3's usual chain. A loopback endpoint (the local engine) without a region or
    credentials gets placeholders; any other endpoint never does. No request is sent to the
    service (boto3's credential chain may ask an instance or container role, as for any
    client).
    """
    from botocore.exceptions import ProfileNotFound

    check_endpoint_url(endpoint_url)
    config = botocore_config or default_botocore_config()
    try:
        session = boto3_session or new_session(profile_name)
        if profile_name is not None and profile_name not in session.available_profiles:
            raise ProfileNotFound(profile=profile_name)
        settings = client_settings(session, region_name, endpoint_url, config)
    except ProfileNotFound as exc:
        name = profile_name or getattr(exc, "kwargs", {}).get("profile")
        raise ConfigurationError(
            f"AWS profile {name!r} not found: check ~/.aws/config or AWS_PROFILE",
            code="ProfileNotFound",
        ) from exc
    except CloudWatchLogsError:
        raise
    except Exception as exc:
        raise from_exception(exc) from exc
    if settings.endpoint_url != endpoint_url:
        check_endpoint_url(settings.endpoint_url, CONFIGURED_ENDPOINT)
    try:
        client = settings.session.client(
            "logs",
            region_name=settings.region_name,
            endpoint_url=settings.endpoint_url,
            config=config,
        )
    except Exception as exc:
        raise from_exception(exc) from exc
    install_put_serializer(client)
    return client


@contextmanager
def service_errors() -> Iterator[None]:
    """Raise any failure inside the block as the package's taxonomy error (errors.py)."""
    try:
        yield
    except CloudWatchLogsError:
        raise
    except Exception as exc:
        raise from_exception(exc) from exc


def call_client(client: Any, operation: str, **params: Any) -> Any:
    """Call ``operation`` on a boto3 client; any failure is raised as a taxonomy error."""
    with service_errors():
        return getattr(client, operation)(**params)


class Boto3Transport:
    """:class:`~cw_logging.delivery.transport.Transport` over a boto3 ``logs`` client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._columns_refused = False

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        """Call PutLogEvents; a DataAlreadyAccepted answer counts as success."""
        if not (isinstance(events, EventColumns) and self._takes_columns()):
            events = list(events)
        try:
            with service_errors():
                response = self._put(log_group, log_stream, events)
        except DataAlreadyAcceptedError:
            return PutResult()
        return PutResult.from_response(response)

    def _takes_columns(self) -> bool:
        serializer = getattr(self.client, "_serializer", None)
        return (
            not self._columns_refused
            and isinstance(serializer, PutLogEventsSerializer)
            and serializer.enabled  # it writes columns itself, a list whenever botocore must
        )

    def _put(self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]) -> Any:
        put = self.client.put_log_events
        if isinstance(events, list):
            return put(logGroupName=log_group, logStreamName=log_stream, logEvents=events)
        from botocore.exceptions import ParamValidationError

        try:
            return put(logGroupName=log_group, logStreamName=log_stream, logEvents=events)
        except ParamValidationError:  # something before our serialiser wants a list after all
            self._columns_refused = True
            return put(logGroupName=log_group, logStreamName=log_stream, logEvents=list(events))

    def create_log_group(self, log_group: str) -> None:
        """Call CreateLogGroup."""
        with service_errors():
            self.client.create_log_group(logGroupName=log_group)

    def create_log_stream(self, log_group: str, log_stream: str) -> None:
        """Call CreateLogStream."""
        with service_errors():
            self.client.create_log_stream(logGroupName=log_group, logStreamName=log_stream)

    def put_retention_policy(self, log_group: str, days: int) -> None:
        """Call PutRetentionPolicy."""
        with service_errors():
            self.client.put_retention_policy(logGroupName=log_group, retentionInDays=days)
