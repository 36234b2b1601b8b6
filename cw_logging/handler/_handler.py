"""``CloudWatchHandler``: a ``logging.Handler`` that ships records to CloudWatch Logs.

The caller's thread only snapshots the record and queues it; one background sender per handler
formats, batches and delivers (see :mod:`cw_logging.sender`). Nothing here talks to the network.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from .. import context
from .._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    validate_log_group_name,
    validate_retention_days,
)
from .._options import parse_overflow, parse_oversize
from .._records import EXCEPTION_ATTRIBUTE, exception_summary
from ..delivery._batching import build_batches
from ..delivery._emf import emf_line
from ..delivery._naming import DEFAULT_STREAM_TEMPLATE, StreamNamer
from ..delivery._queue import BoundedQueue
from ..delivery._sender import RetryPolicy, Sender, SenderSettings, sender_thread_idents
from ..delivery.transport._transport import (
    Boto3Transport,
    Transport,
    build_client,
    check_endpoint_url,
    default_botocore_config,
)
from ..errors import ConfigurationError
from ..spool import DEFAULT_SPOOL_MAX_BYTES
from ..spool._files import HAVE_FLOCK
from . import _process_hooks as lifecycle

__all__ = ["DEFAULT_MAX_QUEUE_BYTES", "RECORD_OVERHEAD_BYTES", "CloudWatchHandler", "flush_all"]

DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024
"""Default bound of the records waiting to be sent (``max_queue_bytes``): 64 MiB."""

RECORD_OVERHEAD_BYTES = 512
"""What one queued record costs against ``max_queue_bytes`` besides its message: the memory of
the record copy, so that the bound holds for memory and not only for text."""

Clock = Callable[[], float]

_new_object = object.__new__
_get_ident = threading.get_ident
_SENDER_THREADS = sender_thread_idents()
_LIVE: weakref.WeakSet[CloudWatchHandler] = weakref.WeakSet()
_DETACHED: set[Sender] = set()  # closed while logging's lock was held; still delivering
_RECORD_ATTRIBUTE = context.RECORD_ATTRIBUTE
_capture = context.capture


def default_formatter() -> logging.Formatter:
    """Return the formatter a handler uses when none is set: :class:`JsonFormatter`.

    JSON by default so that every record is queryable and carries its correlation ids.
    """
    from ..formatter._json import JsonFormatter

    return JsonFormatter()


def _is_message_only(formatter: logging.Formatter) -> bool:
    """True for a stock ``logging.Formatter`` whose output is the message (plus exception)."""
    return type(formatter) is logging.Formatter and formatter._fmt in (None, "%(message)s")


def _holding_logging_lock() -> bool:
    """True when this thread holds the logging module lock (inside dictConfig, for one)."""
    lock: Any = getattr(logging, "_lock", None)
    is_owned = getattr(lock, "_is_owned", None)
    return bool(is_owned()) if is_owned is not None else False


def _seconds(name: str, value: object, *, allow_zero: bool) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or math.isinf(value)
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigurationError(
            f"{name}={value!r} is invalid: use a finite number of seconds {bound}",
            code="InvalidSetting",
        )
    return float(value)


def _spool_options(directory: object, commit_interval: object, max_bytes: object) -> str | None:
    """Validate the spool options; return the directory as text (None: no spool)."""
    _seconds("spool_commit_interval", commit_interval, allow_zero=False)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ConfigurationError(
            f"spool_max_bytes={max_bytes!r} is invalid: use a positive number of bytes",
            code="InvalidSetting",
        )
    if directory is None:
        return None
    if not isinstance(directory, (str, os.PathLike)) or not os.fspath(directory):
        raise ConfigurationError(
            f"spool_dir={directory!r} is invalid: use a directory path (created if missing)",
            code="InvalidSetting",
        )
    if not HAVE_FLOCK:
        raise ConfigurationError(
            "spool_dir needs POSIX file locking (fcntl.flock), which this platform lacks; "
            "leave spool_dir unset here",
            code="SpoolUnsupported",
        )
    return str(os.fspath(directory))


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(
            f"{name}={value!r} is invalid: use True or False", code="InvalidSetting"
        )
    return value


def _message_text(record: logging.LogRecord) -> str:
    """Return the record's formatted message; never raises (bad %-args are shown, not lost)."""
    try:
        return record.getMessage()
    except Exception as exc:
        try:
            text, args = str(record.msg), repr(record.args)
        except Exception:
            text, args = object.__repr__(record.msg), object.__repr__(record.args)
        return f"{text} [message formatting failed: {exc!r}; args={args}]"


class CloudWatchHandler(logging.Handler):
    """Sends log records to a CloudWatch Logs group without slowing the logging threads.

    ``emit`` captures the message, exception text and correlation ids and queues the record;
    a background thread started on the first record formats, batches and delivers. See
    ``docs/handler.md`` for every option; bad options raise :class:`ConfigurationError` here,
    and nothing else in the handler raises into the application.
    """

    retry_policy: ClassVar[RetryPolicy] = RetryPolicy()
    """Backoff, circuit breaker and reporting settings, read when a handler is built; override
    on a subclass to change them."""

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
        level: int | str = logging.NOTSET,
        transport: Transport | None = None,
        clock: Clock | None = None,
    ) -> None:
        # Validate before Handler.__init__ registers the handler with logging: a half-built
        # handler would be flushed and closed by logging.shutdown() and by the next dictConfig.
        validate_log_group_name(log_group)
        StreamNamer.validate(log_stream)
        self._check_service_options(
            client, transport, boto3_session, region_name, endpoint_url, profile_name,
            botocore_config,
        )  # fmt: skip
        _flag("create_log_group", create_log_group)
        _flag("create_log_stream", create_log_stream)
        if retention_days is not None:
            validate_retention_days(retention_days)
            if not create_log_group:
                raise ConfigurationError(
                    "retention_days is applied when the handler creates the log group: pass "
                    "create_log_group=True too, or set the retention on the existing group",
                    code="InvalidSetting",
                )
        build_batches(  # validates the batch limits with the builder's own rules
            [],
            max_events=max_batch_events,
            max_bytes=max_batch_bytes,
            max_event_bytes=max_event_bytes,
        )
        if clock is not None and not callable(clock):
            raise ConfigurationError(f"clock={clock!r} is not callable", code="InvalidSetting")
        close_timeout = _seconds("close_timeout", close_timeout, allow_zero=True)
        flush_interval = _seconds("flush_interval", flush_interval, allow_zero=False)
        spool_path = _spool_options(spool_dir, spool_commit_interval, spool_max_bytes)
        _flag("install_signal_handlers", install_signal_handlers)
        if emit_metrics_interval is not None:
            emit_metrics_interval = _seconds(
                "emit_metrics_interval", emit_metrics_interval, allow_zero=False
            )
        if install_signal_handlers and threading.current_thread() is not threading.main_thread():
            raise ConfigurationError(
                "install_signal_handlers=True needs the handler to be built on the main thread "
                "(Python installs signal handlers only there): build it there, or call "
                "cw_logging.handler.flush_all() from your own SIGTERM handler",
                code="InvalidSetting",
            )
        queue: BoundedQueue[logging.LogRecord] = BoundedQueue(
            max_queue_bytes,
            parse_overflow(overflow),
            wake_items=max_batch_events,
            # about one full batch: queue costs carry the record overhead, batches 26 bytes
            wake_bytes=max_batch_bytes
            + max_batch_events * (RECORD_OVERHEAD_BYTES - EVENT_OVERHEAD_BYTES),
        )
        oversize_policy = parse_oversize(oversize)
        overflow_policy = parse_overflow(overflow)
        super().__init__(level)
        self.log_group = log_group
        self.log_stream = log_stream
        self.close_timeout = close_timeout
        self._settings = SenderSettings(
            log_group=log_group,
            log_stream=log_stream,
            create_log_group=create_log_group,
            create_log_stream=create_log_stream,
            retention_days=retention_days,
            flush_interval=flush_interval,
            max_batch_events=max_batch_events,
            max_batch_bytes=max_batch_bytes,
            max_event_bytes=max_event_bytes,
            oversize=oversize_policy,
            retry=self.retry_policy,
            spool_dir=spool_path,
            spool_commit_interval=float(spool_commit_interval),
            spool_max_bytes=spool_max_bytes,
            spool_overflow=overflow_policy,
            metrics_interval=emit_metrics_interval,
            # what the sender holds outside the queue stays small next to the queue's bound
            chunk_bytes=min(8 * 1_048_576, max(2 * max_batch_bytes, max_queue_bytes // 4)),
        )
        self._queue = queue
        self._client = client
        self._client_options: dict[str, Any] = {
            "boto3_session": boto3_session,
            "region_name": region_name,
            "endpoint_url": endpoint_url,
            "profile_name": profile_name,
            "botocore_config": botocore_config,
        }
        self._transport = transport
        self._rebuild_client = False
        self._clock: Clock = clock or time.monotonic
        self._default_formatter = default_formatter()
        self._plain_default = _is_message_only(self._default_formatter)
        self._closed = False
        self._close_lock = threading.Lock()
        self._after_close = 0
        self._internal_skipped = 0
        self._sender = self._new_sender()
        self._started = False
        _LIVE.add(self)
        lifecycle.watch_multiprocessing_children(_close_all)
        if install_signal_handlers:
            lifecycle.install_sigterm_delivery(_close_all)
        if spool_path is not None:
            self._start()  # what a previous process left is sent without waiting for a record

    @staticmethod
    def _check_service_options(
        client: Any,
        transport: Transport | None,
        boto3_session: Any,
        region_name: str | None,
        endpoint_url: str | None,
        profile_name: str | None,
        botocore_config: Any,
    ) -> None:
        check_endpoint_url(endpoint_url)
        if transport is not None and not isinstance(transport, Transport):
            raise ConfigurationError(
                f"transport={transport!r} does not implement cw_logging.transport.Transport",
                code="InvalidSetting",
            )
        if botocore_config is not None:
            from botocore.config import Config

            if not isinstance(botocore_config, Config):
                raise ConfigurationError(
                    f"botocore_config={botocore_config!r} is invalid: pass a "
                    "botocore.config.Config",
                    code="InvalidSetting",
                )
        if boto3_session is not None and profile_name is not None:
            raise ConfigurationError(
                "pass either boto3_session or profile_name, not both (the session has its profile)",
                code="InvalidSetting",
            )
        builds_client = [
            name
            for name, value in (
                ("boto3_session", boto3_session),
                ("region_name", region_name),
                ("endpoint_url", endpoint_url),
                ("profile_name", profile_name),
                ("botocore_config", botocore_config),
            )
            if value is not None
        ]
        given = [
            name
            for name, value in (("client", client), ("transport", transport))
            if value is not None
        ]
        if len(given) > 1 or (given and builds_client):
            raise ConfigurationError(
                f"conflicting options {', '.join(given + builds_client)}: pass a ready client "
                "(or transport), or the options to build one, not both",
                code="InvalidSetting",
            )
        if client is not None and not callable(getattr(client, "put_log_events", None)):
            raise ConfigurationError(
                f"client={client!r} is not a boto3 CloudWatch Logs client (boto3.client('logs'))",
                code="InvalidSetting",
            )

    def _new_sender(self) -> Sender:
        return Sender(
            self._settings,
            self._queue,
            transport_factory=self._make_transport,
            format_record=self.format,
            clock=self._clock,
            metrics=self._emit_metrics,
        )

    def _make_transport(self) -> Transport:
        """Build the transport on the sender thread, the first time the service is needed."""
        if self._transport is not None:
            return self._transport
        if self._client is not None:
            if self._rebuild_client:
                self._client = _client_like(self._client)
                self._rebuild_client = False
            return Boto3Transport(self._client)
        options = dict(self._client_options)
        options["botocore_config"] = _client_config(options["botocore_config"])
        return Boto3Transport(build_client(**options))

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
        if _get_ident() in _SENDER_THREADS:
            self._internal_skipped += 1  # botocore/urllib3/our own records: never re-enter
            return
        if self._closed:
            self._count_after_close()
            return
        try:
            attributes = record.__dict__
            values = attributes.copy()  # a shallow copy: other handlers see the record as is
            msg = record.msg
            if record.args:
                try:
                    msg = msg % record.args if msg.__class__ is str else record.getMessage()
                except Exception:
                    msg = _message_text(record)
                values["msg"] = msg
                values["args"] = None
                cost = len(msg)
            elif msg.__class__ is str:
                cost = len(msg)
            elif isinstance(msg, Mapping):
                values["msg"] = dict(msg)
                cost = 256
            else:
                msg = values["msg"] = _message_text(record)
                cost = len(msg)
            if record.exc_info:
                cost += self._capture_exception(record, values)
            if _RECORD_ATTRIBUTE not in attributes:
                values[_RECORD_ATTRIBUTE] = _capture()
            snapshot = _new_object(record.__class__)
            snapshot.__dict__ = values
            self._queue.put(snapshot, cost + RECORD_OVERHEAD_BYTES)
            if not self._started:
                self._start()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

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
        with self._close_lock:
            self._after_close += 1
        self._sender.reporter.report(
            "after_close",
            f"a record was logged after the CloudWatchHandler for {self.log_group!r} was "
            "closed; it is counted in stats()['dropped']['after_close'], not sent",
        )

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record`` with the handler's formatter (a plain ``Formatter`` by default)."""
        formatter = self.formatter
        if formatter is None:
            msg = record.msg
            if (
                self._plain_default
                and msg.__class__ is str
                and not (record.args or record.exc_text or record.stack_info)
            ):
                return msg  # what Formatter("%(message)s") returns, at a fraction of the cost
            formatter = self._default_formatter
        return formatter.format(record)

    # -- lifecycle -----------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        """Wait until every record emitted before the call is sent or accounted for.

        Waits at most ``timeout`` seconds (default ``close_timeout``); returns True when all of
        them are done. Inside ``logging``'s module lock (a second ``dictConfig``) it never waits:
        it wakes the sender and returns.
        """
        limit = (
            self.close_timeout if timeout is None else _seconds("timeout", timeout, allow_zero=True)
        )
        if not self._started and self._settings.spool_dir is not None:
            self._start()  # a forked child's spool: open it so that flush() can tell
        sender = self._sender
        mark = self._queue.total_put
        if sender.done_count() >= mark and sender.caught_up:
            return True
        if not sender.alive or _holding_logging_lock() or _get_ident() in _SENDER_THREADS:
            self._queue.wake()
            return False
        return sender.wait_done(mark, limit)

    def close(self) -> None:
        """Deliver what is queued within ``close_timeout`` seconds, then stop the sender.

        Records logged afterwards are counted as dropped (``after_close``). Called inside
        ``logging``'s module lock (a second ``dictConfig``), it hands the final delivery to the
        sender and returns at once, so the reconfiguration can never deadlock.
        """
        sender = self._sender
        with self._close_lock:
            if not self._closed:
                self._closed = True
                sender.stop(self._clock() + self.close_timeout)  # one deadline for every caller
        try:
            if not sender.started:
                if len(self._queue) or self._settings.spool_dir is not None:
                    sender.run_here()  # no thread could be started: deliver on this one
            elif _holding_logging_lock():
                _DETACHED.difference_update([s for s in _DETACHED if not s.alive])
                if sender.alive:
                    _DETACHED.add(sender)
            elif not sender.join(sender.seconds_left()):
                sender.abandon()
        finally:
            _LIVE.discard(self)
            super().close()

    def stats(self) -> dict[str, Any]:
        """Return delivery counters; the keys are listed in ``docs/handler.md`` and stable.

        ``queued``/``queued_bytes``: waiting in the queue; ``accepted``: records ever queued;
        ``sent``: events stored by the service; ``batches``: successful PutLogEvents calls;
        ``retried``: failed calls retried; ``dropped``/``rejected``: counts by reason;
        ``last_error``: the last failure as text (None if none).
        """
        queue = self._queue
        counters = self._sender.stats.snapshot()
        dropped: dict[str, int] = queue.dropped()
        for reason, count in counters.pop("dropped").items():
            dropped[reason] = dropped.get(reason, 0) + count
        if self._after_close:
            dropped["after_close"] = self._after_close
        counters["internal_skipped"] += self._internal_skipped
        accepted = queue.total_put
        spool = self._sender.spool
        spool_stats = spool.stats() if spool is not None else None
        oldest = _oldest_queued_age(queue)
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
            "in_flight": max(accepted - len(queue) - self._sender.done_count(), 0),
            **counters,
            "dropped": dropped,
            "breaker": self._sender.breaker.state,
            "closed": self._closed,
            "spool_depth": spool_stats.depth if spool_stats else 0,
            "spool_bytes": spool_stats.bytes if spool_stats else 0,
            "spool_adopted": spool_stats.adopted if spool_stats else 0,
            "spool_path": spool_stats.path if spool_stats else None,
            "oldest_unsent_age": oldest,
        }

    def _emit_metrics(self) -> None:
        """Write the delivery counters as one CloudWatch Embedded Metric Format line on stdout."""
        stream = sys.stdout
        if stream is not None:
            stream.write(emf_line(self.stats(), log_group=self.log_group) + "\n")
            stream.flush()

    def _reinit_after_fork(self) -> None:
        """In a forked child: fresh queue locks, an empty queue and a new sender and client."""
        self._queue.reinit_after_fork()
        self._queue.clear()  # the parent delivers its own records; the child must not resend
        self._close_lock = threading.Lock()
        self._after_close = 0
        self._internal_skipped = 0
        self._rebuild_client = self._client is not None
        self._sender = self._new_sender()
        self._started = False

    def __repr__(self) -> str:
        level = logging.getLevelName(self.level)
        return (
            f"<{type(self).__name__} log_group={self.log_group!r} "
            f"log_stream={self.log_stream!r} ({level})>"
        )


def _client_like(client: Any) -> Any:
    """Return a new boto3 logs client with ``client``'s region, endpoint, config and credentials.

    A forked child must not share the parent's HTTP connections.
    """
    import boto3

    options: dict[str, Any] = {
        "region_name": client.meta.region_name,
        "endpoint_url": client.meta.endpoint_url,
        "config": client.meta.config,
    }
    credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options.update(
            aws_access_key_id=frozen.access_key,
            aws_secret_access_key=frozen.secret_key,
            aws_session_token=frozen.token,
        )
    return boto3.session.Session().client("logs", **options)


def _client_config(user_config: Any) -> Any:
    """Return the package's client defaults with ``user_config``'s own settings on top.

    botocore's parameter validation is off by default: the batch builder only produces valid
    requests, and validating 10,000 events costs more CPU than serialising them.
    """
    config = default_botocore_config(parameter_validation=False)
    return config if user_config is None else config.merge(user_config)


def _after_fork_in_child() -> None:
    _SENDER_THREADS.clear()  # those threads do not exist in the child
    _DETACHED.clear()
    for handler in list(_LIVE):
        handler._reinit_after_fork()


def _close_all() -> None:
    """Close every live handler, all against their deadlines at once (not one after another)."""
    handlers = list(_LIVE)
    for handler in handlers:
        with handler._close_lock:
            if not handler._closed:
                handler._closed = True
                handler._sender.stop(handler._clock() + handler.close_timeout)
    for handler in handlers:
        handler.close()
    _wait_for_detached()


def flush_all(timeout: float) -> bool:
    """Flush every open CloudWatchHandler of this process within one ``timeout`` (seconds).

    For hooks that must deliver before the process is frozen or ended (Lambda, your own signal
    handler). Returns True when everything logged before the call was delivered or accounted for.
    """
    end = time.monotonic() + max(timeout, 0.0)
    handlers = list(_LIVE)
    for handler in handlers:
        handler._queue.wake()  # all senders start at once; the waits below overlap
    done = True
    for handler in handlers:
        done = handler.flush(timeout=max(end - time.monotonic(), 0.0)) and done
    return done


def _oldest_queued_age(queue: BoundedQueue[logging.LogRecord]) -> float | None:
    """Seconds since the oldest record still in memory was created (None when empty)."""
    try:
        record = queue._items[0][0]
    except IndexError:
        return None
    return max(time.time() - record.created, 0.0)


def _wait_for_detached() -> None:
    """At exit: let senders whose handler was closed inside dictConfig finish (bounded)."""
    for sender in list(_DETACHED):
        sender.join(sender.seconds_left())
    _DETACHED.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_wait_for_detached)
