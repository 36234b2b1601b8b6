"""The spool against a plain list model: random appends, peeks, acks, overflow and reopening."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging.spool import Spool

MAX_BYTES = 2_000
OVERHEAD = 26


@dataclass
class Model:
    """What the spool should hold: (message, size) oldest first, and its drop counters."""

    policy: str
    events: list[tuple[str, int]] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str, n: int) -> None:
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + n

    def total(self) -> int:
        return sum(size for _, size in self.events)

    def append(self, batch: list[tuple[str, int]]) -> int:
        fitting = [e for e in batch if e[1] <= MAX_BYTES]
        self.drop("too_large", len(batch) - len(fitting))
        if self.policy == "drop_oldest":
            kept: list[tuple[str, int]] = []
            for event in reversed(fitting):
                if sum(s for _, s in kept) + event[1] > MAX_BYTES:
                    break
                kept.insert(0, event)
            self.events.extend(kept)
            dropped = len(fitting) - len(kept)
            while self.total() > MAX_BYTES:
                self.events.pop(0)
                dropped += 1
            self.drop("overflow_oldest", dropped)
        else:
            kept = []
            room = MAX_BYTES - self.total()
            for event in fitting:
                if sum(s for _, s in kept) + event[1] > room:
                    break
                kept.append(event)
            self.events.extend(kept)
            self.drop("overflow_newest", len(fitting) - len(kept))
        return len(kept)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.lists(st.integers(0, 700), max_size=8)),
        st.tuples(st.just("peek_ack"), st.integers(1, 6), st.integers(1, 1_500)),
        st.tuples(st.just("reopen"), st.just(0)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(policy=st.sampled_from(["drop_oldest", "drop_newest", "block"]), ops=operations)
def test_the_spool_behaves_like_its_model(policy: str, ops: list[tuple]) -> None:
    model = Model(policy)
    names = count()
    with tempfile.TemporaryDirectory() as directory:

        def open_spool() -> Spool:
            return Spool.open(
                directory, log_group="/g", log_stream_key="k", max_bytes=MAX_BYTES, overflow=policy
            )

        spool = open_spool()
        dropped_before: dict[str, int] = {}
        try:
            for op, *args in ops:
                if op == "append":
                    batch = [(f"m{next(names)}-" + "x" * n, 0) for n in args[0]]
                    batch = [(m, len(m) + OVERHEAD) for m, _ in batch]
                    stored = spool.append([("s", 1, m) for m, _ in batch])
                    assert stored == model.append(batch)
                elif op == "peek_ack":
                    max_events, max_bytes = args
                    peeked = spool.peek(max_events, max_bytes)
                    expected: list[tuple[str, int]] = []
                    for event in model.events[:max_events]:
                        if expected and sum(s for _, s in expected) + event[1] > max_bytes:
                            break
                        expected.append(event)
                    assert [(e.message, e.size) for e in peeked] == expected
                    acked = peeked[::2]
                    assert spool.ack(e.seq for e in acked) == len(acked)
                    gone = {e.message for e in acked}
                    model.events = [e for e in model.events if e[0] not in gone]
                else:
                    for reason, n in spool.stats().dropped.items():
                        dropped_before[reason] = dropped_before.get(reason, 0) + n
                    spool.close()
                    spool = open_spool()
                    assert spool.stats().adopted == len(model.events)
                assert [(e.message, e.size) for e in spool.peek(10_000, 1 << 30)] == model.events
                assert spool.depth() == len(model.events)
                assert spool.bytes() == model.total() <= MAX_BYTES
            totals = dict(dropped_before)
            for reason, n in spool.stats().dropped.items():
                totals[reason] = totals.get(reason, 0) + n
            assert totals == model.dropped
        finally:
            spool.close()
