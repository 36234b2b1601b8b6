"""The package's background threads: which threads are senders, how they start, which signals
they keep away from."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

__all__ = [
    "ASYNC_SIGNALS",
    "SENDER_THREADS",
    "block_async_signals",
    "on_sender_thread",
    "sender_thread_idents",
    "start_daemon",
]

SENDER_THREADS: set[int] = set()
"""Idents of the threads running a cw_logging sender (or spool committer) now."""


def sender_thread_idents() -> set[int]:
    """Return the live set of thread idents currently running a cw_logging sender.

    Handlers check it on every emit: records produced on any sender thread (botocore, urllib3,
    ours) are never queued, so two handlers cannot feed each other either.
    """
    return SENDER_THREADS


def on_sender_thread() -> bool:
    """Return True when called on a cw_logging sender thread."""
    return threading.get_ident() in SENDER_THREADS


def start_daemon(target: Callable[[], None], role: str, log_group: str) -> threading.Thread | None:
    """Start a daemon thread named ``cw-logging-<role>[<group>]``; None if none can start now."""
    thread = threading.Thread(target=target, name=f"cw-logging-{role}[{log_group}]", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # the interpreter is shutting down
        return None
    return thread


ASYNC_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")
    if hasattr(signal, name)
)
"""Signals a background thread of the package blocks, so that the kernel delivers them to a
thread that can run Python's handlers at once (the main thread)."""


def block_async_signals() -> None:
    """Block :data:`ASYNC_SIGNALS` in the calling (background) thread.

    A process-directed signal may land on any thread that does not block it; when it lands on a
    background thread, Python's handler waits until the main thread runs Python code again,
    which a main thread blocked in a system call (a pool worker waiting for tasks) never does.
    """
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, ASYNC_SIGNALS)
