"""The background sender: one thread per handler that formats, batches and delivers records.

The thread waits on the handler's queue (flush interval, a full batch, ``flush()`` or ``close()``),
drains it in chunks, formats each record, groups the events by stream, builds batches the service
accepts and sends them through the transport. It creates the group and stream when the service
says they are missing, retries retryable failures with jittered backoff behind a circuit breaker,
isolates events the service refuses by bisecting the batch, and counts everything it could not
deliver. Problems are written to stderr (rate limited), never through logging.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .._limits import InputLogEvent
from .._options import Overflow, Oversize
from .._resilience import Backoff, CircuitBreaker, RateLimitedReporter
from ..errors import (
    CloudWatchLogsError,
    EntityTooLargeError,
    InvalidParameterError,
    ResourceNotFoundError,
    from_exception,
    hint_for,
)
from ..spool import DEFAULT_SPOOL_MAX_BYTES, Spool, SpooledEvent
from ._batching import BatchPlan, build_batches
from ._naming import DEFAULT_STREAM_TEMPLATE, StreamNamer
from ._queue import BoundedQueue
from ._threads import SENDER_THREADS as _SENDER_THREADS
from ._threads import block_async_signals, on_sender_thread, sender_thread_idents
from ._threads import start_daemon as _start_daemon
from .transport._transport import PutResult, Transport, ensure_created

__all__ = [
    "RetryPolicy",
    "Sender",
    "SenderSettings",
    "SenderStats",
    "on_sender_thread",
    "sender_thread_idents",
]

Clock = Callable[[], float]


@dataclass(frozen=True)
class RetryPolicy:
    """How the sender waits after failures.

    Retry ``n`` of a batch waits a jittered delay of up to ``min(max_delay, base_delay * 2**n)``
    (longer when the service asks for it). ``failure_threshold`` consecutive failures open the
    circuit breaker: no call for ``reset_timeout`` seconds, doubling up to ``max_reset_timeout``
    while trial calls keep failing. ``bisect_budget`` caps the extra calls spent isolating refused
    events in one batch. ``report_interval`` is the least time between two stderr reports of the
    same kind of problem.
    """

    base_delay: float = 0.2
    max_delay: float = 30.0
    failure_threshold: int = 5
    reset_timeout: float = 5.0
    max_reset_timeout: float = 60.0
    bisect_budget: int = 64
    report_interval: float = 60.0


@dataclass(frozen=True)
class SenderSettings:
    """Everything the sender needs to know about where and how to deliver."""

    log_group: str
    log_stream: str = DEFAULT_STREAM_TEMPLATE
    """The stream name template (see :mod:`cw_logging.streams`)."""
    create_log_group: bool = False
    create_log_stream: bool = True
    retention_days: int | None = None
    flush_interval: float = 5.0
    max_batch_events: int = 10_000
    max_batch_bytes: int = 1_048_576
    max_event_bytes: int = 1_048_550
    oversize: Oversize = Oversize.TRUNCATE
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    chunk_bytes: int = 8 * 1_048_576
    """Roughly how many queue bytes one drain takes: what is held in memory outside the queue
    while it is being sent (room for a full batch of 10,000 small records)."""
    spool_dir: str | None = None
    """Directory of the durable spool; None keeps records in memory only."""
    spool_commit_interval: float = 0.2
    """Longest time a record waits in memory before it is committed to the spool."""
    spool_max_bytes: int = DEFAULT_SPOOL_MAX_BYTES
    spool_overflow: Overflow = Overflow.DROP_OLDEST
    metrics_interval: float | None = None
    """Seconds between two calls of the sender's ``metrics`` callback; None: never."""
    adopt_interval: float = 60.0
    """Seconds between two looks for spool files that processes left when they died."""


class SenderStats:
    """Thread-safe counters of one sender; :meth:`snapshot` returns them as plain values."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent = 0
        self.batches = 0
        self.retried = 0
        self.format_errors = 0
        self.truncated = 0
        self.split = 0
        self.repaired = 0
        self.groups_created = 0
        self.streams_created = 0
        self.internal_skipped = 0
        self.dropped: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self.last_error: str | None = None
        self.last_error_time: float | None = None
        self._frozen = False

    def freeze(self) -> None:
        """Ignore every later count: the records were already accounted for by someone else."""
        with self._lock:
            self._frozen = True

    def add(self, counter: str, count: int = 1) -> None:
        """Add ``count`` to the counter attribute named ``counter``."""
        with self._lock:
            if not self._frozen:
                setattr(self, counter, getattr(self, counter) + count)

    def drop(self, reason: str, count: int) -> None:
        """Count ``count`` records given up locally for ``reason``."""
        if count > 0:
            with self._lock:
                if not self._frozen:
                    self.dropped[reason] = self.dropped.get(reason, 0) + count

    def reject(self, reason: str, count: int) -> None:
        """Count ``count`` events the service refused for ``reason``."""
        if count > 0:
            with self._lock:
                if not self._frozen:
                    self.rejected[reason] = self.rejected.get(reason, 0) + count

    def delivered(self, events: int) -> None:
        """Count one successful PutLogEvents call that stored ``events`` events."""
        with self._lock:
            if not self._frozen:
                self.sent += events
                self.batches += 1

    def error(self, error: CloudWatchLogsError) -> None:
        """Remember ``error`` as the last one seen."""
        with self._lock:
            self.last_error = str(error)
            self.last_error_time = time.time()

    def planned(self, plan: BatchPlan) -> None:
        """Count what the batch builder changed or left out."""
        with self._lock:
            if self._frozen:
                return
            self.truncated += plan.truncated
            self.split += plan.split
            self.repaired += plan.repaired
            for reason, count in plan.dropped.items():
                self.dropped[reason] = self.dropped.get(reason, 0) + count

    def snapshot(self) -> dict[str, Any]:
        """Return the counters as a new dict (dicts copied)."""
        with self._lock:
            return {
                "sent": self.sent,
                "batches": self.batches,
                "retried": self.retried,
                "rejected": dict(self.rejected),
                "dropped": dict(self.dropped),
                "format_errors": self.format_errors,
                "truncated": self.truncated,
                "split": self.split,
                "repaired": self.repaired,
                "groups_created": self.groups_created,
                "streams_created": self.streams_created,
                "internal_skipped": self.internal_skipped,
                "last_error": self.last_error,
                "last_error_time": self.last_error_time,
            }


_REFUSED = (InvalidParameterError, EntityTooLargeError)


class Sender:
    """Delivers the records of one handler's queue from one background thread.

    ``format_record`` turns a queued record into the event message; ``transport_factory`` is
    called on the sender thread the first time the service is needed. ``settled`` counts the
    drained records that are delivered or accounted for; with the queue's evicted and cleared
    totals it tells ``flush`` when everything emitted before it is done.
    """

    def __init__(
        self,
        settings: SenderSettings,
        queue: BoundedQueue[logging.LogRecord],
        *,
        transport_factory: Callable[[], Transport],
        format_record: Callable[[logging.LogRecord], str],
        stats: SenderStats | None = None,
        reporter: RateLimitedReporter | None = None,
        clock: Clock = time.monotonic,
        metrics: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.queue = queue
        self.stats = stats or SenderStats()
        self.reporter = reporter or RateLimitedReporter(settings.retry.report_interval)
        retry = settings.retry
        self.backoff = Backoff(retry.base_delay, retry.max_delay)
        self.breaker = CircuitBreaker(
            retry.failure_threshold, retry.reset_timeout, retry.max_reset_timeout, clock=clock
        )
        self._transport_factory = transport_factory
        self._transport: Transport | None = None
        self._format_record = format_record
        self._namer: StreamNamer | None = None
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._progress = threading.Condition(threading.Lock())
        self._interrupt = threading.Event()
        self._deadline: float | None = None
        self._settled = queue.total_drained  # drained before this sender: not its business
        self._abandoned = False
        self._queue_drops_seen: dict[str, int] = {}
        self._metrics = metrics if settings.metrics_interval is not None else None
        self.spool: Spool | None = None
        self._spooled_records = 0  # committed to the spool, not yet settled
        self._caught_up = settings.spool_dir is None  # the spool's backlog is sent
        self._next_commit = 0.0
        self._commit_lock = threading.RLock()
        self._finished = threading.Event()
        self._committer: threading.Thread | None = None

    # -- control (any thread) ------------------------------------------------------------------

    def start(self) -> bool:
        """Start the thread unless it runs already; return False if it cannot be started."""
        with self._start_lock:
            if self._thread is not None:
                return True
            # None when the interpreter is shutting down: close() then sends synchronously
            self._thread = _start_daemon(self._run_in_thread, "sender", self.settings.log_group)
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

    def seconds_left(self) -> float:
        """Seconds until the stop deadline (0 when passed or not stopping)."""
        deadline = self._deadline
        return 0.0 if deadline is None else max(deadline - self._clock(), 0.0)

    @property
    def caught_up(self) -> bool:
        """True when nothing a previous process left in the spool is waiting to be sent."""
        return self._caught_up

    def done_count(self) -> int:
        """Records accepted by the queue that are delivered, dropped or otherwise accounted for."""
        queue = self.queue
        return self._settled + queue.total_evicted + queue.total_cleared

    def wait_done(self, mark: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until :meth:`done_count` reaches ``mark``."""
        self.queue.wake()
        end = self._clock() + max(timeout, 0.0)
        with self._progress:
            while self.done_count() < mark or not self._caught_up:
                remaining = end - self._clock()
                if remaining <= 0 or not self.alive:
                    return self.done_count() >= mark and self._caught_up
                # Short slices: evictions by producers settle records without a notification.
                self._progress.wait(min(remaining, 0.05))
        return True

    def stop(self, deadline: float) -> None:
        """Deliver what is queued, then end the thread; give up at ``deadline`` (clock time)."""
        if self._deadline is None or deadline < self._deadline:
            self._deadline = deadline
        self._interrupt.set()
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

    # -- the thread ----------------------------------------------------------------------------

    def _run_in_thread(self) -> None:
        block_async_signals()
        self._run()

    def _run(self) -> None:
        ident = threading.get_ident()
        _SENDER_THREADS.add(ident)
        try:
            self._loop()
        except BaseException as exc:  # never let the thread die silently
            self.reporter.report("sender_crash", f"sender thread stopped: {exc!r}")
            raise
        finally:
            _SENDER_THREADS.discard(ident)
            with self._progress:
                self._progress.notify_all()

    def _loop(self) -> None:
        spool = self._open_spool()
        clock = self._clock
        interval = self.settings.flush_interval
        next_flush = clock() if spool is not None and spool.depth() else clock() + interval
        next_metrics = clock() + (self.settings.metrics_interval or 0.0)
        next_adopt = clock() + self.settings.adopt_interval
        while True:
            send_now = True
            if self._deadline is None:
                now = clock()
                wake_at = next_flush
                if spool is not None:
                    wake_at = min(wake_at, self._next_commit)
                if self._metrics is not None:
                    wake_at = min(wake_at, next_metrics)
                signalled = wake_at > now and self.queue.wait(wake_at - now)
                send_now = signalled or wake_at >= next_flush or clock() >= next_flush
                if send_now:
                    next_flush = clock() + interval
            if spool is None:
                if send_now:
                    self._cycle()
            else:
                self._commit()
                if send_now or not self._caught_up:
                    self._send_spooled(spool)
                if clock() >= next_adopt:
                    next_adopt = clock() + self.settings.adopt_interval
                    if spool.adopt_orphans():
                        next_flush = clock()
            if self._metrics is not None and clock() >= next_metrics:
                next_metrics = clock() + (self.settings.metrics_interval or 0.0)
                self._emit_metrics()
            self._report_queue_drops()
            if self._deadline is not None and (self._all_sent() or self._expired()):
                break
        self._finish(spool)

    def _all_sent(self) -> bool:
        spool = self.spool
        return len(self.queue) == 0 and (spool is None or spool.depth() == 0)

    def _finish(self, spool: Spool | None) -> None:
        if spool is None:
            left = self.queue.clear()
            self.stats.drop("close_timeout", left)
            self._notify_progress(0)
            return
        self._finished.set()
        committer = self._committer
        if committer is not None:
            committer.join()  # it must not append to a closed spool
        self._commit()  # what is still in memory waits on disk for the next process
        spool.close()
        self._notify_progress(0)

    def _emit_metrics(self) -> None:
        try:
            if self._metrics is not None:
                self._metrics()
        except Exception as exc:
            self.reporter.report("metrics", f"could not emit the metrics line: {exc!r}")

    def _expired(self) -> bool:
        deadline = self._deadline
        return deadline is not None and self._clock() >= deadline

    def _notify_progress(self, settled: int) -> None:
        with self._progress:
            if not self._abandoned:
                self._settled += settled
            self._progress.notify_all()

    def abandon(self) -> None:
        """Give up now: count what is queued or in flight as dropped (``close_timeout``).

        For a sender still stuck in a call when ``close()`` must return; whatever that call
        achieves later is no longer counted.
        """
        with self._progress:
            if self._abandoned:
                return
            self._abandoned = True
            # records already committed to the spool are on disk: the next process sends them
            in_flight = self.queue.total_drained - self._settled - self._spooled_records
            self._settled = self.queue.total_drained
            self._progress.notify_all()
        left = self.queue.clear()
        self.stats.drop("close_timeout", left + in_flight)
        self.stats.freeze()

    def _chunk_items(self) -> int:
        queue = self.queue
        count = len(queue)
        if count == 0:
            return 1
        average = max(queue.bytes // count, 1)
        return max(1, self.settings.chunk_bytes // average)

    def _cycle(self) -> None:
        """Drain and deliver chunk by chunk until the queue is empty or the deadline passed."""
        while not self._expired():
            items = self.queue.drain(self._chunk_items())
            if not items:
                return
            try:
                self._deliver(items)
            except Exception as exc:  # a bug must cost these records, not the thread
                self.stats.drop("internal_error", len(items))
                self.reporter.report("internal_error", f"unexpected error while sending: {exc!r}")
            finally:
                self._notify_progress(len(items))

    # -- formatting and batching ---------------------------------------------------------------

    def _stream_namer(self) -> StreamNamer:
        namer = self._namer
        if namer is None:
            namer = self._namer = StreamNamer(self.settings.log_stream)
        return namer

    def _format(self, records: Iterable[logging.LogRecord]) -> dict[str, list[InputLogEvent]]:
        format_record = self._format_record
        name_for = self._stream_namer().name_for
        by_stream: dict[str, list[InputLogEvent]] = {}
        for record in records:
            try:
                message = format_record(record)
            except Exception as exc:
                message = self._format_failed(record, exc)
            event: InputLogEvent = {"timestamp": int(record.created * 1000), "message": message}
            stream = name_for(record)
            events = by_stream.get(stream)
            if events is None:
                by_stream[stream] = [event]
            else:
                events.append(event)
        return by_stream

    def _format_failed(self, record: logging.LogRecord, exc: Exception) -> str:
        self.stats.add("format_errors")
        self.reporter.report(
            "format_error",
            f"the formatter failed on a record of logger {record.name!r} ({exc!r}); "
            "sent as plain text instead",
        )
        try:
            text = str(record.msg)
        except Exception:
            text = object.__repr__(record.msg)
        return f"{record.levelname} {record.name}: {text} [formatting failed: {exc!r}]"

    def _plan(self, records: list[logging.LogRecord]) -> list[tuple[str, list[InputLogEvent]]]:
        """Format ``records`` and cut them into the batches to send, by stream."""
        settings = self.settings
        jobs: list[tuple[str, list[InputLogEvent]]] = []
        for stream, events in self._format(records).items():
            plan = build_batches(
                events,
                max_events=settings.max_batch_events,
                max_bytes=settings.max_batch_bytes,
                max_event_bytes=settings.max_event_bytes,
                oversize=settings.oversize,
            )
            self.stats.planned(plan)
            if plan.dropped:
                self.reporter.report(
                    "oversize",
                    f"dropped {sum(plan.dropped.values())} records larger than max_event_bytes="
                    f"{settings.max_event_bytes} (oversize='drop'); use 'truncate' or 'split' "
                    "to keep them",
                )
            jobs.extend((stream, batch) for batch in plan.batches)
        return jobs

    def _deliver(self, records: list[logging.LogRecord]) -> None:
        jobs = self._plan(records)
        for index, (stream, batch) in enumerate(jobs):
            left = self._deliver_batch(stream, batch)
            if left:
                rest = sum(len(events) for _, events in jobs[index + 1 :])
                self.stats.drop("close_timeout", left + rest)
                return

    # -- the spool -----------------------------------------------------------------------------

    def _open_spool(self) -> Spool | None:
        """Open the spool (adopting what dead processes left) on the sender thread."""
        settings = self.settings
        if settings.spool_dir is None:
            return None
        self.spool = Spool.open(
            settings.spool_dir,
            log_group=settings.log_group,
            log_stream_key=settings.log_stream,
            max_bytes=settings.spool_max_bytes,
            overflow=settings.spool_overflow,
        )
        self._next_commit = self._clock() + settings.spool_commit_interval
        # None when the interpreter is shutting down: the sender then commits on its own
        self._committer = _start_daemon(self._keep_committing, "spool", settings.log_group)
        return self.spool

    def _keep_committing(self) -> None:
        """Commit on time while the sender thread is held up in a call (a hung endpoint)."""
        ident = threading.get_ident()
        _SENDER_THREADS.add(ident)
        block_async_signals()
        try:
            interval = self.settings.spool_commit_interval
            while not self._finished.wait(interval):
                self._commit_if_due()
        except Exception as exc:  # the sender thread still commits on its own
            self.reporter.report("internal_error", f"spool committer stopped: {exc!r}")
        finally:
            _SENDER_THREADS.discard(ident)

    def _commit(self) -> None:
        """Move everything queued in memory into the spool (formatted, one transaction a chunk)."""
        spool = self.spool
        if spool is None:
            return
        with self._commit_lock:
            self._commit_to(spool)

    def _commit_to(self, spool: Spool) -> None:
        self._next_commit = self._clock() + self.settings.spool_commit_interval
        if self.settings.spool_overflow is Overflow.BLOCK and spool.free_bytes() <= 0:
            return  # back-pressure: the memory queue fills and its own 'block' makes callers wait
        while True:
            records = self.queue.drain(self._chunk_items())
            if not records:
                return
            try:
                rows = [
                    (stream, event["timestamp"], event["message"])
                    for stream, batch in self._plan(records)
                    for event in batch
                ]
                spool.append(rows)
            except Exception as exc:  # a bug must cost these records, not the thread
                self.stats.drop("internal_error", len(records))
                self._notify_progress(len(records))
                self.reporter.report("internal_error", f"unexpected error spooling: {exc!r}")
                continue
            self._spooled_records += len(records)

    def _commit_if_due(self) -> None:
        if self.spool is not None and self._clock() >= self._next_commit:
            self._commit()  # (the other thread may have committed meanwhile: then it is quick)

    def _send_spooled(self, spool: Spool) -> None:
        """Send the spool oldest first, acknowledging what is settled, until empty or deadline."""
        settings = self.settings
        while not self._expired():
            self._commit_if_due()
            events = spool.peek(settings.max_batch_events, settings.max_batch_bytes)
            if not events:
                break
            by_stream: dict[str, list[SpooledEvent]] = {}
            for event in events:
                by_stream.setdefault(event.stream, []).append(event)
            for stream, group in by_stream.items():
                if not self._deliver_spooled(stream, group):
                    return
                spool.ack(event.seq for event in group)
        with self._commit_lock:  # no commit between the depth check and the settling
            if spool.depth() != 0:
                return
            self._caught_up = True
            settled, self._spooled_records = self._spooled_records, 0
        self._notify_progress(settled)

    def _deliver_spooled(self, stream: str, group: list[SpooledEvent]) -> bool:
        settings = self.settings
        plan = build_batches(
            [{"timestamp": event.timestamp, "message": event.message} for event in group],
            max_events=settings.max_batch_events,
            max_bytes=settings.max_batch_bytes,
            max_event_bytes=settings.max_event_bytes,
            oversize=settings.oversize,
        )
        return all(self._deliver_batch(stream, batch) == 0 for batch in plan.batches)

    # -- delivery ------------------------------------------------------------------------------

    def _deliver_batch(self, stream: str, batch: list[InputLogEvent]) -> int:
        """Deliver one batch, bisecting refused parts; return how many events the deadline left.

        0 means every event is settled: stored, rejected for good or dropped as non-retryable.
        """
        work: deque[list[InputLogEvent]] = deque([batch])
        attempt = 0
        splits = 0
        while work:
            if not self._wait_for_breaker():
                return sum(len(part) for part in work)
            part = work[0]
            try:
                result = self._put(stream, part)
            except _REFUSED as error:
                work.popleft()
                self._note_error(error, stream)
                if len(part) == 1 or splits >= self.settings.retry.bisect_budget:
                    self.stats.reject("invalid", len(part))
                else:
                    middle = len(part) // 2
                    work.extendleft((part[middle:], part[:middle]))
                    splits += 1
                continue
            except CloudWatchLogsError as error:
                self._note_error(error, stream)
                if not error.retryable:
                    work.popleft()
                    self.stats.drop("error", len(part))
                    continue
                self.breaker.record_failure()
                self.stats.add("retried")
                delay = max(self.backoff.delay(attempt), error.retry_after or 0.0)
                attempt += 1
                if not self._pause(min(delay, self.settings.retry.max_delay)):
                    return sum(len(p) for p in work)
                continue
            self.breaker.record_success()
            attempt = 0
            work.popleft()
            self._account(part, result)
        return 0

    def _account(self, part: list[InputLogEvent], result: PutResult) -> None:
        rejected = result.rejected_by_reason(len(part))
        for reason, count in rejected.items():
            self.stats.reject(reason, count)
        if rejected:
            details = ", ".join(f"{count} {reason}" for reason, count in rejected.items())
            self.reporter.report(
                "rejected",
                f"CloudWatch rejected events ({details}): timestamps more than 14 days old, "
                "older than the retention, or more than 2 hours ahead; check the clock",
            )
        self.stats.delivered(len(part) - sum(rejected.values()))

    def _wait_for_breaker(self) -> bool:
        while not self.breaker.allow():
            if not self._pause(max(self.breaker.seconds_until_retry(), 0.01)):
                return False
        return True

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``, cut short by the deadline; return False if the deadline passed."""
        clock = self._clock
        end = clock() + seconds
        while True:
            now = clock()
            deadline = self._deadline
            if deadline is not None and now >= deadline:
                return False
            limit = end if deadline is None else min(end, deadline)
            if now >= limit:
                return True
            if self.spool is not None:  # keep committing while the service is unreachable
                self._commit_if_due()
                limit = min(limit, self._next_commit)
            if self._interrupt.wait(max(limit - now, 0.0)):
                self._interrupt.clear()  # stop() set a deadline: re-evaluate against it

    def _transport_now(self) -> Transport:
        transport = self._transport
        if transport is None:
            transport = self._transport = self._transport_factory()
        return transport

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._transport_now(), method)(*args)
        except CloudWatchLogsError:
            raise
        except Exception as exc:
            raise from_exception(exc) from exc

    def _put(self, stream: str, events: list[InputLogEvent]) -> PutResult:
        group = self.settings.log_group
        try:
            result: PutResult = self._call("put_log_events", group, stream, events)
        except ResourceNotFoundError:
            self._ensure_stream(stream)
            result = self._call("put_log_events", group, stream, events)
        return result

    def _create(self, method: str, *args: str) -> bool:
        return ensure_created(self._call, method, *args)

    def _ensure_stream(self, stream: str) -> None:
        settings = self.settings
        group = settings.log_group
        if not settings.create_log_stream:
            raise ResourceNotFoundError(
                f"log stream {stream!r} of group {group!r} does not exist: create it, or pass "
                "create_log_stream=True",
                code="ResourceNotFoundException",
            )
        try:
            created = self._create("create_log_stream", group, stream)
        except ResourceNotFoundError:
            if not settings.create_log_group:
                raise ResourceNotFoundError(
                    f"log group {group!r} does not exist: create it, or pass create_log_group=True",
                    code="ResourceNotFoundException",
                ) from None
            self._ensure_group()
            created = self._create("create_log_stream", group, stream)
        if created:
            self.stats.add("streams_created")

    def _ensure_group(self) -> None:
        settings = self.settings
        if not self._create("create_log_group", settings.log_group):
            return
        self.stats.add("groups_created")
        if settings.retention_days is not None:
            try:
                self._call("put_retention_policy", settings.log_group, settings.retention_days)
            except CloudWatchLogsError as error:
                self._note_error(error, None)

    # -- reporting -----------------------------------------------------------------------------

    def _note_error(self, error: CloudWatchLogsError, stream: str | None) -> None:
        self.stats.error(error)
        where = f"log group {self.settings.log_group!r}"
        if stream is not None:
            where += f", stream {stream!r}"
        hint = hint_for(error)
        action = "will retry" if error.retryable and not isinstance(error, _REFUSED) else "gave up"
        message = f"{where}: {error} ({action})"
        if hint:
            message += f"; {hint}"
        self.reporter.report(f"error:{error.code}", message)

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
