"""Raw HTTP/1.1 pieces of the fault proxy: reading a request, writing an answer, cutting a
connection, telling whether the client left."""

from __future__ import annotations

import contextlib
import http.client
import select
import socket
import struct
from typing import Any

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
"""Headers the proxy does not pass on (it sets its own framing)."""


def read_request(reader: Any) -> tuple[str, str, dict[str, str], bytes] | None:
    """The next request on a connection: method, path, lower-case headers, body (None at EOF)."""
    line = reader.readline(65537)
    if not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = reader.readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        key, _, value = raw.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = reader.read(length) if length else b""
    return method, path, headers, body


def response(status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    """An HTTP/1.1 answer as bytes, framed by Content-Length."""
    reason = http.client.responses.get(status, "Unknown")
    lines = [f"HTTP/1.1 {status} {reason}"]
    if not any(k.lower() == "content-type" for k, _ in headers):
        lines.append("Content-Type: application/x-amz-json-1.1")
    lines += [f"{k}: {v}" for k, v in headers]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def client_left(conn: socket.socket) -> bool:
    """True when the client closed or reset its side (it gave up waiting for the answer)."""
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return bool(readable) and conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def abort(conn: socket.socket) -> None:
    """Cut the connection at once (reset on close), as a crashed server or a cut network does."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.shutdown(socket.SHUT_RDWR)  # effective even while the serving thread holds a reader
    except OSError:
        pass
    with contextlib.suppress(OSError):
        conn.close()
