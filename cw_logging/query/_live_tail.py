"""Live Tail: log events pushed by StartLiveTail as they are ingested, from any number of
groups, as one iterator in time order; polling FilterLogEvents where Live Tail is refused."""

from __future__ import annotations

import collections
import contextlib
import queue
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any

from .._limits import validate_log_stream_name
from ..errors import CloudWatchLogsError, ConfigurationError
from ._client import resolve_client
from ._events import LogEvent, check_filter_pattern
from ._follow import follow_groups
from ._groups import group_name
from ._live_tail_session import (
    MAX_SESSION_GROUPS,
    LiveTailEvent,
    SessionReader,
    prepare_client,
    resolve_group_arns,
)

__all__ = ["DEFAULT_SESSION_LIMIT", "LiveTail", "LiveTailEvent", "live_tail"]

DEFAULT_SESSION_LIMIT = timedelta(hours=3) - timedelta(minutes=1)
"""Each session is replaced by a new one after this long, a minute before the service ends it
at 3 hours (old and new overlap, so no event is lost or repeated)."""
FALLBACK_CODES = frozenset(
    ("AccessDeniedException", "AccessDenied", "UnknownOperationException", "LiveTailUnavailable")
)
"""Refusals of StartLiveTail after which events are followed by polling instead."""


class _Closed(Exception):
    """Raised out of the wait between polls when the tail is closed."""


_WAIT_SLICE = 0.25  # seconds a blocked next() waits before checking close() again


class LiveTail:
    """An open Live Tail: iterate it for :class:`LiveTailEvent` s as they arrive (blocking),
    ``close()`` it (or leave its ``with`` block, or press Ctrl-C) to end the sessions.
    Iteration also ends when the server ends every session's stream (a local server that
    stops; the service itself ends a session only at its limit, and a new one is started).

    ``mode`` is ``"live"`` (StartLiveTail sessions, ``sessions`` of them) or ``"polling"``
    (FilterLogEvents, when Live Tail was refused; ``notice`` says why).
    """

    def __init__(
        self,
        log_groups: Sequence[str],
        *,
        client: Any,
        filter_pattern: str | None = None,
        streams: Sequence[str] | None = None,
        stream_prefixes: Sequence[str] | None = None,
        session_limit: timedelta | None = DEFAULT_SESSION_LIMIT,
        poll_interval: float = 2.0,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        self.client = prepare_client(client)
        self.log_groups = list(log_groups)
        self.filter_pattern, self.streams = filter_pattern, streams
        self.stream_prefixes, self.poll_interval = stream_prefixes, poll_interval
        self.mode = "live"
        self.notice: str | None = None
        self._ready: collections.deque[LiveTailEvent] = collections.deque()
        self._queue: queue.Queue[list[LiveTailEvent] | BaseException | None] = queue.Queue()
        self._ended = 0  # readers whose stream the server ended
        self._readers: list[SessionReader] = []
        self._polling: Iterator[LiveTailEvent] | None = None
        self._closed = False
        self._stopped = threading.Event()
        limit = session_limit.total_seconds() if session_limit is not None else None
        try:
            self._open_sessions(limit)
        except CloudWatchLogsError as exc:
            self.close()
            if exc.code not in FALLBACK_CODES:
                raise
            self._fall_back(exc, on_fallback)
        except BaseException:
            self.close()
            raise

    def _open_sessions(self, restart_after: float | None) -> None:
        if not hasattr(self.client, "start_live_tail"):
            raise CloudWatchLogsError(
                "this botocore has no StartLiveTail (upgrade boto3 and botocore)",
                code="LiveTailUnavailable",
            )
        arns = resolve_group_arns(self.log_groups, self.client)
        common: dict[str, Any] = {}
        if self.filter_pattern:
            common["logEventFilterPattern"] = self.filter_pattern
        if self.streams is not None:
            common["logStreamNames"] = list(self.streams)
        if self.stream_prefixes is not None:
            common["logStreamNamePrefixes"] = list(self.stream_prefixes)
        for first in range(0, len(arns), MAX_SESSION_GROUPS):
            params = dict(common, logGroupIdentifiers=arns[first : first + MAX_SESSION_GROUPS])
            self._readers.append(SessionReader(self.client, params, self._queue, restart_after))
        for reader in self._readers:
            reader.start()

    def _fall_back(
        self, refusal: CloudWatchLogsError, on_fallback: Callable[[str], None] | None
    ) -> None:
        self.mode, self._closed = "polling", False
        self._stopped.clear()
        self._readers = []
        self._polling = self._poll(datetime.now(timezone.utc))  # before anyone is told
        self.notice = (
            f"Live Tail is not available ({refusal.code}: {refusal.message}); following by "
            f"polling FilterLogEvents every {self.poll_interval:g} s instead (events arrive "
            "later, and polls share the 5 requests/s quota of the account and region)"
        )
        if on_fallback is not None:
            on_fallback(self.notice)
        else:
            warnings.warn(self.notice, RuntimeWarning, stacklevel=4)

    def _pause(self, seconds: float) -> None:
        """The wait between polls, cut short by :meth:`close`."""
        if self._stopped.wait(seconds):
            raise _Closed

    def _poll(self, start: datetime) -> Iterator[LiveTailEvent]:
        wanted = set(self.streams) if self.streams is not None else None
        prefixes = self.stream_prefixes or []
        followed = follow_groups(
            [group_name(group) for group in self.log_groups],
            self.filter_pattern,
            start=start,
            client=self.client,
            interval=self.poll_interval,
            stream_prefix=prefixes[0] if len(prefixes) == 1 else None,
            sleep=self._pause,
        )
        with contextlib.suppress(_Closed):
            yield from self._polled(followed, wanted, prefixes)

    def _polled(
        self,
        followed: Iterator[tuple[str, LogEvent]],
        wanted: set[str] | None,
        prefixes: Sequence[str],
    ) -> Iterator[LiveTailEvent]:
        for group, event in followed:
            stream = event.stream or ""
            if wanted is not None and stream not in wanted:
                continue
            if len(prefixes) > 1 and not any(stream.startswith(p) for p in prefixes):
                continue
            yield LiveTailEvent(
                event.timestamp, group, stream, event.message, event.ingestion_time, False
            )

    @property
    def sessions(self) -> int:
        """Live Tail sessions started so far (restarts included)."""
        return sum(reader.sessions_started for reader in self._readers)

    @property
    def sampled_updates(self) -> int:
        """Updates in which the service sampled the events (more than 500 a second)."""
        return sum(reader.sampled_updates for reader in self._readers)

    def __iter__(self) -> Iterator[LiveTailEvent]:
        return self

    def __next__(self) -> LiveTailEvent:
        if self._polling is not None:
            if self._closed:
                raise StopIteration
            return next(self._polling)  # StopIteration once closed
        while not self._ready:
            if self._closed or (self._readers and self._ended == len(self._readers)):
                raise StopIteration
            try:
                first = self._queue.get(timeout=_WAIT_SLICE)
            except queue.Empty:
                continue
            self._merge(first)
        return self._ready.popleft()

    def _merge(self, first: list[LiveTailEvent] | BaseException | None) -> None:
        """Take ``first`` and every other update already waiting, in time order."""
        batch: list[LiveTailEvent] = []
        item = first
        while True:
            if isinstance(item, BaseException):
                self.close()
                raise item
            if item is None:
                self._ended += 1
            else:
                batch.extend(item)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
        batch.sort(key=lambda event: event.timestamp)
        self._ready.extend(batch)

    def close(self) -> None:
        """End every session (idempotent); iteration then stops."""
        self._closed = True
        self._stopped.set()
        for reader in self._readers:
            reader.stop()
        for reader in self._readers:
            if reader.is_alive():
                reader.join(timeout=5)
        if self._polling is not None:
            # ValueError: being iterated on another thread, which then stops at its next poll
            with contextlib.suppress(ValueError):
                self._polling.close()  # type: ignore[attr-defined]

    def __enter__(self) -> LiveTail:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _checked_streams(
    log_groups: Sequence[str], streams: Iterable[str] | None, prefixes: Iterable[str] | None
) -> tuple[list[str] | None, list[str] | None]:
    if streams is not None and prefixes is not None:
        raise ConfigurationError(
            "pass streams or stream_prefixes, not both (the service refuses the pair)",
            code="InvalidStreamSelection",
        )
    names = [validate_log_stream_name(s) for s in streams] if streams is not None else None
    starts = [validate_log_stream_name(p) for p in prefixes] if prefixes is not None else None
    if (names is not None or starts is not None) and len(log_groups) != 1:
        raise ConfigurationError(
            "streams and stream_prefixes need exactly one log group (a service rule); tail "
            "several groups without them",
            code="InvalidStreamSelection",
        )
    for chosen in (names, starts):
        if chosen is not None and not 1 <= len(chosen) <= 100:
            raise ConfigurationError(
                f"name 1-100 streams or prefixes, not {len(chosen)}",
                code="InvalidStreamSelection",
            )
    return names, starts


def live_tail(
    log_groups: str | Iterable[str],
    *,
    filter_pattern: str | None = None,
    streams: Iterable[str] | None = None,
    stream_prefixes: Iterable[str] | None = None,
    client: Any = None,
    session_limit: timedelta | None = DEFAULT_SESSION_LIMIT,
    poll_interval: float = 2.0,
    on_fallback: Callable[[str], None] | None = None,
    **client_options: Any,
) -> LiveTail:
    """Start Live Tail on ``log_groups`` (names or ARNs) and return the open :class:`LiveTail`:
    an iterator of :class:`LiveTailEvent` s ingested from now on, and a context manager that
    ends the sessions.

    ``filter_pattern`` is a CloudWatch filter pattern; ``streams`` (names) or
    ``stream_prefixes`` narrow one group to some streams. More than 10 groups are spread over
    several sessions, merged in time order. Each session is replaced after ``session_limit``
    (None: only when the service ends it). Where StartLiveTail is refused (AccessDenied, an
    endpoint or botocore without it), events are followed by polling FilterLogEvents every
    ``poll_interval`` seconds, and ``on_fallback`` (default: a RuntimeWarning) is told once.
    """
    groups = [log_groups] if isinstance(log_groups, str) else list(dict.fromkeys(log_groups))
    if not groups:
        raise ConfigurationError(
            "no log groups to tail: pass live_tail(['/my/group', ...])", code="NoLogGroups"
        )
    if filter_pattern is not None:
        check_filter_pattern(filter_pattern)
    names, prefixes = _checked_streams(groups, streams, stream_prefixes)
    return LiveTail(
        groups,
        client=resolve_client(client, client_options),
        filter_pattern=filter_pattern or None,
        streams=names,
        stream_prefixes=prefixes,
        session_limit=session_limit,
        poll_interval=poll_interval,
        on_fallback=on_fallback,
    )
