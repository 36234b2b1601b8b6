"""Replay recorded log events at their original pace (or faster), optionally moved to now.

::

    from cw_logging.testing import replay, from_log_group, to_log_group

    # a log group (real boto3 client or cw_logging.local.LocalClient) into another group
    result = replay(from_log_group(client, "/app/prod", time_range=TimeRange.last(hours=1)),
                    to_log_group("/app/replayed", client=client), time_scale=0.1)
    # a JSONL file into memory, as fast as possible
    events = []
    replay("recording.jsonl", events, time_scale=0)
    result.sent, result.failed, result.errors      # counts and per-event errors

Sources: :func:`from_log_group`; a JSONL file (a ``str`` or ``Path``; ``"-"`` or an open text
file reads that instead): each line either an
exported event ``{"timestamp": <epoch ms>, "message": "..."}`` (FilterLogEvents' shape, extra
keys ``logStreamName``, ``ingestionTime``, ``eventId`` allowed) or any other JSON object, which
is sent whole as the message and timed by its ``timestamp`` / ``@timestamp`` / ``time`` field
(ISO 8601 or epoch); or an iterable in memory of such dicts, :class:`MockEvent`,
:class:`SimulatedEvent` or :class:`cw_logging.query.events.LogEvent`.

Targets: :func:`to_log_group` (a CloudWatchHandler sending each message unchanged), any
``logging.Handler``, a :class:`MockLogStream`, a ``list`` (receives exported-event dicts) or a
callable taking each :class:`ReplayEvent`.

Events are sent oldest first; the gap between two events is the original gap times
``time_scale`` (0: no waiting). With ``shift_to_now`` the timestamps move so that the replay
happens now: the first event is stamped now and later ones at their (scaled) offsets, or, with
``time_scale=0``, the last event is stamped now and the original gaps are kept. The source is
read into memory first (it is sorted by time).
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._options import Clock
from ..errors import ConfigurationError
from ._pacing import Pacer, Sleep, check_time_scale

if TYPE_CHECKING:
    from ..handler._handler import CloudWatchHandler
    from ..query._timerange import TimeRange

__all__ = [
    "LogGroupSource",
    "LogGroupTarget",
    "ReplayError",
    "ReplayEvent",
    "ReplayResult",
    "from_log_group",
    "replay",
    "to_log_group",
]

EXPORT_KEYS = frozenset({"timestamp", "message", "logStreamName", "ingestionTime", "eventId"})
"""Keys of an exported event (FilterLogEvents' shape); other objects are messages themselves."""
TIME_KEYS = ("timestamp", "@timestamp", "time")
"""Fields a JSON record's time is read from, first found wins."""


@dataclass(frozen=True)
class ReplayEvent:
    """One event being replayed: the ``timestamp`` it is sent with (epoch ms, shifted when
    ``shift_to_now``), its ``message``, its ``original_timestamp`` and where it came from."""

    timestamp: int
    message: str
    original_timestamp: int
    origin: str = ""

    def as_export(self) -> dict[str, Any]:
        """The event as ``{"timestamp": ..., "message": ...}`` (PutLogEvents' shape)."""
        return {"timestamp": self.timestamp, "message": self.message}


@dataclass(frozen=True)
class ReplayError:
    """An event that could not be read, transformed or sent: ``origin`` says which (``line
    7``, ``item 3``...), ``error`` what went wrong."""

    origin: str
    error: str


@dataclass
class ReplayResult:
    """Counts of a replay: ``read`` from the source, ``sent`` to the target, ``skipped`` by the
    transform, ``failed`` (each with an entry in ``errors``); ``waited_seconds`` pacing took;
    ``target_stats`` the handler's ``stats()`` for a :func:`to_log_group` target."""

    read: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[ReplayError] = field(default_factory=list)
    waited_seconds: float = 0.0
    first_timestamp: int | None = None
    last_timestamp: int | None = None
    target_stats: dict[str, Any] | None = None

    def fail(self, origin: str, error: object) -> None:
        """Record one failed event."""
        self.failed += 1
        self.errors.append(ReplayError(origin, str(error)))

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-serialisable data."""
        return {
            "read": self.read,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "errors": [{"origin": e.origin, "error": e.error} for e in self.errors],
            "waited_seconds": self.waited_seconds,
            "first_timestamp": self.first_timestamp,
            "last_timestamp": self.last_timestamp,
            "target_stats": self.target_stats,
        }


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogGroupSource:
    """Events of a log group read with FilterLogEvents (see :func:`from_log_group`)."""

    client: Any
    log_group: str
    pattern: str | None = None
    time_range: TimeRange | None = None
    stream_names: tuple[str, ...] | None = None

    def read(self) -> Iterator[tuple[str, object]]:
        """Yield ``(origin, event)`` pairs."""
        from ..query._events import filter_log_events

        events = filter_log_events(
            self.log_group,
            self.pattern,
            time_range=self.time_range,
            stream_names=self.stream_names,
            client=self.client,
        )
        for event in events:
            yield f"{self.log_group}/{event.stream or ''}", event


def from_log_group(
    client: Any,
    log_group: str,
    *,
    pattern: str | None = None,
    time_range: TimeRange | None = None,
    stream_names: Iterable[str] | None = None,
) -> LogGroupSource:
    """A replay source reading ``log_group`` through a boto3-style ``logs`` client (real boto3
    or :class:`cw_logging.local.LocalClient`), optionally by filter pattern, time range
    (:class:`cw_logging.query.TimeRange`) and stream names."""
    names = tuple(stream_names) if stream_names is not None else None
    return LogGroupSource(client, log_group, pattern, time_range, names)


def _jsonl(path: Path) -> Iterator[tuple[str, object]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the replay source {str(path)!r}: {exc.strerror or exc}; pass a JSONL "
            "file, from_log_group(client, name) for a log group, or a list of events",
            code="InvalidSource",
        ) from exc
    with handle:
        yield from _lines(handle)


def _lines(handle: Iterable[str]) -> Iterator[tuple[str, object]]:
    for number, line in enumerate(handle, start=1):
        text = line.rstrip("\r\n")
        if text.strip():
            yield f"line {number}", text


def _from_json_text(text: str) -> tuple[int, str]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return _from_mapping(value, text)


def _from_mapping(value: Mapping[str, Any], text: str | None = None) -> tuple[int, str]:
    message = value.get("message")
    if set(value) <= EXPORT_KEYS and isinstance(message, str) and "timestamp" in value:
        return epoch_millis(value["timestamp"]), message
    if text is None:
        text = json.dumps(value, separators=(",", ":"), default=str)
    for key in TIME_KEYS:
        if key in value:
            return epoch_millis(value[key]), text
    raise ValueError(f"no timestamp: give the record one of the fields {', '.join(TIME_KEYS)}")


def _from_object(item: object) -> tuple[int, str]:
    if isinstance(item, Mapping):
        return _from_mapping(item)
    if isinstance(item, str):
        return _from_json_text(item)
    timestamp = getattr(item, "timestamp", None)
    to_json = getattr(item, "to_json", None)
    message = to_json() if callable(to_json) else getattr(item, "message", None)
    if timestamp is None or not isinstance(message, str):
        raise ValueError(
            f"cannot replay a {type(item).__name__}: give dicts with timestamp and message"
        )
    return epoch_millis(timestamp), message


def epoch_millis(value: object) -> int:
    """Epoch milliseconds from epoch ms or seconds (numbers below 1e11 are seconds), an ISO 8601
    string (UTC when it has no offset) or a datetime. Raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"timestamp {value!r} is not a time")
    if isinstance(value, (int, float)):
        return int(value if abs(value) >= 1e11 else value * 1000)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return epoch_millis(int(text))
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"timestamp {text!r} is neither epoch nor ISO 8601") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp() * 1000)
    raise ValueError(f"timestamp {value!r} is not a time")


def _read(source: object) -> Iterator[tuple[str, object]]:
    if isinstance(source, LogGroupSource):
        return source.read()
    if source == "-":
        return _lines(sys.stdin)
    if isinstance(source, (str, os.PathLike)):
        return _jsonl(Path(source))
    if isinstance(source, io.TextIOBase):
        return _lines(source)
    if isinstance(source, Iterable) and not isinstance(source, (bytes, Mapping)):
        return ((f"item {index}", item) for index, item in enumerate(source))
    raise ConfigurationError(
        f"source={source!r} is invalid: pass from_log_group(client, name), a JSONL file path "
        "or an iterable of events",
        code="InvalidSource",
    )


def _load(source: object, result: ReplayResult) -> list[ReplayEvent]:
    events: list[ReplayEvent] = []
    for origin, item in _read(source):
        result.read += 1
        try:
            timestamp, message = _from_object(item)
        except ValueError as exc:
            result.fail(origin, exc)
            continue
        events.append(ReplayEvent(timestamp, message, timestamp, origin))
    events.sort(key=lambda event: event.original_timestamp)
    return events


# -- writing -------------------------------------------------------------------------------


@dataclass
class LogGroupTarget:
    """A CloudWatchHandler sending each replayed message unchanged (see :func:`to_log_group`)."""

    log_group: str
    log_stream: str = "replay"
    options: dict[str, Any] = field(default_factory=dict)
    handler: CloudWatchHandler | None = None

    def open(self) -> CloudWatchHandler:
        """Build the handler (no network until the first event)."""
        from ..handler._handler import CloudWatchHandler

        self.handler = CloudWatchHandler(self.log_group, self.log_stream, **self.options)
        self.handler.setFormatter(logging.Formatter("%(message)s"))
        return self.handler


def to_log_group(log_group: str, log_stream: str = "replay", **handler_options: Any) -> Any:
    """A replay target: a log group and stream, written through a CloudWatchHandler built with
    ``handler_options`` (``client=``, ``transport=``, ``endpoint_url=``, ``create_log_group=``
    ...); the replay closes it and reports its ``stats()`` in ``target_stats``."""
    handler_options.setdefault("create_log_group", True)
    return LogGroupTarget(log_group, log_stream, handler_options)


Deliver = Callable[[ReplayEvent], object]


def _record(event: ReplayEvent) -> logging.LogRecord:
    record = logging.LogRecord(
        "cw_logging.replay", logging.INFO, "replay", 0, event.message, None, None
    )
    record.created = event.timestamp / 1000
    record.msecs = float(event.timestamp % 1000)
    return record


def _handler_sink(handler: logging.Handler) -> Deliver:
    return lambda event: handler.handle(_record(event))


def _open_target(target: object) -> tuple[Deliver, Callable[[ReplayResult], None]]:
    """Return how to deliver one event and how to finish (flush, close, collect stats)."""
    from ._mock_stream import MockLogStream

    if isinstance(target, MockLogStream):
        target = to_log_group(
            target.log_group, target.log_stream, transport=target.transport, create_log_group=False
        )
    if isinstance(target, LogGroupTarget):
        handler = target.open()

        def finish_group(result: ReplayResult) -> None:
            handler.close()
            result.target_stats = dict(handler.stats())

        return _handler_sink(handler), finish_group
    if isinstance(target, logging.Handler):
        return _handler_sink(target), lambda result: target.flush()
    if isinstance(target, list):
        sink = target
        return lambda event: sink.append(event.as_export()), lambda result: None
    if callable(target):
        return target, lambda result: None
    raise ConfigurationError(
        f"target={target!r} is invalid: pass to_log_group(name, ...), a logging.Handler, a "
        "MockLogStream, a list or a callable taking each ReplayEvent",
        code="InvalidTarget",
    )


def _shifted(
    events: list[ReplayEvent], time_scale: float, shift_to_now: bool, now_ms: int
) -> Iterator[ReplayEvent]:
    if not events:
        return
    first = events[0].original_timestamp
    if not shift_to_now:
        yield from events
        return
    scale = time_scale if time_scale > 0 else 1.0
    anchor = now_ms if time_scale > 0 else now_ms - (events[-1].original_timestamp - first)
    for event in events:
        offset = int((event.original_timestamp - first) * scale)
        yield replace(event, timestamp=anchor + offset)


def _transformed(
    event: ReplayEvent, transform: Callable[[ReplayEvent], Any] | None
) -> ReplayEvent | None:
    if transform is None:
        return event
    value = transform(event)
    if value is None or isinstance(value, ReplayEvent):
        return value
    if isinstance(value, str):
        return replace(event, message=value)
    raise ValueError(
        f"transform returned a {type(value).__name__}: return a ReplayEvent, a message string "
        "or None to skip the event"
    )


def replay(
    source: object,
    target: object,
    time_scale: float = 1.0,
    shift_to_now: bool = True,
    transform: Callable[[ReplayEvent], ReplayEvent | str | None] | None = None,
    *,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    now: Clock = time.time,
) -> ReplayResult:
    """Send the events of ``source`` to ``target``, keeping their gaps times ``time_scale``.

    See the module docstring for sources, targets and timestamps. ``transform`` may change an
    event (return a ReplayEvent or a new message) or skip it (return None). ``clock``/``sleep``
    pace the replay and ``now`` (epoch seconds) anchors ``shift_to_now``: inject them in tests.
    Per-event problems are counted in the result, never raised; a bad ``source``, ``target``
    or ``time_scale`` raises ConfigurationError.
    """
    scale = check_time_scale(time_scale)
    result = ReplayResult()
    deliver, finish = _open_target(target)
    pacer = Pacer(scale, clock=clock, sleep=sleep)
    try:
        events = _load(source, result)
        for event in _shifted(events, scale, shift_to_now, int(now() * 1000)):
            pacer.wait_for(event.original_timestamp / 1000)
            try:
                changed = _transformed(event, transform)
                if changed is None:
                    result.skipped += 1
                    continue
                deliver(changed)
            except Exception as exc:
                result.fail(event.origin, exc)
                continue
            result.sent += 1
            if result.first_timestamp is None:
                result.first_timestamp = changed.timestamp
            result.last_timestamp = changed.timestamp
    finally:
        finish(result)
        result.waited_seconds = pacer.waited
    return result
