"""Children that take Ctrl-C as they would in a terminal."""

from __future__ import annotations

import signal


def default_sigint() -> None:
    """``preexec_fn`` for a child that must take SIGINT as Ctrl-C: a suite started in the
    background of a script (as CI may) makes its children ignore SIGINT, and Python then never
    turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
