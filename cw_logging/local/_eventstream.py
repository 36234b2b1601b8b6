"""AWS event-stream framing (``application/vnd.amazon.eventstream``) and streamed HTTP answers.

A message is a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), the
headers (name length, name, value type 7 = string, value length, value), the payload and a
CRC32 of everything before it; all integers big-endian. An operation with an event-stream
output (StartLiveTail) answers ``initial-response`` first (the JSON 1.1 protocol's top-level
members, ``{}`` here), then one ``event`` message per event, or an ``exception`` message.
"""

from __future__ import annotations

import contextlib
import http
import json
import socket
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EVENT_STREAM_CONTENT_TYPE",
    "StreamedResponse",
    "encode_message",
    "event_message",
    "exception_message",
    "initial_response",
]

EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING = 7
_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")


def _header(name: str, value: str) -> bytes:
    name_bytes, value_bytes = name.encode("utf-8"), value.encode("utf-8")
    return (
        bytes((len(name_bytes),))
        + name_bytes
        + bytes((_STRING,))
        + struct.pack(">H", len(value_bytes))
        + value_bytes
    )


def encode_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One event-stream message with string ``headers`` and ``payload``."""
    header_bytes = b"".join(_header(name, value) for name, value in headers.items())
    total = _PRELUDE.size + _CRC.size + len(header_bytes) + len(payload) + _CRC.size
    prelude = _PRELUDE.pack(total, len(header_bytes))
    head = prelude + _CRC.pack(zlib.crc32(prelude)) + header_bytes + payload
    return head + _CRC.pack(zlib.crc32(head))


def event_message(event_type: str, document: Mapping[str, Any]) -> bytes:
    """An ``event`` message of ``event_type`` (``sessionStart``...) carrying ``document``."""
    headers = {
        ":message-type": "event",
        ":event-type": event_type,
        ":content-type": "application/json",
    }
    return encode_message(headers, json.dumps(document, separators=(",", ":")).encode("utf-8"))


def initial_response() -> bytes:
    """The ``initial-response`` event botocore reads before the stream's events."""
    return event_message("initial-response", {})


def exception_message(code: str, message: str) -> bytes:
    """An ``exception`` message: botocore raises it as ``EventStreamError`` with ``code``."""
    headers = {
        ":message-type": "exception",
        ":exception-type": code,
        ":content-type": "application/json",
    }
    return encode_message(headers, json.dumps({"message": message}).encode("utf-8"))


@dataclass
class StreamedResponse:
    """An HTTP answer whose body is produced while it is sent (chunked, connection closed at
    the end): ``chunks`` yields the body's pieces, ``on_close`` runs however sending ends."""

    status: int
    headers: dict[str, str]
    chunks: Iterator[bytes]
    on_close: Callable[[], None]

    def close(self) -> None:
        """Run ``on_close`` (once, however often called)."""
        on_close, self.on_close = self.on_close, _nothing
        on_close()

    def body_chunks(self) -> Iterator[bytes]:
        """The body's pieces; :meth:`close` runs when they end or the reader stops early."""
        try:
            yield from self.chunks
        finally:
            self.close()

    def send(self, connection: socket.socket, timeout: float, head: bool = False) -> None:
        """Write the answer to ``connection`` in chunked encoding, each piece as it comes; a
        peer that went away ends the stream quietly."""
        reason = http.HTTPStatus(self.status).phrase
        lines = [f"HTTP/1.1 {self.status} {reason}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += ["Transfer-Encoding: chunked", "Connection: close"]
        try:
            with contextlib.suppress(OSError):
                connection.settimeout(timeout)
                connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                if head:
                    return
                for piece in self.chunks:
                    if piece:
                        connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                connection.sendall(b"0\r\n\r\n")
        finally:
            self.close()


def _nothing() -> None:
    return None
