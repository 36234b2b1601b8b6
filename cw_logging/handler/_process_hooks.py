"""Process hooks that give handlers the chance to deliver before a process ends.

- :func:`install_sigterm_delivery`: a SIGTERM handler that delivers (bounded), then chains to the
  handler the application had installed, or ends the process by SIGTERM as the default would.
- :func:`watch_multiprocessing_children`: in ``multiprocessing`` children (fork and spawn,
  ``Process`` and ``Pool``), deliver when the child's bootstrap finishes (it ends with
  ``os._exit``, which skips ``atexit``) and when the parent terminates it (``Pool.terminate``,
  ``with Pool()``, send SIGTERM).

The functions take the delivery action as a callable so that this module knows nothing about
handlers.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from ._signal_watch import relay_sigterm_to, start_watching

__all__ = [
    "install_sigterm_delivery",
    "watch_multiprocessing_children",
]

Action = Callable[[], None]

_installed_in_pid: int | None = None
_watched_in_pid: int | None = None
_delivering_on: int | None = None  # the thread running a delivery now
_after_delivery: list[Callable[[], None]] = []  # what signals that interrupted it still owe


def _deliver_once(deliver: Action) -> None:
    """Run ``deliver``; then what the signals that arrived meanwhile on this thread would do.

    A SIGTERM that interrupts a delivery (a pool terminating a worker that is already ending)
    must not start a second one inside the first: that would wait on locks the first holds.
    """
    global _delivering_on
    _delivering_on = threading.get_ident()
    try:
        deliver()
    finally:
        _delivering_on = None
    while _after_delivery:
        _after_delivery.pop(0)()


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def install_sigterm_delivery(deliver: Action) -> bool:
    """Make SIGTERM run ``deliver`` first, then what SIGTERM did before; return True if in place.

    Must run on the main thread (Python's rule for signal handlers); returns False elsewhere or
    where SIGTERM does not exist. Installs once per process; a handler the application installs
    later replaces this one (call the previous handler from yours to keep both).
    """
    global _installed_in_pid
    if _installed_in_pid == os.getpid():
        return True
    if not _on_main_thread() or not hasattr(signal, "SIGTERM"):
        return False
    try:
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _chained(deliver, previous))
    except (ValueError, OSError):
        return False
    _installed_in_pid = os.getpid()
    return True


def _chained(deliver: Action, previous: Any) -> Callable[[int, Any], None]:
    def deliver_then_continue(signum: int, frame: Any) -> None:
        def go_on() -> None:
            if callable(previous):
                previous(signum, frame)
            elif previous != signal.SIG_IGN:  # default action (or unknown): end by the signal
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)

        if _delivering_on == threading.get_ident():
            _after_delivery.append(go_on)  # the delivery this signal interrupted ends first
            return
        _deliver_once(deliver)
        go_on()

    return deliver_then_continue


def watch_multiprocessing_children(deliver: Action) -> None:
    """Run ``deliver`` when a ``multiprocessing`` child of this process (or this child) ends.

    Call it in every process that builds a handler. In a child it registers a
    ``multiprocessing`` finalizer now (the bootstrap runs finalizers before ``os._exit``) and
    again after the bootstrap clears them; there it also installs :func:`install_sigterm_delivery`
    when SIGTERM has its default action, because a pool terminates its workers by SIGTERM.
    """
    global _watched_in_pid
    import multiprocessing
    import multiprocessing.util as mp_util

    if _watched_in_pid is None:  # the registry is inherited by forked children
        mp_util.register_after_fork(_HOOK_OWNER, lambda _owner: _prepare_child(deliver))
    _watched_in_pid = os.getpid()
    if multiprocessing.parent_process() is not None:
        _prepare_child(deliver)


class _HookOwner:
    """A weak-referenceable key for multiprocessing's after-fork registry."""


_HOOK_OWNER = _HookOwner()


def _prepare_child(deliver: Action) -> None:
    """In a multiprocessing child: deliver at the end of the bootstrap and on SIGTERM."""
    import multiprocessing.util as mp_util

    # registered again after the bootstrap cleared the finalizers registered before it
    mp_util.Finalize(None, lambda: _deliver_once(deliver), exitpriority=100)
    if hasattr(signal, "SIGTERM") and _on_main_thread():
        try:
            default = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        except ValueError:
            return
        if default and install_sigterm_delivery(deliver):
            relay_sigterm_to(signal.getsignal(signal.SIGTERM), lambda: _delivering_on is not None)
            start_watching()  # a pool worker may block at once: the relay must run
