"""PutSubscriptionFilter, DescribeSubscriptionFilters and DeleteSubscriptionFilter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import LimitExceededError
from ._ops_context import ServiceContext, invalid, not_found, page_after
from ._subscriptions import (
    MAX_SUBSCRIPTION_FILTERS,
    SubscriptionFilter,
    destination_kind,
    hub_of,
)
from .filterpattern import compile_filter_pattern

Params = dict[str, Any]
Handler = Callable[[ServiceContext, Params], Params]
_OPTIONS = ("applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFields")


def put_subscription_filter(ctx: ServiceContext, params: Params) -> Params:
    """PutSubscriptionFilter: creates or replaces (same name) a filter; two per log group."""
    group = ctx.group(params["logGroupName"])
    pattern = compile_filter_pattern(params["filterPattern"])
    arn = params["destinationArn"]
    if destination_kind(arn) is None:
        raise invalid(
            f"Invalid destinationArn {arn!r}: give the ARN of a Lambda function, a Kinesis "
            "data stream, a Firehose delivery stream or a CloudWatch Logs destination."
        )
    name = params["filterName"]
    existing = group.subscription_filters.get(name)
    if existing is None and len(group.subscription_filters) >= MAX_SUBSCRIPTION_FILTERS:
        raise LimitExceededError("Resource limit exceeded.", code="LimitExceededException")
    subscription = SubscriptionFilter(
        name,
        group.name,
        pattern,
        arn,
        ctx.now_ms() if existing is None else existing.creation_time,
        params.get("roleArn"),
        params.get("distribution") or "ByLogStream",
        {key: params[key] for key in _OPTIONS if params.get(key) is not None},
    )
    group.subscription_filters[name] = subscription
    hub = hub_of(ctx.store.parent)
    if hub is not None and (existing is None or existing.destination_arn != arn):
        hub.control_message(subscription, ctx.now_ms())
    return {}


def describe_subscription_filters(ctx: ServiceContext, params: Params) -> Params:
    """DescribeSubscriptionFilters of one log group, by name prefix, paged."""
    group = ctx.group(params["logGroupName"])
    prefix = params.get("filterNamePrefix")
    chosen = sorted(
        (f for f in group.subscription_filters.values() if not prefix or f.name.startswith(prefix)),
        key=_name,
    )
    page, token = page_after(
        chosen, _name, params.get("nextToken"), params.get("limit") or 50, kind="subscriptions"
    )
    response: Params = {"subscriptionFilters": [f.as_api() for f in page]}
    if token is not None:
        response["nextToken"] = token
    return response


def _name(subscription: SubscriptionFilter) -> tuple[str]:
    return (subscription.name,)


def delete_subscription_filter(ctx: ServiceContext, params: Params) -> Params:
    """DeleteSubscriptionFilter."""
    group = ctx.group(params["logGroupName"])
    if group.subscription_filters.pop(params["filterName"], None) is None:
        raise not_found("The specified subscription filter does not exist.")
    return {}


OPERATIONS: dict[str, Handler] = {
    "PutSubscriptionFilter": put_subscription_filter,
    "DescribeSubscriptionFilters": describe_subscription_filters,
    "DeleteSubscriptionFilter": delete_subscription_filter,
}
"""Operation name -> handler, for the engine's dispatch table."""
