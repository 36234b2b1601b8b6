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
from .._options import Clock, require_seconds
from .._records import EXCEPTION_ATTRIBUTE, exception_summary, message_text
from ..context import RECORD_ATTRIBUTE, capture
from ..delivery._naming import DEFAULT_STREAM_TEMPLATE
from ..delivery._queue import BoundedQueue
from ..delivery._retry import RetryPolicy
from ..delivery._sender import Sender
from ..delivery._stats import HandlerStats
from ..delivery._threads import SENDER_THREADS
from ..delivery.transport import ClientOptions, Transport
from ..pii import redactor_of, render_masked_message
from ..spool._settings import DEFAULT_SPOOL_MAX_BYTES
from . import _process_hooks, _registry
from ._options import (
    DEFAULT_MAX_QUEUE_BYTES,
    MAX_CLOSE_TIMEOUT_S,
    RECORD_OVERHEAD_BYTES,
    HandlerOptions,
)

__all__ = ["CloudWatchHandler", "default_formatter"]

_new_object = object.__new__
_get_ident = threading.get_ident


def default_formatter() -> logging.Formatter:
    """Return the formatter a handler uses when none is set: :class:`JsonFormatter`.

    JSON by default so that every record is queryable and carries its correlation ids.
    """
    from ..formatter import JsonFormatter

    return JsonFormatter()


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
        self.options = options
        self._default_formatter = default_formatter()
        self._queue: BoundedQueue[logging.LogRecord] = BoundedQueue(
            options.max_queue_bytes,
            options.overflow,
            wake_items=options.delivery.max_batch_events,
            wake_bytes=options.wake_bytes,
        )
        self._start_fresh(options)
        _registry.register(self)
        _process_hooks.watch_multiprocessing_children(_registry.close_all)
        if options.install_signal_handlers:
            _process_hooks.install_sigterm_delivery(_registry.close_all)
        if options.delivery.spool_dir is not None:
            self._start()  # what a previous process left is sent without waiting for a record

    def _start_fresh(self, options: HandlerOptions) -> None:
        """A new sender and closing state (at construction, and in a forked child)."""
        self._closed = False
        self._close_lock = threading.Lock()
        self._sender = Sender(
            options.delivery,
            self._queue,
            transports=options.transports,
            format_record=self.format,
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
            attributes = record.__dict__
            values = attributes.copy()  # a shallow copy: other handlers see the record as is
            msg = record.msg
            if record.args:
                if record.args.__class__ is not tuple:  # a dict: mask its secrets, then render
                    msg = self._render_dict_args(record)
                else:
                    try:
                        msg = msg % record.args if msg.__class__ is str else record.getMessage()
                    except Exception:
                        msg = message_text(record)
                values["msg"] = msg
                values["args"] = None
                cost = len(msg)
            elif msg.__class__ is str:
                cost = len(msg)
            elif isinstance(msg, Mapping):
                values["msg"] = dict(msg)
                cost = 256
            else:
                msg = values["msg"] = message_text(record)
                cost = len(msg)
            if record.exc_info:
                cost += self._capture_exception(record, values)
            if RECORD_ATTRIBUTE not in attributes:
                values[RECORD_ATTRIBUTE] = capture()
            snapshot = _new_object(record.__class__)
            snapshot.__dict__ = values
            self._queue.put(snapshot, cost + RECORD_OVERHEAD_BYTES)
            if not self._started:
                self._start()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def _render_dict_args(self, record: logging.LogRecord) -> str:
        """The message of ``log.info("%(user)s %(password)s", {...})``: with a redacting
        formatter, the values of sensitive keys are masked before rendering (the dict is not
        kept for the sender)."""
        redactor = redactor_of(self.formatter or self._default_formatter)
        if redactor is None:
            return message_text(record)
        return render_masked_message(record, redactor)

    def _capture_exception(self, record: logging.LogRecord, values: dict[str, Any]) -> int:
        """Turn ``exc_info`` into text now; the traceback must not outlive the call."""
        exc_info = record.exc_info
        values["exc_info"] = None
        if not exc_info or exc_info[0] is None:
            return 0
        text = record.exc_text
        if not text:
            formatter = self.formatter or self._default_formatter
            text = values["exc_text"] = formatter.formatException(exc_info)
        if EXCEPTION_ATTRIBUTE not in values:
            values[EXCEPTION_ATTRIBUTE] = exception_summary(exc_info)
        return len(text)

    def _start(self) -> None:
        self._started = self._sender.start()

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

    # -- lifecycle -----------------------------------------------------------------------------

    def wake(self) -> None:
        """Make the sender deliver what is queued now, without waiting for it."""
        self._queue.wake()

    def flush(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        """Wait until every record emitted before the call is sent or accounted for.

        Waits at most ``timeout`` seconds (default ``close_timeout``); returns True when all of
        them are done. Inside ``logging``'s module lock (a second ``dictConfig``) it never waits:
        it wakes the sender and returns.
        """
        limit = (
            self.close_timeout
            if timeout is None
            else require_seconds("timeout", timeout, allow_zero=True, maximum=MAX_CLOSE_TIMEOUT_S)
        )
        if not self._started and self.options.delivery.spool_dir is not None:
            self._start()  # a forked child's spool: open it so that flush() can tell
        sender = self._sender
        mark = self._queue.total_put
        if sender.done_count() >= mark and sender.caught_up:
            return True
        if not sender.alive or _holding_logging_lock() or _get_ident() in SENDER_THREADS:
            self._queue.wake()
            return False
        return sender.wait_done(mark, limit)

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
        self.begin_close()  # one deadline for every caller
        try:
            if not sender.started:
                if len(self._queue) or self.options.delivery.spool_dir is not None:
                    sender.run_here()  # no thread could be started: deliver on this one
            elif _holding_logging_lock():
                _registry.detach(sender)
            elif not sender.join(sender.deadline.seconds_left()):
                sender.abandon()
        finally:
            _registry.unregister(self)
            super().close()

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
