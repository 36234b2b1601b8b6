"""Fault injection for write-path tests.

:class:`FaultProxy` is a real HTTP proxy on 127.0.0.1 in front of moto's server: a test tells it
to throttle or fail a share of PutLogEvents calls, to forward a call and then drop the connection
before the answer (the server stored the batch, the client never hears so), or to go down
(connections refused) and come back on the same port.

:class:`MemoryTransport` is an in-memory ``Transport`` with CloudWatch's resource rules (a stream
needs its group, creating twice fails), scripted failures, a poison-event rule and a gate that
holds calls, for unit tests of the sender's decisions.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import random
import socket
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from cw_logging._limits import InputLogEvent, batch_violations
from cw_logging.delivery.transport import PutResult
from cw_logging.errors import (
    CloudWatchLogsError,
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from tests.support._http import HOP_BY_HOP, abort, client_left, read_request, response

FAULTS = {
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "unavailable": (503, "ServiceUnavailableException", "Service unavailable (injected)"),
}
"""Canned service answers by fault kind: (HTTP status, error code, message)."""


class FaultRule:
    """Inject ``kind`` into calls of ``operation``: the next ``times``, or a ``ratio`` share
    (at most ``limit`` calls in all, when given).

    ``kind`` may be a tuple of kinds: each injected call gets one of them at random.
    """

    def __init__(
        self,
        kind: str | tuple[str, ...],
        operation: str,
        times: int | None,
        ratio: float | None,
        seed: int,
        limit: int | None = None,
    ) -> None:
        self.kinds = (kind,) if isinstance(kind, str) else kind
        self.operation = operation
        self.times = times
        self.ratio = ratio
        self.limit = limit
        self._rng = random.Random(seed)

    def applies(self, operation: str) -> bool:
        if operation != self.operation:
            return False
        if self.times is not None:
            if self.times <= 0:
                return False
            self.times -= 1
            return True
        if self.ratio is None or self._rng.random() >= self.ratio:
            return False
        if self.limit is not None:
            if self.limit <= 0:
                return False
            self.limit -= 1
        return True

    def pick(self) -> str:
        """The kind of fault to inject into the call :meth:`applies` accepted."""
        return self.kinds[0] if len(self.kinds) == 1 else self._rng.choice(self.kinds)


class FaultProxy:
    """A loopback HTTP/1.1 proxy to ``upstream_url`` whose faults the test controls.

    A ``hang`` holds its call until :meth:`release_hung` or ``hang_seconds`` passed, then
    forwards it, unless the client gave up meanwhile (then the call was cut before the server
    stored anything, and ``hung_abandoned`` counts it).
    """

    def __init__(self, upstream_url: str, *, hang_seconds: float = 60.0) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._connections: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self.requests: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.forwarded_then_dropped: list[bytes] = []
        self.hung_abandoned = 0
        self.hang_seconds = hang_seconds
        self._hung = threading.Event()
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def events_stored_then_dropped(self) -> int:
        """Events of PutLogEvents calls the server stored but whose answer was cut: the most
        duplicates a correct client can cause by retrying them."""
        with self._lock:
            bodies = list(self.forwarded_then_dropped)
        return sum(len(json.loads(body).get("logEvents", [])) for body in bodies)

    # -- control ---------------------------------------------------------------------------

    def fail(
        self,
        kind: str | tuple[str, ...],
        *,
        times: int | None = None,
        ratio: float | None = None,
        operation: str = "PutLogEvents",
        seed: int = 7,
        limit: int | None = None,
    ) -> None:
        """Add a fault: ``throttle``, ``unavailable``, ``drop_after_forward``, ``reset`` or
        ``hang`` (hold the call unanswered until :meth:`release_hung` or ``hang_seconds``, then
        forward it). Rules are tried in the order they were added; the first that applies wins.

        A tuple of kinds injects one of them, chosen at random, into each faulted call;
        ``limit`` caps how many calls a ``ratio`` rule faults.
        """
        for one in (kind,) if isinstance(kind, str) else kind:
            if one not in (*FAULTS, "drop_after_forward", "reset", "hang"):
                raise ValueError(f"unknown fault {one!r}")
        with self._lock:
            self._rules.append(FaultRule(kind, operation, times, ratio, seed, limit))

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def down(self) -> None:
        """Refuse new connections and cut the open ones, like a server that went away."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections = list(self._connections)
            self._connections.clear()
        if listener is not None:
            with contextlib.suppress(OSError):  # shutdown wakes the thread blocked in accept()
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for conn in connections:
            abort(conn)

    def up(self) -> None:
        """Listen again (on the same port after :meth:`down`)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def release_hung(self) -> None:
        """Let every held (``hang``) call go on to the server."""
        self._hung.set()

    def stop(self) -> None:
        self.release_hung()
        self.down()

    # -- serving ---------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                if self._listener is not listener:
                    abort(conn)
                    return
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _decide(self, operation: str) -> str | None:
        with self._lock:
            self.requests[operation] += 1
            for rule in self._rules:
                if rule.applies(operation):
                    kind = rule.pick()
                    self.injected[kind] += 1
                    return kind
        return None

    def _serve(self, conn: socket.socket) -> None:
        upstream = http.client.HTTPConnection(*self._upstream, timeout=30)
        reader = conn.makefile("rb")
        try:
            while True:
                request = read_request(reader)
                if request is None:
                    return
                method, path, headers, body = request
                target = headers.get("x-amz-target", "")
                fault = self._decide(target.rsplit(".", 1)[-1])
                if fault == "reset":
                    abort(conn)
                    return
                if fault == "hang":
                    self._hung.wait(self.hang_seconds)
                    if client_left(conn):
                        with self._lock:
                            self.hung_abandoned += 1
                        return
                if fault in FAULTS:
                    status, code, message = FAULTS[fault]
                    payload = json.dumps({"__type": code, "message": message}).encode()
                    conn.sendall(response(status, [], payload))
                    continue
                forward = {k: v for k, v in headers.items() if k not in HOP_BY_HOP}
                upstream.request(method, path, body=body, headers=forward)
                answer = upstream.getresponse()
                data = answer.read()
                if fault == "drop_after_forward":
                    with self._lock:
                        self.forwarded_then_dropped.append(body)
                    abort(conn)
                    return
                kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
                conn.sendall(response(answer.status, kept, data))
        except OSError:
            return
        finally:
            upstream.close()
            reader.close()
            with self._lock:
                self._connections.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()


# -- in-memory transport -------------------------------------------------------------------------


class MemoryTransport:
    """An in-memory :class:`cw_logging.delivery.transport.Transport` with CloudWatch's resource
    rules.

    ``failures[operation]`` is a queue of errors raised by the next calls of that operation;
    ``poison(predicate)`` makes PutLogEvents refuse (InvalidParameterError) any batch holding an
    event whose message matches; ``reject_with`` returns a PutResult for a batch (partial
    success); ``gate`` (an Event) holds every PutLogEvents call until set. Every batch is checked
    with :func:`batch_violations`; problems land in ``violations``.
    """

    def __init__(self, *, groups: Sequence[str] = ()) -> None:
        self._lock = threading.Lock()
        self.groups: set[str] = set(groups)
        self.streams: dict[tuple[str, str], list[InputLogEvent]] = {}
        self.retention: dict[str, int] = {}
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.failures: dict[str, deque[CloudWatchLogsError]] = {}
        self.violations: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.create_stream_gate = threading.Event()
        self.create_stream_gate.set()
        self._poison: Callable[[str], bool] | None = None
        self.reject_with: Callable[[Sequence[InputLogEvent]], PutResult] | None = None
        self.put_events: list[int] = []

    def fail_next(self, operation: str, error: CloudWatchLogsError, times: int = 1) -> None:
        with self._lock:
            self.failures.setdefault(operation, deque()).extend([error] * times)

    def poison(self, predicate: Callable[[str], bool]) -> None:
        self._poison = predicate

    def _enter(self, operation: str, *args: Any) -> None:
        with self._lock:
            self.calls.append((operation, args))
            queued = self.failures.get(operation)
            error = queued.popleft() if queued else None
        if error is not None:
            raise error

    def count(self, operation: str) -> int:
        with self._lock:
            return sum(1 for name, _ in self.calls if name == operation)

    def events(self, group: str, stream: str | None = None) -> list[InputLogEvent]:
        with self._lock:
            return [
                event
                for (g, s), events in self.streams.items()
                if g == group and (stream is None or s == stream)
                for event in events
            ]

    def messages(self, group: str, stream: str | None = None) -> list[str]:
        return [event["message"] for event in self.events(group, stream)]

    # -- Transport -------------------------------------------------------------------------

    def put_log_events(
        self, log_group: str, log_stream: str, events: Sequence[InputLogEvent]
    ) -> PutResult:
        self.gate.wait(30)
        self._enter("put_log_events", log_group, log_stream, len(events))
        with self._lock:
            self.violations += batch_violations(events)
            if (log_group, log_stream) not in self.streams:
                raise ResourceNotFoundError(
                    "The specified log stream does not exist.", code="ResourceNotFoundException"
                )
        poison = self._poison
        if poison is not None and any(poison(event["message"]) for event in events):
            raise InvalidParameterError("bad event", code="InvalidParameterException")
        result = self.reject_with(events) if self.reject_with else PutResult()
        with self._lock:
            self.put_events.append(len(events))
            stored = self.streams[(log_group, log_stream)]
            rejected_old = 0 if result.too_old_end is None else result.too_old_end + 1
            end = len(events) if result.too_new_start is None else result.too_new_start
            stored.extend(events[rejected_old:end])
        return result

    def create_log_group(self, log_group: str) -> None:
        self._enter("create_log_group", log_group)
        with self._lock:
            if log_group in self.groups:
                raise ResourceAlreadyExistsError("exists", code="ResourceAlreadyExistsException")
            self.groups.add(log_group)

    def create_log_stream(self, log_group: str, log_stream: str) -> None:
        self.create_stream_gate.wait(30)
        self._enter("create_log_stream", log_group, log_stream)
        with self._lock:
            if log_group not in self.groups:
                raise ResourceNotFoundError(
                    "The specified log group does not exist.", code="ResourceNotFoundException"
                )
            if (log_group, log_stream) in self.streams:
                raise ResourceAlreadyExistsError("exists", code="ResourceAlreadyExistsException")
            self.streams[(log_group, log_stream)] = []

    def put_retention_policy(self, log_group: str, days: int) -> None:
        self._enter("put_retention_policy", log_group, days)
        with self._lock:
            self.retention[log_group] = days


def quick_retry_policy() -> Any:
    """A RetryPolicy with short backoff and breaker timeouts, so outage tests take seconds."""
    from cw_logging.delivery import RetryPolicy

    return RetryPolicy(
        base_delay=0.05,
        max_delay=0.5,
        failure_threshold=3,
        reset_timeout=0.3,
        max_reset_timeout=1.0,
    )


class HandlerFactory:
    """Builds handlers with test defaults, each on a fresh non-propagating logger at DEBUG.

    Options may include ``log_group``, ``log_stream``, ``handler_class`` and ``formatter``
    (default: a plain ``logging.Formatter()``; None keeps the handler's default) besides the
    handler's own. ``make(**options)`` returns ``(handler, logger)``; ``close_all()`` detaches
    and closes every handler it made (call it at teardown).
    """

    _serial = 0

    def __init__(self, handler_class: Any, group: str, **defaults: Any) -> None:
        self.handler_class = handler_class
        self.group = group
        self.defaults = defaults
        self._made: list[tuple[Any, Any]] = []

    def make(self, **options: Any) -> tuple[Any, Any]:
        settings = {**self.defaults, **options}
        stream = settings.pop("log_stream", "s")
        group = settings.pop("log_group", self.group)
        handler_class = settings.pop("handler_class", self.handler_class)
        formatter = settings.pop("formatter", logging.Formatter())
        handler = handler_class(group, stream, **settings)
        handler.setFormatter(formatter)  # plain text, whatever the package default becomes
        HandlerFactory._serial += 1
        logger = logging.getLogger(f"cwtest.{HandlerFactory._serial}")
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        self._made.append((logger, handler))
        return handler, logger

    def close_all(self) -> None:
        for logger, handler in self._made:
            logger.removeHandler(handler)
            handler.close()
