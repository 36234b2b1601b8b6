"""cw_logging.query.live_tail against the local server (real HTTP, real boto3).

Events are put by other threads after the tail is open; every wait has a deadline.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from cw_logging.errors import ConfigurationError, NetworkError, ResourceError
from cw_logging.local import LiveTailSettings, LocalEngine, LocalServer, serve
from cw_logging.local._protocol import error_response
from cw_logging.query import LiveTail, LiveTailEvent, live_tail
from tests.integration.helpers import wait_until

FAST = LiveTailSettings(update_interval=0.05)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve(port=0, engine=LocalEngine(live_tail_settings=FAST)) as running:
        yield running


def _client(server: LocalServer) -> Any:
    """A client as users build it: the default config, host prefix injection on."""
    return boto3.client("logs", region_name="us-east-1", endpoint_url=server.url)


def _groups(client: Any, *names: str, stream: str = "s") -> None:
    for name in names:
        client.create_log_group(logGroupName=name)
        client.create_log_stream(logGroupName=name, logStreamName=stream)


def _put(client: Any, group: str, messages: list[str], stream: str = "s", at: int = 0) -> None:
    now = at or int(time.time() * 1000)
    client.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )


def _take(tail: LiveTail, count: int, deadline: float = 15.0) -> list[LiveTailEvent]:
    """``count`` events from ``tail``; the tail is closed from a timer at the deadline, so a
    missing event fails the test instead of hanging it."""
    timer = threading.Timer(deadline, tail.close)
    timer.start()
    try:
        events = list(itertools.islice(tail, count))
    finally:
        timer.cancel()
    assert len(events) == count, f"only {len(events)} of {count} events within {deadline} s"
    return events


def _later(work: Any) -> threading.Thread:
    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_names_become_arns_and_later_events_arrive_filtered_in_order(server: LocalServer) -> None:
    client = _client(server)
    _groups(client, "/app/api")
    _put(client, "/app/api", ["ERROR before the tail"])
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.logs.StartLiveTail", lambda params, **_: sent.append(params)
    )
    with live_tail("/app/api", filter_pattern="ERROR", client=client) as tail:
        assert tail.mode == "live" and tail.sessions == 1
        writer = _later(lambda: _put(client, "/app/api", ["ERROR a", "INFO b", "ERROR c"]))
        events = _take(tail, 2)
        writer.join()
    assert sent == [
        {
            "logGroupIdentifiers": ["arn:aws:logs:us-east-1:123456789012:log-group:/app/api"],
            "logEventFilterPattern": "ERROR",
        }
    ]
    assert [e.message for e in events] == ["ERROR a", "ERROR c"]
    assert {(e.group, e.stream, e.sampled) for e in events} == {("/app/api", "s", False)}
    assert events[0].timestamp < events[1].timestamp
    assert all(e.ingestion_time is not None for e in events)
    wait_until(lambda: server.engine.live_tail.sessions == 0, 10, "the session to end")


def test_more_than_ten_groups_use_several_sessions_merged_in_time_order(
    server: LocalServer,
) -> None:
    client = _client(server)
    names = [f"/fleet/svc-{i:02d}" for i in range(12)]
    _groups(client, *names)
    with live_tail(names, client=client) as tail:
        assert tail.sessions == 2
        base = int(time.time() * 1000)
        # the second session's group gets the earlier events, the first session's the later
        _put(client, names[0], ["late 1", "late 2"], at=base + 100)
        _put(client, names[11], ["early 1", "early 2"], at=base)
        wait_until(lambda: tail._queue.qsize() >= 2, 10, "both sessions' updates")
        events = _take(tail, 4)
    assert [e.message for e in events] == ["early 1", "early 2", "late 1", "late 2"]
    assert [e.group for e in events] == [names[11]] * 2 + [names[0]] * 2


def test_sessions_are_handed_over_at_the_limit_without_loss_or_repeats(
    server: LocalServer,
) -> None:
    client = _client(server)
    _groups(client, "/app/long")
    put: list[str] = []

    def writer() -> None:
        while tail.sessions < 4 and len(put) < 5000:
            message = f"event {len(put)}"
            _put(client, "/app/long", [message])
            put.append(message)
        _put(client, "/app/long", ["last"])
        put.append("last")

    with live_tail("/app/long", client=client, session_limit=timedelta(seconds=0.3)) as tail:
        thread = _later(writer)
        received: list[str] = []
        timer = threading.Timer(30, tail.close)
        timer.start()
        for event in tail:
            received.append(event.message)
            if event.message == "last":
                break
        timer.cancel()
        thread.join()
        assert tail.sessions >= 4
    assert received == put


def test_a_session_the_service_ends_is_restarted(server: LocalServer) -> None:
    server.engine.live_tail.settings = LiveTailSettings(update_interval=0.05, session_seconds=0.2)
    client = _client(server)
    _groups(client, "/app/short")
    with live_tail("/app/short", client=client, session_limit=None) as tail:
        wait_until(lambda: tail.sessions >= 3, 10, "two restarts")
        wait_until(lambda: server.engine.live_tail.sessions == 1, 10, "the new session open")
        _put(client, "/app/short", ["after the restarts"])
        (event,) = _take(tail, 1)
    assert event.message == "after the restarts"


def test_sampled_updates_are_reported(server: LocalServer) -> None:
    client = _client(server)
    _groups(client, "/app/busy")
    with live_tail("/app/busy", client=client) as tail:
        _put(client, "/app/busy", [f"e{i}" for i in range(1500)])
        events = _take(tail, 500)
        assert tail.sampled_updates == 1
    assert all(event.sampled for event in events)


def test_close_from_another_thread_ends_iteration_and_the_session(server: LocalServer) -> None:
    client = _client(server)
    _groups(client, "/app/idle")
    tail = live_tail("/app/idle", client=client)
    closer = threading.Timer(0.2, tail.close)
    closer.start()
    started = time.monotonic()
    assert list(tail) == []
    assert time.monotonic() - started < 5
    wait_until(lambda: server.engine.live_tail.sessions == 0, 10, "the session to end")


def test_an_interrupt_inside_the_block_ends_the_session(server: LocalServer) -> None:
    client = _client(server)
    _groups(client, "/app/ctrl-c")
    with pytest.raises(KeyboardInterrupt), live_tail("/app/ctrl-c", client=client):
        assert server.engine.live_tail.sessions == 1
        raise KeyboardInterrupt
    wait_until(lambda: server.engine.live_tail.sessions == 0, 10, "the session to end")


def test_client_options_build_a_client_for_a_loopback_endpoint(server: LocalServer) -> None:
    client = _client(server)
    _groups(client, "/app/opts")
    with live_tail("/app/opts", endpoint_url=server.url, region_name="us-east-1") as tail:
        _put(client, "/app/opts", ["hello"])
        (event,) = _take(tail, 1)
    assert event.message == "hello"


def test_access_denied_falls_back_to_polling_and_says_so_once(server: LocalServer) -> None:
    answer = server._respond

    def deny_live_tail(request: Any) -> Any:
        if request.header("x-amz-target") == "Logs_20140328.StartLiveTail":
            return error_response(
                400, "AccessDeniedException", "not allowed: logs:StartLiveTail"
            ), {}
        return answer(request)

    server._respond = deny_live_tail  # type: ignore[method-assign]
    server._server.respond = deny_live_tail
    client = _client(server)
    _groups(client, "/app/a", "/app/b")
    notices: list[str] = []
    with live_tail(
        ["/app/a", "/app/b"], client=client, poll_interval=0.05, on_fallback=notices.append
    ) as tail:
        assert tail.mode == "polling"
        writer = _later(
            lambda: (_put(client, "/app/b", ["from b"]), _put(client, "/app/a", ["from a"]))
        )
        events = _take(tail, 2)
        writer.join()
    assert len(notices) == 1 and "AccessDeniedException" in notices[0]
    assert "polling FilterLogEvents" in notices[0]
    assert sorted((e.group, e.message) for e in events) == [
        ("/app/a", "from a"),
        ("/app/b", "from b"),
    ]


class _OldBotocoreClient:
    """A client of a botocore that predates StartLiveTail: everything but that operation."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name == "start_live_tail":
            raise AttributeError(name)
        return getattr(self._client, name)


def test_a_botocore_without_live_tail_falls_back_with_a_warning(server: LocalServer) -> None:
    client = _client(server)
    _groups(client, "/app/old")
    with pytest.warns(RuntimeWarning, match="no StartLiveTail") as warned:
        tail = live_tail("/app/old", client=_OldBotocoreClient(client), poll_interval=0.05)
    with tail:
        assert tail.mode == "polling" and len(warned) == 1
        _later(lambda: _put(client, "/app/old", ["polled"])).join()
        (event,) = _take(tail, 1)
    assert (event.group, event.message) == ("/app/old", "polled")


@pytest.mark.parametrize(
    ("groups", "options", "fragment"),
    [
        ([], {}, "no log groups"),
        (["/a"], {"streams": ["s"], "stream_prefixes": ["s"]}, "not both"),
        (["/a", "/b"], {"stream_prefixes": ["s"]}, "exactly one log group"),
        (["/a"], {"filter_pattern": "x" * 1025}, "exceeds the limit"),
        (["no spaces allowed"], {}, "log group"),
    ],
)
def test_refused_arguments_say_what_to_do(
    server: LocalServer, groups: list[str], options: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        live_tail(groups, client=_client(server), **options)
    assert server.engine.live_tail.sessions == 0


def test_a_missing_group_is_a_resource_error(server: LocalServer) -> None:
    with pytest.raises(ResourceError, match="does not exist"):
        live_tail("/app/missing", client=_client(server))


def test_a_server_that_ends_the_stream_ends_iteration_without_replays() -> None:
    """moto (and ``serve --live-tail snapshot``) answers the stored events, then ends."""
    engine = LocalEngine(live_tail_settings=LiveTailSettings(mode="snapshot"))
    with serve(port=0, engine=engine) as server:
        client = _client(server)
        _groups(client, "/app/moto-like")
        _put(client, "/app/moto-like", ["one", "two"])
        with live_tail("/app/moto-like", client=client) as tail:
            timer = threading.Timer(15, tail.close)
            timer.start()
            messages = [event.message for event in tail]
            timer.cancel()
            assert tail.sessions == 1
    assert messages == ["one", "two"]


def test_a_broken_connection_is_a_network_error_saying_what_to_do(server: LocalServer) -> None:
    client = _client(server)
    _groups(client, "/app/stopping")
    tail = live_tail("/app/stopping", client=client)
    stopper = threading.Timer(0.2, server.stop)  # connections cut mid-stream
    stopper.start()
    ends = threading.Timer(15, tail.close)
    ends.start()
    with pytest.raises(NetworkError, match=r"Live Tail stream broke.*start live_tail again"):
        list(tail)
    ends.cancel()
    assert tail._closed and all(not reader.is_alive() for reader in tail._readers)
