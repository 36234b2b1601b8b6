"""The local engine as an HTTP server on loopback, for boto3, the AWS CLI and other SDKs."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import socket
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..errors import ConfigurationError
from ._closing import Closing
from ._engine import LocalEngine
from ._protocol import handle

DEFAULT_PORT = 4588


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave together: no 40 ms delayed-ACK stall

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = handle(self.server.engine, self.headers.get("X-Amz-Target"), body)
        self._send(answer.status, answer.headers, answer.body)

    def do_GET(self) -> None:
        self._send(200, {"Content-Type": "text/plain"}, b"cw_logging local engine\n")

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], engine: LocalEngine, verbose: bool) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.engine = engine
        self.verbose = verbose


class LocalServer(Closing):
    """A running local engine server: ``url`` to give boto3 as ``endpoint_url``, ``stop()``."""

    def __init__(self, engine: LocalEngine, host: str, port: int, verbose: bool = False) -> None:
        _require_loopback(host)
        self.engine = engine
        self._server = _Server((host, port), engine, verbose)
        bound_host, bound_port = self._server.server_address[:2]
        name = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        self.url = f"http://[{name}]:{bound_port}" if ":" in name else f"http://{name}:{bound_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> LocalServer:
        """Serve in a background (daemon) thread; return self."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="cw-logging-local-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until :meth:`stop` or KeyboardInterrupt."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving, close the socket and the engine's database."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()
        self.engine.close()

    def close(self) -> None:
        """Same as :meth:`stop`."""
        self.stop()


def _require_loopback(host: str) -> None:
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigurationError(
            f"refusing to serve on {host!r}: the local engine does not check credentials, "
            "so it only listens on a loopback address (127.0.0.1, ::1 or localhost)",
            code="InsecureEndpoint",
        )


def serve(
    port: int = 0,
    db_path: str | Path | None = None,
    *,
    engine: LocalEngine | None = None,
    host: str = "127.0.0.1",
    verbose: bool = False,
) -> LocalServer:
    """Start a local engine server in a background thread and return it (already serving).

    ``port=0`` picks a free port; see ``.url``. Pass ``engine`` to serve an existing engine,
    else one is made over ``db_path`` (memory when None).
    """
    _require_loopback(host)
    return LocalServer(engine or LocalEngine(db_path), host, port, verbose).start()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the local engine server in the foreground until Ctrl-C or SIGTERM (``cw-logging serve``).

    SIGTERM (what container runtimes send) stops it as cleanly as Ctrl-C, so a SQLite file is
    closed properly.
    """
    parser = argparse.ArgumentParser(
        prog="cw-logging serve", description="Serve a local CloudWatch Logs engine on loopback."
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: memory)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    server = LocalServer(LocalEngine(args.db), args.host, args.port, args.verbose)
    print(f"cw_logging local engine listening on {server.url}", flush=True)
    print(f"  aws --endpoint-url {server.url} logs describe-log-groups", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if on_main_thread else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0
