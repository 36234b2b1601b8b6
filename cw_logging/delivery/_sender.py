"""The background sender: one thread per handler that formats, batches and delivers records.

The thread wakes when a few hundred records are queued (so records die young), on the flush
interval, on ``flush()`` and at close. It drains the queue in chunks and formats each chunk at
once; without a spool the events wait, as text, until a batch is full (across drains) or the
interval ends; with a spool the spool pump commits them to disk. The sender never gives up on a
record because of an error of its own or of the service, other than the service refusing it as
invalid: it reports (rate limited, on stderr, never through logging), backs off and tries again
until the record is delivered or the close deadline passes.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from .._limits import EVENT_OVERHEAD_BYTES
from .._options import Clock
from .._resilience import Backoff, RateLimitedReporter
from ._columns import EventColumns
from ._deadline import Deadline
from ._emf import write_emf_line
from ._pending import PendingEvents, events_memory
from ._planner import FormatRecord, Planner
from ._progress import Progress
from ._putter import Putter
from ._queue import BoundedQueue
from ._sender_stats import sender_stats
from ._settings import DeliverySettings
from ._stats import DeliveryCounters, HandlerStats
from ._threads import SENDER_THREADS, block_async_signals, start_daemon
from .transport import TransportProvider

if TYPE_CHECKING:
    from ._spooling import SpoolPump

__all__ = ["Sender"]

Snapshot = dict[str, Any]


class Sender:
    """Delivers the records of one handler's queue from one background thread.

    ``format_record`` turns a record into the event message (the one thing the sender asks of
    the handler); the transport comes from ``transports`` the first time the service is needed,
    on the sender thread.
    """

    def __init__(
        self,
        settings: DeliverySettings,
        queue: BoundedQueue[Snapshot],
        *,
        transports: TransportProvider,
        format_record: FormatRecord,
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
        self.pending = PendingEvents(settings.max_batch_events, settings.max_batch_bytes)
        self.pump: SpoolPump | None = None
        self.drained = queue.total_drained  # records this sender took from the queue
        self._retry_backoff = Backoff(settings.retry.base_delay, settings.retry.max_delay)
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._flush_requested = threading.Event()
        self._queue_drops_seen: dict[str, int] = {}
        self._unformatted: list[Snapshot] = []
        self._urgent = False

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

    def request_flush(self) -> None:
        """Make the sender deliver everything it holds now, partial batches included."""
        self._flush_requested.set()
        self.queue.wake()

    def hurry(self) -> None:
        """From now on deliver every record as soon as it is logged (the process is ending)."""
        self._urgent = True
        if self.pump is not None:
            self.pump.release_when_idle = True
        self.queue.wake_at_most(1)
        self.request_flush()

    def wait_done(self, mark: int, timeout: float) -> bool:
        """Ask for a flush and wait up to ``timeout`` seconds until :meth:`done_count` reaches
        ``mark``."""
        self.request_flush()
        return self.progress.wait_for(
            lambda: self.done_count() >= mark and self.caught_up, timeout, lambda: self.alive
        )

    def stop(self, deadline: float) -> None:
        """Deliver what is queued, then end the thread; give up at ``deadline`` (clock time)."""
        self.deadline.set(deadline)
        self.request_flush()

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

    def abandon(self) -> int:
        """Give up now: count what is queued or in flight as dropped (``close_timeout``); return
        how many records that was.

        For a sender still stuck in a call when ``close()`` must return; whatever that call
        achieves later is no longer counted. Records already committed to the spool are on disk:
        the next process sends them.
        """
        kept = self.pump.committed if self.pump is not None else self.progress.settled
        in_flight = max(self.drained - kept, 0)
        self.progress.abandon(self.drained)
        left = self.queue.clear()
        self.counters.drop("close_timeout", left + in_flight)
        self.counters.freeze()
        return left + in_flight

    def losses(self) -> int:
        """Records given up so far, for every reason (queue full, refused, deadline, ...)."""
        return sum(self.queue.dropped().values()) + self.counters.losses()

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
        next_flush = clock() + interval
        next_metrics = clock() + (settings.metrics_interval or 0.0)
        next_adopt = clock() + settings.adopt_interval
        failures = 0
        while True:
            if not self.stopping:
                now = clock()
                wake_at = next_flush
                if pump is not None:
                    wake_at = min(wake_at, pump.next_commit)
                if settings.metrics_interval is not None:
                    wake_at = min(wake_at, next_metrics)
                if wake_at > now and not self._flush_requested.is_set():
                    self.queue.wait(wake_at - now)
            everything = (
                self._urgent
                or self._flush_requested.is_set()
                or self.stopping
                or clock() >= next_flush
            )
            if everything:
                self._flush_requested.clear()
                next_flush = clock() + interval
            try:
                if pump is None:
                    self._cycle(everything)
                else:
                    pump.commit()
                    if everything or not pump.caught_up:
                        pump.send()
                    if clock() >= next_adopt:
                        next_adopt = clock() + settings.adopt_interval
                        if pump.spool.adopt_orphans():
                            self._flush_requested.set()
                failures = 0
            except Exception as exc:  # a bug of ours: keep the records, report, back off
                failures += 1
                self.reporter.report(
                    "internal_error", f"unexpected error while sending (will retry): {exc!r}"
                )
                self.deadline.pause(self._retry_backoff.delay(failures))
                self._flush_requested.set()
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

        self.pump = SpoolPump(self, self._clock)
        return self.pump

    def drain_chunk(self) -> list[Snapshot]:
        """Take the next chunk of records from the queue (at most ``chunk_bytes``' worth)."""
        queue = self.queue
        snapshots = queue.drain(queue.items_for_bytes(self.settings.chunk_bytes), hold=True)
        self.drained += len(snapshots)
        return snapshots

    def _cycle(self, everything: bool) -> None:
        """Drain and format chunk by chunk what is queued now; send full batches at once, and
        the rest too when ``everything`` (flush, interval, close)."""
        budget = len(self.queue)  # a busy logger must not keep this loop from the flush below
        while not self.deadline.expired():
            snapshots = self._unformatted or self.drain_chunk()
            self._unformatted = snapshots  # kept for another try if formatting them fails
            for stream, events in self.planner.events(snapshots).items():
                self.pending.add(stream, events)
            self._unformatted = []
            self.queue.set_held(self.pending.memory)
            budget -= len(snapshots)
            # what waits for a full batch must leave most of the memory bound to the queue
            pressed = self.pending.memory * 4 >= self.queue.max_bytes
            if (pressed or self.pending.has_full_batch()) and not self._send(everything=pressed):
                self.progress.settle_to(self.drained)  # the rest was counted as dropped
                return
            if not snapshots or budget <= 0:
                break
        if everything:
            self._send(everything=True)
            self.progress.settle_to(self.drained)
        # a full batch need not wait for the interval; a process that is ending, for nothing
        self.queue.wake_at_most(1 if self._urgent else self.pending.room())

    def _send(self, *, everything: bool) -> bool:
        """Send what is due; False when the deadline left events unsent (counted as dropped).

        On an unexpected error the unsent events go back to the pending ones, for a retry.
        """
        work: list[tuple[str, EventColumns]] = []
        work_memory = 0
        for stream, events in self.pending.take(everything):
            batches = self.planner.pack(events)
            work_memory += events_memory(len(events), events.service_bytes)
            if not everything and not self._is_full(batches[-1]):
                last = batches.pop()
                self.pending.put_back(stream, last)
                work_memory -= events_memory(len(last), last.service_bytes)
            work.extend((stream, batch) for batch in batches)
        work_events = waiting = sum(len(batch) for _, batch in work)
        for index, (stream, batch) in enumerate(work):
            self.queue.set_held(self.pending.memory + work_memory * waiting // max(work_events, 1))
            waiting -= len(batch)
            try:
                left = self.putter.deliver(stream, batch)
            except Exception:  # a bug of ours or a broken transport: keep them for a retry
                for unsent_stream, unsent in work[index:]:
                    self.pending.put_back(unsent_stream, unsent)
                raise
            if left:
                rest = sum(len(events) for _, events in work[index + 1 :])
                self.counters.drop("close_timeout", left + rest + self.pending.clear())
                self.queue.set_held(0)
                return False
        self.queue.set_held(self.pending.memory)
        return True

    def _is_full(self, batch: EventColumns) -> bool:
        settings = self.settings
        if len(batch) >= settings.max_batch_events:
            return True
        return batch.service_bytes + EVENT_OVERHEAD_BYTES + 1 > settings.max_batch_bytes

    def _all_sent(self) -> bool:
        pump = self.pump
        if pump is not None:
            return len(self.queue) == 0 and pump.spool.depth() == 0
        return len(self.queue) == 0 and self.pending.count == 0 and not self._unformatted

    def _finish(self) -> None:
        if self.pump is None:
            left = self.queue.clear() + self.pending.clear() + len(self._unformatted)
            self.counters.drop("close_timeout", left)
            self.queue.set_held(0)
        else:
            self.pump.finish()
        self.progress.settle(0)

    # -- reporting -----------------------------------------------------------------------------

    def stats(self) -> HandlerStats:
        """Return the delivery counters and the state of the queue, breaker and spool."""
        return sender_stats(self)

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
