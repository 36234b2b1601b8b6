"""A logging filter that attaches the correlation snapshot to records for other handlers."""

from __future__ import annotations

import logging

from ._capture import capture
from ._ids import RECORD_ATTRIBUTE, REQUEST_ID, SPAN_ID, TRACE_ID
from ._vars import EMPTY

__all__ = ["CorrelationFilter"]


class CorrelationFilter(logging.Filter):
    """Attach the caller's correlation snapshot to records, for handlers other than ours.

    Sets ``RECORD_ATTRIBUTE`` (unless already set), which ``cw_logging.JsonFormatter`` reads.
    With ``attributes=True`` it also sets ``trace_id``, ``request_id`` and ``span_id`` ("" when
    unknown) so that text formats can use ``%(trace_id)s``. It never drops a record.
    """

    def __init__(self, name: str = "", *, attributes: bool = False) -> None:
        super().__init__(name)
        self.attributes = attributes

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the snapshot (and optionally the id attributes) to ``record``; always True."""
        snapshot = getattr(record, RECORD_ATTRIBUTE, None)
        if snapshot is None:
            snapshot = capture()
            setattr(record, RECORD_ATTRIBUTE, snapshot)
        if self.attributes:
            ids = snapshot or EMPTY
            for key in (TRACE_ID, REQUEST_ID, SPAN_ID):
                if key not in record.__dict__:
                    setattr(record, key, ids.get(key, ""))
        return True
