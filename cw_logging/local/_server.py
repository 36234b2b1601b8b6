"""The local engine as an HTTP server on loopback, for boto3, the AWS CLI, other SDKs and test
suites written for moto.

- ``POST /`` with ``X-Amz-Target: Logs_20140328.<Operation>``: the CloudWatch Logs API, in the
  region the request was signed for (unsigned requests: the server's default region); a form
  with ``Action=GetCallerIdentity``: STS's answer naming the caller's account;
- ``POST /_cw_logging/reset`` (and ``POST /moto-api/reset``, the path moto's harness calls
  between tests): forget every region's groups, events and queries;
- ``GET /``: a health answer.

Only requests addressed to a loopback name or address are answered (``Host`` and, from
browsers, ``Origin``), so a web page cannot reach the server through DNS rebinding.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigurationError
from ._closing import Closing
from ._engine import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LocalEngine
from ._eventstream import StreamedResponse
from ._http import ALLOWED_METHODS, KNOWN_METHODS, HttpLimits, HttpServer, Request
from ._live_tail import LiveTailSettings
from ._live_tail_wire import LIVE_TAIL_TARGET, answer_live_tail
from ._protocol import CONTENT_TYPE, Caller, WireError, WireResponse, caller_of, error_response
from ._protocol import handle as handle_json
from ._sts import answer_query, is_query_request

DEFAULT_PORT = 4588
RESET_PATHS = ("/_cw_logging/reset", "/moto-api/reset")
"""POST to either forgets everything (the second is the path moto's test harness calls)."""
HEALTH_PATHS = ("/", "/_cw_logging/health")


class LocalServer(Closing):
    """A running local engine server: ``url`` to give boto3 as ``endpoint_url``, ``stop()``.

    ``region`` is the region of unsigned requests (default: the engine's); signed requests
    use the region of their signature. ``limits`` bounds request sizes and times.
    """

    def __init__(
        self,
        engine: LocalEngine,
        host: str,
        port: int,
        verbose: bool = False,
        *,
        region: str | None = None,
        limits: HttpLimits | None = None,
    ) -> None:
        require_loopback(host)
        self.engine = engine
        self.region = region
        self._server = HttpServer((host, port), self._respond, limits or HttpLimits(), verbose)
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
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        """Stop serving, close open connections, the socket and the engine's database."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.close_open_connections()
        self._server.server_close()
        self.engine.close()

    def close(self) -> None:
        """Same as :meth:`stop`."""
        self.stop()

    def _respond(self, request: Request) -> tuple[WireResponse | StreamedResponse, dict[str, str]]:
        refusal = foreign_origin(request)
        if refusal is not None:
            return error_response(403, "AccessDeniedException", refusal), {}
        if request.method not in ALLOWED_METHODS:
            return _method_not_allowed(request.method)
        path, _, query = request.target.partition("?")
        if request.method == "POST":
            if path in RESET_PATHS:
                self.engine.reset()
                return _json(200, {"status": "ok"}), {}
            try:
                signed = caller_of(request.header("authorization"), query)
            except WireError as exc:
                return error_response(exc.status, exc.code, exc.message), {}
            caller = Caller(signed.region or self.region, signed.account_id)
            target, body = request.header("x-amz-target"), request.body
            if target is None and is_query_request(request.header("content-type"), body):
                return answer_query(body, caller.account_id or self.engine.account_id), {}
            if target == LIVE_TAIL_TARGET:
                return answer_live_tail(self.engine, body, caller), {}
            return handle_json(self.engine, target, body, caller), {}
        if path in RESET_PATHS:
            return _method_not_allowed(request.method, allowed="POST")
        if path in HEALTH_PATHS:
            return _json(200, {"status": "ok", "service": "cw_logging local engine"}), {}
        return error_response(404, "NotFoundException", f"no resource at {path[:200]!r}"), {}


def _json(status: int, document: dict[str, str]) -> WireResponse:
    body = json.dumps(document).encode()
    return WireResponse(status, {"Content-Type": CONTENT_TYPE}, body)


def _method_not_allowed(
    method: str, allowed: str = ", ".join(ALLOWED_METHODS)
) -> tuple[WireResponse, dict[str, str]]:
    if method not in KNOWN_METHODS:
        message = f"unknown method {method}; the local engine answers {allowed}"
        return error_response(501, "NotImplementedException", message), {}
    message = f"method {method} is not allowed here; use {allowed}"
    return error_response(405, "MethodNotAllowedException", message), {"Allow": allowed}


def foreign_origin(request: Request) -> str | None:
    """Why a request addressed to a name other than a loopback one is refused (a DNS
    rebinding page would send its own ``Host``; a cross-site page its ``Origin``), or None."""
    host = request.header("host")
    if host is not None and not is_loopback_authority(host):
        return (
            f"Host {host[:100]!r} is not a loopback name: the local engine only answers "
            "requests addressed to localhost, 127.0.0.1 or [::1] (DNS rebinding protection)"
        )
    origin = request.header("origin")
    if origin is not None:
        try:
            origin_host = urlsplit(origin.strip()).netloc
        except ValueError:
            origin_host = ""
        if not origin_host or not is_loopback_authority(origin_host):
            return (
                f"Origin {origin[:100]!r} is not a page on this machine: the local engine "
                "refuses cross-site requests from browsers"
            )
    return None


def is_loopback_authority(authority: str) -> bool:
    """Whether ``host[:port]`` names this machine: ``localhost`` (and ``*.localhost``), an
    address in 127.0.0.0/8, or ``[::1]``."""
    text = authority.strip().lower()
    if "@" in text:
        return False
    if text.startswith("["):
        name, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port[:1] == ":" and port[1:].isdigit())):
            return False
    elif text.count(":") > 1:
        name = text
    else:
        name, _, port = text.partition(":")
        if port and not port.isdigit():
            return False
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def require_loopback(host: str) -> None:
    """Raise ConfigurationError unless ``host`` is a loopback address or ``localhost``."""
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
    region: str | None = None,
    account_id: str | None = None,
    limits: HttpLimits | None = None,
) -> LocalServer:
    """Start a local engine server in a background thread and return it (already serving).

    ``port=0`` picks a free port; see ``.url``. Pass ``engine`` to serve an existing engine,
    else one is made over ``db_path`` (memory when None) with ``account_id``. ``region`` is the
    region of unsigned requests (signed ones use their signature's).
    """
    require_loopback(host)
    if engine is None:
        engine = LocalEngine(
            db_path,
            region=region or DEFAULT_REGION,
            account_id=account_id or DEFAULT_ACCOUNT_ID,
        )
    return LocalServer(engine, host, port, verbose, region=region, limits=limits).start()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the local engine server in the foreground until Ctrl-C or SIGTERM (``cw-logging serve``).

    SIGTERM (what container runtimes send) stops it as cleanly as Ctrl-C, so a SQLite file is
    closed properly. A host that is not loopback, or a port in use, is one line on stderr and
    exit status 2.
    """
    parser = argparse.ArgumentParser(
        prog="cw-logging serve", description="Serve a local CloudWatch Logs engine on loopback."
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default: {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: memory)")
    parser.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help="region of unsigned requests (signed ones use their signature's)",
    )
    parser.add_argument(
        "--account-id", default=DEFAULT_ACCOUNT_ID, help="account id in ARNs (moto's default)"
    )
    parser.add_argument(
        "--live-tail",
        choices=("live", "snapshot"),
        default="live",
        help="StartLiveTail as AWS (live: new events, 1 s updates, 3 h sessions) or as moto "
        "(snapshot: one update of the stored events, then the end)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    try:
        require_loopback(args.host)
    except ConfigurationError as exc:
        print(f"cw-logging serve: {exc.message}", file=sys.stderr)
        return 2
    engine = LocalEngine(
        args.db,
        region=args.region,
        account_id=args.account_id,
        live_tail_settings=LiveTailSettings(mode=args.live_tail),
    )
    try:
        server = LocalServer(engine, args.host, args.port, args.verbose, region=args.region)
    except OSError as exc:
        engine.close()
        print(
            f"cw-logging serve: cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc}; pick another --port (0 picks a free one)",
            file=sys.stderr,
        )
        return 2
    print(f"cw_logging local engine listening on {server.url}", flush=True)
    print(f"  cw-logging --endpoint-url {server.url} groups", flush=True)  # pasteable anywhere
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
