"""Log group, log stream, retention and field-index administration.

Field indexes: :func:`put_field_index_policy` MERGES fields into a group's policy (the
service's PutIndexPolicy replaces the whole policy: a raw put drops the fields it does not
name); :func:`describe_index_policies`, :func:`describe_field_indexes`,
:func:`delete_index_policy`; :func:`groups_covered` lists the groups a ``SOURCE`` over name
prefixes would read (ListLogGroupsForQuery).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._limits import validate_log_group_name, validate_log_stream_name, validate_retention_days
from ..delivery.transport import call_client
from ..errors import (
    CloudWatchLogsError,
    ConfigurationError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from ._client import paginate, resolve_client
from ._groups import log_group_parameter
from ._index_admin import (
    delete_index_policy,
    describe_field_indexes,
    describe_index_policies,
    groups_covered,
    list_log_groups_for_query,
    put_field_index_policy,
)

__all__ = [
    "LOG_GROUP_CLASSES",
    "create_log_group",
    "create_log_stream",
    "delete_index_policy",
    "delete_log_group",
    "delete_log_stream",
    "delete_retention",
    "describe_field_indexes",
    "describe_index_policies",
    "describe_log_groups",
    "describe_log_streams",
    "ensure_stream_exists",
    "get_retention",
    "groups_covered",
    "list_log_groups_for_query",
    "put_field_index_policy",
    "put_retention",
]

LOG_GROUP_CLASSES = ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")
"""The log group classes CreateLogGroup accepts."""
MAX_TAGS = 50
"""The most tags one log group may carry."""


def create_log_group(
    name: str,
    *,
    retention_days: int | None = None,
    tags: Mapping[str, str] | None = None,
    kms_key_id: str | None = None,
    log_group_class: str | None = None,
    exist_ok: bool = True,
    client: Any = None,
    **client_options: Any,
) -> bool:
    """Create a log group; return True if created, False if it already existed (``exist_ok``).

    ``retention_days`` is applied in both cases; ``tags``, ``kms_key_id`` and
    ``log_group_class`` only when the group is created.
    """
    params: dict[str, Any] = {"logGroupName": validate_log_group_name(name)}
    if retention_days is not None:
        validate_retention_days(retention_days)
    if tags:
        if len(tags) > MAX_TAGS:
            raise ConfigurationError(
                f"{len(tags)} tags exceed the limit of {MAX_TAGS}", code="TooManyTags"
            )
        params["tags"] = dict(tags)
    if kms_key_id is not None:
        params["kmsKeyId"] = kms_key_id
    if log_group_class is not None:
        if log_group_class not in LOG_GROUP_CLASSES:
            raise ConfigurationError(
                f"log_group_class {log_group_class!r} is not one of {', '.join(LOG_GROUP_CLASSES)}",
                code="InvalidLogGroupClass",
            )
        params["logGroupClass"] = log_group_class
    client = resolve_client(client, client_options)
    created = _call_tolerating(
        client, "create_log_group", params, ResourceAlreadyExistsError, exist_ok
    )
    if retention_days is not None:
        put_retention(name, retention_days, client=client)
    return created


def delete_log_group(
    name: str, *, missing_ok: bool = True, client: Any = None, **client_options: Any
) -> bool:
    """Delete a log group and all its events; return False if it did not exist (``missing_ok``)."""
    params = {"logGroupName": validate_log_group_name(name)}
    client = resolve_client(client, client_options)
    return _call_tolerating(client, "delete_log_group", params, ResourceNotFoundError, missing_ok)


def describe_log_groups(
    prefix: str | None = None,
    *,
    pattern: str | None = None,
    client: Any = None,
    **client_options: Any,
) -> Iterator[dict[str, Any]]:
    """Yield the log groups (as the service describes them) by name ``prefix`` or ``pattern``."""
    if prefix is not None and pattern is not None:
        raise ConfigurationError(
            "pass prefix or pattern, not both (the service refuses the pair)",
            code="InvalidLogGroupSelection",
        )
    params: dict[str, Any] = {}
    if prefix is not None:
        params["logGroupNamePrefix"] = prefix
    if pattern is not None:
        params["logGroupNamePattern"] = pattern
    client = resolve_client(client, client_options)
    return paginate(client, "describe_log_groups", params, items_key="logGroups")


def create_log_stream(
    log_group: str,
    name: str,
    *,
    exist_ok: bool = True,
    client: Any = None,
    **client_options: Any,
) -> bool:
    """Create a log stream; return True if created, False if it already existed (``exist_ok``)."""
    params = _stream_parameters(log_group, name)
    client = resolve_client(client, client_options)
    return _call_tolerating(
        client, "create_log_stream", params, ResourceAlreadyExistsError, exist_ok
    )


def delete_log_stream(
    log_group: str,
    name: str,
    *,
    missing_ok: bool = True,
    client: Any = None,
    **client_options: Any,
) -> bool:
    """Delete a log stream; return False if it did not exist (``missing_ok``)."""
    params = _stream_parameters(log_group, name)
    client = resolve_client(client, client_options)
    return _call_tolerating(client, "delete_log_stream", params, ResourceNotFoundError, missing_ok)


def describe_log_streams(
    log_group: str,
    prefix: str | None = None,
    *,
    newest_first: bool = False,
    client: Any = None,
    **client_options: Any,
) -> Iterator[dict[str, Any]]:
    """Yield a group's streams by name ``prefix``, or all by last event time (``newest_first``)."""
    params: dict[str, Any] = dict(log_group_parameter(log_group))
    if prefix is not None and newest_first:
        raise ConfigurationError(
            "newest_first cannot be combined with a prefix (the service orders by one or the "
            "other)",
            code="InvalidLogStreamSelection",
        )
    if prefix is not None:
        params["logStreamNamePrefix"] = prefix
    if newest_first:
        params.update(orderBy="LastEventTime", descending=True)
    client = resolve_client(client, client_options)
    return paginate(client, "describe_log_streams", params, items_key="logStreams")


def ensure_stream_exists(
    log_group: str,
    log_stream: str,
    *,
    create_group: bool = True,
    client: Any = None,
    **client_options: Any,
) -> bool:
    """Make sure the stream (and, with ``create_group``, its group) exists; True if created.

    Safe when many processes call it at once: "already exists" from a concurrent caller counts
    as success.
    """
    client = resolve_client(client, client_options)
    try:
        return create_log_stream(log_group, log_stream, client=client)
    except ResourceNotFoundError:
        if not create_group:
            raise
    create_log_group(log_group, client=client)
    return create_log_stream(log_group, log_stream, client=client)


def put_retention(name: str, days: int, *, client: Any = None, **client_options: Any) -> None:
    """Set a group's retention to ``days`` (one of the values the service allows)."""
    params = {
        "logGroupName": validate_log_group_name(name),
        "retentionInDays": validate_retention_days(days),
    }
    call_client(resolve_client(client, client_options), "put_retention_policy", **params)


def delete_retention(name: str, *, client: Any = None, **client_options: Any) -> None:
    """Remove a group's retention policy: its events are then kept forever."""
    params = {"logGroupName": validate_log_group_name(name)}
    call_client(resolve_client(client, client_options), "delete_retention_policy", **params)


def get_retention(name: str, *, client: Any = None, **client_options: Any) -> int | None:
    """Return a group's retention in days, or None when events are kept forever."""
    validate_log_group_name(name)
    for group in describe_log_groups(name, client=client, **client_options):
        if group.get("logGroupName") == name:
            days = group.get("retentionInDays")
            return int(days) if days is not None else None
    raise ResourceNotFoundError(
        f"log group {name!r} does not exist: create it first", code="ResourceNotFoundException"
    )


def _stream_parameters(log_group: str, name: str) -> dict[str, str]:
    return {
        "logGroupName": validate_log_group_name(log_group),
        "logStreamName": validate_log_stream_name(name),
    }


def _call_tolerating(
    client: Any,
    operation: str,
    params: dict[str, Any],
    tolerated: type[CloudWatchLogsError],
    tolerate: bool,
) -> bool:
    """Call ``operation``; return False instead of raising ``tolerated`` when ``tolerate``."""
    try:
        call_client(client, operation, **params)
    except tolerated:
        if not tolerate:
            raise
        return False
    return True
