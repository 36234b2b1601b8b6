"""The write path's :class:`~cw_logging.transport.Transport` over a local engine, in process."""

from __future__ import annotations

from collections.abc import Sequence

from .._limits import InputLogEvent
from ..delivery.transport import PutResult
from ._engine import LocalEngine


class LocalTransport:
    """A Transport that calls the local engine directly (no HTTP, no boto3)."""

    def __init__(self, engine: LocalEngine) -> None:
        self.engine = engine

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        """PutLogEvents; rejected events are reported in the result, as by the service."""
        response = self.engine.call(
            "PutLogEvents",
            {
                "logGroupName": log_group,
                "logStreamName": log_stream,
                "logEvents": [dict(event) for event in events],
            },
        )
        return PutResult.from_response(response)

    def create_log_group(self, log_group: str) -> None:
        """CreateLogGroup; raises ResourceAlreadyExistsError if it exists."""
        self.engine.call("CreateLogGroup", {"logGroupName": log_group})

    def create_log_stream(self, log_group: str, log_stream: str) -> None:
        """CreateLogStream; raises ResourceAlreadyExistsError if it exists."""
        self.engine.call(
            "CreateLogStream", {"logGroupName": log_group, "logStreamName": log_stream}
        )

    def put_retention_policy(self, log_group: str, days: int) -> None:
        """PutRetentionPolicy."""
        self.engine.call("PutRetentionPolicy", {"logGroupName": log_group, "retentionInDays": days})
