"""GetLogEvents / FilterLogEvents iterators: request shapes, paging, end of stream, memory."""

from __future__ import annotations

import gc
import time
import tracemalloc
import weakref
from datetime import datetime, timezone
from typing import Any

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.query import LogEvent, TimeRange, filter_log_events, get_log_events

UTC = timezone.utc
SPAN = TimeRange.from_epoch_millis(1_704_067_200_000, 1_704_070_800_000)
ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/app/a"


def events(*stamps: int) -> list[dict[str, Any]]:
    return [{"timestamp": t, "message": f"m{t}", "ingestionTime": t + 5} for t in stamps]


def test_forward_follows_the_token_until_it_repeats(stubbed: Any) -> None:
    client, stubber = stubbed
    base = {"logGroupName": "/app/a", "logStreamName": "s", "startFromHead": True}
    stubber.add_response(
        "get_log_events",
        {"events": events(1, 2), "nextForwardToken": "f/2", "nextBackwardToken": "b/0"},
        base,
    )
    stubber.add_response(
        "get_log_events",
        {"events": events(3), "nextForwardToken": "f/3", "nextBackwardToken": "b/2"},
        {**base, "nextToken": "f/2"},
    )
    stubber.add_response(
        "get_log_events",
        {"events": [], "nextForwardToken": "f/3", "nextBackwardToken": "b/3"},
        {**base, "nextToken": "f/3"},
    )
    got = list(get_log_events("/app/a", "s", client=client))
    assert [e.message for e in got] == ["m1", "m2", "m3"]
    assert got[0] == LogEvent(
        timestamp=datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC),
        message="m1",
        stream="s",
        ingestion_time=datetime(1970, 1, 1, 0, 0, 0, 6000, tzinfo=UTC),
    )


def test_backward_yields_newest_first_with_the_backward_token(stubbed: Any) -> None:
    client, stubber = stubbed
    base = {
        "logGroupIdentifier": ARN,
        "logStreamName": "s",
        "startFromHead": False,
        "startTime": SPAN.epoch_millis()[0],
        "endTime": SPAN.epoch_millis()[1],
        "limit": 2,
    }
    stubber.add_response(
        "get_log_events",
        {"events": events(3, 4), "nextForwardToken": "f/9", "nextBackwardToken": "b/2"},
        base,
    )
    stubber.add_response(
        "get_log_events",
        {"events": events(1, 2), "nextForwardToken": "f/9", "nextBackwardToken": "b/0"},
        {**base, "nextToken": "b/2"},
    )
    stubber.add_response(
        "get_log_events",
        {"events": [], "nextForwardToken": "f/9", "nextBackwardToken": "b/0"},
        {**base, "nextToken": "b/0"},
    )
    got = get_log_events(
        ARN + ":*", "s", direction="backward", time_range=SPAN, page_size=2, client=client
    )
    assert [e.message for e in got] == ["m4", "m3", "m2", "m1"]


def test_max_events_stops_without_fetching_another_page(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "get_log_events",
        {"events": events(1, 2, 3), "nextForwardToken": "f/3"},
        {"logGroupName": "/app/a", "logStreamName": "s", "startFromHead": True, "limit": 3},
    )
    assert [e.message for e in get_log_events("/app/a", "s", max_events=3, client=client)] == [
        "m1",
        "m2",
        "m3",
    ]


def test_filter_pages_until_no_next_token(stubbed: Any) -> None:
    client, stubber = stubbed
    base = {
        "logGroupName": "/app/a",
        "filterPattern": "ERROR",
        "logStreamNamePrefix": "web-",
        "startTime": SPAN.epoch_millis()[0],
        "endTime": SPAN.epoch_millis()[1],
    }
    page1 = [{**e, "logStreamName": "web-1", "eventId": "e1"} for e in events(1)]
    stubber.add_response("filter_log_events", {"events": page1, "nextToken": "n1"}, base)
    stubber.add_response("filter_log_events", {"events": events(2)}, {**base, "nextToken": "n1"})
    got = list(
        filter_log_events("/app/a", "ERROR", stream_prefix="web-", time_range=SPAN, client=client)
    )
    assert [(e.message, e.stream, e.event_id) for e in got] == [
        ("m1", "web-1", "e1"),
        ("m2", None, None),
    ]


def test_filter_by_stream_names_and_max_events(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "filter_log_events",
        {"events": events(1, 2), "nextToken": "n1"},
        {"logGroupName": "/app/a", "logStreamNames": ["a", "b"], "limit": 2},
    )
    got = filter_log_events("/app/a", stream_names=["a", "b"], max_events=2, client=client)
    assert len(list(got)) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stream_names": ["a"], "stream_prefix": "a"}, "not both"),
        ({"stream_names": [f"s{i}" for i in range(101)]}, "1-100 streams"),
        ({"stream_names": []}, "1-100 streams"),
        ({"stream_names": ["bad:name"]}, "invalid log stream name"),
        ({"pattern": "x" * 1025}, "exceeds the limit of 1024"),
        ({"max_events": 0}, "max_events=0 is invalid: use an integer >= 1"),
        ({"page_size": -1}, "page_size=-1 is invalid: use an integer >= 1"),
    ],
)
def test_filter_arguments_are_checked_before_sending(
    stubbed: Any, kwargs: dict[str, Any], message: str
) -> None:
    client, _ = stubbed
    with pytest.raises(ConfigurationError, match=message):
        filter_log_events("/app/a", client=client, **kwargs)


def test_unknown_direction_is_refused(stubbed: Any) -> None:
    client, _ = stubbed
    with pytest.raises(ConfigurationError, match="direction"):
        get_log_events("/app/a", "s", direction="sideways", client=client)  # type: ignore[arg-type]


class Page(list[dict[str, Any]]):
    """A list that can be weakly referenced, to see when the iterator lets a page go."""


class LazyPagingClient:
    """Answers 100 pages of 1,000 events each, built only when asked for."""

    PAGES = 100
    PER_PAGE = 1_000

    def __init__(self) -> None:
        self.alive: list[weakref.ref[Page]] = []
        self.calls = 0

    def _page(self, token: str | None) -> tuple[Page, int]:
        self.calls += 1
        number = int(token) if token else 0
        page = Page(
            {"timestamp": number * self.PER_PAGE + i, "message": f"event {number}-{i} " + "x" * 80}
            for i in range(self.PER_PAGE)
        )
        self.alive.append(weakref.ref(page))
        return page, number

    def live_pages(self) -> int:
        return sum(ref() is not None for ref in self.alive)

    def filter_log_events(self, **params: Any) -> dict[str, Any]:
        page, number = self._page(params.get("nextToken"))
        more = number + 1 < self.PAGES
        return {"events": page, **({"nextToken": str(number + 1)} if more else {})}

    def get_log_events(self, **params: Any) -> dict[str, Any]:
        token = params.get("nextToken")
        if token == str(self.PAGES):
            self.calls += 1
            return {"events": [], "nextForwardToken": token}
        page, number = self._page(token)
        return {"events": page, "nextForwardToken": str(number + 1)}


@pytest.mark.parametrize("operation", ["filter", "get"])
def test_a_100k_event_result_streams_in_constant_memory(operation: str) -> None:
    client = LazyPagingClient()
    gc.collect()
    tracemalloc.start()
    try:
        if operation == "filter":
            iterator = filter_log_events("/app/a", client=client)
        else:
            iterator = get_log_events("/app/a", "s", client=client)
        assert client.calls == 0  # nothing is fetched before the first event is asked for
        count = 0
        most_pages = 0
        for count, _event in enumerate(iterator, start=1):
            if count % 500 == 0:
                most_pages = max(most_pages, client.live_pages())
                assert client.calls <= count // LazyPagingClient.PER_PAGE + 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert most_pages <= 2  # the page being read, at most the one before it
    # 100k events held at once would take ~20 MB; one or two pages take well under 2 MB
    assert peak < 2 * 1024 * 1024, peak


def test_iterating_against_moto_forward_and_backward(logs_client: Any) -> None:
    now_ms = int(time.time() * 1000)
    logs_client.create_log_group(logGroupName="/app/a")
    logs_client.create_log_stream(logGroupName="/app/a", logStreamName="s")
    logs_client.put_log_events(
        logGroupName="/app/a",
        logStreamName="s",
        logEvents=[{"timestamp": now_ms - 100 + i, "message": f"m{i:02d}"} for i in range(25)],
    )
    forward = [e.message for e in get_log_events("/app/a", "s", page_size=10, client=logs_client)]
    assert forward == [f"m{i:02d}" for i in range(25)]
    backward = get_log_events("/app/a", "s", page_size=10, direction="backward", client=logs_client)
    assert [e.message for e in backward] == [f"m{i:02d}" for i in reversed(range(25))]
    filtered = filter_log_events("/app/a", page_size=7, client=logs_client)
    assert [(e.message, e.stream) for e in filtered][:2] == [("m00", "s"), ("m01", "s")]
