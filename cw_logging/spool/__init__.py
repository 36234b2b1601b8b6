"""The durable spool: an at-least-once queue of formatted events on SQLite (WAL), one file per
process, adopted by the next process when its owner died. See ``docs/spool.md``."""

from __future__ import annotations

from ._spool import DEFAULT_SPOOL_MAX_BYTES, Spool, SpooledEvent, SpoolStats

__all__ = ["DEFAULT_SPOOL_MAX_BYTES", "Spool", "SpoolStats", "SpooledEvent"]
