"""Property tests: whatever the input, every planned batch is one the service accepts.

``cw_logging._limits.batch_violations`` is the independent oracle for the service's rules; the
expected content of each event is rebuilt here from the input alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_SPAN_MS,
    InputLogEvent,
    batch_violations,
)
from cw_logging._options import Oversize
from cw_logging.delivery._batching import (
    EMPTY_MESSAGE_PLACEHOLDER,
    BatchPlan,
    build_batches,
)

HOUR_MS = 3600 * 1000
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
ANY_CHAR = st.characters(codec=None, exclude_categories=())
MULTI_BYTE = st.sampled_from(["é", "€", "😀", "\u0800", "\U0010ffff", "a"])

messages = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.text(alphabet=st.one_of(ANY_CHAR, SURROGATES), max_size=60),
    st.builds(lambda c, n: c * n, MULTI_BYTE, st.integers(1, 3_000)),
    st.builds(
        lambda parts: "".join(parts),
        st.lists(st.one_of(MULTI_BYTE, SURROGATES, st.text(max_size=5)), max_size=400),
    ),
)
timestamps = st.one_of(
    st.integers(0, 10),  # ties keep their input order
    st.integers(0, 3 * 24 * HOUR_MS),  # spreads beyond 24 h
    st.sampled_from([0, MAX_BATCH_SPAN_MS, MAX_BATCH_SPAN_MS + 1]),  # the span's edge
)
events = st.lists(
    st.builds(lambda t, m: {"timestamp": t, "message": m}, timestamps, messages), max_size=60
)


@dataclass
class Limits:
    max_events: int
    max_bytes: int
    max_event_bytes: int
    oversize: Oversize

    @property
    def event_limit(self) -> int:
        return min(self.max_event_bytes, self.max_bytes - EVENT_OVERHEAD_BYTES)


limits = st.builds(
    Limits,
    max_events=st.integers(1, 25),
    max_bytes=st.integers(64 + EVENT_OVERHEAD_BYTES, 4_000),
    max_event_bytes=st.integers(64, 2_000),
    oversize=st.sampled_from(list(Oversize)),
)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def expected_text(message: str) -> str:
    """The message as valid text: surrogate pairs joined, lone surrogates U+FFFD, never empty."""
    out: list[str] = []
    index = 0
    while index < len(message):
        code = ord(message[index])
        following = ord(message[index + 1]) if index + 1 < len(message) else 0
        if 0xD800 <= code <= 0xDBFF and 0xDC00 <= following <= 0xDFFF:
            out.append(chr(0x10000 + ((code - 0xD800) << 10) + (following - 0xDC00)))
            index += 2
            continue
        out.append("\ufffd" if 0xD800 <= code <= 0xDFFF else message[index])
        index += 1
    return "".join(out) or EMPTY_MESSAGE_PLACEHOLDER


TRUNCATED = re.compile(r"(?s)(.*)…\[truncated (\d+) bytes\]")
PART = re.compile(r"(?s)\[part (\d+)/(\d+)\] (.*)")


def plan_for(inputs: list[InputLogEvent], lim: Limits) -> BatchPlan:
    return build_batches(
        inputs,
        max_events=lim.max_events,
        max_bytes=lim.max_bytes,
        max_event_bytes=lim.max_event_bytes,
        oversize=lim.oversize,
    )


@settings(max_examples=300, deadline=None)
@given(events, limits)
def test_every_batch_is_acceptable_and_greedy(inputs: list[InputLogEvent], lim: Limits) -> None:
    plan = plan_for(inputs, lim)
    rules = {
        "max_events": lim.max_events,
        "max_bytes": lim.max_bytes,
        "max_event_bytes": lim.event_limit,
    }
    for batch in plan.batches:
        assert batch_violations(batch, **rules) == []
    # Greedy packing: the next batch's first event would have broken a rule of the previous one.
    for previous, following in pairwise(plan.batches):
        assert batch_violations([*previous, following[0]], **rules) != []
    flat = [event for batch in plan.batches for event in batch]
    assert [e["timestamp"] for e in flat] == sorted(e["timestamp"] for e in flat)


@settings(max_examples=300, deadline=None)
@given(events, limits)
def test_no_event_is_lost_and_content_is_preserved(
    inputs: list[InputLogEvent], lim: Limits
) -> None:
    original = [dict(e) for e in inputs]
    plan = plan_for(inputs, lim)
    assert [dict(e) for e in inputs] == original  # inputs untouched

    out = iter([event for batch in plan.batches for event in batch])
    counts = {"truncated": 0, "split": 0, "dropped": 0, "repaired": 0, "empty": 0}
    for source in sorted(inputs, key=lambda e: e["timestamp"]):
        message, timestamp = source["message"], source["timestamp"]
        counts["repaired"] += any(0xD800 <= ord(c) <= 0xDFFF for c in message)
        counts["empty"] += message == ""
        text = expected_text(message)
        if utf8_len(text) <= lim.event_limit:
            assert next(out) == {"timestamp": timestamp, "message": text}
        elif lim.oversize is Oversize.DROP:
            counts["dropped"] += 1
        elif lim.oversize is Oversize.TRUNCATE:
            counts["truncated"] += 1
            event = next(out)
            assert event["timestamp"] == timestamp
            match = TRUNCATED.fullmatch(event["message"])
            assert match is not None
            kept, removed = match.group(1), int(match.group(2))
            assert text.startswith(kept)
            assert removed == utf8_len(text) - utf8_len(kept)
            # Little room is wasted: at most a character and a digit of the marker.
            assert utf8_len(event["message"]) > lim.event_limit - 5
        else:
            counts["split"] += 1
            first = next(out)
            match = PART.fullmatch(first["message"])
            assert match is not None
            assert match.group(1) == "1"
            total = int(match.group(2))
            assert total >= 2
            pieces = [match.group(3)]
            for number in range(2, total + 1):
                part = next(out)
                assert part["timestamp"] == timestamp
                match = PART.fullmatch(part["message"])
                assert match is not None
                assert (int(match.group(1)), int(match.group(2))) == (number, total)
                pieces.append(match.group(3))
            assert "".join(pieces) == text
    assert next(out, None) is None
    assert counts == {
        "truncated": plan.truncated,
        "split": plan.split,
        "dropped": plan.dropped.get("oversize", 0),
        "repaired": plan.repaired,
        "empty": plan.empty,
    }
