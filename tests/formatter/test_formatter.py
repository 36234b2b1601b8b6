"""JsonFormatter: schema, ids, exceptions, extras, safe values, no mutation, dictConfig."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import enum
import io
import json
import logging
import logging.config
import logging.handlers
import queue
import sys
import threading
import uuid
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythonjsonlogger.json import JsonFormatter as PlainJsonFormatter

from cw_logging.context import RECORD_ATTRIBUTE, CorrelationFilter, capture, correlation
from cw_logging.errors import ConfigurationError
from cw_logging.formatter import EXCEPTION_ATTRIBUTE, JsonFormatter, json_safe, standard_attributes
from tests.context.test_correlation import _isolated  # noqa: F401 - autouse: every test starts unbound

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def make_record(
    msg: object = "hello %s",
    args: Any = ("world",),
    *,
    exc_info: Any = None,
    extra: dict[str, Any] | None = None,
    level: int = logging.INFO,
) -> logging.LogRecord:
    logger = logging.getLogger("shop.orders")
    record = logger.makeRecord(
        "shop.orders", level, "/app/orders.py", 42, msg, args, exc_info, "place_order", extra
    )
    return record


def fmt(record: logging.LogRecord, **options: Any) -> dict[str, Any]:
    line = JsonFormatter(**options).format(record)
    assert "\n" not in line
    result: dict[str, Any] = json.loads(line)
    return result


def raised(exc: BaseException) -> Any:
    try:
        raise exc
    except BaseException:
        return sys.exc_info()


# --------------------------------------------------------------------------- schema


def test_default_keys_in_order() -> None:
    record = make_record()
    record.created = 1_700_000_000.25
    record.msecs = 250.0
    out = fmt(record)
    assert list(out) == ["timestamp", "level", "logger", "message", "location"]
    assert out == {
        "timestamp": "2023-11-14T22:13:20.250Z",
        "level": "INFO",
        "logger": "shop.orders",
        "message": "hello world",
        "location": "orders:place_order:42",
    }


def test_timestamp_is_utc_with_milliseconds_for_the_records_own_time() -> None:
    records = [make_record() for _ in range(3)]
    for offset, record in enumerate(records):
        record.created = 86_400 * 365 + offset * 1.5 + 0.125
        record.msecs = (record.created - int(record.created)) * 1000
    stamps = [fmt(r)["timestamp"] for r in records]
    assert stamps == [
        "1971-01-01T00:00:00.125Z",
        "1971-01-01T00:00:01.625Z",
        "1971-01-01T00:00:03.125Z",
    ]


def test_ids_are_omitted_when_unset_and_present_when_bound() -> None:
    assert "traceId" not in fmt(make_record())
    with correlation(trace_id=TRACE, request_id="r-1", span_id="00f067aa0ba902b7", tenant="t1"):
        out = fmt(make_record())
    assert (out["traceId"], out["requestId"], out["spanId"], out["tenant"]) == (
        TRACE,
        "r-1",
        "00f067aa0ba902b7",
        "t1",
    )
    assert list(out)[4:7] == ["traceId", "requestId", "spanId"]


def test_snake_key_style() -> None:
    with correlation(trace_id=TRACE, request_id="r"):
        out = fmt(make_record(exc_info=raised(ValueError("bad"))), key_style="snake")
    assert {"trace_id", "request_id", "error_type", "error_message", "stack_trace"} <= set(out)
    assert "traceId" not in out and "errorType" not in out


def test_invalid_options_say_what_is_allowed() -> None:
    with pytest.raises(ConfigurationError, match=r"key_style='kebab' is invalid: use one of"):
        JsonFormatter(key_style="kebab")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_repr"):
        JsonFormatter(max_repr=1)


def test_static_fields_service_environment_and_rename_fields() -> None:
    out = fmt(
        make_record(extra={"order_id": 7}),
        service="shop",
        environment="prod",
        static_fields={"team": "core"},
        rename_fields={"message": "msg", "order_id": "orderId"},
    )
    assert out["service"] == "shop" and out["environment"] == "prod" and out["team"] == "core"
    assert out["msg"] == "hello world" and "message" not in out
    assert out["orderId"] == 7 and "order_id" not in out


def test_fmt_adds_named_record_attributes() -> None:
    out = fmt(make_record(), fmt="%(process)d %(threadName)s %(message)s %(asctime)s")
    assert out["process"] > 0 and out["threadName"] == threading.current_thread().name
    assert out["message"] == "hello world" and out["asctime"]


def test_unicode_is_kept_readable() -> None:
    line = JsonFormatter().format(make_record("café ✓", None))
    assert "café ✓" in line


# --------------------------------------------------------------------------- extras and dicts


def test_extras_at_top_level_and_core_keys_protected() -> None:
    extra = {"order_id": 42, "level": "custom", "errorType": "mine", "cart": {"items": [1, 2]}}
    record = make_record(extra=extra, exc_info=raised(ValueError("v")))
    with correlation(message="bound field"):
        out = fmt(record, static_fields={"timestamp": "static"})
    assert out["order_id"] == 42 and out["cart"] == {"items": [1, 2]}
    assert out["level"] == "INFO" and out["extra_level"] == "custom"
    assert out["errorType"] == "ValueError" and out["extra_errorType"] == "mine"
    assert out["message"] == "hello world" and out["extra_message"] == "bound field"
    assert out["extra_timestamp"] == "static" and out["timestamp"].endswith("Z")


def test_dict_message_is_merged_and_not_mutated() -> None:
    message = {"message": "order placed", "order_id": 42, "logger": "spoof"}
    before = copy.deepcopy(message)
    out = fmt(make_record(message, None, exc_info=raised(KeyError("k"))))
    assert out["message"] == "order placed" and out["order_id"] == 42
    assert out["logger"] == "shop.orders" and out["extra_logger"] == "spoof"
    assert out["errorType"] == "KeyError"
    assert message == before


def test_extra_named_like_an_id_overrides_the_context_for_that_record() -> None:
    with correlation(trace_id=TRACE, request_id="ctx"):
        out = fmt(make_record(extra={"request_id": "explicit", "traceId": "b" * 32}))
    assert out["requestId"] == "explicit" and out["traceId"] == "b" * 32
    assert "request_id" not in out


def test_private_attributes_never_appear() -> None:
    record = make_record(extra={"_secret_internal": 1})
    with correlation(request_id="r"):
        setattr(record, RECORD_ATTRIBUTE, capture())
    setattr(record, EXCEPTION_ATTRIBUTE, ("X", "y"))
    line = JsonFormatter().format(record)
    assert "_cw" not in line and "_secret_internal" not in line


# --------------------------------------------------------------------------- correlation snapshot


def test_snapshot_on_the_record_wins_over_the_formatting_threads_context() -> None:
    record = make_record()
    with correlation(request_id="caller"):
        setattr(record, RECORD_ATTRIBUTE, capture())
    with correlation(request_id="sender-thread"):
        assert fmt(record)["requestId"] == "caller"


def test_snapshot_of_none_means_no_ids_even_if_the_formatter_has_context() -> None:
    record = make_record()
    setattr(record, RECORD_ATTRIBUTE, None)
    with correlation(request_id="sender-thread"):
        assert "requestId" not in fmt(record)


def test_without_snapshot_the_formatter_captures_on_its_thread() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test_formatter.stream")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with correlation(request_id="stream-r"):
            logger.warning("x")
    finally:
        logger.removeHandler(handler)
    assert json.loads(stream.getvalue())["requestId"] == "stream-r"


def test_correlation_filter_feeds_the_formatter() -> None:
    record = make_record()
    with correlation(trace_id=TRACE):
        CorrelationFilter(attributes=True).filter(record)
    out = fmt(record)
    assert out["traceId"] == TRACE and "trace_id" not in out and "requestId" not in out


# --------------------------------------------------------------------------- exceptions


class OrderError(Exception):
    pass


def test_exception_fields() -> None:
    out = fmt(make_record(exc_info=raised(OrderError("no stock\nfor sku 1"))))
    assert out["errorType"] == f"{__name__}.OrderError"
    assert out["errorMessage"] == "no stock\nfor sku 1"
    assert out["stackTrace"][0] == "Traceback (most recent call last):"
    assert any("raise exc" in line for line in out["stackTrace"])
    assert out["stackTrace"][-2:] == [f"{__name__}.OrderError: no stock", "for sku 1"]


def test_exception_from_text_only_record_as_the_handler_hands_it_over() -> None:
    for exc in (OrderError("no stock\nfor sku 1"), ValueError("plain"), RuntimeError()):
        source = make_record(exc_info=raised(exc))
        text = logging.Formatter().formatException(source.exc_info)  # type: ignore[arg-type]
        record = make_record(source.getMessage(), None)
        record.exc_text = text
        expected = fmt(source)
        out = fmt(record)
        assert (out["errorType"], out["errorMessage"], out["stackTrace"]) == (
            expected["errorType"],
            expected["errorMessage"],
            expected["stackTrace"],
        )


def test_chained_exception_reports_the_last_one() -> None:
    try:
        try:
            raise KeyError("inner")
        except KeyError as inner:
            raise OrderError("outer") from inner
    except OrderError:
        info = sys.exc_info()
    record = make_record(None, None)
    record.msg, record.exc_text = "failed", logging.Formatter().formatException(info)
    out = fmt(record)
    assert (out["errorType"], out["errorMessage"]) == (f"{__name__}.OrderError", "outer")
    assert any("KeyError: 'inner'" in line for line in out["stackTrace"])


def test_exception_attribute_wins_over_parsing() -> None:
    record = make_record("failed", None)
    record.exc_text = "Traceback (most recent call last):\nweird text"
    setattr(record, EXCEPTION_ATTRIBUTE, ("pkg.Err", "real message"))
    out = fmt(record)
    assert (out["errorType"], out["errorMessage"]) == ("pkg.Err", "real message")


def test_stack_info_is_a_list_of_lines() -> None:
    record = make_record()
    record.stack_info = "Stack (most recent call last):\n  File x\n    y()"
    assert fmt(record)["stackInfo"] == ["Stack (most recent call last):", "  File x", "    y()"]


# --------------------------------------------------------------------------- safe values


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Item:
    sku: str
    added: datetime.date


class Weird:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class Huge:
    def __repr__(self) -> str:
        return "H" * 5000


def test_values_json_cannot_encode_are_converted() -> None:
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.timezone.utc)
    extra = {
        "when": when,
        "day": datetime.date(2024, 5, 6),
        "at": datetime.time(7, 8),
        "price": Decimal("19.90"),
        "id": uuid.UUID(int=1),
        "raw": b"ok\xff",
        "tags": {"b", "a"},
        "colour": Colour.RED,
        "item": Item("s1", datetime.date(2024, 1, 2)),
        "path": PurePosixPath("/tmp/x"),
        "error": ValueError("v"),
        "nan": float("nan"),
        "weird": Weird(),
        "huge": Huge(),
        "obj": object(),
    }
    out = fmt(make_record(extra=extra), max_repr=100)
    assert out["when"] == "2024-05-06T07:08:09.123000+00:00"
    assert (out["day"], out["at"], out["price"]) == ("2024-05-06", "07:08:00", "19.90")
    assert out["id"] == "00000000-0000-0000-0000-000000000001"
    assert out["raw"] == "ok\\xff" and out["tags"] == ["a", "b"] and out["colour"] == "red"
    assert out["item"] == {"sku": "s1", "added": "2024-01-02"}
    assert (out["path"], out["error"], out["nan"]) == ("/tmp/x", "ValueError: v", "nan")
    assert out["weird"] == "<unrepresentable Weird>"
    assert out["huge"].startswith("H" * 100) and len(out["huge"]) < 150
    assert out["obj"].startswith("<object object at")


def test_circular_and_odd_keys_do_not_break_the_record() -> None:
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    out = fmt(make_record(extra={"loop": loop, "keyed": {(1, 2): "tuple key"}, "ok": 1}))
    assert out["loop"] == {"name": "loop", "self": "<circular reference>"}
    assert out["keyed"] == {"(1, 2)": "tuple key"} and out["ok"] == 1


def test_json_safe_never_raises_for_odd_values() -> None:
    assert json_safe({3, "a"}) in (["a", 3], [3, "a"])
    assert json_safe(Weird()) == "<unrepresentable Weird>"


def test_a_bad_record_does_not_break_the_next() -> None:
    formatter = JsonFormatter()

    class BadStr:
        def __str__(self) -> str:
            raise RuntimeError("no str")

    bad_args = json.loads(formatter.format(make_record("%d items", ("x",))))
    assert bad_args["message"] == "%d items" and "formatError" in bad_args
    bad_msg = json.loads(formatter.format(make_record(BadStr(), None)))
    assert bad_msg["level"] == "INFO" and "formatError" in bad_msg
    assert json.loads(formatter.format(make_record()))["message"] == "hello world"


# --------------------------------------------------------------------------- no mutation


def test_formatting_mutates_neither_record_nor_logged_objects() -> None:
    extra = {"cart": {"items": [{"sku": "a", "tags": {"x"}}]}, "note": "n"}
    before_extra = copy.deepcopy(extra)
    record = make_record(extra=extra, exc_info=raised(ValueError("v")))
    before = dict(record.__dict__)
    JsonFormatter(redact=True).format(record)
    JsonFormatter().format(record)
    assert record.__dict__ == before
    assert not hasattr(record, "message") and record.exc_text is None
    assert extra == before_extra


# --------------------------------------------------------------------------- integration


def test_built_by_dictconfig_factory_and_a_python_json_logger_formatter() -> None:
    # The configurator's own formatter factory, without replacing this process's logging setup
    # (the full dictConfig path runs in the example scripts' subprocess test).
    configurator = logging.config.DictConfigurator({"version": 1})
    formatter = configurator.configure_formatter(
        {
            "()": "cw_logging.formatter.JsonFormatter",
            "service": "shop",
            "key_style": "snake",
            "redact": True,
        }
    )
    assert isinstance(formatter, PlainJsonFormatter)
    with correlation(request_id="r-7"):
        line = formatter.format(make_record("mail ann@example.com", None, extra={"token": "abc"}))
    out = json.loads(line)
    assert out["service"] == "shop" and out["request_id"] == "r-7"
    assert out["message"] == "mail [REDACTED:email]" and out["token"] == "[REDACTED]"


def test_exception_group_text_keeps_the_trace_without_inventing_a_type() -> None:
    record = make_record("failed", None)
    record.exc_text = (
        "  + Exception Group Traceback (most recent call last):\n  | ExceptionGroup: x"
    )
    out = fmt(record)
    assert "errorType" not in out and out["stackTrace"][1] == "  | ExceptionGroup: x"


def test_datefmt_is_utc() -> None:
    record = make_record()
    record.created, record.msecs = 0.0, 0.0
    assert fmt(record, datefmt="%Y-%m-%d %H:%M:%S")["timestamp"] == "1970-01-01 00:00:00"


def test_a_record_missing_standard_attributes_still_gives_a_line() -> None:
    record = make_record()
    del record.levelname, record.created
    out = fmt(record)
    assert out["level"] == "NOTSET" and out["message"] == "hello %s" and "formatError" in out


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=8)
    | st.decimals()
    | st.datetimes()
    | st.uuids(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=3)
        | st.tuples(inner, inner)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=12,
)


EXTRA_KEYS = st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(
    lambda key: key not in standard_attributes()
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(EXTRA_KEYS, JSONISH, max_size=4))
def test_any_extra_values_give_one_valid_json_line(extra: dict[str, Any]) -> None:
    for formatter in (JsonFormatter(), JsonFormatter(redact=True)):
        line = formatter.format(make_record(extra=extra))
        assert "\n" not in line
        assert json.loads(line)["message"] == "hello world"


def test_correlation_filter_carries_ids_through_a_queue_listener_thread() -> None:
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    stream = io.StringIO()
    sink = logging.StreamHandler(stream)
    sink.setFormatter(JsonFormatter())
    front = logging.handlers.QueueHandler(records)
    front.addFilter(CorrelationFilter())
    listener = logging.handlers.QueueListener(records, sink)
    logger = logging.getLogger("test_formatter.queue")
    logger.propagate = False
    logger.addHandler(front)
    listener.start()
    try:
        for index in range(3):
            with correlation(request_id=f"q-{index}"):
                logger.warning("queued %d", index)
    finally:
        listener.stop()  # drains the queue and joins the listener thread
        logger.removeHandler(front)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(r["message"], r["requestId"]) for r in lines] == [
        ("queued 0", "q-0"),
        ("queued 1", "q-1"),
        ("queued 2", "q-2"),
    ]
