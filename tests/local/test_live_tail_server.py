"""StartLiveTail against the local server over HTTP with real boto3, and in process.

Events are put by another thread after the session started; readers wait with deadlines (the
server's update interval is short, so heartbeats give the reader control back often).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError
from urllib3.exceptions import ProtocolError

from cw_logging.local import LiveTailSettings, LocalClient, LocalEngine, LocalServer, serve
from tests.integration.helpers import wait_until

GROUP = "/live/orders"
FAST = LiveTailSettings(update_interval=0.05)


def _engine(settings: LiveTailSettings = FAST) -> LocalEngine:
    return LocalEngine(live_tail_settings=settings)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve(port=0, engine=_engine()) as running:
        yield running


def _client(server: LocalServer) -> Any:
    return boto3.client(
        "logs",
        region_name="us-east-1",
        endpoint_url=server.url,
        config=Config(inject_host_prefix=False, retries={"mode": "standard", "max_attempts": 1}),
    )


def _arn(client: Any, group: str) -> str:
    found = client.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    return str(found["logGroupArn"]).removesuffix(":*")


def _put(client: Any, stream: str, messages: list[str], group: str = GROUP) -> None:
    now = int(time.time() * 1000)
    client.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )


def _setup(client: Any, streams: tuple[str, ...] = ("app-1",), group: str = GROUP) -> str:
    client.create_log_group(logGroupName=group)
    for stream in streams:
        client.create_log_stream(logGroupName=group, logStreamName=stream)
    return _arn(client, group)


def _collect(stream: Any, count: int, deadline: float = 10.0) -> tuple[list[dict[str, Any]], int]:
    """The first ``count`` session results (and how many updates were read), or fail."""
    results: list[dict[str, Any]] = []
    updates = 0
    ends = time.monotonic() + deadline
    for item in stream:
        if "sessionStart" in item and not updates:
            continue
        assert "sessionUpdate" in item, item
        updates += 1
        results += item["sessionUpdate"]["sessionResults"]
        if len(results) >= count:
            return results, updates
        assert time.monotonic() < ends, f"only {len(results)} of {count} events arrived"
    raise AssertionError(f"the stream ended after {len(results)} of {count} events")


def _in_thread(work: Any) -> threading.Thread:
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_boto3_gets_session_start_then_exactly_the_later_matching_events_in_order(
    server: LocalServer,
) -> None:
    client = _client(server)
    arn = _setup(client)
    _put(client, "app-1", ["ERROR stored before the session"])
    response = client.start_live_tail(logGroupIdentifiers=[arn], logEventFilterPattern="ERROR")
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
        "application/vnd.amazon.eventstream"
    )
    stream = response["responseStream"]
    start = next(iter(stream))["sessionStart"]
    assert start["logGroupIdentifiers"] == [arn]
    assert start["logEventFilterPattern"] == "ERROR"
    messages = ["ERROR one", "INFO two", "ERROR three", "DEBUG four", "ERROR five"]
    writer = _in_thread(lambda: _put(client, "app-1", messages))
    results, _ = _collect(stream, 3)
    writer.join()
    stream.close()
    assert [r["message"] for r in results] == ["ERROR one", "ERROR three", "ERROR five"]
    assert {r["logGroupIdentifier"] for r in results} == {arn}
    assert {r["logStreamName"] for r in results} == {"app-1"}
    assert [r["timestamp"] for r in results] == sorted(r["timestamp"] for r in results)
    assert all(r["ingestionTime"] >= r["timestamp"] - 1000 for r in results)


def test_heartbeats_are_empty_updates(server: LocalServer) -> None:
    client = _client(server)
    arn = _setup(client)
    stream = client.start_live_tail(logGroupIdentifiers=[arn])["responseStream"]
    items = iter(stream)
    assert "sessionStart" in next(items)
    beats = [next(items) for _ in range(3)]
    stream.close()
    assert (
        beats
        == [{"sessionUpdate": {"sessionMetadata": {"sampled": False}, "sessionResults": []}}] * 3
    )


def test_stream_prefixes_and_names_choose_streams(server: LocalServer) -> None:
    client = _client(server)
    arn = _setup(client, ("web-1", "web-2", "worker-1"))
    by_prefix = client.start_live_tail(logGroupIdentifiers=[arn], logStreamNamePrefixes=["web-"])
    by_name = client.start_live_tail(logGroupIdentifiers=[arn], logStreamNames=["worker-1"])
    # Each session's wanted streams are not put first, so a filter that let every stream
    # through would make the first results differ.
    for stream in ("web-1", "worker-1", "web-2"):
        _put(client, stream, [f"from {stream}"])
    prefixed, _ = _collect(by_prefix["responseStream"], 2)
    named, _ = _collect(by_name["responseStream"], 1)
    by_prefix["responseStream"].close()
    by_name["responseStream"].close()
    assert [r["message"] for r in prefixed] == ["from web-1", "from web-2"]
    assert [r["message"] for r in named] == ["from worker-1"]


def test_more_than_500_events_in_an_update_are_sampled(server: LocalServer) -> None:
    client = _client(server)
    arn = _setup(client)
    stream = client.start_live_tail(logGroupIdentifiers=[arn])["responseStream"]
    _put(client, "app-1", [f"event {i}" for i in range(1200)])
    for item in stream:
        update = item.get("sessionUpdate")
        if update and update["sessionResults"]:
            break
    stream.close()
    assert update["sessionMetadata"] == {"sampled": True}
    messages = [r["message"] for r in update["sessionResults"]]
    assert len(messages) == 500
    assert messages[0] == "event 0" and len(set(messages)) == 500
    assert messages[-1] != "event 499"  # spread over the whole burst, not its first 500


def test_session_ends_with_session_timeout_at_its_limit() -> None:
    settings = LiveTailSettings(update_interval=0.05, session_seconds=0.3)
    with serve(port=0, engine=_engine(settings)) as server:
        client = _client(server)
        arn = _setup(client)
        started = time.monotonic()
        stream = client.start_live_tail(logGroupIdentifiers=[arn])["responseStream"]
        with pytest.raises(EventStreamError) as caught:
            for _ in stream:
                assert time.monotonic() - started < 10
        assert caught.value.response["Error"]["Code"] == "SessionTimeoutException"
        assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (
            {"logStreamNames": ["a"], "logStreamNamePrefixes": ["a"]},
            "InvalidParameterException",
            "Only one of logStreamNames or logStreamNamePrefixes can be provided.",
        ),
        (
            {"logEventFilterPattern": '{ $.level = "ERROR" '},
            "InvalidParameterException",
            None,
        ),
    ],
)
def test_invalid_requests_are_refused(
    server: LocalServer, extra: dict[str, Any], code: str, message: str | None
) -> None:
    client = _client(server)
    arn = _setup(client)
    with pytest.raises(ClientError) as caught:
        client.start_live_tail(logGroupIdentifiers=[arn], **extra)
    assert caught.value.response["Error"]["Code"] == code
    if message is not None:
        assert caught.value.response["Error"]["Message"] == message


def test_group_limits_and_missing_groups_are_refused(server: LocalServer) -> None:
    client = _client(server)
    arns = [_setup(client, group=f"/live/g{i}") for i in range(11)]
    with pytest.raises(ClientError) as too_many:
        client.start_live_tail(logGroupIdentifiers=arns)
    assert "less than or equal to 10" in too_many.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as two_with_streams:
        client.start_live_tail(logGroupIdentifiers=arns[:2], logStreamNamePrefixes=["x"])
    assert "single log group" in two_with_streams.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as missing:
        client.start_live_tail(logGroupIdentifiers=[arns[0] + "-gone"])
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert server.engine.live_tail.sessions == 0


def test_closing_the_stream_ends_the_session_on_the_server(server: LocalServer) -> None:
    client = _client(server)
    arn = _setup(client)
    stream = client.start_live_tail(logGroupIdentifiers=[arn])["responseStream"]
    assert "sessionStart" in next(iter(stream))
    assert server.engine.live_tail.sessions == 1
    stream.close()
    wait_until(lambda: server.engine.live_tail.sessions == 0, 10, "the session to end")


def test_stopping_the_server_ends_open_streams() -> None:
    server = serve(port=0, engine=_engine(LiveTailSettings(update_interval=5.0)))
    client = _client(server)
    arn = _setup(client)
    stream = client.start_live_tail(logGroupIdentifiers=[arn])["responseStream"]
    items = iter(stream)
    assert "sessionStart" in next(items)
    started = time.monotonic()
    server.stop()
    with pytest.raises(ProtocolError, match="ended prematurely"):  # the connection was cut
        next(items)
    assert time.monotonic() - started < 4.0  # not left waiting for the 5 s update
    assert server.engine.live_tail.sessions == 0


def test_in_process_client_streams_live_tail_too() -> None:
    with _engine() as engine:
        client = LocalClient(engine)
        arn = _setup(client)
        stream = client.start_live_tail(
            logGroupIdentifiers=[arn], logEventFilterPattern='{ $.level = "ERROR" }'
        )["responseStream"]
        assert "sessionStart" in next(iter(stream))
        writer = _in_thread(
            lambda: _put(client, "app-1", ['{"level": "INFO"}', '{"level": "ERROR", "n": 2}'])
        )
        results, _ = _collect(stream, 1)
        writer.join()
        stream.close()
        assert [r["message"] for r in results] == ['{"level": "ERROR", "n": 2}']
        wait_until(lambda: engine.live_tail.sessions == 0, 10, "the in-process session to end")


def test_snapshot_mode_answers_stored_events_then_ends() -> None:
    with serve(port=0, engine=_engine(LiveTailSettings(mode="snapshot"))) as server:
        client = _client(server)
        arn = _setup(client, ("a", "b"))
        _put(client, "b", ["error late"])
        _put(client, "a", ["error early", "info skipped"])
        stream = client.start_live_tail(logGroupIdentifiers=[arn], logEventFilterPattern="error")
        items = list(stream["responseStream"])
    assert [list(item) for item in items] == [["sessionStart"], ["sessionUpdate"]]
    results = items[1]["sessionUpdate"]["sessionResults"]
    assert sorted(r["message"] for r in results) == ["error early", "error late"]
