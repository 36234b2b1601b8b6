"""Logs Insights operations: StartQuery, GetQueryResults, StopQuery, DescribeQueries,
ListLogGroupsForQuery.

A query is compiled when it is started (a malformed query fails StartQuery, as with the service)
and evaluated over the events in its time range, so it is ``Complete`` from the first poll, as
a finished query is on the service. An engine made with ``query_polls_before_complete=N`` keeps
it ``Scheduled``, then ``Running``, for N polls, to exercise a client's polling.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from .._limits import MAX_QUERY_LOG_GROUPS
from ..errors import CloudWatchLogsError, LimitExceededError, ServerError
from ._field_indexes import IndexPlan, index_lookups
from ._model import LogGroup
from ._ops_context import ServiceContext, invalid, not_found, page_after
from ._query_model import RUNNING_STATES, Query, QueryRegistry
from ._query_scan import Skipped, query_blocks
from ._query_source import Source, split_source

Params = dict[str, Any]
MAX_CONCURRENT_QUERIES = 100
_STATISTICS = (
    "recordsMatched",
    "recordsScanned",
    "estimatedRecordsSkipped",
    "bytesScanned",
    "estimatedBytesSkipped",
    "logGroupsScanned",
)
_ZERO_STATISTICS = dict.fromkeys(_STATISTICS, 0.0)


def start_query(ctx: ServiceContext, params: Params) -> Params:
    """StartQuery: times in epoch seconds; groups by name, names, identifiers or a ``SOURCE``
    clause; field indexes let it pass over events (counted as skipped)."""
    registry = ctx.queries
    language = params.get("queryLanguage") or "CWLI"
    if language != "CWLI":
        raise invalid(f"queryLanguage {language} is not supported by the local engine; use CWLI.")
    source = split_source(params["queryString"])
    groups = _query_groups(ctx, params, source)
    start, end = params["startTime"], params["endTime"]
    if end < start:
        raise invalid("endTime must be greater than or equal to startTime.")
    if registry.running() >= MAX_CONCURRENT_QUERIES:
        raise LimitExceededError(
            f"Account maximum query concurrency limit of [{MAX_CONCURRENT_QUERIES}] reached.",
            code="LimitExceededException",
        )
    compiled = _compile(params["queryString"] if source is None else source.rest)
    plan = IndexPlan(index_lookups(compiled.query))
    read = [group for group in groups if plan.reads_group(group)]
    skipped = Skipped()
    blocks = query_blocks(
        read,
        ctx.account_id,
        start * 1000,
        end * 1000 + 999,
        plan if plan.lookups else None,
        skipped,
    )
    result = compiled.run_blocks(
        blocks,
        limit=params.get("limit"),
        now_ms=ctx.now_ms(),
        start_ms=start * 1000,
        end_ms=end * 1000,
    )
    query = Query(
        str(uuid.uuid4()),
        params["queryString"],
        language,
        [g.name for g in read],
        ctx.now_ms(),
        rows=[_result_row(row) for row in result],
        statistics={
            **dict.fromkeys(_STATISTICS, 0.0),
            **result.statistics.as_api(),
            "estimatedRecordsSkipped": float(skipped.records),
            "estimatedBytesSkipped": float(skipped.bytes),
            "logGroupsScanned": float(len(read)),
        },
    )
    if registry.polls_before_complete <= 0:
        query.status = "Complete"
    registry.queries[query.query_id] = query
    return {"queryId": query.query_id}


def _query_groups(ctx: ServiceContext, params: Params, source: Source | None) -> list[LogGroup]:
    names = params.get("logGroupNames")
    identifiers = params.get("logGroupIdentifiers")
    single = params.get("logGroupName")
    given = [x for x in (names, identifiers, single) if x]
    if len(given) > 1:
        raise invalid("Specify only one of logGroupName, logGroupNames and logGroupIdentifiers.")
    if source is not None:
        if given:
            raise invalid(
                "Specify the log groups with a SOURCE command or with parameters, not both."
            )
        return source.select(ctx.groups.values(), ctx.account_id)
    if not given:
        raise invalid(
            "Specify the log groups to query: logGroupName, logGroupNames, logGroupIdentifiers "
            "or a SOURCE command in the query."
        )
    wanted: list[str] = [single] if single else list(names or identifiers or [])
    if len(wanted) > MAX_QUERY_LOG_GROUPS:
        raise invalid(f"A query can search at most {MAX_QUERY_LOG_GROUPS} log groups.")
    groups = []
    for identifier in wanted:
        try:
            groups.append(ctx.group_from_identifier(identifier))
        except CloudWatchLogsError as exc:
            raise not_found(f"Log group '{identifier}' does not exist") from exc
    return groups


def _compile(query_string: str) -> Any:
    try:
        from .insights import compile_query
    except ImportError as exc:
        raise ServerError(
            "Logs Insights evaluation is not available in this build of the local engine.",
            code="ServiceUnavailableException",
        ) from exc
    return compile_query(query_string)


def _result_row(row: dict[str, Any]) -> list[dict[str, str]]:
    from .insights import format_value

    return [{"field": name, "value": format_value(value)} for name, value in row.items()]


def get_query_results(ctx: ServiceContext, params: Params) -> Params:
    """GetQueryResults: each poll of an unfinished query moves it one state further."""
    registry = ctx.queries
    query = _query(registry, params["queryId"])
    if query.status in RUNNING_STATES:
        query.polls += 1
        if query.polls > registry.polls_before_complete:
            query.status = "Complete"
        elif query.polls > 1 or registry.polls_before_complete == 1:
            query.status = "Running"
    done = query.status == "Complete"
    return {
        "queryLanguage": query.language,
        "results": query.rows if done else [],
        "statistics": query.statistics if done else _so_far(query, registry),
        "status": query.status,
    }


def _so_far(query: Query, registry: QueryRegistry) -> Params:
    """A running query's statistics: a share of the final figures growing with each poll,
    as the service's grow while it scans (what a scan budget watches)."""
    if query.status != "Running":
        return dict(_ZERO_STATISTICS)
    share = query.polls / (registry.polls_before_complete + 1)
    return {
        name: float(int(query.statistics.get(name, 0.0) * share))
        for name in _STATISTICS
        if name != "logGroupsScanned"
    }


def list_log_groups_for_query(ctx: ServiceContext, params: Params) -> Params:
    """ListLogGroupsForQuery: the ARNs of the groups the query read, paged."""
    query = _query(ctx.queries, params["queryId"])
    arns = sorted(ctx.group_arn(name) for name in query.group_names)
    page, token = page_after(
        arns,
        lambda arn: (arn,),
        params.get("nextToken"),
        params.get("maxResults") or 50,
        kind="queryLogGroups",
    )
    response: Params = {"logGroupIdentifiers": page}
    if token is not None:
        response["nextToken"] = token
    return response


def stop_query(ctx: ServiceContext, params: Params) -> Params:
    """StopQuery: cancels a Scheduled or Running query; an ended one is an error."""
    registry = ctx.queries
    query = _query(registry, params["queryId"])
    if query.status not in RUNNING_STATES:
        raise invalid(f"Query {query.query_id} is not running (status {query.status}).")
    query.status = "Cancelled"
    query.rows = []
    return {"success": True}


def describe_queries(ctx: ServiceContext, params: Params) -> Params:
    """DescribeQueries: newest first, by group and status, paged."""
    registry = ctx.queries
    group, status = params.get("logGroupName"), params.get("status")
    chosen = sorted(
        (
            q
            for q in registry.queries.values()
            if (group is None or group in q.group_names) and status in (None, q.status)
        ),
        key=lambda q: (-q.create_time, q.query_id),
    )
    page, token = page_after(
        chosen,
        lambda q: (-q.create_time, q.query_id),
        params.get("nextToken"),
        params.get("maxResults") or 1000,
        kind="queries",
    )
    response: Params = {
        "queries": [
            {
                "queryLanguage": q.language,
                "queryId": q.query_id,
                "queryString": q.query_string,
                "status": q.status,
                "createTime": q.create_time,
                "logGroupName": q.group_names[0] if q.group_names else "",
            }
            for q in page
        ]
    }
    if token is not None:
        response["nextToken"] = token
    return response


def _query(registry: QueryRegistry, query_id: str) -> Query:
    query = registry.queries.get(query_id)
    if query is None:
        raise not_found(f"Query {query_id} does not exist.")
    return query


Handler = Callable[[ServiceContext, Params], Params]
OPERATIONS: dict[str, Handler] = {
    "StartQuery": start_query,
    "GetQueryResults": get_query_results,
    "StopQuery": stop_query,
    "DescribeQueries": describe_queries,
    "ListLogGroupsForQuery": list_log_groups_for_query,
}
"""Operation name -> handler, for the engine's dispatch table."""
