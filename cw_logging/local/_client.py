"""A real boto3 ``logs`` client whose requests are answered in process by a local engine.

Requests are serialised by botocore as for AWS, handed to the engine's wire protocol instead of
the network, and the answers parsed by botocore: code written for boto3 (errors as
``ClientError`` and ``client.exceptions.*``, paginators, waiters) works unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._engine import LocalEngine
from ._eventstream import StreamedResponse
from ._live_tail_wire import LIVE_TAIL_TARGET, answer_live_tail
from ._protocol import WireError, caller_of, error_response, handle

LOCAL_ENDPOINT = "http://127.0.0.1:1"  # never contacted: every request is answered in process


class _Body:
    """The raw-body object botocore reads a response from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data

    def close(self) -> None:
        """Nothing to release."""


class _StreamedBody:
    """A raw body read as it is produced (StartLiveTail's event stream); closing it ends the
    session."""

    def __init__(self, answer: StreamedResponse) -> None:
        self._answer = answer

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield from self._answer.body_chunks()

    def close(self) -> None:
        self._answer.close()


def _text(value: str | bytes | None) -> str | None:
    return value.decode("latin-1") if isinstance(value, bytes) else value


class LocalClient:
    """A boto3 ``logs`` client bound to ``engine``; use it exactly like ``boto3.client("logs")``.

    Requests are signed for ``region_name``, and the engine keeps each region's groups apart,
    as the server does.

    ``client`` is the underlying boto3 client; every attribute (``put_log_events``,
    ``get_paginator``, ``exceptions``, ``meta``) is the boto3 one.
    """

    def __init__(
        self, engine: LocalEngine, *, region_name: str = "us-east-1", botocore_config: Any = None
    ) -> None:
        import boto3
        from botocore.config import Config

        self.engine = engine
        self.client: Any = boto3.session.Session().client(
            "logs",
            region_name=region_name,
            endpoint_url=LOCAL_ENDPOINT,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=botocore_config or Config(retries={"mode": "standard", "max_attempts": 1}),
        )
        self.client.meta.events.register("before-send.logs", self._answer)

    def _answer(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode("utf-8")
        target = _text(request.headers.get("X-Amz-Target"))
        try:
            caller = caller_of(_text(request.headers.get("Authorization")))
        except WireError as exc:
            answer = error_response(exc.status, exc.code, exc.message)
        else:
            if target == LIVE_TAIL_TARGET:
                streamed = answer_live_tail(self.engine, body or b"", caller)
                if isinstance(streamed, StreamedResponse):
                    headers: Any = streamed.headers
                    return AWSResponse(request.url, 200, headers, _StreamedBody(streamed))
                answer = streamed
            else:
                answer = handle(self.engine, target, body or b"", caller)
        headers = answer.headers
        return AWSResponse(request.url, answer.status, headers, _Body(answer.body))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)
