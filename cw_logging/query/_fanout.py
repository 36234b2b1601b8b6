"""Many Logs Insights queries at once, within the account's concurrency quota.

A lookup over a list of more than 50 groups needs one query per 50. They run side by side, at
most ``max_in_flight`` at a time (the account allows 100 concurrent queries, shared with every
other user and dashboard); when StartQuery answers LimitExceededException the next start waits
for a running query to end, or backs off when none of ours is running. One thread polls them all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigurationError, LimitExceededError
from ._cost import ScanBudget
from ._insights import (
    Polling,
    QueryResult,
    poll_once,
    start_query,
    stop_quietly,
    timeout_error,
    with_remaining_pages,
)
from ._timerange import TimeRange

__all__ = ["Governor", "run_queries"]

MAX_CONCURRENT_QUERIES = 100
"""The account's Logs Insights (CWLI) concurrent-query quota."""


@dataclass(frozen=True)
class Governor:
    """At most ``max_in_flight`` queries of one lookup run at once; a start refused with
    LimitExceededException waits ``backoff_initial`` seconds, doubling up to
    ``backoff_maximum``, while none of ours runs."""

    max_in_flight: int = 10
    backoff_initial: float = 1.0
    backoff_maximum: float = 30.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_in_flight <= MAX_CONCURRENT_QUERIES:
            raise ConfigurationError(
                f"max_in_flight={self.max_in_flight} is invalid: use 1 to "
                f"{MAX_CONCURRENT_QUERIES} (the account's concurrent-query quota)",
                code="InvalidGovernor",
            )
        if not 0 < self.backoff_initial <= self.backoff_maximum:
            raise ConfigurationError(
                "the governor needs 0 < backoff_initial <= backoff_maximum",
                code="InvalidGovernor",
            )


def run_queries(
    client: Any,
    specs: Sequence[tuple[str, Sequence[str]]],
    window: TimeRange,
    *,
    limit: int | None,
    timeout: float,
    polling: Polling,
    budget: ScanBudget,
    governor: Governor,
) -> list[QueryResult]:
    """Run each ``(query, log_groups)`` of ``specs`` to completion; results in spec order.

    ``timeout`` bounds the whole run. On any error (a failed query, the budget passed, the
    timeout, an interrupt) every query still running is stopped before the error propagates.
    """
    pending = deque(enumerate(specs))
    running: dict[str, int] = {}
    results: dict[int, QueryResult] = {}
    deadline = polling.clock() + timeout
    interval, backoff = polling.initial, governor.backoff_initial
    try:
        while pending or running:
            refused = _start_some(client, pending, running, window, limit, governor)
            ended = _poll_all(client, running, results, budget)
            remaining = deadline - polling.clock()
            if ended:
                interval = polling.initial
                continue
            if remaining <= 0:
                raise timeout_error(next(iter(running), "(not started)"), timeout)
            if refused and not running:
                polling.sleep(min(backoff, remaining))
                backoff = min(backoff * 2, governor.backoff_maximum)
                continue
            backoff = governor.backoff_initial
            if running:
                polling.sleep(min(interval, remaining))
                interval = min(interval * 2, polling.maximum)
    except BaseException:
        for query_id in running:
            stop_quietly(client, query_id)
        raise
    return [results[index] for index in range(len(specs))]


def _start_some(
    client: Any,
    pending: deque[tuple[int, tuple[str, Sequence[str]]]],
    running: dict[str, int],
    window: TimeRange,
    limit: int | None,
    governor: Governor,
) -> bool:
    """Start pending queries up to the governor's bound; True if the service refused one."""
    while pending and len(running) < governor.max_in_flight:
        index, (query, groups) = pending[0]
        try:
            query_id = start_query(query, groups, window, limit=limit, client=client)
        except LimitExceededError:
            return True
        pending.popleft()
        running[query_id] = index
    return False


def _poll_all(
    client: Any, running: dict[str, int], results: dict[int, QueryResult], budget: ScanBudget
) -> bool:
    """Poll every running query once; collect the complete ones. True if any ended."""
    ended = False
    for query_id in list(running):
        page = poll_once(client, query_id, budget)
        if page is None:
            continue
        result = with_remaining_pages(client, page)
        budget.ended(query_id, result.scan.bytes_scanned)
        results[running.pop(query_id)] = result
        ended = True
    return ended
