"""Operations on log groups, log streams, retention and tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._limits import RETENTION_DAYS, validate_log_group_name
from ..errors import ConfigurationError, InvalidParameterError, ResourceAlreadyExistsError
from ._model import LogGroup, LogStream
from ._ops_context import ServiceContext, invalid, page_after

Params = dict[str, Any]
Handler = Callable[[ServiceContext, Params], Params]
MAX_TAGS = 50


def create_log_group(ctx: ServiceContext, params: Params) -> Params:
    """CreateLogGroup."""
    name = params["logGroupName"]
    _check(validate_log_group_name, name)
    if name in ctx.groups:
        raise ResourceAlreadyExistsError(
            "The specified log group already exists", code="ResourceAlreadyExistsException"
        )
    group = LogGroup(
        name,
        ctx.now_ms(),
        kms_key_id=params.get("kmsKeyId"),
        log_group_class=params.get("logGroupClass") or "STANDARD",
        deletion_protection=bool(params.get("deletionProtectionEnabled")),
        tags=dict(params.get("tags") or {}),
    )
    ctx.store.add_group(group)
    return {}


def delete_log_group(ctx: ServiceContext, params: Params) -> Params:
    """DeleteLogGroup."""
    group = ctx.group(params["logGroupName"])
    if group.deletion_protection:
        raise InvalidParameterError(
            f"Log group {group.name} has deletion protection enabled; disable it first.",
            code="ValidationException",
        )
    ctx.store.delete_group(group.name)
    return {}


def describe_log_groups(ctx: ServiceContext, params: Params) -> Params:
    """DescribeLogGroups: by prefix, pattern (case-insensitive substring) or identifiers."""
    prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
    if prefix is not None and pattern is not None:
        raise invalid(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
        )
    wanted: set[str] | None = None
    if params.get("logGroupIdentifiers"):
        wanted = {
            ctx.group_name_from_arn(i) if i.startswith("arn:") else i
            for i in params["logGroupIdentifiers"]
        }
    groups = sorted(
        (
            g
            for g in ctx.groups.values()
            if (prefix is None or g.name.startswith(prefix))
            and (pattern is None or pattern.lower() in g.name.lower())
            and (wanted is None or g.name in wanted)
            and params.get("logGroupClass") in (None, g.log_group_class)
        ),
        key=lambda g: g.name,
    )
    chosen, token = page_after(
        groups,
        lambda g: (g.name,),
        params.get("nextToken"),
        params.get("limit") or 50,
        kind="groups",
    )
    return _with_token({"logGroups": [_describe_group(ctx, g) for g in chosen]}, token)


def _describe_group(ctx: ServiceContext, group: LogGroup) -> Params:
    arn = ctx.group_arn(group.name)
    out: Params = {
        "logGroupName": group.name,
        "creationTime": group.creation_time,
        "metricFilterCount": len(group.metric_filters),
        "arn": f"{arn}:*",
        "storedBytes": group.stored_bytes,
        "logGroupClass": group.log_group_class,
        "logGroupArn": arn,
        "deletionProtectionEnabled": group.deletion_protection,
    }
    if group.retention_days is not None:
        out["retentionInDays"] = group.retention_days
    if group.kms_key_id:
        out["kmsKeyId"] = group.kms_key_id
    return out


def create_log_stream(ctx: ServiceContext, params: Params) -> Params:
    """CreateLogStream."""
    group = ctx.group(params["logGroupName"])
    name = params["logStreamName"]
    if name in group.streams:
        raise ResourceAlreadyExistsError(
            "The specified log stream already exists", code="ResourceAlreadyExistsException"
        )
    ctx.store.add_stream(group, LogStream(name, ctx.now_ms()))
    return {}


def delete_log_stream(ctx: ServiceContext, params: Params) -> Params:
    """DeleteLogStream."""
    group = ctx.group(params["logGroupName"])
    ctx.stream(group, params["logStreamName"])
    ctx.store.delete_stream(group, params["logStreamName"])
    return {}


def describe_log_streams(ctx: ServiceContext, params: Params) -> Params:
    """DescribeLogStreams: by name prefix or ordered by last event time, paged."""
    group = ctx.group_from_params(params)
    prefix = params.get("logStreamNamePrefix")
    by_time = params.get("orderBy") == "LastEventTime"
    if by_time and prefix is not None:
        raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    streams = [s for s in group.streams.values() if prefix is None or s.name.startswith(prefix)]
    descending = bool(params.get("descending"))

    def key(stream: LogStream) -> tuple[int, str]:
        return (stream.last_event_timestamp or 0 if by_time else 0, stream.name)

    streams.sort(key=key, reverse=descending)
    chosen, token = page_after(
        streams,
        key,
        params.get("nextToken"),
        params.get("limit") or 50,
        kind="streams",
        descending=descending,
    )
    return _with_token({"logStreams": [_describe_stream(ctx, group, s) for s in chosen]}, token)


def _describe_stream(ctx: ServiceContext, group: LogGroup, stream: LogStream) -> Params:
    out: Params = {
        "logStreamName": stream.name,
        "creationTime": stream.creation_time,
        "arn": f"{ctx.group_arn(group.name)}:log-stream:{stream.name}",
        "storedBytes": 0,
        "uploadSequenceToken": f"{stream.upload_count + 1:056d}",
    }
    optional = {
        "firstEventTimestamp": stream.first_event_timestamp,
        "lastEventTimestamp": stream.last_event_timestamp,
        "lastIngestionTime": stream.last_ingestion_time,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def put_retention_policy(ctx: ServiceContext, params: Params) -> Params:
    """PutRetentionPolicy: only the documented retention values."""
    group = ctx.group(params["logGroupName"])
    days = params["retentionInDays"]
    if days not in RETENTION_DAYS:
        allowed = ", ".join(map(str, RETENTION_DAYS))
        raise invalid(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{allowed}]"
        )
    group.retention_days = days
    ctx.store.save_group(group)
    return {}


def delete_retention_policy(ctx: ServiceContext, params: Params) -> Params:
    """DeleteRetentionPolicy: keep events forever."""
    group = ctx.group(params["logGroupName"])
    group.retention_days = None
    ctx.store.save_group(group)
    return {}


def tag_log_group(ctx: ServiceContext, params: Params) -> Params:
    """TagLogGroup (deprecated form of TagResource)."""
    _add_tags(ctx, ctx.group(params["logGroupName"]), params["tags"])
    return {}


def untag_log_group(ctx: ServiceContext, params: Params) -> Params:
    """UntagLogGroup (deprecated form of UntagResource)."""
    _remove_tags(ctx, ctx.group(params["logGroupName"]), params["tags"])
    return {}


def list_tags_log_group(ctx: ServiceContext, params: Params) -> Params:
    """ListTagsLogGroup (deprecated form of ListTagsForResource)."""
    return {"tags": dict(ctx.group(params["logGroupName"]).tags)}


def tag_resource(ctx: ServiceContext, params: Params) -> Params:
    """TagResource on a log group ARN."""
    group = ctx.group(ctx.group_name_from_arn(params["resourceArn"]))
    _add_tags(ctx, group, params["tags"])
    return {}


def untag_resource(ctx: ServiceContext, params: Params) -> Params:
    """UntagResource on a log group ARN."""
    group = ctx.group(ctx.group_name_from_arn(params["resourceArn"]))
    _remove_tags(ctx, group, params["tagKeys"])
    return {}


def list_tags_for_resource(ctx: ServiceContext, params: Params) -> Params:
    """ListTagsForResource on a log group ARN."""
    return {"tags": dict(ctx.group(ctx.group_name_from_arn(params["resourceArn"])).tags)}


def _add_tags(ctx: ServiceContext, group: LogGroup, tags: dict[str, str]) -> None:
    merged = {**group.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise InvalidParameterError(
            f"A resource can have no more than {MAX_TAGS} tags.", code="TooManyTagsException"
        )
    group.tags = merged
    ctx.store.save_group(group)


def _remove_tags(ctx: ServiceContext, group: LogGroup, keys: list[str]) -> None:
    group.tags = {k: v for k, v in group.tags.items() if k not in keys}
    ctx.store.save_group(group)


def _check(validator: Callable[[Any], Any], value: Any) -> None:
    """Run a limits validator, reporting its failure as the service's InvalidParameter."""
    try:
        validator(value)
    except ConfigurationError as exc:
        raise invalid(exc.message) from exc


def _with_token(response: Params, token: str | None) -> Params:
    if token is not None:
        response["nextToken"] = token
    return response


OPERATIONS: dict[str, Handler] = {
    "CreateLogGroup": create_log_group,
    "DeleteLogGroup": delete_log_group,
    "DescribeLogGroups": describe_log_groups,
    "CreateLogStream": create_log_stream,
    "DeleteLogStream": delete_log_stream,
    "DescribeLogStreams": describe_log_streams,
    "PutRetentionPolicy": put_retention_policy,
    "DeleteRetentionPolicy": delete_retention_policy,
    "TagLogGroup": tag_log_group,
    "UntagLogGroup": untag_log_group,
    "ListTagsLogGroup": list_tags_log_group,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
"""Operation name -> handler, for the engine's dispatch table."""
