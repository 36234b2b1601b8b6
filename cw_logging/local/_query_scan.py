"""The events a Logs Insights query reads: runs of stored events handed to the evaluator as
:class:`~.insights.EventBlock` s, newest first, without copying them into per-event dicts."""

from __future__ import annotations

import copy
import heapq
from collections.abc import Iterator, Sequence
from typing import Any

from ._field_indexes import EventTest, IndexPlan
from ._model import LogGroup
from ._timeline import INT_COLUMNS, OBJECT_COLUMNS, Segment
from .insights import EventBlock, Timestamp

MERGED_BLOCK_EVENTS = 8192


class GroupBlock:
    """A run of one group's events as a query reads them: its columns, referenced when the run
    is a whole timeline segment, else cut from (and joined across) segments."""

    __slots__ = (
        "_log",
        "_name",
        "fields",
        "ingestion",
        "messages",
        "seqs",
        "sizes",
        "streams",
        "timestamps",
    )

    def __init__(self, pieces: Sequence[tuple[Segment, int, int]], group: str, log: str) -> None:
        self._name, self._log = group, log
        self.timestamps: Sequence[int] = _column(pieces, "timestamps")
        self.seqs: Sequence[int] = _column(pieces, "seqs")
        self.ingestion: Sequence[int] = _column(pieces, "ingestion")
        self.sizes: Sequence[int] = _column(pieces, "sizes")
        self.messages: Sequence[str] = _column(pieces, "messages")
        self.streams: Sequence[str] = _column(pieces, "streams")
        self.fields: Sequence[dict[str, Any] | None] = _column(pieces, "fields")

    def only(self, indexes: Sequence[int]) -> GroupBlock:
        """A block of just the events at ``indexes`` (in order) of this one."""
        picked = copy.copy(self)
        for name in (*INT_COLUMNS, *OBJECT_COLUMNS):
            column = getattr(self, name)
            setattr(picked, name, [column[i] for i in indexes])
        return picked

    def system_fields(self, index: int) -> dict[str, Any]:
        """Every system field of event ``index``."""
        stream = self.streams[index]
        return {
            "@timestamp": Timestamp(self.timestamps[index]),
            "@message": self.messages[index],
            "@logStream": stream,
            "@log": self._log,
            "@ingestionTime": Timestamp(self.ingestion[index]),
            "@ptr": f"{self._name}/{stream}/{self.seqs[index]}",
        }


def _column(pieces: Sequence[tuple[Segment, int, int]], name: str) -> Any:
    """Column ``name`` of the pieces: the segment's own when one piece is a whole segment."""
    segment, start, end = pieces[0]
    if len(pieces) == 1 and start == 0 and end == len(segment):
        return getattr(segment, name)
    column = getattr(segment, name)[start:end]
    for segment, start, end in pieces[1:]:
        column = column + getattr(segment, name)[start:end]
    return column


class MergedBlock:
    """Events of several groups interleaved in time order, each read from its own block."""

    __slots__ = ("_sources", "fields", "messages", "sizes", "timestamps")

    def __init__(self, picked: Sequence[tuple[int, int, GroupBlock, int]]) -> None:
        self.timestamps = [timestamp for timestamp, _, _, _ in picked]
        self.messages = [block.messages[index] for _, _, block, index in picked]
        self.fields = [block.fields[index] for _, _, block, index in picked]
        self.sizes = [block.sizes[index] for _, _, block, index in picked]
        self._sources = [(block, index) for _, _, block, index in picked]

    def system_fields(self, index: int) -> dict[str, Any]:
        """Every system field of event ``index``."""
        block, at = self._sources[index]
        return block.system_fields(at)


class Skipped:
    """Events (and their bytes) a field index let a query pass over."""

    def __init__(self) -> None:
        self.records = 0
        self.bytes = 0


def query_blocks(
    groups: Sequence[LogGroup],
    account_id: str,
    start_ms: int,
    end_ms: int,
    plan: IndexPlan | None = None,
    skipped: Skipped | None = None,
) -> list[EventBlock]:
    """The events of ``groups`` with ``start_ms <= timestamp <= end_ms``, newest block first;
    several groups are interleaved by ``(timestamp, seq)``. Events of one timestamp are never
    split across blocks (a query reads them in arrival order). With a ``plan``, only the events
    its field indexes list are read; the others are counted in ``skipped``."""
    per_group = [_group_blocks(group, account_id, start_ms, end_ms) for group in groups]
    if plan is not None:
        tally = skipped if skipped is not None else Skipped()
        per_group = [
            _indexed(blocks, plan.event_test(group), tally)
            for group, blocks in zip(groups, per_group, strict=True)
        ]
    if len(per_group) == 1:
        return [*reversed(per_group[0])]
    merged = heapq.merge(*(_events(blocks) for blocks in per_group))
    blocks: list[EventBlock] = []
    chunk: list[tuple[int, int, GroupBlock, int]] = []
    for event in merged:
        if len(chunk) >= MERGED_BLOCK_EVENTS and event[0] != chunk[-1][0]:
            blocks.append(MergedBlock(chunk))
            chunk = []
        chunk.append(event)
    if chunk:
        blocks.append(MergedBlock(chunk))
    blocks.reverse()
    return blocks


def _group_blocks(group: LogGroup, account_id: str, start_ms: int, end_ms: int) -> list[GroupBlock]:
    timeline = group.events
    lo, hi = timeline.index_of_time(start_ms), timeline.index_of_time(end_ms + 1)
    log = f"{account_id}:{group.name}"
    blocks: list[GroupBlock] = []
    pieces: list[tuple[Segment, int, int]] = []
    for piece in timeline.runs(lo, hi):
        segment, start, _ = piece
        if pieces and segment.timestamps[start] != pieces[-1][0].timestamps[pieces[-1][2] - 1]:
            blocks.append(GroupBlock(pieces, group.name, log))
            pieces = []
        pieces.append(piece)
    if pieces:
        blocks.append(GroupBlock(pieces, group.name, log))
    return blocks


def _indexed(
    blocks: list[GroupBlock], test: EventTest | None, skipped: Skipped
) -> list[GroupBlock]:
    """The parts of ``blocks`` whose events ``test`` lets through (all when None)."""
    if test is None:
        return blocks
    kept: list[GroupBlock] = []
    for block in blocks:
        fields, messages, streams = block.fields, block.messages, block.streams
        ingestion, sizes = block.ingestion, block.sizes
        chosen = [
            i
            for i in range(len(block.timestamps))
            if test(fields[i], messages[i], streams[i], ingestion[i])
        ]
        skipped.records += len(block.timestamps) - len(chosen)
        skipped.bytes += sum(sizes) - sum(sizes[i] for i in chosen)
        if chosen:
            kept.append(block.only(chosen))
    return kept


def _events(blocks: list[GroupBlock]) -> Iterator[tuple[int, int, GroupBlock, int]]:
    for block in blocks:
        for index, (timestamp, seq) in enumerate(zip(block.timestamps, block.seqs, strict=True)):
            yield timestamp, seq, block, index
