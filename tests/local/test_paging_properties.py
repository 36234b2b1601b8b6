"""Property tests: paging through GetLogEvents, FilterLogEvents and DescribeLogStreams returns
every item exactly once, in order, whatever the page size."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging.local import LocalEngine
from tests.local.conftest import NOW_S, FakeClock

GROUP = "/paging"
NOW_MS = int(NOW_S * 1000)

OFFSETS = st.lists(st.integers(-5000, 0), min_size=0, max_size=40)
STREAMS = st.dictionaries(st.sampled_from(["a", "b", "c"]), OFFSETS, min_size=1)


def engine_with(streams: dict[str, list[int]]) -> LocalEngine:
    engine = LocalEngine(clock=FakeClock())
    engine.call("CreateLogGroup", {"logGroupName": GROUP})
    for name, offsets in streams.items():
        engine.call("CreateLogStream", {"logGroupName": GROUP, "logStreamName": name})
        for batch in (sorted(offsets[::2]), sorted(offsets[1::2])):  # two uploads, interleaved
            if batch:
                engine.call(
                    "PutLogEvents",
                    {
                        "logGroupName": GROUP,
                        "logStreamName": name,
                        "logEvents": [
                            {"timestamp": NOW_MS + off, "message": f"{name} {off}"} for off in batch
                        ],
                    },
                )
    return engine


@settings(max_examples=60, deadline=None)
@given(offsets=OFFSETS, limit=st.integers(1, 7), from_head=st.booleans())
def test_get_log_events_pages_cover_the_stream(
    offsets: list[int], limit: int, from_head: bool
) -> None:
    engine = engine_with({"a": offsets})
    params: dict[str, Any] = {
        "logGroupName": GROUP,
        "logStreamName": "a",
        "limit": limit,
        "startFromHead": from_head,
    }
    token_name = "nextForwardToken" if from_head else "nextBackwardToken"
    pages: list[list[int]] = []
    while True:
        response = engine.call("GetLogEvents", params)
        assert len(response["events"]) <= limit
        pages.append([e["timestamp"] - NOW_MS for e in response["events"]])
        if response[token_name] == params.get("nextToken"):
            break
        params["nextToken"] = response[token_name]
    if not from_head:
        pages.reverse()
    seen = [ts for page in pages for ts in page]
    assert seen == sorted(offsets)


@settings(max_examples=60, deadline=None)
@given(streams=STREAMS, limit=st.integers(1, 9), ascending=st.booleans())
def test_filter_log_events_pages_equal_one_big_call(
    streams: dict[str, list[int]], limit: int, ascending: bool
) -> None:
    engine = engine_with(streams)
    base = {"logGroupName": GROUP, "startFromHead": ascending}
    whole = engine.call("FilterLogEvents", base)
    assert "nextToken" not in whole
    params: dict[str, Any] = {**base, "limit": limit}
    paged: list[dict[str, Any]] = []
    while True:
        response = engine.call("FilterLogEvents", params)
        paged += response["events"]
        if "nextToken" not in response:
            break
        params["nextToken"] = response["nextToken"]
    assert paged == whole["events"]
    stamps = [e["timestamp"] for e in paged]
    assert stamps == sorted(stamps, reverse=not ascending)
    assert len(paged) == sum(len(offsets) for offsets in streams.values())


@settings(max_examples=40, deadline=None)
@given(count=st.integers(0, 12), limit=st.integers(1, 5), descending=st.booleans(),
       by_time=st.booleans())  # fmt: skip
def test_describe_log_streams_pages_list_each_stream_once(
    count: int, limit: int, descending: bool, by_time: bool
) -> None:
    engine = engine_with({})
    for n in range(count):
        name = f"s{n:02d}"
        engine.call("CreateLogStream", {"logGroupName": GROUP, "logStreamName": name})
        event = {"timestamp": NOW_MS - (n * 7919) % 1000, "message": "x"}
        engine.call(
            "PutLogEvents",
            {"logGroupName": GROUP, "logStreamName": name, "logEvents": [event]},
        )
    params: dict[str, Any] = {"logGroupName": GROUP, "limit": limit, "descending": descending}
    if by_time:
        params["orderBy"] = "LastEventTime"
    names: list[str] = []
    stamps: list[int] = []
    while True:
        response = engine.call("DescribeLogStreams", params)
        names += [s["logStreamName"] for s in response["logStreams"]]
        stamps += [s["lastEventTimestamp"] for s in response["logStreams"]]
        if "nextToken" not in response:
            break
        params["nextToken"] = response["nextToken"]
    assert sorted(names) == [f"s{n:02d}" for n in range(count)]
    ordered = stamps if by_time else names
    assert ordered == sorted(ordered, reverse=descending)
