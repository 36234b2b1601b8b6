"""What the caller's thread keeps of a record: a dict that the garbage collector can stop
tracking while it waits in the queue, with its correlation ids packed, and ``extra=`` fields
found however the record's attributes were laid out."""

from __future__ import annotations

import contextvars
import gc
import json
import logging
from typing import Any

import pytest

from cw_logging import JsonFormatter
from cw_logging.context import RECORD_ATTRIBUTE, bind, capture, correlation
from cw_logging.context._capture import capture_packed, unpack
from cw_logging.handler._snapshot import take_snapshot

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
LOGGER = logging.getLogger("tests.snapshot")


def make_record(extra: dict[str, Any] | None = None, cls: type = logging.LogRecord) -> Any:
    record = cls("tests.snapshot", logging.INFO, __file__, 7, "order %s", (1,), None)
    for key, value in (extra or {}).items():
        setattr(record, key, value)
    return record


def test_a_queued_record_with_ids_bound_is_untracked_by_a_full_collection() -> None:
    with correlation(trace_id=TRACE_ID, request_id="req-1"):
        bind(tenant="t-9")
        values, _ = take_snapshot(make_record({"order_id": 7}), JsonFormatter())
    gc.collect()
    assert not gc.is_tracked(values)  # a mapping of ids in the dict would keep it tracked


def test_records_of_one_scope_share_one_packed_snapshot_that_unpacks_to_the_ids() -> None:
    with correlation(trace_id=TRACE_ID, request_id="req-1"):
        first, _ = take_snapshot(make_record(), JsonFormatter())
        second, _ = take_snapshot(make_record(), JsonFormatter())
        expected = dict(capture() or {})
    packed = first[RECORD_ATTRIBUTE]
    assert type(packed) is tuple
    assert second[RECORD_ATTRIBUTE] is packed
    assert dict(unpack(packed)) == expected == {"trace_id": TRACE_ID, "request_id": "req-1"}


def test_nothing_is_packed_when_no_id_or_field_is_bound() -> None:
    values, _ = contextvars.Context().run(take_snapshot, make_record(), JsonFormatter())
    assert values[RECORD_ATTRIBUTE] is None


def test_a_generated_trace_id_is_packed_like_a_bound_one() -> None:
    def in_scope() -> tuple[Any, Any]:
        with correlation(generate=True):
            return capture_packed(), capture()

    packed, snapshot = contextvars.Context().run(in_scope)
    assert packed is not None and snapshot is not None
    assert dict(unpack(packed)) == dict(snapshot)
    assert len(snapshot["trace_id"]) == 32


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: make_record({"cart": [1, 2]}), id="usual"),
        pytest.param(
            lambda: _deleted(make_record({"cart": [1, 2]}), "processName"), id="attribute-deleted"
        ),
        pytest.param(lambda: make_record({"cart": [1, 2]}, cls=_EarlyRecord), id="set-before-init"),
    ],
)
def test_mutable_extras_are_frozen_and_formatted_however_the_record_is_laid_out(make: Any) -> None:
    record = make()
    formatter = JsonFormatter()
    values, _ = take_snapshot(record, formatter)
    record.cart.append(3)  # changed after the call: the queued record keeps [1, 2]
    restored = logging.makeLogRecord({})
    restored.__dict__ = values
    document = json.loads(formatter.format(restored))
    assert document["cart"] == [1, 2]
    if isinstance(record, _EarlyRecord):
        assert document["tenant"] == "t-early"


def test_extras_keep_the_order_they_were_set_in() -> None:
    record = make_record({"zeta": 1, "alpha": 2, "mid": 3})
    document = json.loads(JsonFormatter().format(record))
    assert [key for key in document if key in ("zeta", "alpha", "mid")] == ["zeta", "alpha", "mid"]


class _EarlyRecord(logging.LogRecord):
    """A record class that sets an attribute before ``LogRecord.__init__`` runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.tenant = "t-early"
        super().__init__(*args, **kwargs)


def _deleted(record: logging.LogRecord, name: str) -> logging.LogRecord:
    delattr(record, name)
    return record
