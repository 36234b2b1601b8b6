"""Raw-socket HTTP for probing the local server: send exact bytes, read one answer."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

TARGET = "Logs_20140328."


@dataclass
class Answer:
    """One HTTP answer as read off the socket."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def connect(url: str, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(address(url), timeout=timeout)


def read_answer(
    sock: socket.socket, buffer: bytearray | None = None, *, head: bool = False
) -> Answer:
    """Read one answer (status line, headers, Content-Length body unless to a HEAD)."""
    data = buffer if buffer is not None else bytearray()
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before an answer: {bytes(data)!r}")
        data += chunk
    status_and_headers, _, rest = bytes(data).partition(b"\r\n\r\n")
    lines = status_and_headers.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers.get("content-length", "0"))
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed mid-body")
        body += chunk
    data[:] = body[length:]
    return Answer(status, headers, bytes(body[:length]))


def exchange(url: str, raw: bytes, timeout: float = 10.0) -> Answer:
    """Send ``raw`` on a new connection and read one answer."""
    with connect(url, timeout) as sock:
        sock.sendall(raw)
        return read_answer(sock)


def post(
    operation: str | None,
    body: bytes,
    *,
    host: str = "127.0.0.1",
    extra: str = "",
    length: str | None = None,
) -> bytes:
    """A POST request's bytes for ``operation`` with ``body``."""
    target = f"X-Amz-Target: {TARGET}{operation}\r\n" if operation else ""
    size = str(len(body)) if length is None else length
    return (
        f"POST / HTTP/1.1\r\nHost: {host}\r\n{target}"
        f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {size}\r\n{extra}\r\n"
    ).encode() + body


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the peer closes ``sock`` (after any answer bytes) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
    return False
