"""The CloudWatch Logs wire protocol (AWS JSON 1.1) over the engine's dispatch table.

A request is ``POST /`` with ``X-Amz-Target: Logs_20140328.<Operation>`` and a JSON body; the
answer is the JSON response, or ``{"__type": <code>, "message": ...}`` with an HTTP error status.
The HTTP server and the in-process boto3 client both go through :func:`handle`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from ..errors import CloudWatchLogsError, MalformedQueryError, ServerError
from ._engine import LocalEngine

TARGET_PREFIX = "Logs_20140328."
CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class WireResponse:
    """An HTTP answer: status, headers and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


def handle(engine: LocalEngine, target: str | None, body: bytes) -> WireResponse:
    """Answer one JSON 1.1 request addressed by its ``X-Amz-Target`` header."""
    request_id = str(uuid.uuid4())
    if not target or not target.startswith(TARGET_PREFIX):
        return _error(
            request_id,
            400,
            "UnknownOperationException",
            f"expected the header X-Amz-Target: {TARGET_PREFIX}<Operation>, got {target!r}",
        )
    operation = target[len(TARGET_PREFIX) :]
    try:
        params = json.loads(body or b"{}")
    except ValueError as exc:
        return _error(request_id, 400, "SerializationException", f"body is not JSON: {exc}")
    if not isinstance(params, dict):
        return _error(request_id, 400, "SerializationException", "body must be a JSON object")
    try:
        result = engine.call(operation, params)
    except CloudWatchLogsError as exc:
        status = 500 if isinstance(exc, ServerError) else 400
        return _error(request_id, status, exc.code, exc.message, _details(exc))
    except Exception as exc:  # a bug in the engine must still answer like a service would
        return _error(request_id, 500, "InternalFailure", f"{type(exc).__name__}: {exc}")
    return WireResponse(200, _headers(request_id), json.dumps(result).encode("utf-8"))


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}


def _details(error: CloudWatchLogsError) -> dict[str, Any]:
    """Members the service adds to some errors: MalformedQueryException's compile error."""
    offset = getattr(error, "offset", None)
    if not isinstance(error, MalformedQueryError) or not isinstance(offset, int):
        return {}
    location = {"startCharOffset": offset, "endCharOffset": offset}
    return {"queryCompileError": {"location": location, "message": error.message}}


def _error(
    request_id: str, status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> WireResponse:
    payload: dict[str, Any] = {"__type": code, "message": message, **(details or {})}
    return WireResponse(status, _headers(request_id), json.dumps(payload).encode("utf-8"))
