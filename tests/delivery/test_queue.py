"""Unit and model-based tests of the bounded queue between the logging threads and the sender."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cw_logging._limits import (
    InputLogEvent,
)
from cw_logging._options import Overflow
from cw_logging.delivery._queue import BoundedQueue

WAIT = 10.0  # generous deadline for cross-thread conditions; a healthy run never reaches it
NEVER = 1 << 40  # wake thresholds that are never crossed


def ev(timestamp: int, message: str) -> InputLogEvent:
    return {"timestamp": timestamp, "message": message}


def make_queue(
    max_bytes: int = 100, overflow: str = "drop_oldest", **kwargs: float
) -> BoundedQueue[int]:
    options: dict[str, float] = {"wake_items": NEVER, "wake_bytes": NEVER, **kwargs}
    return BoundedQueue(max_bytes, overflow, **options)  # type: ignore[arg-type]


def accounted(q: BoundedQueue[int]) -> int:
    return q.total_drained + q.total_evicted + q.total_cleared + len(q)


# -- queue basics --------------------------------------------------------------------------------


def test_queue_is_fifo_and_tracks_bytes() -> None:
    q = make_queue(1000)
    for item in range(5):
        assert q.put(item, 10 + item)
    assert len(q) == 5
    assert q.bytes == sum(10 + item for item in range(5))
    assert q.drain(2) == [0, 1]
    assert q.bytes == 12 + 13 + 14
    assert q.drain() == [2, 3, 4]
    assert q.bytes == 0
    assert q.drain() == []
    assert q.total_put == 5
    assert q.total_drained == 5


def test_drop_oldest_evicts_from_the_head_until_the_item_fits() -> None:
    q = make_queue(100, "drop_oldest")
    for item in range(10):
        q.put(item, 10)
    assert q.put(10, 25)  # needs 25 bytes: evicts items 0, 1 and 2
    assert q.drain() == [3, 4, 5, 6, 7, 8, 9, 10]
    assert q.total_evicted == 3
    assert q.dropped() == {"drop_oldest": 3}
    assert q.total_put == 11 == accounted(q)


def test_drop_oldest_evicts_no_more_than_needed() -> None:
    q = make_queue(100, "drop_oldest")
    for item in range(10):
        q.put(item, 10)
    assert q.put(10, 20)  # exactly two items' worth
    assert q.drain() == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert q.total_evicted == 2


def test_drop_newest_refuses_the_new_item() -> None:
    q = make_queue(30, "drop_newest")
    assert [q.put(item, 10) for item in range(5)] == [True, True, True, False, False]
    assert q.drain() == [0, 1, 2]
    assert q.dropped() == {"drop_newest": 2}
    assert q.total_evicted == 0
    assert q.total_put == 3


@pytest.mark.parametrize("overflow", list(Overflow))
def test_an_item_larger_than_the_queue_is_refused_under_every_policy(overflow: Overflow) -> None:
    q = make_queue(50, overflow, block_timeout=0)
    assert q.put(1, 10)
    assert not q.put(2, 51)
    assert q.drain() == [1]
    assert q.dropped() == {"too_large": 1}


def test_dropped_returns_a_copy() -> None:
    q = make_queue(10, "drop_newest")
    q.put(1, 10)
    q.put(2, 10)
    snapshot = q.dropped()
    snapshot["drop_newest"] = 99
    assert q.dropped() == {"drop_newest": 1}


def test_clear_discards_without_counting_drops() -> None:
    q = make_queue(100)
    for item in range(4):
        q.put(item, 10)
    assert q.clear() == 4
    assert len(q) == 0
    assert q.bytes == 0
    assert q.dropped() == {}
    assert q.total_cleared == 4
    assert q.total_put == 4 == accounted(q)
    assert q.put(5, 100)  # all the room is back


# -- consumer signalling -------------------------------------------------------------------------


def test_wait_times_out_when_nothing_crosses_a_threshold() -> None:
    q = BoundedQueue[int](1000, wake_items=3, wake_bytes=NEVER)
    q.put(1, 1)
    q.put(2, 1)
    assert q.wait(0.01) is False


def test_wait_returns_when_the_item_threshold_is_crossed_and_clears_the_signal() -> None:
    q = BoundedQueue[int](1000, wake_items=3, wake_bytes=NEVER)
    for item in range(3):
        q.put(item, 1)
    assert q.wait(WAIT) is True
    q.drain()
    assert q.wait(0) is False


def test_wait_really_waits_after_the_signal_was_consumed() -> None:
    q = make_queue(100)
    q.wake()
    assert q.wait(0) is True
    begin = time.monotonic()
    assert q.wait(0.05) is False  # a consumer must not spin on a stale signal
    assert time.monotonic() - begin >= 0.04


def test_wait_returns_when_the_byte_threshold_is_crossed() -> None:
    q = BoundedQueue[int](1000, wake_items=NEVER, wake_bytes=100)
    q.put(1, 60)
    assert q.wait(0) is False
    q.put(2, 40)
    assert q.wait(WAIT) is True


def test_wait_returns_at_once_while_the_queue_is_still_over_a_threshold() -> None:
    q = BoundedQueue[int](1000, wake_items=2, wake_bytes=NEVER)
    for item in range(6):
        q.put(item, 1)
    assert q.wait(0) is True
    q.drain(2)  # four left, still over the threshold
    assert q.wait(0) is True


def test_wake_releases_a_waiting_consumer_from_another_thread() -> None:
    q = make_queue(100)
    started = threading.Event()
    results: list[tuple[bool, float]] = []

    def consumer() -> None:
        started.set()
        begin = time.monotonic()
        woken = q.wait(WAIT)
        results.append((woken, time.monotonic() - begin))

    thread = threading.Thread(target=consumer)
    thread.start()
    assert started.wait(WAIT)
    q.wake()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert results[0][0] is True
    assert results[0][1] < WAIT / 2


def test_a_wake_before_wait_is_not_lost() -> None:
    q = make_queue(100)
    q.wake()
    assert q.wait(0) is True
    assert q.wait(0) is False


def test_crossing_a_threshold_wakes_a_waiting_consumer() -> None:
    q = BoundedQueue[int](1000, wake_items=5, wake_bytes=NEVER)
    waiting = threading.Event()
    results: list[bool] = []

    def consumer() -> None:
        waiting.set()
        results.append(q.wait(WAIT))

    thread = threading.Thread(target=consumer)
    thread.start()
    assert waiting.wait(WAIT)
    for item in range(5):
        q.put(item, 1)
    thread.join(WAIT)
    assert results == [True]


# -- block policy --------------------------------------------------------------------------------


def _blocked_put(q: BoundedQueue[int], item: int, cost: int) -> tuple[threading.Thread, list[bool]]:
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(q.put(item, cost)))
    thread.start()
    # A producer that finds the queue full signals the consumer while holding the lock and releases
    # the lock only inside its wait, so once wait() returns the producer is blocked.
    assert q.wait(WAIT)
    return thread, results


@pytest.mark.parametrize("release", ["drain", "clear"])
def test_block_waits_for_room_and_is_released_by_the_consumer(release: str) -> None:
    q = make_queue(30, "block", block_timeout=WAIT * 3)
    for item in range(3):
        assert q.put(item, 10)
    thread, results = _blocked_put(q, 99, 10)
    assert thread.is_alive()
    assert results == []
    getattr(q, release)()
    thread.join(WAIT)
    assert results == [True]
    assert q.drain() == [99]
    assert q.dropped() == {}


def test_block_gives_up_after_the_timeout_and_counts_it() -> None:
    q = make_queue(10, "block", block_timeout=0.05)
    assert q.put(1, 10)
    begin = time.monotonic()
    assert not q.put(2, 10)
    assert time.monotonic() - begin >= 0.05
    assert q.dropped() == {"block_timeout": 1}
    assert q.drain() == [1]


def test_block_keeps_waiting_while_a_drain_leaves_too_little_room() -> None:
    q = make_queue(30, "block", block_timeout=WAIT * 3)
    for item in range(3):
        q.put(item, 10)
    thread, results = _blocked_put(q, 99, 20)
    assert q.drain(1) == [0]  # frees 10 bytes: not enough for 20
    thread.join(0.05)
    assert thread.is_alive()
    assert q.drain(1) == [1]
    thread.join(WAIT)
    assert results == [True]
    assert q.drain() == [2, 99]


# -- what the consumer holds ---------------------------------------------------------------------


def test_a_held_drain_keeps_counting_against_the_bound_until_the_consumer_sets_what_it_holds() -> (
    None
):
    q = make_queue(100, "drop_newest")
    for item in range(5):
        q.put(item, 20)
    assert q.drain(2, hold=True) == [0, 1]
    assert (q.bytes, q.held) == (60, 40)
    assert not q.put(5, 20)  # 60 queued + 40 held: full
    q.set_held(10)  # what the consumer made of those two takes 10 bytes
    assert q.put(6, 20) and q.put(7, 10)
    assert not q.put(8, 1)
    assert q.dropped() == {"drop_newest": 2}


def test_a_plain_drain_holds_nothing() -> None:
    q = make_queue(100)
    q.put(1, 60)
    assert q.drain() == [1]
    assert q.held == 0
    assert q.put(2, 100)


def test_drop_oldest_evicts_queued_items_to_make_room_beside_what_is_held() -> None:
    q = make_queue(100, "drop_oldest")
    q.set_held(50)
    for item in range(5):
        assert q.put(item, 10)
    assert q.put(5, 10)  # 50 held + 60 queued: the oldest queued item goes
    assert q.drain() == [1, 2, 3, 4, 5]
    assert q.dropped() == {"drop_oldest": 1}


def test_when_the_held_bytes_leave_no_room_the_newest_item_is_kept_alone() -> None:
    q = make_queue(100, "drop_oldest")
    q.set_held(100)
    assert q.put(1, 10)
    assert q.put(2, 10)
    assert q.drain() == [2]
    assert q.dropped() == {"drop_oldest": 1}
    assert q.total_put == 2 == accounted(q)


def test_block_is_released_when_the_consumer_holds_less() -> None:
    q = make_queue(30, "block", block_timeout=WAIT * 3)
    q.set_held(30)
    thread, results = _blocked_put(q, 99, 10)
    assert results == []
    q.set_held(20)
    thread.join(WAIT)
    assert results == [True]
    assert q.drain() == [99]


def test_reinit_after_fork_forgets_what_the_parent_held() -> None:
    q = make_queue(100)
    q.set_held(70)
    q.reinit_after_fork()
    assert q.held == 0
    assert q.put(1, 100)


# -- fork ----------------------------------------------------------------------------------------


def test_reinit_after_fork_starts_the_child_empty_with_zeroed_counters() -> None:
    q = make_queue(20, "drop_newest")
    q.put(1, 10)
    q.put(2, 10)
    q.put(3, 10)  # refused: counted
    q.drain(1)
    q._bytes = 55  # a parent thread interrupted between the append and the byte update
    q.reinit_after_fork()
    assert (len(q), q.bytes, q.dropped(), q.total_put, q.total_drained) == (0, 0, {}, 0, 0)
    assert q.put(4, 20) and q.drain() == [4]


def _wait_for_child(pid: int) -> int:
    statuses: list[int] = []
    waiter = threading.Thread(target=lambda: statuses.append(os.waitpid(pid, 0)[1]))
    waiter.start()
    waiter.join(WAIT)
    if waiter.is_alive():
        os.kill(pid, signal.SIGKILL)
        waiter.join(WAIT)
        pytest.fail("the forked child hung: the queue's lock was still held after reinit")
    return os.waitstatus_to_exitcode(statuses[0])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_uses_the_queue_although_a_parent_thread_held_the_lock() -> None:
    q = make_queue(100)
    q.put(1, 10)
    holding, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with q._lock:
            holding.set()
            release.wait(WAIT)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert holding.wait(WAIT)
    pid = os.fork()
    if pid == 0:  # child: only this thread exists, the lock is held by a thread that is gone
        code = 1
        try:
            q.reinit_after_fork()  # the parent's item is the parent's to send
            code = 0 if (len(q), q.put(2, 10), q.drain()) == (0, True, [2]) else 2
        finally:
            os._exit(code)
    release.set()
    holder.join(WAIT)
    assert _wait_for_child(pid) == 0


_SIGNAL_PROBE = """
import signal
from cw_logging.delivery._queue import BoundedQueue

q = BoundedQueue(2_000, "drop_oldest", wake_items=50, wake_bytes=1 << 40)
handled = [0, 0]


def log_from_signal_handler(signum, frame):
    accepted = q.put(("signal", handled[0]), 7)
    handled[0] += 1
    handled[1] += accepted
    if handled[0] % 3 == 0:
        q.wake()  # as flush() in a SIGTERM handler does


signal.signal(signal.SIGALRM, log_from_signal_handler)
signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
accepted = 0
for i in range(100_000):
    accepted += q.put(("main", i), 10)
    if i % 1000 == 0:
        q.wait(0)
        q.drain(30)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
assert handled[0] > 10, handled
assert q.total_put == accepted + handled[1]
assert q.total_put == q.total_drained + q.total_evicted + len(q)
slots = list(q._slots)
items, costs = slots[0::2], slots[1::2]
assert all(isinstance(item, tuple) for item in items), "item and cost pairs stay aligned"
assert all(cost == (7 if item[0] == "signal" else 10) for item, cost in zip(items, costs))
assert q.bytes == sum(costs) <= 2_000, (q.bytes, slots)
assert q.dropped()["drop_oldest"] == q.total_evicted
print("ok")
"""


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_a_signal_handler_that_logs_inside_put_neither_deadlocks_nor_breaks_accounting() -> None:
    # In a child process: a deadlock must fail the test, not hang the suite.
    result = subprocess.run(
        [sys.executable, "-c", _SIGNAL_PROBE],
        capture_output=True,
        text=True,
        timeout=WAIT * 6,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("queued", [9, 10], ids=["room", "evicting"])
def test_a_nested_put_that_takes_the_room_just_before_the_append_is_evicted_for(
    queued: int,
) -> None:
    """A signal handler can run between put()'s room check (or eviction) and its append. The
    bound still holds afterwards, the item being put is kept, and every eviction is counted."""
    q: BoundedQueue[tuple[str, int]] = BoundedQueue(100, "drop_oldest")
    for i in range(queued):
        q.put(("old", i), 10)
    append = q._extend
    armed = [True]

    def signal_arrives_then_append(pair: Any) -> None:
        if armed[0]:
            armed[0] = False
            assert q.put(("signal", 0), 7)  # what a handler that logs would do here
        append(pair)

    q._extend = signal_arrives_then_append  # type: ignore[method-assign]
    assert q.put(("main", 0), 10)
    assert q.bytes <= 100
    items = q.drain(100)
    assert items[-1] == ("main", 0) and ("signal", 0) in items
    assert q.total_put == queued + 2 == q.total_drained + q.total_evicted
    assert q.dropped()["drop_oldest"] == q.total_evicted


# -- concurrency ---------------------------------------------------------------------------------

PRODUCERS = 4
PER_PRODUCER = 5_000


def _run_producers_and_consumer(
    q: BoundedQueue[tuple[int, int]], cost: int
) -> tuple[list[list[bool]], list[tuple[int, int]]]:
    barrier = threading.Barrier(PRODUCERS + 1)
    done = threading.Event()
    outcomes: list[list[bool]] = [[] for _ in range(PRODUCERS)]
    received: list[tuple[int, int]] = []

    def produce(index: int) -> None:
        barrier.wait(WAIT)
        record = outcomes[index].append
        for seq in range(PER_PRODUCER):
            record(q.put((index, seq), cost))

    def consume() -> None:
        while True:
            finished = done.is_set()
            q.wait(0.005)
            received.extend(q.drain(500))
            if finished and len(q) == 0:
                return

    producers = [threading.Thread(target=produce, args=(i,)) for i in range(PRODUCERS)]
    consumer = threading.Thread(target=consume)
    for thread in [*producers, consumer]:
        thread.start()
    barrier.wait(WAIT)
    for thread in producers:
        thread.join(WAIT * 3)
    done.set()
    consumer.join(WAIT * 3)
    assert not consumer.is_alive()
    return outcomes, received


def _assert_per_producer_fifo(received: list[tuple[int, int]]) -> None:
    last = [-1] * PRODUCERS
    for producer, seq in received:
        assert seq > last[producer]
        last[producer] = seq


@pytest.mark.parametrize("overflow", ["drop_oldest", "drop_newest"])
def test_concurrent_accounting_is_exact(overflow: str) -> None:
    q = BoundedQueue[tuple[int, int]](2_000, overflow, wake_items=200, wake_bytes=NEVER)
    outcomes, received = _run_producers_and_consumer(q, cost=10)
    accepted = sum(sum(flags) for flags in outcomes)
    refused = PRODUCERS * PER_PRODUCER - accepted
    dropped = q.dropped()
    assert q.total_put == accepted
    assert accepted == len(received) + q.total_evicted
    assert q.total_drained == len(received)
    assert dropped.get("drop_oldest", 0) == q.total_evicted
    assert dropped.get("drop_newest", 0) == refused
    assert len(set(received)) == len(received)
    _assert_per_producer_fifo(received)


def test_concurrent_block_policy_loses_nothing() -> None:
    q = BoundedQueue[tuple[int, int]](
        500, "block", block_timeout=WAIT * 3, wake_items=20, wake_bytes=NEVER
    )
    outcomes, received = _run_producers_and_consumer(q, cost=10)
    assert all(all(flags) for flags in outcomes)
    assert sorted(received) == [(p, s) for p in range(PRODUCERS) for s in range(PER_PRODUCER)]
    _assert_per_producer_fifo(received)
    assert q.dropped() == {}
    assert q.total_put == PRODUCERS * PER_PRODUCER == q.total_drained


# -- model-based ---------------------------------------------------------------------------------


class QueueAgainstModel(RuleBasedStateMachine):
    """Random put/drain/clear sequences behave like a plain list with the documented policies."""

    def __init__(self) -> None:
        super().__init__()
        self.q: BoundedQueue[int] | None = None
        self.model: list[tuple[int, int]] = []
        self.dropped: dict[str, int] = {}
        self.next_item = 0
        self.capacity = 0
        self.policy = Overflow.DROP_OLDEST

    @initialize(capacity=st.integers(1, 40), policy=st.sampled_from(list(Overflow)))
    def create(self, capacity: int, policy: Overflow) -> None:
        self.capacity, self.policy = capacity, policy
        self.q = BoundedQueue(capacity, policy, block_timeout=0, wake_items=4, wake_bytes=NEVER)

    def _count(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    @rule(cost=st.one_of(st.integers(0, 10), st.integers(0, 70)))
    def put(self, cost: int) -> None:
        assert self.q is not None
        item, self.next_item = self.next_item, self.next_item + 1
        used = sum(c for _, c in self.model)
        expected = True
        if cost > self.capacity:
            self._count("too_large")
            expected = False
        elif used + cost > self.capacity:
            if self.policy is Overflow.DROP_OLDEST:
                while used + cost > self.capacity:
                    used -= self.model.pop(0)[1]
                    self._count("drop_oldest")
            else:
                self._count(
                    "drop_newest" if self.policy is Overflow.DROP_NEWEST else "block_timeout"
                )
                expected = False
        if expected:
            self.model.append((item, cost))
        assert self.q.put(item, cost) is expected

    @rule(limit=st.one_of(st.none(), st.integers(0, 8)))
    def drain(self, limit: int | None) -> None:
        assert self.q is not None
        count = len(self.model) if limit is None else min(limit, len(self.model))
        expected = [item for item, _ in self.model[:count]]
        del self.model[:count]
        assert self.q.drain(limit) == expected

    @rule()
    def clear(self) -> None:
        assert self.q is not None
        assert self.q.clear() == len(self.model)
        self.model.clear()

    @invariant()
    def matches_the_model(self) -> None:
        if self.q is None:
            return
        assert len(self.q) == len(self.model)
        assert self.q.bytes == sum(c for _, c in self.model) <= self.capacity
        assert self.q.dropped() == self.dropped
        assert self.q.total_evicted == self.dropped.get("drop_oldest", 0)
        assert self.q.total_put == accounted(self.q)


QueueAgainstModel.TestCase.settings = settings(max_examples=100, deadline=None)
test_queue_against_model = QueueAgainstModel.TestCase
