"""The durable spool: an at-least-once queue of formatted events on SQLite (WAL), one file per
process, adopted by the next process when its owner died. See ``docs/spool.md``.

:class:`Spool` is imported on first use, so that a handler without ``spool_dir`` never loads
SQLite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from ._settings import DEFAULT_SPOOL_MAX_BYTES

if TYPE_CHECKING:
    from ._database import SpooledEvent
    from ._spool import Spool, SpoolStats

__all__ = ["DEFAULT_SPOOL_MAX_BYTES", "Spool", "SpoolStats", "SpooledEvent"]

_LAZY = {"Spool": "_spool", "SpoolStats": "_spool", "SpooledEvent": "_database"}


__getattr__ = lazy_attributes(__name__, _LAZY)
