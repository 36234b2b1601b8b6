"""Following one request across services with cw_logging.query, run offline.

    python examples/follow_a_request.py

Three services logged while the same request went through them: two as JSON (the cw_logging
formatter's `traceId` key), one as plain text. `find_by_trace_id` runs one equality lookup
(`filter traceId = "…"`) over all groups, narrow window first, and returns one sorted timeline.
The local engine (see offline.py) evaluates that lookup as CloudWatch does: another request's
event stored beside them stays out, and so does the plain-text line, which mentions the id but
has no `traceId` field (only JSON events have fields to look up).
"""

from __future__ import annotations

import json
import time
from typing import Any

from offline import local_cloudwatch

from cw_logging.query import admin, find_by_trace_id

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER_TRACE_ID = "0af7651916cd43dd8448eb211c80319c"  # another request, logged meanwhile
LOGS: dict[str, list[tuple[int, Any]]] = {
    "/shop/api": [
        (0, {"level": "INFO", "message": "POST /orders", "requestId": "r-7"}),
        (20, {"level": "INFO", "message": "GET /health", "traceId": OTHER_TRACE_ID}),
    ],
    "/shop/worker": [
        (40, {"level": "INFO", "message": "charging card", "spanId": "00f067aa0ba902b7"}),
        (90, {"level": "ERROR", "message": "card declined"}),
    ],
    "/shop/legacy": [(60, f"WARN fraud-check slow traceId={TRACE_ID}")],
}


def seed(client: Any) -> None:
    """Store each service's events in its own group, JSON ones tagged with the trace id unless
    they carry another."""
    now = int(time.time() * 1000) - 1000
    for group, events in LOGS.items():
        admin.ensure_stream_exists(group, "main", client=client)
        batch = []
        for offset, body in events:
            text = body if isinstance(body, str) else json.dumps({"traceId": TRACE_ID, **body})
            batch.append({"timestamp": now + offset, "message": text})
        client.put_log_events(logGroupName=group, logStreamName="main", logEvents=batch)


def main() -> None:
    with local_cloudwatch() as local:
        client = local.client
        seed(client)
        timeline = find_by_trace_id(TRACE_ID, list(LOGS), client=client)
        start = timeline[0].timestamp
        for event in timeline:
            offset_ms = (event.timestamp - start).total_seconds() * 1000
            print(f"+{offset_ms:4.0f} ms {event.group:<13} {event.level or '-':<5} {event.message}")
        failed = [e for e in timeline if e.level == "ERROR"]
        print(
            f"{len(timeline)} events, {len(failed)} error(s); request id:", timeline[0].request_id
        )


if __name__ == "__main__":
    main()
