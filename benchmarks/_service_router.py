"""A loopback HTTP router for the peer suites: CloudWatch Logs calls go to one server, calls to
every other AWS service to another.

moto's tests in server mode send every client (IAM, Lambda, S3, Kinesis, ... and Logs) to one
endpoint. Behind this router the Logs calls reach ``cw-logging serve`` and the rest a moto
server, so a test that creates a Lambda function before it subscribes a log group to it runs
its Logs part against ours. ``/moto-api/`` calls (moto's reset between tests) go to both.
Responses are streamed through as they arrive (Live Tail's event stream included).
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


def is_logs_call(headers: Mapping[str, str] | Message) -> bool:
    """Whether a request is a CloudWatch Logs call (by its target or its signature's scope)."""
    target = headers.get("X-Amz-Target", "")
    authorization = headers.get("Authorization", "")
    return target.startswith("Logs_") or "/logs/aws4_request" in authorization


class _Handler(BaseHTTPRequestHandler):
    server: _Router

    def log_message(self, format: str, *args: object) -> None:
        return

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        if self.path.startswith("/moto-api/"):
            self._call(self.server.logs_url, body, headers).read()
            response = self._call(self.server.others_url, body, headers)
        else:
            chosen = self.server.logs_url if is_logs_call(self.headers) else self.server.others_url
            response = self._call(chosen, body, headers)
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        while chunk := response.read1(65536):
            self.wfile.write(chunk)
            self.wfile.flush()
        self.close_connection = True

    def _call(
        self, url: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        connection.request(self.command, self.path, body=body, headers=headers)
        return connection.getresponse()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward


class _Router(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, logs_url: str, others_url: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.logs_url = logs_url
        self.others_url = others_url


@contextlib.contextmanager
def routing(logs_url: str, others_url: str) -> Iterator[str]:
    """Serve the router on a free loopback port while the block runs; yield its URL."""
    router = _Router(logs_url, others_url)
    thread = threading.Thread(target=router.serve_forever, name="service-router", daemon=True)
    thread.start()
    try:
        host, port = router.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        router.shutdown()
        router.server_close()
        thread.join(timeout=5)
