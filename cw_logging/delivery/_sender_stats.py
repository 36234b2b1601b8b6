"""The typed snapshot behind ``CloudWatchHandler.stats()``: counters, queue, breaker, spool."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ._stats import HandlerStats

if TYPE_CHECKING:
    from ._sender import Sender

__all__ = ["sender_stats"]


def sender_stats(sender: Sender) -> HandlerStats:
    """Return what ``sender`` has done and holds now (see ``docs/handler.md`` for the keys)."""
    queue = sender.queue
    counters = sender.counters
    dropped = queue.dropped()
    for reason, count in counters.dropped_copy().items():
        dropped[reason] = dropped.get(reason, 0) + count
    accepted = queue.total_put
    oldest_snapshot = queue.oldest()
    created = oldest_snapshot.get("created") if oldest_snapshot is not None else None
    oldest = max(time.time() - created, 0.0) if isinstance(created, (int, float)) else None
    spool_stats = sender.pump.spool.stats() if sender.pump is not None else None
    if spool_stats is not None:
        for reason, count in spool_stats.dropped.items():
            dropped[f"spool_{reason}"] = count
        if spool_stats.oldest_timestamp is not None:
            spooled_age = max(time.time() - spool_stats.oldest_timestamp / 1000.0, 0.0)
            oldest = max(oldest or 0.0, spooled_age)
    return {
        "queued": len(queue),
        "queued_bytes": queue.bytes,
        "accepted": accepted,
        "in_flight": max(accepted - len(queue) - sender.done_count(), 0),
        "in_flight_bytes": queue.held,
        "sent": counters.sent,
        "batches": counters.batches,
        "retried": counters.retried,
        "rejected": counters.rejected_copy(),
        "dropped": dropped,
        "format_errors": counters.format_errors,
        "truncated": counters.truncated,
        "split": counters.split,
        "repaired": counters.repaired,
        "groups_created": counters.groups_created,
        "streams_created": counters.streams_created,
        "internal_skipped": counters.internal_skipped,
        "last_error": counters.last_error,
        "last_error_time": counters.last_error_time,
        "breaker": sender.putter.breaker.state,
        "closed": sender.stopping,
        "spool_depth": spool_stats.depth if spool_stats else 0,
        "spool_bytes": spool_stats.bytes if spool_stats else 0,
        "spool_adopted": spool_stats.adopted if spool_stats else 0,
        "spool_path": spool_stats.path if spool_stats else None,
        "oldest_unsent_age": oldest,
    }
