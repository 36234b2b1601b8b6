"""Logs Insights: start, poll with backoff, page, stop, and decode the results."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .._limits import MAX_QUERY_LIMIT
from .._options import Clock, require_int
from ..delivery.transport import call_client
from ..errors import (
    ConfigurationError,
    QueryCancelledError,
    QueryError,
    QueryFailedError,
    QueryNotFoundError,
    QueryTimeout,
    ResourceNotFoundError,
)
from ._client import resolve_client
from ._cost import DEFAULT_PRICE_PER_GB, ScanBudget, ScanStatistics
from ._groups import log_group_parameters
from ._querytext import validate_query
from ._source import has_source
from ._timerange import TimeRange, as_time_range, parse_service_timestamp

__all__ = [
    "Polling",
    "QueryResult",
    "get_query_results",
    "run_query",
    "start_query",
    "stop_query",
]

RUNNING_STATUSES = frozenset({"Scheduled", "Running"})
"""Statuses after which GetQueryResults is polled again."""


@dataclass(frozen=True)
class Polling:
    """How :func:`run_query` waits: first interval, doubling up to ``maximum`` (seconds).

    ``sleep`` and ``clock`` (monotonic seconds) are injectable so tests never really wait.
    """

    initial: float = 0.5
    maximum: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    clock: Clock = time.monotonic

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum:
            raise ConfigurationError(
                f"polling needs 0 < initial <= maximum, got {self.initial} and {self.maximum}",
                code="InvalidPolling",
            )


@dataclass(frozen=True)
class QueryResult:
    """A query's outcome: ``rows`` as dicts, their ``pointers`` (``@ptr``) kept apart.

    ``rows[i]["@timestamp"]`` is an aware UTC datetime when the query returned it; every other
    value is the string the service sent. ``next_token`` is set only on a single page from
    :func:`get_query_results` that has more to fetch. ``statistics`` is the service's dict;
    :attr:`scan` reads it (bytes scanned and skipped, ...) and :attr:`estimated_cost` prices
    it at ``price_per_gb`` (US dollars).
    """

    query_id: str
    status: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    pointers: list[str | None] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)
    next_token: str | None = None
    price_per_gb: float = DEFAULT_PRICE_PER_GB

    @property
    def scan(self) -> ScanStatistics:
        """What the query read: records and bytes scanned and skipped, groups scanned."""
        return ScanStatistics.from_api(self.statistics)

    @property
    def estimated_cost(self) -> float:
        """US dollars for the bytes scanned, at ``price_per_gb``."""
        return self.scan.estimated_cost(self.price_per_gb)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def start_query(
    query: str,
    log_groups: Iterable[str],
    time_range: TimeRange | timedelta,
    *,
    limit: int | None = None,
    query_language: str | None = None,
    client: Any = None,
    **client_options: Any,
) -> str:
    """Validate and start a Logs Insights query; return its query id.

    ``time_range`` is a :class:`TimeRange` or a ``timedelta`` meaning "the last …". ``limit`` is
    capped at the service maximum (100,000). ``query_language`` (``CWLI``, ``SQL``, ``PPL``) is
    passed through; SQL queries may name their log groups inside the query instead, and a
    query opening with ``SOURCE logGroups(...)`` selects its own (pass no ``log_groups``).
    """
    validate_query(query, query_language)
    params: dict[str, Any] = {"queryString": query}
    groups = [log_groups] if isinstance(log_groups, str) else list(log_groups)
    if groups or (query_language != "SQL" and not has_source(query)):
        params.update(log_group_parameters(groups))
    params["startTime"], params["endTime"] = as_time_range(time_range).epoch_seconds()
    if limit is not None:
        params["limit"] = min(require_int("limit", limit, 1), MAX_QUERY_LIMIT)
    if query_language is not None:
        params["queryLanguage"] = query_language
    response = call_client(resolve_client(client, client_options), "start_query", **params)
    return str(response["queryId"])


def get_query_results(
    query_id: str,
    *,
    next_token: str | None = None,
    client: Any = None,
    **client_options: Any,
) -> QueryResult:
    """Fetch one GetQueryResults page for ``query_id`` (whatever its status) and decode it."""
    params: dict[str, Any] = {"queryId": query_id}
    if next_token:
        params["nextToken"] = next_token
    try:
        response = call_client(
            resolve_client(client, client_options), "get_query_results", **params
        )
    except ResourceNotFoundError as exc:
        raise _not_found(query_id, exc) from exc
    return _decode(query_id, response)


def stop_query(query_id: str, *, client: Any = None, **client_options: Any) -> bool:
    """Stop a running query; return whether the service reports it stopped."""
    try:
        response = call_client(
            resolve_client(client, client_options), "stop_query", queryId=query_id
        )
    except ResourceNotFoundError as exc:
        raise _not_found(query_id, exc) from exc
    return bool(response.get("success"))


def run_query(
    query: str,
    log_groups: Iterable[str],
    time_range: TimeRange | timedelta,
    limit: int | None = None,
    timeout: float = 60.0,
    *,
    query_language: str | None = None,
    polling: Polling | None = None,
    max_scanned_bytes: int | None = None,
    price_per_gb: float = DEFAULT_PRICE_PER_GB,
    client: Any = None,
    **client_options: Any,
) -> QueryResult:
    """Run a Logs Insights query to completion and return every row.

    Polls GetQueryResults every 0.5 s, doubling up to 5 s (see :class:`Polling`), then follows
    ``nextToken``. After ``timeout`` seconds, or on KeyboardInterrupt, the query is stopped;
    the timeout raises :class:`QueryTimeout`, the interrupt is re-raised. A query the service
    reports Failed, Cancelled, Timeout or Unknown raises the matching :class:`QueryError`.
    A query whose statistics pass ``max_scanned_bytes`` is stopped and raises
    :class:`ScanLimitExceeded`. The result's ``estimated_cost`` uses ``price_per_gb``.
    """
    polling = polling or Polling()
    budget = ScanBudget(max_scanned_bytes)
    client = resolve_client(client, client_options)
    query_id = start_query(
        query, log_groups, time_range, limit=limit, query_language=query_language, client=client
    )
    result = finish_query(client, query_id, timeout, polling, budget)
    return dataclasses.replace(result, price_per_gb=price_per_gb)


def finish_query(
    client: Any, query_id: str, timeout: float, polling: Polling, budget: ScanBudget
) -> QueryResult:
    """Wait for a started query and return all its rows; stop it on timeout, interrupt or
    when it passes the ``budget``."""
    try:
        first = _wait_until_complete(client, query_id, timeout, polling, budget)
    except KeyboardInterrupt:
        stop_quietly(client, query_id)
        raise
    result = with_remaining_pages(client, first)
    budget.ended(query_id, result.scan.bytes_scanned)
    return result


def poll_once(client: Any, query_id: str, budget: ScanBudget) -> QueryResult | None:
    """One GetQueryResults poll: the first page once Complete, None while it runs. A query
    that ended otherwise raises its error; one past the ``budget`` is stopped and raises."""
    page = get_query_results(query_id, client=client)
    try:
        budget.observe(query_id, page.statistics.get("bytesScanned", 0.0))
    except QueryError:
        if page.status != "Complete":
            stop_quietly(client, query_id)
        raise
    if page.status == "Complete":
        return page
    if page.status not in RUNNING_STATUSES:
        raise _status_error(query_id, page.status)
    return None


def _wait_until_complete(
    client: Any, query_id: str, timeout: float, polling: Polling, budget: ScanBudget
) -> QueryResult:
    deadline = polling.clock() + timeout
    interval = polling.initial
    while True:
        page = poll_once(client, query_id, budget)
        if page is not None:
            return page
        remaining = deadline - polling.clock()
        if remaining <= 0:
            stop_quietly(client, query_id)
            raise timeout_error(query_id, timeout)
        polling.sleep(min(interval, remaining))
        interval = min(interval * 2, polling.maximum)


def with_remaining_pages(client: Any, first: QueryResult) -> QueryResult:
    rows, pointers = list(first.rows), list(first.pointers)
    token = first.next_token
    statistics = first.statistics
    while token:
        page = get_query_results(first.query_id, next_token=token, client=client)
        rows.extend(page.rows)
        pointers.extend(page.pointers)
        statistics = page.statistics or statistics
        token = page.next_token if page.next_token != token else None
    return QueryResult(first.query_id, first.status, rows, pointers, statistics)


def timeout_error(query_id: str, timeout: float) -> QueryTimeout:
    """The error of a query stopped after ``timeout`` seconds."""
    return QueryTimeout(
        f"query {query_id} did not complete within {timeout:g} s and was stopped: "
        "narrow the time range or the log groups, or pass a larger timeout=",
        code="QueryTimeout",
    )


def stop_quietly(client: Any, query_id: str) -> None:
    """Stop the query on a best-effort basis: it may have finished meanwhile."""
    with contextlib.suppress(Exception):  # the caller raises a more useful error
        stop_query(query_id, client=client)


_STATUS_ERRORS: dict[str, tuple[type[QueryError], str, str]] = {
    "Failed": (
        QueryFailedError,
        "QueryFailed",
        "check the field names and functions used, or narrow the time range",
    ),
    "Cancelled": (QueryCancelledError, "QueryCancelled", "it was stopped; run it again"),
    "Timeout": (QueryTimeout, "QueryTimeout", "the 60-minute limit was hit: narrow the range"),
}


def _status_error(query_id: str, status: str) -> QueryError:
    unknown = (QueryFailedError, "QueryStatusUnknown", "the service lost track of it; rerun it")
    cls, code, advice = _STATUS_ERRORS.get(status, unknown)
    return cls(f"query {query_id} ended with status {status}: {advice}", code=code)


def _not_found(query_id: str, cause: ResourceNotFoundError) -> QueryNotFoundError:
    return QueryNotFoundError(
        f"the service does not know query {query_id} (expired, or from another region/account)",
        code="QueryNotFound",
        request_id=cause.request_id,
    )


def _decode(query_id: str, response: dict[str, Any]) -> QueryResult:
    rows: list[dict[str, Any]] = []
    pointers: list[str | None] = []
    for cells in response.get("results") or ():
        row, pointer = decode_row(cells)
        rows.append(row)
        pointers.append(pointer)
    statistics = {k: float(v) for k, v in (response.get("statistics") or {}).items()}
    return QueryResult(
        query_id=query_id,
        status=str(response.get("status", "Unknown")),
        rows=rows,
        pointers=pointers,
        statistics=statistics,
        next_token=response.get("nextToken"),
    )


def decode_row(cells: Sequence[dict[str, str]]) -> tuple[dict[str, Any], str | None]:
    """Return one result row as ``({field: value}, @ptr)``, ``@timestamp`` parsed to UTC."""
    row: dict[str, Any] = {}
    pointer: str | None = None
    for cell in cells:
        name, value = cell.get("field"), cell.get("value")
        if name is None:
            continue
        if name == "@ptr":
            pointer = value
        elif name == "@timestamp" and value is not None:
            row[name] = parse_service_timestamp(value) or value
        else:
            row[name] = value
    return row, pointer
