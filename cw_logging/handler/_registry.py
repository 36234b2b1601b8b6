"""The live handlers of this process, and what happens to all of them together: flushing before
a Lambda freeze or a signal, closing at exit or on SIGTERM, starting afresh in a forked child."""

from __future__ import annotations

import atexit
import os
import time
import weakref
from typing import Protocol

from ..delivery._sender import Sender
from ..delivery._threads import SENDER_THREADS

__all__ = ["close_all", "detach", "flush_all", "hurry_all", "register", "unregister"]


class _Handler(Protocol):
    """What the registry needs of a handler."""

    def flush(self, timeout: float | None = None) -> bool: ...

    def close(self) -> None: ...

    def begin_close(self) -> None: ...

    def wake(self) -> None: ...

    def reinit_after_fork(self) -> None: ...

    def hurry(self) -> None: ...


_LIVE: weakref.WeakSet[_Handler] = weakref.WeakSet()
_DETACHED: set[Sender] = set()  # closed while logging's lock was held; still delivering


def register(handler: _Handler) -> None:
    """Count ``handler`` among the live ones (until it is closed)."""
    _LIVE.add(handler)


def unregister(handler: _Handler) -> None:
    """Forget a closed handler."""
    _LIVE.discard(handler)


def detach(sender: Sender) -> None:
    """Keep a closed handler's sender delivering in the background; joined at exit (bounded)."""
    _DETACHED.difference_update([s for s in _DETACHED if not s.alive])
    if sender.alive:
        _DETACHED.add(sender)


def close_all() -> None:
    """Close every live handler, all against their deadlines at once (not one after another)."""
    handlers = list(_LIVE)
    for handler in handlers:
        handler.begin_close()
    for handler in handlers:
        handler.close()
    _wait_for_detached()


def hurry_all(signum: int) -> None:
    """The process received ``signum`` and is ending: every handler delivers at once, record by
    record, from now on (a server may end by a signal without running ``atexit``)."""
    for handler in list(_LIVE):
        handler.hurry()


def flush_all(timeout: float) -> bool:
    """Flush every open CloudWatchHandler of this process within one ``timeout`` (seconds).

    For hooks that must deliver before the process is frozen or ended (Lambda, your own signal
    handler). Returns True when everything logged before the call was delivered or accounted for.
    """
    end = time.monotonic() + max(timeout, 0.0)
    handlers = list(_LIVE)
    for handler in handlers:
        handler.wake()  # all senders start at once; the waits below overlap
    done = True
    for handler in handlers:
        done = handler.flush(timeout=max(end - time.monotonic(), 0.0)) and done
    return done


def _wait_for_detached() -> None:
    """At exit: let senders whose handler was closed inside dictConfig finish (bounded)."""
    for sender in list(_DETACHED):
        sender.join(sender.deadline.seconds_left())
    _DETACHED.clear()


def _after_fork_in_child() -> None:
    SENDER_THREADS.clear()  # those threads do not exist in the child
    _DETACHED.clear()
    for handler in list(_LIVE):
        handler.reinit_after_fork()


def _close_all_at_exit() -> None:
    """At exit, before ``logging.shutdown`` (registered earlier, so run later): close every
    handler against one deadline, so that exit takes ``close_timeout`` at most, not a flush's
    and a close's timeout one after the other for each handler."""
    close_all()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_close_all_at_exit)
