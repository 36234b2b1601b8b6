"""Reading stored events as rows, newest first, without copying what a filter drops.

A store hands a query :class:`EventBlock` s: runs of events in time order, column by column,
with the fields discovered when the events arrived. :class:`Scan` walks them newest first
(events of one timestamp in the order they arrived, as :meth:`CompiledQuery.run` keeps them),
applies the pushed-down filters to the stored fields, and builds a row only for the events that
pass: a :class:`ScanRow` holding a copy of the discovered fields, whose system fields
(``@timestamp``, ``@message``, ...) are filled in when first read.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any, Protocol

from ._fields import EventRow, Row
from ._pushdown import Pushdown

SYSTEM_FIELDS = frozenset(
    ("@timestamp", "@message", "@logStream", "@log", "@ingestionTime", "@ptr")
)
"""The fields every stored event has, whatever its message."""
_NO_FIELDS: dict[str, Any] = {}


class EventBlock(Protocol):
    """A run of stored events in time order (oldest first; one timestamp's events in arrival
    order, and never split across blocks); the columns have equal length.

    ``fields`` holds each event's discovered fields, or None when the event's fields were not
    discovered at ingest (then they are discovered from the message when a query reads one).
    """

    @property
    def timestamps(self) -> Sequence[int]:
        """Epoch milliseconds."""

    @property
    def messages(self) -> Sequence[str]:
        """The messages."""

    @property
    def fields(self) -> Sequence[dict[str, Any] | None]:
        """Fields discovered at ingest."""

    @property
    def sizes(self) -> Sequence[int]:
        """UTF-8 bytes of each message."""

    def system_fields(self, index: int) -> dict[str, Any]:
        """Every system field of event ``index`` (timestamps as ``Timestamp``)."""


class ScanRow(Row):
    """A stored event as a row: the discovered fields now, the system fields when first read."""

    __slots__ = ("_block", "_index")
    _block: EventBlock | None
    _index: int

    def __missing__(self, key: str) -> Any:
        block = self._block
        if block is None or key not in SYSTEM_FIELDS:
            return None
        self._block = None
        for name, value in block.system_fields(self._index).items():
            self.setdefault(name, value)
        return dict.get(self, key)


def newest_first(timestamps: Sequence[int]) -> Sequence[int]:
    """The indexes of a block's events in reading order: newest first, events of one
    timestamp in arrival order."""
    count = len(timestamps)
    if not any(map(operator.eq, timestamps, islice(timestamps, 1, None))):
        return range(count - 1, -1, -1)  # no two events share a timestamp
    return sorted(range(count), key=timestamps.__getitem__, reverse=True)


def make_row(block: EventBlock, index: int) -> Row:
    """Event ``index`` of ``block`` as a fresh row."""
    found = block.fields[index]
    if found is None:
        return EventRow(block.system_fields(index))
    row = ScanRow(found)
    row._block = block
    row._index = index
    return row


class Scan(Iterator[Row]):
    """Rows of the events of ``blocks`` (given newest block first) newest first that pass
    every pushed-down test; ``on_rows`` are the same conditions compiled for rows, used for
    events whose fields are discovered only on demand. :meth:`count_rest` counts the events
    still to come without building their rows."""

    def __init__(
        self,
        blocks: Sequence[EventBlock],
        pushed: Sequence[Pushdown],
        on_rows: Sequence[Callable[[Row], bool]],
    ) -> None:
        self._passing = _passing(blocks, pushed, on_rows)

    def __next__(self) -> Row:
        block, index, row = next(self._passing)
        return make_row(block, index) if row is None else row

    def count_rest(self) -> int:
        """How many more rows there are (consumes them)."""
        return sum(1 for _ in self._passing)


def _passing(
    blocks: Sequence[EventBlock],
    pushed: Sequence[Pushdown],
    on_rows: Sequence[Callable[[Row], bool]],
) -> Iterator[tuple[EventBlock, int, Row | None]]:
    """The positions of the events that pass, with the row when testing needed one."""
    if not pushed:
        for block in blocks:
            for index in newest_first(block.timestamps):
                yield block, index, None
        return
    tests = [p.test for p in pushed]
    reads_fields = any(p.reads_fields for p in pushed)
    only = tests[0] if len(tests) == 1 else None
    for block in blocks:
        fields, messages = block.fields, block.messages
        for index in newest_first(block.timestamps):
            found = fields[index]
            if found is None and reads_fields:
                row = make_row(block, index)
                if all(keep(row) for keep in on_rows):
                    yield block, index, row
                continue
            values = _NO_FIELDS if found is None else found
            message = messages[index]
            if only is not None:
                if not only(values, message):
                    continue
            elif not all(test(values, message) for test in tests):
                continue
            yield block, index, None
