"""The one seam between cw_logging and the service: a small protocol, its boto3 implementation."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from ..._limits import InputLogEvent
from ...errors import ConfigurationError, ResourceAlreadyExistsError, from_exception

__all__ = [
    "Boto3Transport",
    "PutLogEventsSerializer",
    "PutResult",
    "Transport",
    "build_client",
    "call_client",
    "check_endpoint_url",
    "default_botocore_config",
    "install_put_serializer",
]


@dataclass(frozen=True)
class PutResult:
    """What PutLogEvents reported: indexes of rejected events by reason (empty when all stored).

    ``too_new_start``: events at this index and after were too new; ``too_old_end``: events
    before this index were too old; ``expired_end``: events before this index were older than the
    retention period. ``None`` means no event was rejected for that reason.
    """

    too_new_start: int | None = None
    too_old_end: int | None = None
    expired_end: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> PutResult:
        """Build from a PutLogEvents response's ``rejectedLogEventsInfo``."""
        info = response.get("rejectedLogEventsInfo") or {}
        return cls(
            too_new_start=info.get("tooNewLogEventStartIndex"),
            too_old_end=info.get("tooOldLogEventEndIndex"),
            expired_end=info.get("expiredLogEventEndIndex"),
            raw=info,
        )

    def rejected_by_reason(self, count: int) -> dict[str, int]:
        """Return how many of ``count`` sent events were rejected, per reason (zeros omitted).

        An event counted as too old is not counted again as expired.
        """
        too_old = min(self.too_old_end + 1, count) if self.too_old_end is not None else 0
        expired_total = min(self.expired_end + 1, count) if self.expired_end is not None else 0
        expired = max(expired_total - too_old, 0)
        too_new = count - self.too_new_start if self.too_new_start is not None else 0
        too_new = max(min(too_new, count - max(too_old, expired_total)), 0)
        reasons = {"too_old": too_old, "expired": expired, "too_new": too_new}
        return {reason: n for reason, n in reasons.items() if n}


@runtime_checkable
class Transport(Protocol):
    """What the write path needs from the service. Methods raise taxonomy errors (errors.py)."""

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        """Store ``events`` (a valid batch, in order) in the stream."""
        ...

    def create_log_group(self, log_group: str) -> None:
        """Create the group; raise ResourceAlreadyExistsError if it exists."""
        ...

    def create_log_stream(self, log_group: str, log_stream: str) -> None:
        """Create the stream; raise ResourceAlreadyExistsError if it exists."""
        ...

    def put_retention_policy(self, log_group: str, days: int) -> None:
        """Set the group's retention in days."""
        ...


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


def check_endpoint_url(endpoint_url: str | None) -> str | None:
    """Return ``endpoint_url`` if it is https, or http on a loopback host; else raise.

    Plain http elsewhere would send signed requests and log data in clear text.
    """
    if endpoint_url is None:
        return None
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"invalid endpoint_url {endpoint_url!r}: expected https://host[:port]",
            code="InvalidEndpoint",
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"endpoint_url {endpoint_url!r} uses plain http to a non-loopback host: use https",
            code="InsecureEndpoint",
        )
    return endpoint_url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_client(
    *,
    boto3_session: Any = None,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    profile_name: str | None = None,
    botocore_config: Any = None,
) -> Any:
    """Return a boto3 ``logs`` client built from the given session, profile, region and endpoint.

    Credentials come from boto3's usual chain. Nothing here talks to the network.
    """
    import boto3
    from botocore.exceptions import ProfileNotFound

    check_endpoint_url(endpoint_url)
    try:
        session = boto3_session or boto3.session.Session(profile_name=profile_name)
    except ProfileNotFound as exc:
        raise ConfigurationError(
            f"AWS profile {profile_name!r} not found: check ~/.aws/config or AWS_PROFILE",
            code="ProfileNotFound",
        ) from exc
    config = botocore_config or default_botocore_config()
    try:
        client = session.client(
            "logs", region_name=region_name, endpoint_url=endpoint_url, config=config
        )
    except Exception as exc:
        raise from_exception(exc) from exc
    install_put_serializer(client)
    return client


_EVENT_KEYS = frozenset({"timestamp", "message"})


def _plain_events(events: object) -> bool:
    """True for a non-empty list of dicts of exactly an int ``timestamp`` and a str ``message``:
    events whose encoding botocore's on the first event proves for all."""
    if events.__class__ is not list or not events:
        return False
    assert isinstance(events, list)
    return all(
        event.__class__ is dict
        and event.keys() == _EVENT_KEYS
        and event["timestamp"].__class__ is int
        and event["message"].__class__ is str
        for event in events
    )


class PutLogEventsSerializer:
    """Wraps a boto3 logs client's request serialiser so that a PutLogEvents body is written by
    one ``json.dumps`` call instead of botocore's walk over every event (about 4x cheaper).

    The result is the same bytes botocore writes. Each call proves it: botocore serialises the
    request with the first event only, and the body must equal ``json.dumps`` of those
    parameters; otherwise (a botocore change, unusual parameters or events) botocore's own
    result is used, and after a mismatch always.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.enabled = True

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet (copy, unpickling): no endless lookup
            raise AttributeError(name)
        return getattr(self.inner, name)

    def serialize_to_request(self, parameters: dict[str, Any], operation_model: Any) -> Any:
        """Return botocore's request dict for ``parameters`` (see the class docstring)."""
        inner = self.inner
        events = parameters.get("logEvents")
        if not (self.enabled and operation_model.name == "PutLogEvents" and _plain_events(events)):
            return inner.serialize_to_request(parameters, operation_model)
        assert isinstance(events, list)
        probe = {**parameters, "logEvents": events[:1]}
        request = inner.serialize_to_request(probe, operation_model)
        try:
            same = request.get("body") == json.dumps(probe).encode("utf-8")
            body = json.dumps(parameters).encode("utf-8") if same else b""
        except (TypeError, ValueError):
            same = False
        if not same:
            self.enabled = False
            return inner.serialize_to_request(parameters, operation_model)
        request["body"] = body
        return request


def install_put_serializer(client: Any) -> bool:
    """Give ``client`` a :class:`PutLogEventsSerializer` (behind botocore's parameter validation
    when that is on); False, client unchanged, when it lacks the botocore JSON serialiser this
    relies on."""
    from botocore.serialize import JSONSerializer
    from botocore.validate import ParamValidationDecorator

    holder = client
    inner = getattr(holder, "_serializer", None)
    if isinstance(inner, ParamValidationDecorator):  # validation on: it wraps the serialiser
        holder, inner = inner, getattr(inner, "_serializer", None)
    if isinstance(inner, PutLogEventsSerializer):
        return True
    if not isinstance(inner, JSONSerializer):
        return False
    holder._serializer = PutLogEventsSerializer(inner)
    return True


class Boto3Transport:
    """:class:`Transport` over a boto3 ``logs`` client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        """Call PutLogEvents; a DataAlreadyAccepted answer counts as success."""
        try:
            response = self.client.put_log_events(
                logGroupName=log_group, logStreamName=log_stream, logEvents=list(events)
            )
        except Exception as exc:
            error = from_exception(exc)
            if error.code == "DataAlreadyAcceptedException":
                return PutResult()
            raise error from exc
        return PutResult.from_response(response)

    def create_log_group(self, log_group: str) -> None:
        """Call CreateLogGroup."""
        self._call("create_log_group", logGroupName=log_group)

    def create_log_stream(self, log_group: str, log_stream: str) -> None:
        """Call CreateLogStream."""
        self._call("create_log_stream", logGroupName=log_group, logStreamName=log_stream)

    def put_retention_policy(self, log_group: str, days: int) -> None:
        """Call PutRetentionPolicy."""
        self._call("put_retention_policy", logGroupName=log_group, retentionInDays=days)

    def _call(self, operation: str, **params: Any) -> Any:
        return call_client(self.client, operation, **params)


def call_client(client: Any, operation: str, **params: Any) -> Any:
    """Call ``operation`` on a boto3 client; any failure is raised as a taxonomy error."""
    try:
        return getattr(client, operation)(**params)
    except Exception as exc:
        raise from_exception(exc) from exc


def ensure_created(create: Any, *args: Any) -> bool:
    """Call ``create(*args)``; return True if it created, False if it already existed."""
    try:
        create(*args)
    except ResourceAlreadyExistsError:
        return False
    return True
