"""PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter and TestMetricFilter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import LimitExceededError
from ._metric_filters import MAX_METRIC_FILTERS, MetricFilter, MetricTransformation
from ._ops_context import ServiceContext, invalid, not_found, page_after
from .filterpattern import compile_filter_pattern

Params = dict[str, Any]
Handler = Callable[[ServiceContext, Params], Params]
_OPTIONS = ("applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFieldDimensions")


def put_metric_filter(ctx: ServiceContext, params: Params) -> Params:
    """PutMetricFilter: creates or replaces (same name) a filter of an existing log group."""
    group = ctx.group(params["logGroupName"])
    pattern = compile_filter_pattern(params["filterPattern"])
    transformation = MetricTransformation.from_api(params["metricTransformations"][0], pattern)
    name = params["filterName"]
    existing = group.metric_filters.get(name)
    if existing is None and len(group.metric_filters) >= MAX_METRIC_FILTERS:
        raise LimitExceededError("Resource limit exceeded.", code="LimitExceededException")
    group.metric_filters[name] = MetricFilter(
        name,
        group.name,
        pattern,
        transformation,
        ctx.now_ms() if existing is None else existing.creation_time,
        {key: params[key] for key in _OPTIONS if params.get(key) is not None},
    )
    return {}


def describe_metric_filters(ctx: ServiceContext, params: Params) -> Params:
    """DescribeMetricFilters: by group (and name prefix) or by metric name and namespace."""
    name, namespace = params.get("metricName"), params.get("metricNamespace")
    if (name is None) != (namespace is None):
        raise invalid("metricName and metricNamespace must be specified together.")
    group_name = params.get("logGroupName")
    groups = [ctx.group(group_name)] if group_name is not None else ctx.store.groups.values()
    prefix = params.get("filterNamePrefix") if group_name is not None else None
    chosen = sorted(
        (
            metric_filter
            for group in groups
            for metric_filter in group.metric_filters.values()
            if (prefix is None or metric_filter.name.startswith(prefix))
            and (name is None or metric_filter.transformation.metric_name == name)
            and (namespace is None or metric_filter.transformation.namespace == namespace)
        ),
        key=_position,
    )
    page, token = page_after(
        chosen, _position, params.get("nextToken"), params.get("limit") or 50, kind="metrics"
    )
    response: Params = {"metricFilters": [metric_filter.as_api() for metric_filter in page]}
    if token is not None:
        response["nextToken"] = token
    return response


def _position(metric_filter: MetricFilter) -> tuple[str, str]:
    return (metric_filter.log_group, metric_filter.name)


def delete_metric_filter(ctx: ServiceContext, params: Params) -> Params:
    """DeleteMetricFilter."""
    group = ctx.group(params["logGroupName"])
    if group.metric_filters.pop(params["filterName"], None) is None:
        raise not_found("The specified metric filter does not exist.")
    return {}


def test_metric_filter(ctx: ServiceContext, params: Params) -> Params:
    """TestMetricFilter: which of the messages match, with the values the pattern extracts."""
    pattern = compile_filter_pattern(params["filterPattern"])
    matches = []
    for number, message in enumerate(params["logEventMessages"], start=1):
        found = pattern.match(message)
        if found is not None:
            matches.append(
                {
                    "eventNumber": number,
                    "eventMessage": message,
                    "extractedValues": found.extracted(),
                }
            )
    return {"matches": matches}


OPERATIONS: dict[str, Handler] = {
    "PutMetricFilter": put_metric_filter,
    "DescribeMetricFilters": describe_metric_filters,
    "DeleteMetricFilter": delete_metric_filter,
    "TestMetricFilter": test_metric_filter,
}
"""Operation name -> handler, for the engine's dispatch table."""
