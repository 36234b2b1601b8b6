"""HTTP/1.1 for the local server: a strict, bounded request reader and the connection loop.

Every request is read against deadlines (idle between requests, one deadline for the whole
request once its first byte arrived), with bounded sizes (request line, headers, body), and
every failure (a bad request line, an unknown method, headers too large, a Content-Length that
is not a number, a body that never arrives) is answered with an AWS-style JSON error
(``__type``, ``message``) and its HTTP status, never an HTML page and never silence, unless the
peer is gone. Connections are served by one thread each, with a cap on how many at once.
"""

from __future__ import annotations

import contextlib
import http
import re
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ._eventstream import StreamedResponse
from ._protocol import WireResponse, error_response

_METHOD = re.compile(rb"[A-Z][A-Z0-9_-]{0,31}")
_TARGET = re.compile(rb"[\x21-\x7e]{1,16384}")
_HEADER_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
_LENGTH = re.compile(r"[0-9]{1,16}")
KNOWN_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")
)
ALLOWED_METHODS = ("GET", "HEAD", "POST")


@dataclass(frozen=True)
class HttpLimits:
    """Sizes and times the server accepts (bytes, seconds)."""

    request_line_bytes: int = 16 * 1024
    header_bytes: int = 64 * 1024
    max_headers: int = 100
    body_bytes: int = 16 * 1024 * 1024
    idle_timeout: float = 60.0
    read_timeout: float = 20.0
    write_timeout: float = 30.0
    max_connections: int = 1024


@dataclass
class Request:
    """A request as read: method, target, version, headers (lower-cased names), body."""

    method: str
    target: str
    version: str
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The header's value (several values joined by ``, ``), or None."""
        values = self.headers.get(name)
        return None if values is None else ", ".join(values)

    @property
    def keep_alive(self) -> bool:
        """Whether the client wants the connection kept open after this answer."""
        tokens = {t.strip().lower() for t in (self.header("connection") or "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


class HttpError(Exception):
    """A request that cannot be served: its status, error code and message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def bad_request(message: str) -> HttpError:
    """400 BadRequestException."""
    return HttpError(400, "BadRequestException", message)


class _Reader:
    """Buffered reads from a socket, each bounded by a deadline (``time.monotonic``)."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._buffer = bytearray()

    def wait(self, timeout: float) -> bool:
        """Whether a byte arrives within ``timeout`` (False: idle too long, or closed)."""
        if self._buffer:
            return True
        try:
            self._connection.settimeout(timeout)
            data = self._connection.recv(65536)
        except OSError:
            return False
        self._buffer += data
        return bool(data)

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self._connection.settimeout(remaining)
        data = self._connection.recv(65536)
        if not data:
            raise ConnectionResetError("the client closed the connection mid-request")
        self._buffer += data

    def line(self, limit: int, deadline: float, too_long: HttpError) -> bytes:
        """The next line without its line end; ``too_long`` if it exceeds ``limit`` bytes."""
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched)
            if end >= 0:
                break
            if len(self._buffer) > limit:
                raise too_long
            searched = len(self._buffer)
            self._fill(deadline)
        if end > limit:
            raise too_long
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line[:-1] if line.endswith(b"\r") else line

    def exactly(self, count: int, deadline: float) -> bytes:
        """The next ``count`` bytes."""
        while len(self._buffer) < count:
            self._fill(deadline)
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data


def read_request(
    reader: _Reader, limits: HttpLimits, deadline: float, on_continue: Callable[[], None]
) -> Request:
    """Read one request; HttpError for anything malformed or too large, TimeoutError when it
    does not arrive in time. ``on_continue`` sends ``100 Continue`` when the client asks."""
    line_too_long = HttpError(
        414, "RequestUriTooLongException", f"request line longer than {limits.request_line_bytes}"
    )
    line = b""
    for _ in range(4):  # a few empty lines before a request are tolerated (RFC 9112 2.2)
        line = reader.line(limits.request_line_bytes, deadline, line_too_long)
        if line:
            break
    request = _request_line(line)
    request.headers = _headers(reader, limits, deadline)
    if request.version == "HTTP/1.1" and "host" not in request.headers:
        raise bad_request("HTTP/1.1 requests need a Host header")
    request.body = _body(reader, request, limits, deadline, on_continue)
    return request


def _request_line(line: bytes) -> Request:
    parts = line.split(b" ")
    if len(parts) != 3:
        shown = line[:80].decode("latin-1")
        raise bad_request(f"malformed request line {shown!r}: expected METHOD TARGET HTTP/1.1")
    method, target, version = parts
    if not _METHOD.fullmatch(method) or not _TARGET.fullmatch(target):
        raise bad_request(f"malformed request line {line[:80].decode('latin-1')!r}")
    if version not in (b"HTTP/1.1", b"HTTP/1.0"):
        if version.startswith(b"HTTP/"):
            raise HttpError(
                505,
                "HttpVersionNotSupportedException",
                f"{version[:16].decode('latin-1')} is not supported; use HTTP/1.1",
            )
        raise bad_request(f"malformed request line {line[:80].decode('latin-1')!r}")
    return Request(method.decode(), target.decode(), version.decode())


def _headers(reader: _Reader, limits: HttpLimits, deadline: float) -> dict[str, list[str]]:
    too_large = HttpError(
        431,
        "RequestHeaderFieldsTooLargeException",
        f"request headers larger than {limits.header_bytes} bytes or more than "
        f"{limits.max_headers} of them",
    )
    headers: dict[str, list[str]] = {}
    total = count = 0
    while True:
        line = reader.line(limits.header_bytes - total, deadline, too_large)
        if not line:
            return headers
        total += len(line) + 2
        count += 1
        if count > limits.max_headers:
            raise too_large
        name, colon, value = line.partition(b":")
        if not colon or not _HEADER_NAME.fullmatch(name):
            raise bad_request(f"malformed header line {line[:80].decode('latin-1')!r}")
        text = value.strip(b" \t").decode("latin-1")
        headers.setdefault(name.decode("ascii").lower(), []).append(text)


def _body(
    reader: _Reader,
    request: Request,
    limits: HttpLimits,
    deadline: float,
    on_continue: Callable[[], None],
) -> bytes:
    coding = request.header("transfer-encoding")
    length = request.headers.get("content-length")
    if coding is not None and length is not None:
        raise bad_request("a request may not have both Transfer-Encoding and Content-Length")
    if coding is not None:
        if coding.strip().lower() != "chunked":
            raise HttpError(
                501,
                "NotImplementedException",
                f"Transfer-Encoding {coding[:40]!r} is not supported; send Content-Length or "
                "chunked",
            )
        _expect(request, on_continue)
        return _chunked(reader, limits, deadline)
    if length is None:
        return b""
    values = {value.strip() for text in length for value in text.split(",")}
    if len(values) != 1 or not _LENGTH.fullmatch(next(iter(values))):
        shown = ", ".join(length)[:40]
        raise bad_request(f"Content-Length {shown!r} is not a number of bytes")
    size = int(values.pop())
    if size > limits.body_bytes:
        raise HttpError(
            413,
            "RequestEntityTooLargeException",
            f"request body of {size} bytes is larger than {limits.body_bytes}",
        )
    if size:
        _expect(request, on_continue)
    return reader.exactly(size, deadline)


def _expect(request: Request, on_continue: Callable[[], None]) -> None:
    expect = request.header("expect")
    if expect is None:
        return
    if expect.strip().lower() != "100-continue":
        raise HttpError(417, "ExpectationFailedException", f"cannot meet Expect: {expect[:40]}")
    if request.version == "HTTP/1.1":
        on_continue()


def _chunked(reader: _Reader, limits: HttpLimits, deadline: float) -> bytes:
    bad_size = bad_request("malformed chunk size line in a chunked body")
    parts: list[bytes] = []
    total = 0
    while True:
        size_text = reader.line(256, deadline, bad_size).split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise bad_size
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > limits.body_bytes:
            raise HttpError(
                413,
                "RequestEntityTooLargeException",
                f"chunked request body larger than {limits.body_bytes} bytes",
            )
        parts.append(reader.exactly(size, deadline))
        if reader.exactly(2, deadline) != b"\r\n":
            raise bad_request("a chunk of a chunked body does not end with CRLF")
    _headers(reader, limits, deadline)  # trailer fields, read and ignored
    return b"".join(parts)


class ConnectionHandler(socketserver.BaseRequestHandler):
    """Serves one connection: requests one after the other until either side closes."""

    server: HttpServer

    def handle(self) -> None:
        """Read, answer, repeat; every failure answered in JSON before the connection closes."""
        connection: socket.socket = self.request
        limits = self.server.limits
        reader = _Reader(connection)
        while reader.wait(limits.idle_timeout):
            deadline = time.monotonic() + limits.read_timeout
            try:
                request = read_request(reader, limits, deadline, self._send_continue)
            except HttpError as exc:
                self._send(error_response(exc.status, exc.code, exc.message), False, exc.headers)
                return
            except TimeoutError:
                self._send(
                    error_response(
                        408,
                        "RequestTimeoutException",
                        f"the request did not arrive within {limits.read_timeout:g} s",
                    ),
                    False,
                )
                return
            except OSError:
                return
            try:
                answer, headers = self.server.respond(request)
            except Exception as exc:  # a bug must still get an answer a client can read
                message = f"{type(exc).__name__}: {exc}"
                answer, headers = error_response(500, "InternalFailure", message), {}
            if isinstance(answer, StreamedResponse):  # sent as produced; the connection ends
                self.server.log(request, answer.status)
                answer.send(self.request, limits.write_timeout, head=request.method == "HEAD")
                return
            keep = request.keep_alive
            self._send(answer, keep, headers, head=request.method == "HEAD")
            self.server.log(request, answer.status)
            if not keep:
                return

    def _send_continue(self) -> None:
        self.request.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _send(
        self,
        answer: WireResponse,
        keep_alive: bool,
        extra: dict[str, str] | None = None,
        *,
        head: bool = False,
    ) -> None:
        write(self.request, answer, keep_alive, extra, self.server.limits.write_timeout, head)


def write(
    connection: socket.socket,
    answer: WireResponse,
    keep_alive: bool,
    extra: dict[str, str] | None,
    timeout: float,
    head: bool = False,
) -> None:
    """Send ``answer`` (headers only for HEAD); a peer that went away is not an error."""
    reason = http.HTTPStatus(answer.status).phrase
    headers = {**answer.headers, **(extra or {})}
    headers["Content-Length"] = str(len(answer.body))
    headers["Connection"] = "keep-alive" if keep_alive else "close"
    lines = [f"HTTP/1.1 {answer.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with contextlib.suppress(OSError):  # the peer went away: nobody to tell
        connection.settimeout(timeout)
        connection.sendall(payload if head else payload + answer.body)


Responder = Callable[[Request], tuple[WireResponse | StreamedResponse, dict[str, str]]]
"""Answers a request: the response and extra headers."""


class HttpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A threaded TCP server of :class:`ConnectionHandler` s with a deep listen backlog, a cap
    on concurrent connections and a way to close the open ones when it stops."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(
        self, address: tuple[str, int], respond: Responder, limits: HttpLimits, verbose: bool
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, ConnectionHandler)
        self.respond = respond
        self.limits = limits
        self.verbose = verbose
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Serve the connection in a thread, or refuse it (503) past the connection cap."""
        with self._open_lock:
            full = len(self._open) >= self.limits.max_connections
            if not full:
                self._open.add(request)
        if full:
            busy = error_response(
                503,
                "ServiceUnavailableException",
                f"more than {self.limits.max_connections} open connections; retry later",
            )
            write(request, busy, False, None, 1.0)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        """Forget a finished connection and close it."""
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Close every connection still open (their threads then end)."""
        with self._open_lock:
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        """A handler bug: one line on stderr, not a traceback per connection."""
        error = sys.exc_info()[1]
        print(f"cw_logging local server: {type(error).__name__}: {error}", file=sys.stderr)

    def log(self, request: Request, status: int) -> None:
        """One line per request on stderr when verbose."""
        if self.verbose:
            print(f"{request.method} {request.target} {status}", file=sys.stderr, flush=True)
