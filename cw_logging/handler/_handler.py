"""``CloudWatchHandler``: a ``logging.Handler`` that ships records to CloudWatch Logs.

The caller's thread only snapshots the record and queues it; one background sender per handler
formats, batches and delivers (see :mod:`cw_logging.delivery`). Nothing here talks to the network.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

from .._limits import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES
from .._options import Clock, Overflow, require_seconds
from .._records import FORMAT_ERROR_ATTRIBUTE
from ..context import RECORD_ATTRIBUTE
from ..context._capture import unpack
from ..delivery._naming import DEFAULT_STREAM_TEMPLATE
from ..delivery._queue import BoundedQueue
from ..delivery._retry import RetryPolicy
from ..delivery._sender import Sender
from ..delivery._stats import HandlerStats
from ..delivery._threads import SENDER_THREADS
from ..delivery.transport import ClientOptions, Transport
from ..formatter import JsonFormatter
from ..spool._settings import DEFAULT_SPOOL_MAX_BYTES
from . import _process_hooks, _registry, _signal_watch
from ._options import (
    DEFAULT_MAX_QUEUE_BYTES,
    MAX_CLOSE_TIMEOUT_S,
    QUEUE_BLOCK_S,
    SPOOL_BACKPRESSURE_S,
    WAKE_BYTES,
    WAKE_ITEMS,
    HandlerOptions,
)
from ._snapshot import measure_record_footprint, take_snapshot

__all__ = ["CloudWatchHandler", "default_formatter"]

_new_object = object.__new__
_get_ident = threading.get_ident


def default_formatter() -> logging.Formatter:
    """Return the formatter a handler uses when none is set: :class:`JsonFormatter`.

    JSON by default so that every record is queryable and carries its correlation ids.
    """
    return JsonFormatter()


def _new_queue(options: HandlerOptions) -> BoundedQueue[dict[str, Any]]:
    """The queue between the logging threads and the sender, as ``options`` size it."""
    spooled = options.delivery.spool_dir is not None
    return BoundedQueue(
        options.max_queue_bytes,
        # with a spool a burst goes to disk: a full queue waits for the commit to free room
        Overflow.BLOCK if spooled else options.overflow,
        block_timeout=SPOOL_BACKPRESSURE_S if spooled else QUEUE_BLOCK_S,
        wake_items=min(WAKE_ITEMS, options.delivery.max_batch_events),
        wake_bytes=min(WAKE_BYTES, options.max_queue_bytes // 4),
    )


def _holding_logging_lock() -> bool:
    """True when this thread holds the logging module lock (inside dictConfig, for one)."""
    lock: Any = getattr(logging, "_lock", None)
    is_owned = getattr(lock, "_is_owned", None)
    return bool(is_owned()) if is_owned is not None else False


class CloudWatchHandler(logging.Handler):
    """Sends log records to a CloudWatch Logs group without slowing the logging threads.

    ``emit`` captures the message, exception text and correlation ids and queues the record;
    a background thread started on the first record formats, batches and delivers. See
    ``docs/handler.md`` for every option; bad options raise :class:`ConfigurationError` here,
    and nothing else in the handler raises into the application.
    """

    retry_policy: ClassVar[RetryPolicy] = RetryPolicy()
    """The retry policy used when ``retry=`` is not given (a subclass may override it)."""

    def __init__(
        self,
        log_group: str,
        log_stream: str = DEFAULT_STREAM_TEMPLATE,
        *,
        client: Any = None,
        boto3_session: Any = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        botocore_config: Any = None,
        create_log_group: bool = False,
        create_log_stream: bool = True,
        retention_days: int | None = None,
        flush_interval: float = 5.0,
        max_batch_events: int = MAX_BATCH_EVENTS,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        max_event_bytes: int = MAX_EVENT_BYTES,
        oversize: str = "truncate",
        max_queue_bytes: int = DEFAULT_MAX_QUEUE_BYTES,
        overflow: str = "drop_oldest",
        close_timeout: float = 10.0,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_commit_interval: float = 0.2,
        spool_max_bytes: int = DEFAULT_SPOOL_MAX_BYTES,
        install_signal_handlers: bool = False,
        emit_metrics_interval: float | None = None,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        level: int | str = logging.NOTSET,
        transport: Transport | None = None,
        clock: Clock | None = None,
    ) -> None:
        options = HandlerOptions.from_arguments(  # before logging knows the handler (see there)
            client=client,
            transport=transport,
            client_options=ClientOptions(
                boto3_session, region_name, endpoint_url, profile_name, botocore_config
            ),
            delivery={
                "log_group": log_group,
                "log_stream": log_stream,
                "create_log_group": create_log_group,
                "create_log_stream": create_log_stream,
                "retention_days": retention_days,
                "flush_interval": flush_interval,
                "max_batch_events": max_batch_events,
                "max_batch_bytes": max_batch_bytes,
                "max_event_bytes": max_event_bytes,
                "oversize": oversize,
                "spool_dir": spool_dir,
                "spool_commit_interval": spool_commit_interval,
                "spool_max_bytes": spool_max_bytes,
            },
            retry=self.retry_policy if retry is None else retry,
            emit_metrics_interval=emit_metrics_interval,
            max_queue_bytes=max_queue_bytes,
            overflow=overflow,
            close_timeout=close_timeout,
            install_signal_handlers=install_signal_handlers,
            clock=clock,
        )
        super().__init__(level)
        measure_record_footprint()
        self.options = options
        self._default_formatter = default_formatter()
        self._queue = _new_queue(options)
        self._start_fresh(options)
        _registry.register(self)
        _signal_watch.watch_signals(_registry.hurry_all)
        _process_hooks.watch_multiprocessing_children(_registry.close_all)
        if options.install_signal_handlers:
            _process_hooks.install_sigterm_delivery(_registry.close_all)
        if options.delivery.spool_dir is not None:
            self._start()  # what a previous process left is sent without waiting for a record

    def _start_fresh(self, options: HandlerOptions) -> None:
        """A new sender and closing state (at construction, and in a forked child)."""
        self._closed = False
        self._flush_losses = 0  # records given up, as the previous flush() counted them
        self._undelivered_reported = False
        self._close_lock = threading.Lock()
        self._sender = Sender(
            options.delivery,
            self._queue,
            transports=options.transports,
            format_record=self._format_within,
            clock=options.clock,
        )
        self._started = False

    @property
    def log_group(self) -> str:
        """The log group records go to."""
        return self.options.delivery.log_group

    @property
    def log_stream(self) -> str:
        """The stream name template."""
        return self.options.delivery.log_stream

    @property
    def close_timeout(self) -> float:
        """Seconds ``close()`` (and a default ``flush()``) may take."""
        return self.options.close_timeout

    # -- caller side ---------------------------------------------------------------------------

    def handle(self, record: logging.LogRecord) -> Any:
        """Filter and emit ``record`` without taking the handler lock (emit is thread-safe)."""
        rv: Any = True
        if self.filters:
            rv = self.filter(record)
            if not rv:
                return rv
            if isinstance(rv, logging.LogRecord):
                record = rv
        self.emit(record)
        return rv

    def emit(self, record: logging.LogRecord) -> None:
        """Queue a snapshot of ``record`` for the sender; never blocks unless overflow='block'."""
        if _get_ident() in SENDER_THREADS:
            self._sender.counters.add("internal_skipped")  # botocore/urllib3/ours: never re-enter
            return
        if self._closed:
            self._count_after_close()
            return
        try:
            values, cost = take_snapshot(record, self.formatter or self._default_formatter)
            self._queue.put(values, cost)
            if not self._started:
                self._start()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def _start(self) -> None:
        self._started = self._sender.start()
        _signal_watch.start_watching()

    def _count_after_close(self) -> None:
        self._sender.counters.logged_after_close()
        self._sender.reporter.report(
            "after_close",
            f"a record was logged after the CloudWatchHandler for {self.log_group!r} was "
            "closed; it is counted in stats()['dropped']['after_close'], not sent",
        )

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record`` with the handler's formatter (a :class:`JsonFormatter` by default)."""
        return (self.formatter or self._default_formatter).format(record)

    def _format_within(self, record: logging.LogRecord, limit: int | None) -> str:
        """The event message of ``record``; with a ``limit`` (UTF-8 bytes), a JsonFormatter's
        document is cut inside its fields so that it stays valid JSON."""
        values = record.__dict__
        packed = values.get(RECORD_ATTRIBUTE)
        if packed.__class__ is tuple:  # as take_snapshot queued it: formatters read a mapping
            values[RECORD_ATTRIBUTE] = unpack(packed)
        formatter = self.formatter or self._default_formatter
        if isinstance(formatter, JsonFormatter):
            if limit is not None:
                return formatter.format_within(record, limit)
            return formatter.format(record)
        failure = record.__dict__.get(FORMAT_ERROR_ATTRIBUTE)
        if failure:  # a text format has no formatError field: the message says it
            record.msg = f"{record.msg} [message formatting failed: {failure}]"
        return formatter.format(record)

    # -- lifecycle -----------------------------------------------------------------------------

    def hurry(self) -> None:
        """Deliver every record as soon as it is logged, from now on (the process is ending)."""
        self._sender.hurry()

    def wake(self) -> None:
        """Make the sender deliver what it holds now, without waiting for it."""
        self._sender.request_flush()

    def flush(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        """Wait until every record logged before the call is delivered to CloudWatch.

        Waits at most ``timeout`` seconds (default ``close_timeout``; while closing, no longer
        than the close deadline). Returns True when every record logged before the call was
        delivered (with a spool too: committed to disk is not enough) and none was dropped or
        given up since the previous ``flush()``; False otherwise (``stats()`` says what was
        dropped). Inside ``logging``'s module lock (a second ``dictConfig``) it never waits: it
        wakes the sender and returns.
        """
        limit = (
            self.close_timeout
            if timeout is None
            else require_seconds("timeout", timeout, allow_zero=True, maximum=MAX_CLOSE_TIMEOUT_S)
        )
        if not self._started and self.options.delivery.spool_dir is not None:
            self._start()  # a forked child's spool: open it so that flush() can tell
        sender = self._sender
        if sender.stopping:
            limit = min(limit, sender.deadline.seconds_left())
        mark = self._queue.total_put
        done = sender.done_count() >= mark and sender.caught_up
        if not done:
            if not sender.alive or _holding_logging_lock() or _get_ident() in SENDER_THREADS:
                sender.request_flush()
                return False
            done = sender.wait_done(mark, limit)
        losses = sender.losses()
        clean = losses == self._flush_losses  # nothing given up since the previous flush()
        self._flush_losses = losses
        return done and clean

    def begin_close(self) -> None:
        """Start closing: later records are refused, the sender delivers against the deadline."""
        with self._close_lock:
            if not self._closed:
                self._closed = True
                self._sender.stop(self.options.clock() + self.close_timeout)

    def close(self) -> None:
        """Deliver what is queued within ``close_timeout`` seconds, then stop the sender.

        Records logged afterwards are counted as dropped (``after_close``). Called inside
        ``logging``'s module lock (a second ``dictConfig``), it hands the final delivery to the
        sender and returns at once, so the reconfiguration can never deadlock.
        """
        sender = self._sender
        given_up = False
        self.begin_close()  # one deadline for every caller
        try:
            if not sender.started:
                if len(self._queue) or self.options.delivery.spool_dir is not None:
                    sender.run_here()  # no thread could be started: deliver on this one
            elif _holding_logging_lock():
                _registry.detach(sender)
            elif not sender.join(sender.deadline.seconds_left()):
                sender.abandon()  # still in a call: what it holds is given up, and said below
                given_up = True
            if given_up or not sender.alive:
                self._report_undelivered(sender)
        finally:
            _registry.unregister(self)
            super().close()

    def _report_undelivered(self, sender: Sender) -> None:
        """Say on stderr (once) what the close deadline left undelivered, and where it is."""
        if self._undelivered_reported:
            return
        self._undelivered_reported = True
        lost = sender.counters.dropped_copy().get("close_timeout", 0)
        waiting = sender.pump.spool.depth() if sender.pump is not None else 0
        where = f"log group {self.log_group!r}"
        if lost:
            sender.reporter.report(
                "undelivered",
                f"{where}: {lost} records were not delivered within close_timeout="
                f"{self.close_timeout:g}s and are lost (stats()['dropped']['close_timeout'])",
                force=True,
            )
        if waiting and sender.pump is not None:
            sender.reporter.report(
                "spooled",
                f"{where}: {waiting} records were not delivered within close_timeout="
                f"{self.close_timeout:g}s; they wait in the spool {sender.pump.spool.path} and "
                "are sent by the next process that uses it",
                force=True,
            )

    def stats(self) -> HandlerStats:
        """Return delivery counters; the keys are listed in ``docs/handler.md`` and stable.

        ``queued``/``queued_bytes``: waiting in the queue; ``accepted``: records ever queued;
        ``sent``: events stored by the service; ``batches``: successful PutLogEvents calls;
        ``retried``: failed calls retried; ``dropped``/``rejected``: counts by reason;
        ``last_error``: the last failure as text (None if none).
        """
        return self._sender.stats()

    def reinit_after_fork(self) -> None:
        """In a forked child: fresh queue locks, an empty queue and a new sender and client."""
        self._queue.reinit_after_fork()
        self._queue.clear()  # the parent delivers its own records; the child must not resend
        options = self.options
        self.options = HandlerOptions(
            delivery=options.delivery,
            transports=options.transports.for_child(),
            max_queue_bytes=options.max_queue_bytes,
            overflow=options.overflow,
            close_timeout=options.close_timeout,
            clock=options.clock,
        )
        self._start_fresh(self.options)

    def __repr__(self) -> str:
        level = logging.getLevelName(self.level)
        return (
            f"<{type(self).__name__} log_group={self.log_group!r} "
            f"log_stream={self.log_stream!r} ({level})>"
        )
