"""What the caller's thread keeps of a record: its attributes as of the call, in one dict.

The message is rendered with its %-arguments, an exception becomes text, mutable ``extra=``
values become their JSON text (so later changes to them do not change the record), and the
correlation ids of the context are attached, packed (``capture_packed``) so that the garbage
collector can stop tracking the dict while it waits in the queue. The dict is the only object
the queue holds per record, and its cost is what it occupies in memory.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .._records import (
    EXCEPTION_ATTRIBUTE,
    FORMAT_ERROR_ATTRIBUTE,
    INITIAL_COUNT,
    LAST_INITIAL,
    RECORD_CLASS_KEY,
    added_attributes,
    exception_summary,
    render_message,
    standard_attributes,
)
from ..context import RECORD_ATTRIBUTE
from ..context._capture import capture_packed
from ..formatter import JsonFormatter
from ..formatter._values import SCALARS
from ..pii import redactor_of
from ..pii._messages import masked_record

__all__ = ["Freeze", "measure_record_footprint", "take_snapshot"]

Freeze = Callable[[Any], Any]
"""Turns a value into what the record keeps of it now (see ``JsonFormatter.freeze_value``)."""

_STANDARD = standard_attributes()
_SLOT_BYTES = 2 * 8  # the record's and its cost's places in the queue
_LogRecord = logging.LogRecord
_getsizeof = sys.getsizeof


def take_snapshot(
    record: logging.LogRecord, formatter: logging.Formatter
) -> tuple[dict[str, Any], int]:
    """Return the record's attributes as of now and what they cost in memory (bytes)."""
    values = record.__dict__.copy()  # a shallow copy: other handlers see the record as is
    msg = record.msg
    cost = 0
    args = record.args
    if args:
        if args.__class__ is not tuple:  # a dict: with a redacting formatter, mask it by key
            record, args = _masked_args(record, formatter)
        try:
            msg = msg % args if msg.__class__ is str else record.getMessage()
        except Exception:
            msg, failure = render_message(record)
            values[FORMAT_ERROR_ATTRIBUTE] = failure
            cost += _getsizeof(failure)
        values["msg"] = msg
        values["args"] = None
    elif msg.__class__ is not str:
        if isinstance(msg, Mapping):
            msg = values["msg"] = _freeze_mapping(msg, formatter)
            cost += _getsizeof(msg) + sum(map(_getsizeof, msg.values()))
        else:
            msg, failure = render_message(record)
            values["msg"] = msg
            if failure:
                values[FORMAT_ERROR_ATTRIBUTE] = failure
    if msg.__class__ is str:
        cost += _getsizeof(msg)
    if record.exc_info:
        cost += _capture_exception(record, values, formatter)
    if record.stack_info:
        cost += _getsizeof(record.stack_info)
    if len(values) != INITIAL_COUNT or next(reversed(values)) != LAST_INITIAL:  # any added
        cost += _freeze_extras(values, formatter)
    if RECORD_ATTRIBUTE not in values:
        values[RECORD_ATTRIBUTE] = capture_packed()
    if record.__class__ is not _LogRecord:
        values[RECORD_CLASS_KEY] = record.__class__
    return values, cost + _getsizeof(values) + _UNSEEN + _SLOT_BYTES


def measure_record_footprint() -> None:
    """Measure, once per process, what a queued snapshot keeps in memory beyond what
    :func:`take_snapshot` counts with ``sys.getsizeof`` (allocator headers, the record's own
    numbers and names that the snapshot keeps alive); every later cost includes it."""
    global _UNSEEN
    with _MEASURING:
        if _UNSEEN < 0:
            _UNSEEN = min(_unseen_bytes(), _MAX_UNSEEN)


def _unseen_bytes() -> int:
    """The unseen bytes per snapshot, on records made as a logger makes them: the larger of
    plain records and records with ``extra=`` fields."""
    import tracemalloc  # here: it imports pickle, which ``import cw_logging`` need not pay for

    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        logger = logging.getLogger("cw_logging.measure")
        formatter = JsonFormatter()
        gaps = []
        for extra in (None, {"order": 7, "region": "eu-west-1"}):
            kept: list[Any] = [None] * 64
            counted = 0
            base = tracemalloc.get_traced_memory()[0]
            for slot in range(len(kept)):
                record = logger.makeRecord(
                    logger.name,
                    logging.INFO,
                    __file__,  # a real path: the record keeps its file and module names apart
                    1000 + slot,
                    "order %s",
                    (slot + 1000,),
                    None,
                    None,
                    extra,
                )
                kept[slot], cost = take_snapshot(record, formatter)
                counted += cost - _SLOT_BYTES - _UNSEEN  # slots: not made here
            del record
            used = tracemalloc.get_traced_memory()[0] - base
            gaps.append((used - counted) // len(kept))
            del kept
        return max(0, *gaps)
    finally:
        if started:
            tracemalloc.stop()


_UNSEEN = -1  # not measured yet: see measure_record_footprint()
_MAX_UNSEEN = 4096  # the measurement may see other threads' allocations; keep it sane
_MEASURING = threading.Lock()


def _masked_args(record: logging.LogRecord, formatter: logging.Formatter) -> tuple[Any, Any]:
    """The record (a copy when it changes) and its dict %-arguments with the values of
    sensitive keys masked, when ``formatter`` redacts: the message is rendered here, before the
    formatter could redact by key (``log.info("%(user)s %(password)s", {...})``)."""
    redactor = redactor_of(formatter)
    if redactor is not None:
        record = masked_record(record, redactor)
    return record, record.args


def _freezer(formatter: logging.Formatter) -> Freeze:
    freeze_value: Freeze | None = getattr(formatter, "freeze_value", None)
    return freeze_value if callable(freeze_value) else _default_freeze


_default_freeze: Freeze = JsonFormatter().freeze_value
"""How values are frozen for formatters that cannot do it themselves (their text is JSON)."""


def _freeze_extras(values: dict[str, Any], formatter: logging.Formatter) -> int:
    """Freeze the ``extra=`` values that could change after the call; return their cost."""
    cost = 0
    freeze_value: Freeze | None = None
    added = added_attributes(values)
    for key in values.keys() - _STANDARD if added is None else added:
        if key in _STANDARD:  # e.g. ``message``, set by a formatter of another handler
            continue
        value = values[key]
        kind = value.__class__
        if kind in SCALARS:
            if kind is str:
                cost += _getsizeof(value)
            continue
        if key[:1] == "_":  # the package's own attributes (ids snapshot, exception summary)
            continue
        if freeze_value is None:
            freeze_value = _freezer(formatter)
        frozen = values[key] = freeze_value(value)
        cost += _getsizeof(frozen)
    return cost


def _freeze_mapping(msg: Mapping[Any, Any], formatter: logging.Formatter) -> dict[Any, Any]:
    freeze_value = _freezer(formatter)
    return {
        key: value if value.__class__ in SCALARS else freeze_value(value)
        for key, value in msg.items()
    }


def _capture_exception(
    record: logging.LogRecord, values: dict[str, Any], formatter: logging.Formatter
) -> int:
    """Turn ``exc_info`` into text now (the traceback must not outlive the call); return the
    text's cost."""
    exc_info = record.exc_info
    values["exc_info"] = None
    if not exc_info or exc_info[0] is None:
        return 0
    text = record.exc_text
    if not text:
        text = values["exc_text"] = formatter.formatException(exc_info)
    cost = _getsizeof(text)
    if EXCEPTION_ATTRIBUTE not in values:
        summary = values[EXCEPTION_ATTRIBUTE] = exception_summary(exc_info)
        cost += _getsizeof(summary) + sum(map(_getsizeof, summary))
    return cost
