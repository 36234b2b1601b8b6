"""The local engine: one dispatch table of CloudWatch Logs operations over a store."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InvalidParameterError
from . import (
    _ops_events,
    _ops_indexes,
    _ops_metric_filters,
    _ops_queries,
    _ops_resources,
    _ops_subscriptions,
)
from ._closing import Closing
from ._metric_filters import MetricRecorder
from ._ops_context import ServiceContext
from ._store import Store
from ._subscriptions import SubscriptionHub, attach_hub
from ._validation import validate_request

Handler = Callable[[ServiceContext, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    **_ops_resources.OPERATIONS,
    **_ops_events.OPERATIONS,
    **_ops_queries.OPERATIONS,
    **_ops_indexes.OPERATIONS,
    **_ops_metric_filters.OPERATIONS,
    **_ops_subscriptions.OPERATIONS,
}
"""Every operation the local engine implements, by its API name."""

DEFAULT_ACCOUNT_ID = "123456789012"
"""The account of callers that do not name one: moto's default, so ARNs match moto's."""
DEFAULT_REGION = "us-east-1"


class LocalEngine(Closing):
    """CloudWatch Logs on your machine: groups, streams, events, filter patterns and queries.

    ``db_path`` keeps everything in a SQLite file (default: memory only). ``clock`` returns the
    current time in epoch seconds (inject one to test time rules). A query is evaluated when it
    starts, so the first GetQueryResults already answers ``Complete``; to exercise a client's
    polling, ``query_polls_before_complete=N`` keeps each query ``Scheduled``, then ``Running``,
    for N polls.

    Every account and region has its own groups, as in AWS; ``region`` and ``account_id`` are
    those of calls that do not name theirs (see :meth:`call`).

    ``metrics`` holds what metric filters published (:meth:`MetricRecorder.datapoints`,
    :meth:`MetricRecorder.sums`); ``subscriptions`` what subscription filters delivered
    (:meth:`SubscriptionHub.deliveries`), and hands deliveries to the callbacks given to
    :meth:`SubscriptionHub.deliver_to`.
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        query_polls_before_complete: int = 0,
    ) -> None:
        self.clock = clock
        self.region = region
        self.account_id = account_id
        self.store = Store(
            db_path,
            default_place=(account_id, region),
            query_polls_before_complete=query_polls_before_complete,
        )
        self.metrics = MetricRecorder(self.store).attach()
        self.subscriptions = SubscriptionHub(account_id)
        attach_hub(self.store, self.subscriptions)

    @property
    def operations(self) -> frozenset[str]:
        """Names of the operations :meth:`call` implements."""
        return frozenset(OPERATIONS)

    @property
    def context(self) -> ServiceContext:
        """The view of the default account in the default region."""
        return self.context_for()

    def context_for(
        self, region: str | None = None, account_id: str | None = None
    ) -> ServiceContext:
        """The view of ``account_id`` in ``region`` (the defaults when None)."""
        state = self.store.region(account_id or self.account_id, region or self.region)
        return ServiceContext(state, self.clock)

    def call(
        self,
        operation: str,
        params: dict[str, Any] | None = None,
        *,
        region: str | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Run ``operation`` (an API name such as ``PutLogEvents``) with the request ``params``,
        as ``account_id`` in ``region`` (the engine's defaults when None).

        Returns the response as the service shapes it; raises cw_logging errors whose ``code``
        is the service's error code.
        """
        handler = OPERATIONS.get(operation)
        if handler is None:
            raise InvalidParameterError(
                f"Operation {operation} is not implemented by the cw_logging local engine; "
                f"supported: {', '.join(sorted(OPERATIONS))}",
                code="UnknownOperationException",
            )
        request = dict(params or {})
        validate_request(operation, request)
        with self.store.lock:
            result = handler(self.context_for(region, account_id), request)
        self.subscriptions.dispatch()
        return result

    def reset(self) -> None:
        """Forget all groups, streams, events and queries of every region (for reuse between
        tests)."""
        with self.store.lock:
            self.store.reset()
            self.metrics.clear()
            self.subscriptions.clear()

    def close(self) -> None:
        """Release the SQLite file, if any."""
        self.store.close()
