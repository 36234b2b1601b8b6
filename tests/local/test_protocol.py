"""The JSON 1.1 wire layer: targets, status codes and error bodies."""

from __future__ import annotations

import json
from typing import Any

from cw_logging.errors import MalformedQueryError, ServerError
from cw_logging.local import LocalEngine
from cw_logging.local._protocol import handle


class RaisingEngine(LocalEngine):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def call(
        self, operation: str, params: dict[str, Any] | None = None, **caller: Any
    ) -> dict[str, Any]:
        raise self.error


def body_of(engine: LocalEngine, target: str = "Logs_20140328.StartQuery") -> dict[str, Any]:
    return dict(json.loads(handle(engine, target, b"{}").body))


def test_malformed_query_with_a_position_carries_query_compile_error() -> None:
    error = MalformedQueryError(
        "Unexpected '|' at line 1, column 8", code="MalformedQueryException"
    )
    error.offset = 7  # type: ignore[attr-defined]
    body = body_of(RaisingEngine(error))
    assert body["__type"] == "MalformedQueryException"
    assert body["queryCompileError"]["location"] == {"startCharOffset": 7, "endCharOffset": 7}


def test_server_faults_are_http_500() -> None:
    engine = RaisingEngine(ServerError("down", code="ServiceUnavailableException"))
    answer = handle(engine, "Logs_20140328.DescribeLogGroups", b"{}")
    assert answer.status == 500
    assert json.loads(answer.body)["__type"] == "ServiceUnavailableException"


def test_engine_bugs_answer_internal_failure_not_a_dropped_connection() -> None:
    answer = handle(RaisingEngine(KeyError("boom")), "Logs_20140328.DescribeLogGroups", b"{}")
    assert answer.status == 500
    assert json.loads(answer.body)["__type"] == "InternalFailure"
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert answer.headers["x-amzn-RequestId"]
