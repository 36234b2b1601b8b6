"""A validator hooked into a boto3 logs client that records every batch real CloudWatch refuses.

moto accepts batches the service would refuse (DESIGN.md section 6), so integration tests register
this on their client and fail on any recorded violation.
"""

from __future__ import annotations

from typing import Any

from cw_logging._limits import batch_violations, validate_log_group_name, validate_log_stream_name


class StrictValidator:
    """Collects ``violations``; ``install(client)`` hooks it on PutLogEvents and name checks."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.put_calls = 0

    def install(self, client: Any) -> Any:
        events = client.meta.events
        events.register("provide-client-params.logs.PutLogEvents", self._check_put)
        for operation in ("CreateLogGroup", "CreateLogStream", "PutLogEvents"):
            events.register(f"provide-client-params.logs.{operation}", self._check_names)
        return client

    def _check_put(self, params: dict[str, Any], **_: Any) -> None:
        self.put_calls += 1
        for problem in batch_violations(params.get("logEvents", [])):
            self.violations.append(f"PutLogEvents: {problem}")

    def _check_names(self, params: dict[str, Any], **_: Any) -> None:
        for key, check in (
            ("logGroupName", validate_log_group_name),
            ("logStreamName", validate_log_stream_name),
        ):
            if key in params:
                try:
                    check(params[key])
                except ValueError as exc:
                    self.violations.append(str(exc))
