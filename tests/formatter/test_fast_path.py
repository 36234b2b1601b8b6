"""JsonFormatter's fast path gives the same bytes as its general path, and steps aside when it
cannot be sure."""

from __future__ import annotations

import copy
import datetime
import json
import logging
import math
import pickle
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cw_logging.context import RECORD_ATTRIBUTE, capture, correlation
from cw_logging.formatter import JsonFormatter
from tests.context.test_correlation import _isolated  # noqa: F401 - autouse: every test starts unbound

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"

# ---------------------------------------------------------------------------------- formatter


def general(formatter: JsonFormatter) -> JsonFormatter:
    """The same formatter with its fast path switched off: the reference output."""
    reference = JsonFormatter.__new__(type(formatter))
    reference.__dict__.update(formatter.__dict__)
    reference._fast = None
    return reference


def record_with(
    msg: object = "order %s placed",
    args: Any = (42,),
    extra: dict[str, Any] | None = None,
    name: str = "shop.orders",
    level: int = logging.INFO,
    **attributes: Any,
) -> logging.LogRecord:
    logger = logging.getLogger("perf.paths")
    record = logger.makeRecord(name, level, "/app/orders.py", 7, msg, args, None, "place", extra)
    record.__dict__.update(attributes)
    return record


def test_plain_record_takes_the_fast_path_and_matches_the_general_path() -> None:
    formatter = JsonFormatter()
    with correlation(trace_id=TRACE, request_id="r-1"):
        record = record_with(extra={"order_id": 42, "sku": "a-1"})
        snapshot = capture()
    setattr(record, RECORD_ATTRIBUTE, snapshot)
    assert formatter._fast is not None
    fast = formatter._fast.text(formatter, record, snapshot)
    assert fast is not None
    assert fast == general(formatter).format(record)
    assert json.loads(fast)["traceId"] == TRACE


texts = st.text(st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ['"quoted"', "back\\slash", "line\nbreak", "tab\t", "é€😀", "\x00\x1f", ""]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | texts
    | st.just(Decimal("1.5"))
    | st.just(datetime.date(2026, 1, 2))
    | st.just(b"\xffbytes")
    | st.just({1, 2})
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
extra_keys = st.sampled_from(
    ["order_id", "user", "level", "logger", "location", "traceId", "trace_id", "request_id",
     "requestId", "service", "_private", "errorType", "ünï", "a b"]
)  # fmt: skip
id_values = st.sampled_from([TRACE, "r-1", "span-9", 'quote"id', "ïd"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    msg=texts,
    args=st.lists(texts | st.integers(), max_size=2),
    extra=st.dictionaries(extra_keys, values, max_size=4),
    name=texts,
    level=st.sampled_from([logging.DEBUG, logging.INFO, logging.WARNING, 25, 99]),
    ids=st.dictionaries(
        st.sampled_from(["trace_id", "request_id", "span_id"]), id_values, max_size=3
    ),
    bound=st.dictionaries(st.sampled_from(["tenant", "level", "service"]), values, max_size=2),
    options=st.fixed_dictionaries(
        {},
        optional={
            "key_style": st.sampled_from(["camel", "snake"]),
            "ensure_ascii": st.booleans(),
            "service": texts,
            "static_fields": st.dictionaries(st.sampled_from(["env", "user"]), values),
            "rename_fields": st.sampled_from(
                [{"order_id": "orderId"}, {"message": "msg"}, {"level": "timestamp"}]
            ),
            "fmt": st.sampled_from(["%(process)d %(threadName)s", "%(asctime)s %(message)s"]),
            "datefmt": st.just("%Y/%m/%d %H-%M-%S"),
        },
    ),
    snapshot_on_record=st.booleans(),
)
def test_fast_path_output_equals_the_general_path(
    msg: str,
    args: list[Any],
    extra: dict[str, Any],
    name: str,
    level: int,
    ids: dict[str, str],
    bound: dict[str, Any],
    options: dict[str, Any],
    snapshot_on_record: bool,
) -> None:
    placeholders = "".join(" %s" for _ in args)
    formatter = JsonFormatter(**options)
    scope: dict[str, Any] = {**ids, **bound}
    with correlation(**scope):
        record = record_with(msg + placeholders, tuple(args), extra, name, level)
        if snapshot_on_record:
            setattr(record, RECORD_ATTRIBUTE, capture())
        assert formatter.format(record) == general(formatter).format(record)


def test_same_snapshot_reused_across_records_gives_each_its_own_ids() -> None:
    formatter = JsonFormatter()
    with correlation(request_id="r-1"):
        snapshot = capture()
    first, second, third = record_with(), record_with(extra={"trace_id": "abc"}), record_with()
    for record in (first, second, third):
        setattr(record, RECORD_ATTRIBUTE, snapshot)
    lines = [json.loads(formatter.format(r)) for r in (first, second, third)]
    assert [line.get("traceId") for line in lines] == [None, "abc", None]
    assert {line["requestId"] for line in lines} == {"r-1"}


def test_a_mutable_snapshot_is_read_again_for_every_record() -> None:
    formatter = JsonFormatter()
    snapshot: dict[str, Any] = {"request_id": "r-1"}
    first, second = record_with(), record_with()
    for record in (first, second):
        setattr(record, RECORD_ATTRIBUTE, snapshot)
    assert json.loads(formatter.format(first))["requestId"] == "r-1"
    snapshot["request_id"] = "r-2"
    assert json.loads(formatter.format(second))["requestId"] == "r-2"


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(record_with(exc_text="Traceback (most recent call last):\nValueError: x"),
                     id="exception text"),
        pytest.param(record_with(stack_info="Stack (most recent call last):\n  f()"),
                     id="stack info"),
        pytest.param(record_with({"message": "m", "k": 1}, None), id="mapping message"),
        pytest.param(record_with("bad %d", ("x",)), id="message formatting fails"),
        pytest.param(record_with(extra={"ratio": math.nan}), id="NaN extra"),
        pytest.param(record_with(extra={"trace_id": 123}), id="id that is not text"),
        pytest.param(record_with(levelname=None), id="level that is not text"),
    ],
)  # fmt: skip
def test_records_the_fast_path_leaves_to_the_general_path(record: logging.LogRecord) -> None:
    formatter = JsonFormatter()
    assert formatter._fast is not None
    assert formatter._fast.text(formatter, record, capture()) is None
    assert formatter.format(record) == general(formatter).format(record)


def test_after_a_value_the_encoder_refuses_later_records_take_the_fast_path_again() -> None:
    formatter = JsonFormatter()
    inner: list[Any] = [math.nan]
    outer = [inner]
    refused = record_with(extra={"values": outer})
    assert formatter._fast is not None
    assert formatter._fast.text(formatter, refused, None) is None
    assert formatter.format(refused) == general(formatter).format(refused)
    inner[0] = 1.5  # the same containers, now encodable: no stale circular-reference marks
    plain = record_with(extra={"values": outer})
    assert formatter._fast.text(formatter, plain, None) == general(formatter).format(plain)


def test_static_field_named_like_an_id_replaces_it_in_place() -> None:
    formatter = JsonFormatter(static_fields={"traceId": "static"})
    with correlation(trace_id=TRACE):
        record = record_with()
        assert formatter._fast is not None
        assert formatter._fast.text(formatter, record, capture()) is None
        line = formatter.format(record)
    keys = list(json.loads(line))
    assert json.loads(line)["traceId"] == "static"
    assert keys.index("traceId") < keys.index("location")  # where the id was, as dicts do


def test_redaction_uses_the_general_path() -> None:
    formatter = JsonFormatter(redact=True)
    line = json.loads(formatter.format(record_with("mail %s", ("a@example.com",))))
    assert "a@example.com" not in line["message"]


def test_pickled_and_copied_formatters_keep_their_output_and_fast_path() -> None:
    formatter = JsonFormatter(service="shop", rename_fields={"order_id": "orderId"})
    record = record_with(extra={"order_id": 7, "tags": ["a"]})
    for clone in (pickle.loads(pickle.dumps(formatter)), copy.deepcopy(formatter)):
        assert clone._fast is not None and clone._fast is not formatter._fast
        assert clone._fast.text(clone, record, None) == formatter.format(record)


def test_subclass_overriding_build_is_honoured() -> None:
    class Tagged(JsonFormatter):
        def build(self, record: logging.LogRecord) -> dict[str, Any]:
            data = super().build(record)
            data["tagged"] = True
            return data

    formatter = Tagged()
    assert formatter._fast is None
    assert json.loads(formatter.format(record_with()))["tagged"] is True


def test_keys_renamed_onto_each_other_disable_the_fast_path() -> None:
    formatter = JsonFormatter(rename_fields={"level": "timestamp"})
    assert formatter._fast is None
    assert json.loads(formatter.format(record_with()))["timestamp"] == "INFO"
