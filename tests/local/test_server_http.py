"""The local server's HTTP, probed with raw sockets: whatever arrives, the answer is AWS-style
JSON with the right status, never HTML, a hang or a silent close."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from cw_logging.local import LocalEngine, LocalServer, serve
from cw_logging.local._http import HttpLimits
from tests.local.http_probe import (
    Answer,
    closed_within,
    connect,
    exchange,
    post,
    read_answer,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def quick_server(engine: LocalEngine) -> Iterator[LocalServer]:
    """A server whose timeouts are short enough to observe in a test."""
    limits = HttpLimits(read_timeout=0.5, idle_timeout=0.5, body_bytes=1_000_000)
    with serve(port=0, engine=engine, limits=limits) as server:
        yield server


def assert_aws_error(answer: Answer, status: int, code: str) -> dict[str, str]:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"
    document = answer.json()
    assert document["__type"] == code
    assert document["message"]
    return dict(document)


def test_a_body_nested_100000_levels_is_refused_not_a_dropped_connection(
    local_server: LocalServer,
) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    answer = exchange(local_server.url, post("DescribeLogGroups", body))
    assert "nested" in assert_aws_error(answer, 400, "SerializationException")["message"]


def test_a_body_nested_past_the_depth_limit_is_refused(local_server: LocalServer) -> None:
    deep = b'{"tags": ' + b'{"a": ' * 70 + b"1" + b"}" * 70 + b', "logGroupName": "g"}'
    answer = exchange(local_server.url, post("CreateLogGroup", deep))
    assert_aws_error(answer, 400, "SerializationException")
    assert local_server.engine.call("DescribeLogGroups")["logGroups"] == []


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("DescribeLogGroups", {}),
        ("DescribeLogStreams", {"logGroupName": "/g"}),
        ("FilterLogEvents", {"logGroupName": "/g"}),
        ("GetLogEvents", {"logGroupName": "/g", "logStreamName": "s"}),
        ("DescribeQueries", {}),
    ],
)
def test_crafted_next_tokens_are_invalid_parameters(
    local_server: LocalServer, operation: str, extra: dict[str, str]
) -> None:
    local_server.engine.call("CreateLogGroup", {"logGroupName": "/g"})
    local_server.engine.call("CreateLogStream", {"logGroupName": "/g", "logStreamName": "s"})
    nested = base64.urlsafe_b64encode(b"[" * 50_000 + b"]" * 50_000).decode()
    for token in (nested, "x" * 10_000, "djEvZ3JvdXBzL3glZmY", "f/1/2/3", "%%%"):
        body = json.dumps({**extra, "nextToken": token}).encode()
        answer = exchange(local_server.url, post(operation, body))
        assert_aws_error(answer, 400, "InvalidParameterException")


@pytest.mark.parametrize("length", ["abc", "-1", "+5", "1e3", "5, 6", " "])
def test_content_length_that_is_not_a_byte_count_is_refused(
    local_server: LocalServer, length: str
) -> None:
    answer = exchange(local_server.url, post("DescribeLogGroups", b"{}", length=length))
    assert_aws_error(answer, 400, "BadRequestException")


def test_duplicate_content_lengths_that_agree_are_one(local_server: LocalServer) -> None:
    raw = post("DescribeLogGroups", b"{}", extra="Content-Length: 2\r\n")
    assert exchange(local_server.url, raw).status == 200


def test_a_chunked_body_is_read(local_server: LocalServer) -> None:
    body = b'{"logGroupName": "/chunked"}'
    chunks = b"".join(
        f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:10], body[10:])
    )
    raw = (
        b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: Logs_20140328.CreateLogGroup\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\nX-Trailer: ignored\r\n\r\n"
    )
    assert exchange(local_server.url, raw).status == 200
    groups = local_server.engine.call("DescribeLogGroups")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/chunked"]


@pytest.mark.parametrize(
    ("encoding", "chunks", "status", "code"),
    [
        ("chunked", b"zz\r\n{}\r\n0\r\n\r\n", 400, "BadRequestException"),
        ("chunked", b"2\r\n{}XX0\r\n\r\n", 400, "BadRequestException"),
        ("gzip, chunked", b"2\r\n{}\r\n0\r\n\r\n", 501, "NotImplementedException"),
    ],
)
def test_bad_or_unknown_transfer_codings_are_refused(
    local_server: LocalServer, encoding: str, chunks: bytes, status: int, code: str
) -> None:
    raw = (
        b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: Logs_20140328.DescribeLogGroups\r\n"
        + f"Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + chunks
    )
    assert_aws_error(exchange(local_server.url, raw), status, code)


def test_content_length_and_chunked_together_are_refused(local_server: LocalServer) -> None:
    raw = post("DescribeLogGroups", b"{}", extra="Transfer-Encoding: chunked\r\n")
    assert_aws_error(exchange(local_server.url, raw), 400, "BadRequestException")


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"PUT / HTTP/1.1\r\nHost: localhost\r\n\r\n", 405, "MethodNotAllowedException"),
        (b"DELETE / HTTP/1.1\r\nHost: localhost\r\n\r\n", 405, "MethodNotAllowedException"),
        (b"BREW / HTTP/1.1\r\nHost: localhost\r\n\r\n", 501, "NotImplementedException"),
        (b"GARBAGE\r\n\r\n", 400, "BadRequestException"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, "BadRequestException"),
        (b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n", 505, "HttpVersionNotSupportedException"),
        (b"GET /\r\n\r\n", 400, "BadRequestException"),
        (b"GET / HTTP/1.1\r\n\r\n", 400, "BadRequestException"),
        (b"GET / HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n", 400, "BadRequestException"),
        (b"GET /elsewhere HTTP/1.1\r\nHost: localhost\r\n\r\n", 404, "NotFoundException"),
        (
            b"GET /moto-api/reset HTTP/1.1\r\nHost: localhost\r\n\r\n",
            405,
            "MethodNotAllowedException",
        ),
    ],
)
def test_bad_requests_get_aws_json_errors(
    local_server: LocalServer, raw: bytes, status: int, code: str
) -> None:
    answer = exchange(local_server.url, raw)
    assert_aws_error(answer, status, code)
    assert b"<html" not in answer.body.lower()


def test_allow_header_names_the_methods(local_server: LocalServer) -> None:
    answer = exchange(local_server.url, b"PUT / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert answer.headers["allow"] == "GET, HEAD, POST"


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
            431,
            "RequestHeaderFieldsTooLargeException",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"X-A: b\r\n" * 150 + b"\r\n",
            431,
            "RequestHeaderFieldsTooLargeException",
        ),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "RequestUriTooLongException"),
    ],
    ids=["70-KB-header", "150-headers", "70-KB-target"],
)
def test_oversized_heads_are_refused(
    local_server: LocalServer, raw: bytes, status: int, code: str
) -> None:
    assert_aws_error(exchange(local_server.url, raw), status, code)


def test_a_claimed_20_mb_body_is_refused_at_once(engine: LocalEngine) -> None:
    with serve(port=0, engine=engine, limits=HttpLimits(read_timeout=60)) as server:
        began = time.monotonic()
        raw = post("PutLogEvents", b"0123456789", length="20000000")
        assert_aws_error(exchange(server.url, raw), 413, "RequestEntityTooLargeException")
        assert time.monotonic() - began < 30  # refused on the header, not after the timeout


def test_a_body_that_never_arrives_times_out_and_frees_the_connection(
    quick_server: LocalServer,
) -> None:
    with connect(quick_server.url) as sock:
        sock.sendall(post("DescribeLogGroups", b"0123456789", length="1000"))
        assert_aws_error(read_answer(sock), 408, "RequestTimeoutException")
        assert closed_within(sock, 2.0)


def test_a_trickled_request_is_bounded_by_one_deadline(quick_server: LocalServer) -> None:
    """A client sending a header byte at a time cannot hold a thread past the read timeout."""
    with connect(quick_server.url) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        began = time.monotonic()
        answer = None
        while answer is None and time.monotonic() - began < 6:
            try:
                sock.sendall(b"a")
            except OSError:
                break
            sock.settimeout(0.1)
            try:
                answer = read_answer(sock)
            except TimeoutError:
                continue
        assert answer is not None
        assert_aws_error(answer, 408, "RequestTimeoutException")
        assert time.monotonic() - began < 4  # one 0.5 s deadline, not 0.5 s per byte


def test_an_idle_connection_is_closed_after_the_idle_timeout(quick_server: LocalServer) -> None:
    with connect(quick_server.url) as sock:
        assert closed_within(sock, 3.0)


@pytest.mark.parametrize(
    "headers",
    [
        "Host: evil.example\r\n",
        "Host: evil.example:4588\r\n",
        "Host: 127.0.0.1.nip.io\r\n",
        "Host: 10.0.0.5\r\n",
        "Host: localhost\r\nOrigin: http://evil.example\r\n",
        "Host: localhost\r\nOrigin: null\r\n",
    ],
)
def test_requests_for_foreign_names_are_refused(local_server: LocalServer, headers: str) -> None:
    local_server.engine.call("CreateLogGroup", {"logGroupName": "/secret"})
    raw = (
        "POST / HTTP/1.1\r\n" + headers + "X-Amz-Target: Logs_20140328.DescribeLogGroups\r\n"
        "Content-Length: 2\r\n\r\n{}"
    ).encode()
    answer = exchange(local_server.url, raw)
    document = assert_aws_error(answer, 403, "AccessDeniedException")
    assert "loopback" in document["message"] or "cross-site" in document["message"]
    assert b"/secret" not in answer.body


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:4588", "127.0.0.1:1", "127.5.5.5", "[::1]:80", "app.localhost"],
)
def test_loopback_names_are_answered(local_server: LocalServer, host: str) -> None:
    answer = exchange(local_server.url, post("DescribeLogGroups", b"{}", host=host))
    assert answer.status == 200


def test_keep_alive_answers_pipelined_requests_in_order(local_server: LocalServer) -> None:
    first = post("CreateLogGroup", b'{"logGroupName": "/one"}')
    second = post("DescribeLogGroups", b"{}")
    with connect(local_server.url) as sock:
        sock.sendall(first + second)
        buffer = bytearray()
        assert read_answer(sock, buffer).status == 200
        listed = read_answer(sock, buffer).json()
    assert [g["logGroupName"] for g in listed["logGroups"]] == ["/one"]


def test_expect_100_continue_is_honoured(local_server: LocalServer) -> None:
    with connect(local_server.url) as sock:
        sock.sendall(post("DescribeLogGroups", b"", length="2", extra="Expect: 100-continue\r\n"))
        interim = read_answer(sock)
        assert interim.status == 100
        sock.sendall(b"{}")
        assert read_answer(sock).status == 200


def test_head_and_health(local_server: LocalServer) -> None:
    answer = exchange(local_server.url, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert answer.status == 200 and answer.json()["status"] == "ok"
    with connect(local_server.url) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        head = read_answer(sock, head=True)
        assert head.status == 200 and head.body == b""
        assert int(head.headers["content-length"]) > 0
        assert closed_within(sock, 2.0)


def test_connections_past_the_cap_get_503(engine: LocalEngine) -> None:
    limits = HttpLimits(max_connections=2)
    with serve(port=0, engine=engine, limits=limits) as server:
        held = [connect(server.url) for _ in range(2)]
        try:
            for sock in held:  # both are being served
                sock.sendall(post("DescribeLogGroups", b"{}"))
                assert read_answer(sock).status == 200
            answer = exchange(server.url, post("DescribeLogGroups", b"{}"))
            assert_aws_error(answer, 503, "ServiceUnavailableException")
        finally:
            for sock in held:
                sock.close()


def test_a_thousand_connections_from_twenty_threads_all_answered(
    local_server: LocalServer,
) -> None:
    failures: list[BaseException] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(50):
            try:
                answer = exchange(local_server.url, post("DescribeLogGroups", b"{}"), timeout=30)
                with lock:
                    statuses.append(answer.status)
            except (OSError, ValueError) as exc:
                with lock:
                    failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert statuses == [200] * 1000


def test_stop_closes_open_connections(engine: LocalEngine) -> None:
    server = serve(port=0, engine=engine)
    sock = connect(server.url)
    try:
        sock.sendall(post("DescribeLogGroups", b"{}"))
        assert read_answer(sock).status == 200
        server.stop()
        assert closed_within(sock, 5.0)
    finally:
        sock.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=1)
