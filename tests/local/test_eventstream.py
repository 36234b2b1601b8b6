"""The event-stream framing, read back by botocore's own decoder (prelude, headers, CRCs)."""

from __future__ import annotations

import json

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from cw_logging.local._eventstream import encode_message, event_message, exception_message


def _decode(data: bytes) -> list[object]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def test_botocore_reads_our_messages_even_when_split_across_chunks() -> None:
    data = event_message("sessionUpdate", {"sessionResults": [{"message": "é ✓"}]})
    data += exception_message("SessionTimeoutException", "over")
    buffer = EventStreamBuffer()
    decoded = []
    for i in range(0, len(data), 7):  # as a socket may deliver it
        buffer.add_data(data[i : i + 7])
        decoded += list(buffer)
    first, second = decoded
    assert first.headers == {
        ":message-type": "event",
        ":event-type": "sessionUpdate",
        ":content-type": "application/json",
    }
    assert json.loads(first.payload) == {"sessionResults": [{"message": "é ✓"}]}
    assert second.headers[":message-type"] == "exception"
    assert second.headers[":exception-type"] == "SessionTimeoutException"
    assert json.loads(second.payload) == {"message": "over"}


@pytest.mark.parametrize("position", [2, 9, 20, -2])
def test_a_flipped_byte_fails_a_checksum(position: int) -> None:
    data = bytearray(encode_message({":event-type": "x"}, b'{"a": 1}'))
    data[position] ^= 0x01
    with pytest.raises(ChecksumMismatch):
        _decode(bytes(data))


def test_an_empty_payload_and_no_headers_frame_to_16_bytes() -> None:
    data = encode_message({}, b"")
    assert len(data) == 16
    (message,) = _decode(data)
    assert message.headers == {} and message.payload == b""
