"""Delivery through the durable spool: records are committed to disk on a short interval (also
while a call hangs, from a second thread), then sent oldest first and acknowledged once settled.

Imported only when a handler has ``spool_dir``, so that SQLite is loaded only then.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .._limits import EVENT_OVERHEAD_BYTES
from .._options import Clock, Overflow
from ..spool import Spool, SpooledEvent
from ._columns import EventColumns
from ._threads import SENDER_THREADS, block_async_signals, start_daemon

if TYPE_CHECKING:
    from ._sender import Sender

__all__ = ["SpoolPump"]


class SpoolPump:
    """Moves records from the memory queue into the spool, and from the spool to the service.

    ``committed`` counts the records of the sender's queue that are on disk (or settled); once
    the spool is empty, all of them are settled.
    """

    def __init__(self, sender: Sender, clock: Clock) -> None:
        settings = self.settings = sender.settings
        self._sender = sender
        self._clock = clock
        self.spool = self._open()
        self.release_when_idle = False  # the process is ending: leave no empty file behind
        self.committed = sender.drained
        self.caught_up = False  # True once the backlog (ours and adopted) is sent
        self.next_commit = clock() + settings.spool_commit_interval
        self._unspooled: list[dict[str, Any]] = []
        self._commit_lock = threading.RLock()
        self._finished = threading.Event()
        sender.deadline.tick = self.commit_if_due
        # None when the interpreter is shutting down: the sender then commits on its own
        self._committer = start_daemon(self._keep_committing, "spool", settings.log_group)

    def _open(self) -> Spool:
        settings = self.settings
        assert settings.spool_dir is not None, "a spool pump needs spool_dir"
        return Spool.open(
            settings.spool_dir,
            log_group=settings.log_group,
            log_stream_key=settings.log_stream,
            max_bytes=settings.spool_max_bytes,
            overflow=settings.spool_overflow,
            reporter=self._sender.reporter,
        )

    # -- committing ----------------------------------------------------------------------------

    def commit(self) -> None:
        """Move everything queued in memory into the spool (formatted, one transaction a chunk).

        Records whose commit fails are kept and committed with the next chunk.
        """
        sender = self._sender
        with self._commit_lock:
            self.next_commit = self._clock() + self.settings.spool_commit_interval
            if self.settings.spool_overflow is Overflow.BLOCK and self.spool.free_bytes() <= 0:
                return  # back-pressure: the memory queue fills and its own 'block' waits
            while True:
                snapshots = self._unspooled or sender.drain_chunk()
                if not snapshots:
                    return
                self._unspooled = snapshots
                if self.spool.closed:  # released while idle; records came after all
                    self.spool = self._open()
                rows = [
                    (stream, timestamp, message)
                    for stream, events in sender.planner.events(snapshots).items()
                    for timestamp, message in zip(events.timestamps, events.messages, strict=True)
                ]
                self.spool.append(rows)
                self._unspooled = []
                sender.queue.set_held(0)  # on disk now
                self.committed += len(snapshots)

    def commit_if_due(self) -> float:
        """Commit when the interval has passed; return when the next commit is due."""
        if self._clock() >= self.next_commit:
            try:
                self.commit()
            except Exception as exc:  # kept in memory; the next commit tries again
                self._sender.reporter.report(
                    "internal_error", f"unexpected error spooling (will retry): {exc!r}"
                )
        return self.next_commit

    def _keep_committing(self) -> None:
        """Commit on time while the sender thread is held up in a call (a hung endpoint)."""
        ident = threading.get_ident()
        SENDER_THREADS.add(ident)
        block_async_signals()
        try:
            interval = self.settings.spool_commit_interval
            while not self._finished.wait(interval):
                self.commit_if_due()
        finally:
            SENDER_THREADS.discard(ident)

    # -- sending -------------------------------------------------------------------------------

    def send(self) -> None:
        """Send the spool oldest first, acknowledging what is settled, until empty or deadline."""
        settings = self.settings
        spool = self.spool
        sender = self._sender
        while not sender.deadline.expired():
            self.commit_if_due()
            spool = self.spool
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
            if spool.depth() != 0 or self._unspooled:
                return
            self.caught_up = True
            sender.progress.settle_to(self.committed)
            if self.release_when_idle and len(sender.queue) == 0:
                spool.close()  # empty: deleted; a record that still comes opens a new one

    def _deliver(self, stream: str, group: list[SpooledEvent]) -> bool:
        events = EventColumns(
            [event.timestamp for event in group],
            [event.message for event in group],
            [event.size - EVENT_OVERHEAD_BYTES for event in group],
        )
        batches = self._sender.planner.pack(events)
        return all(self._sender.putter.deliver(stream, batch) == 0 for batch in batches)

    # -- the end -------------------------------------------------------------------------------

    def finish(self) -> None:
        """Stop the committer, commit what is still in memory (it waits on disk for the next
        process) and close the spool."""
        self._finished.set()
        if self._committer is not None:
            self._committer.join()  # it must not append to a closed spool
        try:
            self.commit()
        except Exception as exc:
            left = len(self._unspooled) + len(self._sender.queue)
            self._sender.counters.drop("close_timeout", left)
            self._sender.reporter.report(
                "internal_error", f"could not spool {left} records at close: {exc!r}"
            )
        self.spool.close()
