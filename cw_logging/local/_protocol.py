"""The CloudWatch Logs wire protocol (AWS JSON 1.1) over the engine's dispatch table.

A request is ``POST /`` with ``X-Amz-Target: Logs_20140328.<Operation>`` and a JSON body; the
answer is the JSON response, or ``{"__type": <code>, "message": ...}`` with an HTTP error status.
The caller's region (and account) come from the SigV4 credential scope of the request
(``Credential=<access key>/<date>/<region>/logs/aws4_request``), as AWS routes a request to the
region it was signed for. The HTTP server and the in-process boto3 client both go through
:func:`handle` and :func:`caller_of`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any
from urllib.parse import parse_qs

from ..errors import CloudWatchLogsError, MalformedQueryError, ServerError
from ._engine import LocalEngine

TARGET_PREFIX = "Logs_20140328."
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_JSON_DEPTH = 64
"""Request bodies nested deeper than this are refused (the deepest Logs request is ~10)."""
_CREDENTIAL = re.compile(r"Credential=([^,\s]{1,512})")
_REGION = re.compile(r"[a-z0-9]{1,16}(?:-[a-z0-9]{1,16}){0,5}")
_ACCOUNT_KEY = re.compile(r"[0-9]{12}")
_CONTAINERS = frozenset((dict, list))


@dataclass(frozen=True)
class WireResponse:
    """An HTTP answer: status, headers and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Caller:
    """Who a request speaks for: the region it was signed for, and the account (None for the
    engine's default)."""

    region: str | None
    account_id: str | None = None


class WireError(Exception):
    """A request refused before it reaches the engine: HTTP status, error code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def caller_of(authorization: str | None, query: str = "") -> Caller:
    """The caller named by a SigV4 ``Authorization`` header (or a presigned URL's
    ``X-Amz-Credential``); ``Caller(None)`` for unsigned requests.

    A 12-digit access key id stands for that account (as in LocalStack); any other key is the
    engine's default account. Raises :class:`WireError` (IncompleteSignatureException) for a
    signature whose credential scope cannot be read.
    """
    credential = None
    if authorization:
        found = _CREDENTIAL.search(authorization[:4096])
        if found is None:
            raise _incomplete(
                "the Authorization header has no Credential=<key>/<date>/<region>/..."
            )
        credential = found[1]
    elif "X-Amz-Credential" in query:
        values = parse_qs(query[:8192]).get("X-Amz-Credential")
        credential = values[0] if values else None
    if credential is None:
        return Caller(None)
    parts = credential.split("/")
    if len(parts) != 5 or not parts[0]:
        raise _incomplete(
            f"the credential scope {credential!r} is not <key>/<date>/<region>/<service>/"
            "aws4_request"
        )
    key, region = parts[0], parts[2]
    if not _REGION.fullmatch(region):
        raise _incomplete(f"the credential scope names {region!r}, which is not a region name")
    return Caller(region, key if _ACCOUNT_KEY.fullmatch(key) else None)


def _incomplete(problem: str) -> WireError:
    return WireError(
        400, "IncompleteSignatureException", f"Cannot read the request's signature: {problem}."
    )


def handle(
    engine: LocalEngine, target: str | None, body: bytes, caller: Caller | None = None
) -> WireResponse:
    """Answer one JSON 1.1 request addressed by its ``X-Amz-Target`` header, as ``caller``."""
    request_id = str(uuid.uuid4())
    if not target or not target.startswith(TARGET_PREFIX):
        return error_response(
            400,
            "UnknownOperationException",
            f"expected the header X-Amz-Target: {TARGET_PREFIX}<Operation>, got {target!r}",
            request_id,
        )
    operation = target[len(TARGET_PREFIX) :]
    try:
        params = parse_body(body)
    except WireError as exc:
        return error_response(exc.status, exc.code, exc.message, request_id)
    who = caller or Caller(None)
    try:
        result = engine.call(operation, params, region=who.region, account_id=who.account_id)
    except CloudWatchLogsError as exc:
        return engine_error_response(exc, request_id)
    except Exception as exc:  # a bug in the engine must still answer like a service would
        return error_response(500, "InternalFailure", f"{type(exc).__name__}: {exc}", request_id)
    return WireResponse(200, _headers(request_id), json.dumps(result).encode("utf-8"))


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object; WireError (SerializationException) for anything else,
    including documents nested deeper than :data:`MAX_JSON_DEPTH`."""
    try:
        params = json.loads(body or b"{}")
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:
        raise WireError(400, "SerializationException", f"body is not JSON: {exc}") from None
    if not isinstance(params, dict):
        raise WireError(400, "SerializationException", "body must be a JSON object")
    if _deeper_than(params, MAX_JSON_DEPTH):
        raise _too_deep()
    return params


def _too_deep() -> WireError:
    return WireError(
        400,
        "SerializationException",
        f"body is nested more than {MAX_JSON_DEPTH} levels deep; no CloudWatch Logs request is",
    )


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether ``document`` nests containers more than ``limit`` deep (no recursion)."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if value.__class__ is dict else value
        if value.__class__ is list and set(map(type, value)) == {dict}:
            # a list of objects (PutLogEvents' events): one level more if they hold no container
            grandchildren = chain.from_iterable(map(dict.values, value))
            if _CONTAINERS.isdisjoint(map(type, grandchildren)):
                if depth + 1 > limit:
                    return True
                continue
        pending.extend((child, depth + 1) for child in children if child.__class__ in _CONTAINERS)
    return False


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}


def engine_error_response(error: CloudWatchLogsError, request_id: str) -> WireResponse:
    """The service's JSON answer to an engine error: 500 for a ServerError, else 400."""
    status = 500 if isinstance(error, ServerError) else 400
    return error_response(status, error.code, error.message, request_id, _details(error))


def _details(error: CloudWatchLogsError) -> dict[str, Any]:
    """Members the service adds to some errors: MalformedQueryException's compile error."""
    offset = getattr(error, "offset", None)
    if not isinstance(error, MalformedQueryError) or not isinstance(offset, int):
        return {}
    location = {"startCharOffset": offset, "endCharOffset": offset}
    return {"queryCompileError": {"location": location, "message": error.message}}


def error_response(
    status: int,
    code: str,
    message: str,
    request_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> WireResponse:
    """An AWS-style JSON error: ``{"__type": code, "message": message}`` with ``status``."""
    payload: dict[str, Any] = {"__type": code, "message": message, **(details or {})}
    headers = _headers(request_id or str(uuid.uuid4()))
    return WireResponse(status, headers, json.dumps(payload).encode("utf-8"))
