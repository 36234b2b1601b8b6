"""Learning that the process was asked to stop, from a background thread, through Python's
signal wakeup fd.

Servers that shut down gracefully on SIGTERM and then end the process by re-raising it with its
default action (uvicorn restores the handler it found and raises the signal again) never run
``atexit``: records still queued then are lost. The watcher hears the first SIGTERM (or SIGINT,
SIGHUP, SIGQUIT) while the server shuts down and makes every handler deliver at once, record by
record, until the end. It also relays a SIGTERM the main thread missed (see
:func:`relay_sigterm_to`).

Only one wakeup fd exists per process: the watcher takes it only when nobody uses it, and a
program that sets its own later simply replaces it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from ..delivery._threads import block_async_signals

__all__ = ["TERMINATING", "relay_sigterm_to", "start_watching", "watch_signals"]

TERMINATING = frozenset(
    getattr(signal, name)
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT")
    if hasattr(signal, name)
)
"""Signals that mean the process is about to end."""

OnSignal = Callable[[int], None]

_state: dict[str, Any] = {
    "pid": None,  # the process whose watcher runs
    "fds": None,  # (read, write) of its pipe
    "on_signal": None,
    "relay": None,  # (the SIGTERM handler to relay to, whether a delivery runs now)
    "thread": None,  # the watcher's thread, started with the first sender
}


def watch_signals(on_signal: OnSignal) -> bool:
    """Call ``on_signal(signum)`` from a background thread (see :func:`start_watching`) whenever
    this process receives one of :data:`TERMINATING` (with a Python handler installed). Must run
    on the main thread; returns False when it cannot (another thread, or the wakeup fd is
    already in use)."""
    _state["on_signal"] = on_signal
    if _state["pid"] == os.getpid():
        return True
    if threading.current_thread() is not threading.main_thread():
        return False
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except ValueError:
        previous = None
    if previous != -1:  # not allowed here, or the application uses the wakeup fd itself
        if previous is not None:
            signal.set_wakeup_fd(previous)
        os.close(read_fd)
        os.close(write_fd)
        return False
    _state["pid"] = os.getpid()
    _state["fds"] = (read_fd, write_fd)
    _state["thread"] = None
    return True


def start_watching() -> None:
    """Start the watcher's thread (once per process), which reads what the signals wrote."""
    fds = _state["fds"]
    if fds is None or _state["thread"] is not None:
        return
    thread = threading.Thread(target=_watch, args=(fds[0],), name="cw-logging-signals", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # the interpreter is shutting down
        return
    _state["thread"] = thread


def relay_sigterm_to(installed: Any, delivering: Callable[[], bool]) -> None:
    """Make sure a SIGTERM reaches the handler ``installed`` on the main thread.

    CPython runs a signal's Python handler only when the main thread gets back to Python code.
    A SIGTERM that arrives just before the main thread blocks in a system call that does not
    check again (a pool worker waiting for its next task on a semaphore) is never handled, and
    the parent's ``join()`` waits forever. The watcher sends SIGTERM to the main thread again
    until that handler has run (``delivering()`` tells) or was replaced.
    """
    _state["relay"] = (installed, delivering)


def _watch(read_fd: int) -> None:
    block_async_signals()
    while True:
        try:
            received = os.read(read_fd, 64)
        except OSError:
            return
        if not received:
            return
        for signum in set(received) & TERMINATING:
            on_signal = _state["on_signal"]
            if on_signal is not None:
                with contextlib.suppress(Exception):  # a dead watcher would hear nothing more
                    on_signal(signum)
        if signal.SIGTERM in received and _state["relay"] is not None:
            _poke_main_thread(*_state["relay"])


def _poke_main_thread(installed: Any, delivering: Callable[[], bool]) -> None:
    main = threading.main_thread().ident
    if main is None or not hasattr(signal, "pthread_kill"):
        return
    pause = threading.Event()
    # Our handler, once it ran, ends the process (or chained elsewhere and changed nothing here:
    # then stop poking after a few seconds).
    for _ in range(20):
        pause.wait(0.5)
        if signal.getsignal(signal.SIGTERM) is not installed or delivering():
            break
        signal.pthread_kill(main, signal.SIGTERM)


def _after_fork_in_child() -> None:
    """The parent's watcher thread is gone and its pipe is shared: the child watches anew."""
    fds = _state["fds"]
    if _state["pid"] is None or fds is None:
        return
    _state["pid"] = _state["fds"] = _state["relay"] = _state["thread"] = None
    try:
        current = signal.set_wakeup_fd(-1)  # never write the child's signals to the parent
    except ValueError:
        return
    if current != fds[1]:
        signal.set_wakeup_fd(current)  # not ours any more: leave it as it was
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    if current == fds[1] and _state["on_signal"] is not None:
        watch_signals(_state["on_signal"])


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
