"""Helpers of the write-path tests: read events back from the server, wait on conditions."""

from __future__ import annotations

from typing import Any


def stream_events(client: Any, group: str, stream: str) -> list[dict[str, Any]]:
    """Return all events of one stream, oldest first (GetLogEvents until the token repeats)."""
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
    token = None
    while True:
        page = client.get_log_events(**params)
        events.extend(page["events"])
        forward = page.get("nextForwardToken")
        if not page["events"] or forward == token:
            return events
        token = params["nextToken"] = forward


def group_messages(client: Any, group: str) -> dict[str, list[str]]:
    """Return the messages of every stream of ``group``, by stream name."""
    result: dict[str, list[str]] = {}
    kwargs: dict[str, Any] = {"logGroupName": group}
    while True:
        page = client.describe_log_streams(**kwargs)
        for stream in page["logStreams"]:
            name = stream["logStreamName"]
            result[name] = [e["message"] for e in stream_events(client, group, name)]
        if not page.get("nextToken"):
            return result
        kwargs["nextToken"] = page["nextToken"]


def all_messages(client: Any, group: str) -> list[str]:
    """Return every message of ``group`` over all streams."""
    return [m for messages in group_messages(client, group).values() for m in messages]


def wait_until(condition: Any, timeout: float, message: str = "condition") -> None:
    """Poll ``condition()`` until true; fail the test after ``timeout`` seconds."""
    import threading
    import time

    end = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        pause.wait(0.01)
