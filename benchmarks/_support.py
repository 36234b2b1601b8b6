"""What the benchmark scripts share: the garbage-collector switch, interleaved rounds, a logger
with one handler, the service on 127.0.0.1 in its own process, an endpoint that goes down,
and the process's resident memory.

The scripts run with the garbage collector ON, at the interpreter's default thresholds, as in
every application; ``--no-gc`` turns it off, for analysis only.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import select
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

REGION = "us-east-1"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
REQUEST_ID = "req-7f3a"


def add_gc_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-gc`` (the collector stays on unless it is given)."""
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="turn the garbage collector off (analysis only: applications run with it on)",
    )


def apply_gc_flag(no_gc: bool) -> str:
    """Turn the collector off when asked; return a line that says its state for the output."""
    if no_gc:
        gc.disable()
        return "garbage collector: OFF (--no-gc, analysis only)"
    gc.enable()
    return f"garbage collector: on, thresholds {gc.get_threshold()}"


def interleaved(rounds: int, cases: dict[str, Callable[[], Any]]) -> dict[str, list[Any]]:
    """Run every case once per round, the order rotating each round; return the samples."""
    samples: dict[str, list[Any]] = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(cases[name]())
    return samples


def bench_logger(name: str, handler: logging.Handler | None = None) -> logging.Logger:
    """An INFO logger that does not propagate, with ``handler`` as its only handler."""
    logger = logging.getLogger(name)
    logger.handlers[:] = [] if handler is None else [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def use_dummy_credentials() -> None:
    """Credentials and region for boto3 against a local server (never real ones)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ["AWS_ACCESS_KEY_ID"] = "bench"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "bench"
    os.environ["AWS_DEFAULT_REGION"] = REGION


class ServiceProcess:
    """A CloudWatch Logs stand-in serving HTTP on 127.0.0.1 in a separate process (its CPU is
    not the benchmark's): moto's server (``kind="moto"``) or cw_logging's local engine
    (``kind="local"``). ``url`` is its endpoint; ``stop()`` ends it."""

    def __init__(self, kind: str = "moto") -> None:
        self.kind = kind
        self._moto: Any = None
        self._process: subprocess.Popen[str] | None = None
        if kind == "moto":
            from tests.integration.moto_process import MotoProcess

            self._moto = MotoProcess()
            self.url: str = self._moto.url
        elif kind == "local":
            self._process = subprocess.Popen(
                [sys.executable, "-m", "cw_logging.local", "--port", "0"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert self._process.stdout is not None
            words = self._process.stdout.readline().split()
            if not words or not words[-1].startswith("http://127.0.0.1:"):
                self.stop()
                raise RuntimeError("the local engine server did not start")
            self.url = words[-1]
        else:
            raise ValueError(f"unknown server kind {kind!r}: moto or local")

    def stop(self) -> None:
        """End the server process and wait for it."""
        if self._moto is not None:
            self._moto.stop()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_SUCCESS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
    b"x-amzn-RequestId: bench\r\nContent-Length: 2\r\n\r\n{}"
)


class OutageEndpoint:
    """An endpoint on 127.0.0.1 that goes down after its first answer, as in an outage that
    starts while the application runs.

    It answers the first request with success (``{}``: a PutLogEvents that stored everything),
    so the handler has built its client and holds a kept-alive connection; from then on nothing
    is answered: that connection is never read again, and new ones wait in the listen backlog,
    never accepted. One short-lived thread serves the first answer; the outage costs no CPU.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._kept: socket.socket | None = None
        self._answered = threading.Event()
        threading.Thread(target=self._answer_first, name="bench-outage", daemon=True).start()

    def _answer_first(self) -> None:
        connection, _ = self._socket.accept()
        self._kept = connection
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return
            body += chunk
        connection.sendall(_SUCCESS)
        self._answered.set()

    def wait_answered(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the first (and last) answer; True once sent (the
        client may read the answer before this thread marks it sent: give it a few seconds)."""
        return self._answered.wait(timeout)

    def wait_stalled_call(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until a request that will never be answered arrives."""
        waiting = [self._socket] if self._kept is None else [self._socket, self._kept]
        readable, _, _ = select.select(waiting, [], [], timeout)
        return bool(readable)

    def close(self) -> None:
        """Stop listening and drop the kept connection (waiting clients see a reset)."""
        if self._kept is not None:
            self._kept.close()
        self._socket.close()


def rss_bytes() -> int:
    """The process's resident memory now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def log_plain(info: Callable[..., None], start: int, count: int) -> None:
    """``count`` calls of ``logger.info("order %s processed", i)``: the short record."""
    for i in range(start, start + count):
        info("order %s processed", i)


def log_with_context(info: Callable[..., None], start: int, count: int) -> None:
    """The short record with three ``extra=`` fields, correlation ids bound."""
    from cw_logging.context import correlation

    with correlation(trace_id=TRACE_ID, request_id=REQUEST_ID):
        for i in range(start, start + count):
            info("order %s processed", i, extra={"order_id": i, "customer": "c-42", "total": 19.9})


def log_with_payload(info: Callable[..., None], start: int, count: int) -> None:
    """The short record with an ``extra=`` payload: a new dict of about 330 bytes as JSON."""
    for i in range(start, start + count):
        info(
            "order %s processed",
            i,
            extra={
                "order": {
                    "id": i,
                    "customer": {"id": "c-42", "name": "Ada Lovelace", "tier": "gold"},
                    "items": [
                        {"sku": "sku-1", "quantity": 2, "price": 19.9},
                        {"sku": "sku-2", "quantity": 1, "price": 5.5},
                    ],
                    "shipping": {"street": "1 Engine Way", "city": "London", "zip": "NW1 2DB"},
                    "note": "leave the parcel at the door, ring twice",
                }
            },
        )
