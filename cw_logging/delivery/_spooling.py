"""Delivery through the durable spool: records are committed to disk on a short interval (also
while a call hangs, from a second thread), then sent oldest first and acknowledged once settled.

Imported only when a handler has ``spool_dir``, so that SQLite is loaded only then.
"""

from __future__ import annotations

import logging
import threading

from .._limits import EVENT_OVERHEAD_BYTES, InputLogEvent
from .._options import Clock, Overflow
from .._resilience import RateLimitedReporter
from ..spool import Spool, SpooledEvent
from ._deadline import Deadline
from ._planner import Planner
from ._progress import Progress
from ._putter import Putter
from ._queue import BoundedQueue
from ._settings import DeliverySettings
from ._stats import DeliveryCounters
from ._threads import SENDER_THREADS, block_async_signals, start_daemon

__all__ = ["SpoolPump"]


class SpoolPump:
    """Moves records from the memory queue into the spool, and from the spool to the service."""

    def __init__(
        self,
        settings: DeliverySettings,
        queue: BoundedQueue[logging.LogRecord],
        planner: Planner,
        putter: Putter,
        progress: Progress,
        deadline: Deadline,
        counters: DeliveryCounters,
        reporter: RateLimitedReporter,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self._queue = queue
        self._planner = planner
        self._putter = putter
        self._progress = progress
        self._deadline = deadline
        self._counters = counters
        self._reporter = reporter
        self._clock = clock
        assert settings.spool_dir is not None, "a spool pump needs spool_dir"
        self.spool = Spool.open(
            settings.spool_dir,
            log_group=settings.log_group,
            log_stream_key=settings.log_stream,
            max_bytes=settings.spool_max_bytes,
            overflow=settings.spool_overflow,
            reporter=reporter,
        )
        self.spooled_records = 0  # committed to the spool, not yet settled
        self.caught_up = False  # True once the backlog (ours and adopted) is sent
        self.next_commit = clock() + settings.spool_commit_interval
        self._commit_lock = threading.RLock()
        self._finished = threading.Event()
        deadline.tick = self.commit_if_due
        # None when the interpreter is shutting down: the sender then commits on its own
        self._committer = start_daemon(self._keep_committing, "spool", settings.log_group)

    # -- committing ----------------------------------------------------------------------------

    def commit(self, chunk_items: int) -> None:
        """Move everything queued in memory into the spool (formatted, one transaction a chunk)."""
        with self._commit_lock:
            self.next_commit = self._clock() + self.settings.spool_commit_interval
            if self.settings.spool_overflow is Overflow.BLOCK and self.spool.free_bytes() <= 0:
                return  # back-pressure: the memory queue fills and its own 'block' waits
            while True:
                records = self._queue.drain(chunk_items)
                if not records:
                    return
                try:
                    rows = [
                        (stream, event["timestamp"], event["message"])
                        for stream, events in self._planner.events(records).items()
                        for event in events
                    ]
                    self.spool.append(rows)
                except Exception as exc:  # a bug must cost these records, not the thread
                    self._counters.drop("internal_error", len(records))
                    self._progress.settle(len(records))
                    self._reporter.report("internal_error", f"unexpected error spooling: {exc!r}")
                    continue
                self.spooled_records += len(records)

    def commit_if_due(self) -> float:
        """Commit when the interval has passed; return when the next commit is due."""
        if self._clock() >= self.next_commit:
            self.commit(self._chunk_items())
        return self.next_commit

    def _chunk_items(self) -> int:
        return self._queue.items_for_bytes(self.settings.chunk_bytes)

    def _keep_committing(self) -> None:
        """Commit on time while the sender thread is held up in a call (a hung endpoint)."""
        ident = threading.get_ident()
        SENDER_THREADS.add(ident)
        block_async_signals()
        try:
            interval = self.settings.spool_commit_interval
            while not self._finished.wait(interval):
                self.commit_if_due()
        except Exception as exc:  # the sender thread still commits on its own
            self._reporter.report("internal_error", f"spool committer stopped: {exc!r}")
        finally:
            SENDER_THREADS.discard(ident)

    # -- sending -------------------------------------------------------------------------------

    def send(self) -> None:
        """Send the spool oldest first, acknowledging what is settled, until empty or deadline."""
        settings = self.settings
        spool = self.spool
        while not self._deadline.expired():
            self.commit_if_due()
            events = spool.peek(settings.max_batch_events, settings.max_batch_bytes)
            if not events:
                break
            by_stream: dict[str, list[SpooledEvent]] = {}
            for event in events:
                by_stream.setdefault(event.stream, []).append(event)
            for stream, group in by_stream.items():
                if not self._deliver(stream, group):
                    return
                spool.ack(event.seq for event in group)
        with self._commit_lock:  # no commit between the depth check and the settling
            if spool.depth() != 0:
                return
            self.caught_up = True
            settled, self.spooled_records = self.spooled_records, 0
        self._progress.settle(settled)

    def _deliver(self, stream: str, group: list[SpooledEvent]) -> bool:
        events: list[InputLogEvent] = [
            {"timestamp": event.timestamp, "message": event.message} for event in group
        ]
        sizes = [event.size - EVENT_OVERHEAD_BYTES for event in group]
        batches = self._planner.pack(events, sizes)
        return all(self._putter.deliver(stream, batch) == 0 for batch in batches)

    # -- the end -------------------------------------------------------------------------------

    def finish(self) -> None:
        """Stop the committer, commit what is still in memory (it waits on disk for the next
        process) and close the spool."""
        self._finished.set()
        if self._committer is not None:
            self._committer.join()  # it must not append to a closed spool
        self.commit(self._chunk_items())
        self.spool.close()
