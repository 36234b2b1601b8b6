"""Field-index operations: PutIndexPolicy, DescribeIndexPolicies, DeleteIndexPolicy,
DescribeFieldIndexes. A put replaces the group's policy, as in AWS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._field_indexes import DEFAULT_INDEXED_FIELDS, indexed_since, policy_fields
from ._model import LogGroup
from ._ops_context import ServiceContext, invalid, not_found, page_after
from .insights import discover_json_fields

Params = dict[str, Any]
Handler = Callable[[ServiceContext, Params], Params]


def put_index_policy(ctx: ServiceContext, params: Params) -> Params:
    """PutIndexPolicy: replaces the group's policy; only STANDARD groups take one."""
    group = ctx.group_from_identifier(params["logGroupIdentifier"])
    _require_standard(group)
    policy_fields(params["policyDocument"])
    group.index_policy = params["policyDocument"]
    group.index_policy_time = ctx.now_ms()
    ctx.store.save_group(group)
    return {"indexPolicy": _policy(ctx, group)}


def describe_index_policies(ctx: ServiceContext, params: Params) -> Params:
    """DescribeIndexPolicies: the policy of the (one) group named, if it has one."""
    policies = []
    for identifier in params["logGroupIdentifiers"]:
        group = ctx.group_from_identifier(identifier)
        if group.index_policy is not None:
            policies.append(_policy(ctx, group))
    return {"indexPolicies": policies}


def delete_index_policy(ctx: ServiceContext, params: Params) -> Params:
    """DeleteIndexPolicy: forget the group's policy (the default fields stay indexed)."""
    group = ctx.group_from_identifier(params["logGroupIdentifier"])
    if group.index_policy is None:
        raise not_found(f"Log group {group.name} has no index policy.")
    group.index_policy = None
    group.index_policy_time = 0
    ctx.store.save_group(group)
    return {}


def describe_field_indexes(ctx: ServiceContext, params: Params) -> Params:
    """DescribeFieldIndexes: per group, the indexed fields seen in its events (policy fields
    also before any event holds them), with the first and last event times indexed."""
    categories = set(params.get("indexCategories") or ("DEFAULT", "CUSTOM", "INACTIVE"))
    found: list[Params] = []
    for identifier in params["logGroupIdentifiers"]:
        group = ctx.group_from_identifier(identifier)
        found += [
            entry for entry in _field_indexes(ctx, group) if entry["indexCategory"] in categories
        ]
    page, token = page_after(
        found,
        lambda e: (e["logGroupIdentifier"], e["fieldIndexName"]),
        params.get("nextToken"),
        1000,
        kind="fieldIndexes",
    )
    response: Params = {"fieldIndexes": page}
    if token is not None:
        response["nextToken"] = token
    return response


def _field_indexes(ctx: ServiceContext, group: LogGroup) -> list[Params]:
    since = indexed_since(group)
    seen: dict[str, list[int]] = {}  # field -> [first, last] event time; the timeline is in order
    timeline = group.events
    for segment, start, end in timeline.runs(0, len(timeline)):
        for i in range(start, end):
            fields = segment.fields[i]
            if fields is None:
                fields = discover_json_fields(segment.messages[i])
            timestamp = segment.timestamps[i]
            for name, indexed_from in since.items():
                present = name == "@logStream" or fields.get(name) is not None
                if present and segment.ingestion[i] >= indexed_from:
                    seen.setdefault(name, [timestamp, timestamp])[1] = timestamp
    entries = []
    for name in sorted(since):
        default = name in DEFAULT_INDEXED_FIELDS
        if default and name not in seen:
            continue
        entry: Params = {
            "logGroupIdentifier": ctx.group_arn(group.name),
            "fieldIndexName": name,
            "lastScanTime": ctx.now_ms(),
            "type": "FIELD_INDEX",
            "indexCategory": "DEFAULT" if default else "CUSTOM",
        }
        if name in seen:
            entry["firstEventTime"], entry["lastEventTime"] = seen[name]
        entries.append(entry)
    return entries


def _policy(ctx: ServiceContext, group: LogGroup) -> Params:
    return {
        "logGroupIdentifier": ctx.group_arn(group.name),
        "lastUpdateTime": group.index_policy_time,
        "policyDocument": group.index_policy,
        "policyName": "LogGroupIndexPolicy",
        "source": "LOG_GROUP",
    }


def _require_standard(group: LogGroup) -> None:
    if group.log_group_class != "STANDARD":
        raise invalid(
            f"Log group {group.name} is in the {group.log_group_class} class; only STANDARD log "
            "groups support field index policies."
        )


OPERATIONS: dict[str, Handler] = {
    "PutIndexPolicy": put_index_policy,
    "DescribeIndexPolicies": describe_index_policies,
    "DeleteIndexPolicy": delete_index_policy,
    "DescribeFieldIndexes": describe_field_indexes,
}
"""Operation name -> handler, for the engine's dispatch table."""
