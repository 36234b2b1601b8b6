"""The CPU cost of one call, as the linear-time budgets measure it."""

from __future__ import annotations

import time
from collections.abc import Callable


def least_cpu_seconds(
    function: Callable[[str], object], text: str, rounds: int = 3, enough: float = 0.0
) -> float:
    """Least thread CPU time of up to ``rounds`` calls of ``function(text)``, stopping once one
    takes under ``enough`` seconds.

    CPU time leaves out other processes' time slices, but not what they cost this thread when
    they share its core (caches, a sibling hyper-thread): the least of several calls is the
    cost of the code itself."""
    best = float("inf")
    for _ in range(rounds):
        start = time.thread_time()
        function(text)
        best = min(best, time.thread_time() - start)
        if best < enough:
            break
    return best
