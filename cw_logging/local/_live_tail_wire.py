"""StartLiveTail on the wire: a session's events as the AWS event stream boto3 reads.

The answer is ``initial-response``, ``sessionStart``, then a ``sessionUpdate`` every update
interval until the session limit (``SessionTimeoutException``, as AWS ends a session), the
client going away, or the server stopping (the stream then ends).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from ..errors import CloudWatchLogsError
from ._engine import LocalEngine
from ._eventstream import (
    EVENT_STREAM_CONTENT_TYPE,
    StreamedResponse,
    event_message,
    exception_message,
    initial_response,
)
from ._live_tail import LiveTailSession, LiveTailSettings
from ._protocol import (
    Caller,
    WireError,
    WireResponse,
    engine_error_response,
    error_response,
    parse_body,
)

__all__ = ["LIVE_TAIL_TARGET", "answer_live_tail", "session_messages"]

LIVE_TAIL_TARGET = "Logs_20140328.StartLiveTail"
"""The ``X-Amz-Target`` of StartLiveTail, whose answer is streamed."""


def answer_live_tail(
    engine: LocalEngine, body: bytes, caller: Caller | None = None
) -> WireResponse | StreamedResponse:
    """Open a session for a StartLiveTail request and return its streamed answer (or the
    JSON error, when the request is refused)."""
    request_id = str(uuid.uuid4())
    who = caller or Caller(None)
    try:
        params = parse_body(body)
        with engine.store.lock:
            session = engine.live_tail.open(engine.context_for(who.region, who.account_id), params)
            opening = session.snapshot() if engine.live_tail.settings.mode == "snapshot" else None
    except WireError as exc:
        return error_response(exc.status, exc.code, exc.message, request_id)
    except CloudWatchLogsError as exc:
        return engine_error_response(exc, request_id)
    headers = {"Content-Type": EVENT_STREAM_CONTENT_TYPE, "x-amzn-RequestId": request_id}
    messages = session_messages(session, engine.live_tail.settings, opening)
    return StreamedResponse(200, headers, messages, lambda: engine.live_tail.discard(session))


def _update(results: list[dict[str, object]], sampled: bool) -> bytes:
    return event_message(
        "sessionUpdate", {"sessionMetadata": {"sampled": sampled}, "sessionResults": results}
    )


def session_messages(
    session: LiveTailSession,
    settings: LiveTailSettings,
    opening: tuple[list[dict[str, object]], bool] | None = None,
) -> Iterator[bytes]:
    """The event-stream messages of ``session``; with ``opening`` (snapshot mode) one update
    of those results, then the end."""
    yield initial_response()
    yield event_message("sessionStart", session.start_document())
    if opening is not None:
        yield _update(*opening)
        return
    ends = time.monotonic() + settings.session_seconds
    while True:
        left = ends - time.monotonic()
        if left <= 0:
            yield exception_message(
                "SessionTimeoutException",
                f"Live Tail session {session.session_id} reached its limit of "
                f"{settings.session_seconds:g} seconds; start a new session",
            )
            return
        update = session.take(min(settings.update_interval, left))
        if update is None:
            return
        yield _update(*update)
