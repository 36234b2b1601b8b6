"""The background sender: one thread per handler that formats, batches and delivers records.

The thread waits on the handler's queue (flush interval, a full batch, ``flush()`` or
``close()``), drains it in chunks and hands them to the planner and the putter, or, with a
spool, to the spool pump. Problems are written to stderr (rate limited), never through logging.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._options import Clock
from .._resilience import RateLimitedReporter
from ._deadline import Deadline
from ._emf import write_emf_line
from ._planner import Planner
from ._progress import Progress
from ._putter import Putter
from ._queue import BoundedQueue
from ._settings import DeliverySettings
from ._stats import DeliveryCounters, HandlerStats
from ._threads import SENDER_THREADS, block_async_signals, start_daemon
from .transport import TransportProvider

if TYPE_CHECKING:
    from ._spooling import SpoolPump

__all__ = ["Sender"]


class Sender:
    """Delivers the records of one handler's queue from one background thread.

    ``format_record`` turns a queued record into the event message (the one thing the sender
    asks of the handler); the transport comes from ``transports`` the first time the service is
    needed, on the sender thread.
    """

    def __init__(
        self,
        settings: DeliverySettings,
        queue: BoundedQueue[logging.LogRecord],
        *,
        transports: TransportProvider,
        format_record: Callable[[logging.LogRecord], str],
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.counters = DeliveryCounters()
        self.reporter = RateLimitedReporter(settings.retry.report_interval)
        self.deadline = Deadline(clock)
        self.progress = Progress(queue.total_drained, clock)
        self.planner = Planner(settings, format_record, self.counters, self.reporter)
        self.putter = Putter(
            settings, transports, self.counters, self.reporter, self.deadline.pause, clock
        )
        self.pump: SpoolPump | None = None
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._queue_drops_seen: dict[str, int] = {}

    # -- control (any thread) ------------------------------------------------------------------

    def start(self) -> bool:
        """Start the thread unless it runs already; return False if it cannot be started."""
        with self._start_lock:
            if self._thread is not None:
                return True
            # None when the interpreter is shutting down: close() then sends synchronously
            self._thread = start_daemon(self._run_in_thread, "sender", self.settings.log_group)
            return self._thread is not None

    @property
    def started(self) -> bool:
        """True once the thread was started (it may have finished since)."""
        return self._thread is not None

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self.deadline.at is not None

    @property
    def caught_up(self) -> bool:
        """True when nothing a previous process left in the spool is waiting to be sent."""
        return self.settings.spool_dir is None or (self.pump is not None and self.pump.caught_up)

    def done_count(self) -> int:
        """Records accepted by the queue that are delivered, dropped or otherwise accounted for."""
        queue = self.queue
        return self.progress.settled + queue.total_evicted + queue.total_cleared

    def wait_done(self, mark: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until :meth:`done_count` reaches ``mark``."""
        self.queue.wake()
        return self.progress.wait_for(
            lambda: self.done_count() >= mark and self.caught_up, timeout, lambda: self.alive
        )

    def stop(self, deadline: float) -> None:
        """Deliver what is queued, then end the thread; give up at ``deadline`` (clock time)."""
        self.deadline.set(deadline)
        self.queue.wake()

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the thread to end; return True if it did."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(max(timeout, 0.0))
        return not thread.is_alive()

    def run_here(self) -> None:
        """Run the delivery loop on the calling thread until stopped (used when no thread runs)."""
        self._run()

    def abandon(self) -> None:
        """Give up now: count what is queued or in flight as dropped (``close_timeout``).

        For a sender still stuck in a call when ``close()`` must return; whatever that call
        achieves later is no longer counted. Records already committed to the spool are on disk:
        the next process sends them.
        """
        spooled = self.pump.spooled_records if self.pump is not None else 0
        in_flight = self.progress.abandon(self.queue.total_drained) - spooled
        left = self.queue.clear()
        self.counters.drop("close_timeout", left + max(in_flight, 0))
        self.counters.freeze()

    # -- the thread ----------------------------------------------------------------------------

    def _run_in_thread(self) -> None:
        block_async_signals()
        self._run()

    def _run(self) -> None:
        ident = threading.get_ident()
        SENDER_THREADS.add(ident)
        try:
            self._loop()
        except BaseException as exc:  # never let the thread die silently
            self.reporter.report("sender_crash", f"sender thread stopped: {exc!r}")
            raise
        finally:
            SENDER_THREADS.discard(ident)
            self.progress.settle(0)

    def _loop(self) -> None:
        settings = self.settings
        pump = self._open_spool()
        clock = self._clock
        interval = settings.flush_interval
        next_flush = clock() if pump is not None and pump.spool.depth() else clock() + interval
        next_metrics = clock() + (settings.metrics_interval or 0.0)
        next_adopt = clock() + settings.adopt_interval
        while True:
            send_now = True
            if not self.stopping:
                now = clock()
                wake_at = next_flush
                if pump is not None:
                    wake_at = min(wake_at, pump.next_commit)
                if settings.metrics_interval is not None:
                    wake_at = min(wake_at, next_metrics)
                signalled = wake_at > now and self.queue.wait(wake_at - now)
                send_now = signalled or wake_at >= next_flush or clock() >= next_flush
                if send_now:
                    next_flush = clock() + interval
            if pump is None:
                if send_now:
                    self._cycle()
            else:
                pump.commit(self.queue.items_for_bytes(settings.chunk_bytes))
                if send_now or not pump.caught_up:
                    pump.send()
                if clock() >= next_adopt:
                    next_adopt = clock() + settings.adopt_interval
                    if pump.spool.adopt_orphans():
                        next_flush = clock()
            if settings.metrics_interval is not None and clock() >= next_metrics:
                next_metrics = clock() + settings.metrics_interval
                self._emit_metrics()
            self._report_queue_drops()
            if self.stopping and (self._all_sent() or self.deadline.expired()):
                break
        self._finish()

    def _open_spool(self) -> SpoolPump | None:
        """Open the spool (adopting what dead processes left) on the sender thread."""
        if self.settings.spool_dir is None:
            return None
        from ._spooling import SpoolPump

        self.pump = SpoolPump(
            self.settings,
            self.queue,
            self.planner,
            self.putter,
            self.progress,
            self.deadline,
            self.counters,
            self.reporter,
            self._clock,
        )
        return self.pump

    def _cycle(self) -> None:
        """Drain and deliver chunk by chunk until the queue is empty or the deadline passed."""
        queue = self.queue
        while not self.deadline.expired():
            records = queue.drain(queue.items_for_bytes(self.settings.chunk_bytes))
            if not records:
                return
            try:
                self._deliver(records)
            except Exception as exc:  # a bug must cost these records, not the thread
                self.counters.drop("internal_error", len(records))
                self.reporter.report("internal_error", f"unexpected error while sending: {exc!r}")
            finally:
                self.progress.settle(len(records))

    def _deliver(self, records: list[logging.LogRecord]) -> None:
        jobs = self.planner.batches(records)
        for index, (stream, batch) in enumerate(jobs):
            left = self.putter.deliver(stream, batch)
            if left:
                rest = sum(len(events) for _, events in jobs[index + 1 :])
                self.counters.drop("close_timeout", left + rest)
                return

    def _all_sent(self) -> bool:
        pump = self.pump
        return len(self.queue) == 0 and (pump is None or pump.spool.depth() == 0)

    def _finish(self) -> None:
        if self.pump is None:
            self.counters.drop("close_timeout", self.queue.clear())
        else:
            self.pump.finish()
        self.progress.settle(0)

    # -- reporting -----------------------------------------------------------------------------

    def stats(self) -> HandlerStats:
        """Return the delivery counters and the state of the queue, breaker and spool."""
        queue = self.queue
        counters = self.counters
        dropped = queue.dropped()
        for reason, count in counters.dropped_copy().items():
            dropped[reason] = dropped.get(reason, 0) + count
        accepted = queue.total_put
        oldest_record = queue.oldest()
        oldest = None if oldest_record is None else max(time.time() - oldest_record.created, 0.0)
        spool_stats = self.pump.spool.stats() if self.pump is not None else None
        if spool_stats is not None:
            for reason, count in spool_stats.dropped.items():
                dropped[f"spool_{reason}"] = count
            if spool_stats.oldest_timestamp is not None:
                spooled_age = max(time.time() - spool_stats.oldest_timestamp / 1000.0, 0.0)
                oldest = max(oldest or 0.0, spooled_age)
        return {
            "queued": len(queue),
            "queued_bytes": queue.bytes,
            "accepted": accepted,
            "in_flight": max(accepted - len(queue) - self.done_count(), 0),
            "sent": counters.sent,
            "batches": counters.batches,
            "retried": counters.retried,
            "rejected": counters.rejected_copy(),
            "dropped": dropped,
            "format_errors": counters.format_errors,
            "truncated": counters.truncated,
            "split": counters.split,
            "repaired": counters.repaired,
            "groups_created": counters.groups_created,
            "streams_created": counters.streams_created,
            "internal_skipped": counters.internal_skipped,
            "last_error": counters.last_error,
            "last_error_time": counters.last_error_time,
            "breaker": self.putter.breaker.state,
            "closed": self.stopping,
            "spool_depth": spool_stats.depth if spool_stats else 0,
            "spool_bytes": spool_stats.bytes if spool_stats else 0,
            "spool_adopted": spool_stats.adopted if spool_stats else 0,
            "spool_path": spool_stats.path if spool_stats else None,
            "oldest_unsent_age": oldest,
        }

    def _emit_metrics(self) -> None:
        try:
            write_emf_line(self.stats(), log_group=self.settings.log_group)
        except Exception as exc:
            self.reporter.report("metrics", f"could not emit the metrics line: {exc!r}")

    def _report_queue_drops(self) -> None:
        dropped = self.queue.dropped()
        seen = self._queue_drops_seen
        for reason, total in dropped.items():
            new = total - seen.get(reason, 0)
            if new > 0:
                self.reporter.report(
                    f"queue:{reason}",
                    f"dropped {new} records ({reason}): the queue of "
                    f"{self.queue.max_bytes} bytes was full; raise max_queue_bytes or check "
                    "why delivery is slow (see stats())",
                )
        self._queue_drops_seen = dropped
