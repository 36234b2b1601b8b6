"""One bad record never costs its neighbours, and what is stored is what the caller logged, as
it was at the call: records that cannot be timestamped, messages whose %-format and argument
reprs fail, values JSON cannot encode, a message over the event limit, and mutable objects
changed after the call. Every case goes over HTTP to the package's local server."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from typing import Any

import pytest

import cw_logging
from cw_logging import JsonFormatter
from tests.support.faults import HandlerFactory
from tests.support.sink import LocalSink

pytestmark = pytest.mark.integration

GROUP = "/sink/default"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
LARGEST_MESSAGE = 1_048_550  # DESIGN section 4: 1 MB events, less the batch rule's overhead


class Unprintable:
    """An object whose ``repr`` and ``str`` both raise."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")

    __str__ = __repr__


class Cart:
    """A mutable object shown by its ``repr``."""

    def __init__(self, total: int) -> None:
        self.total = total

    def __repr__(self) -> str:
        return f"Cart(total={self.total})"


def documents(sink: LocalSink) -> list[dict[str, Any]]:
    return sink.documents(GROUP)


@pytest.mark.parametrize("created", [None, float("nan"), "x"], ids=["none", "nan", "text"])
def test_a_record_without_a_usable_time_is_stored_alone_and_its_batch_is_delivered(
    sink: LocalSink, sink_handlers: HandlerFactory, created: Any
) -> None:
    handler, logger = sink_handlers.make(formatter=JsonFormatter(), flush_interval=60)
    for i in range(1000):
        logger.info("before-%d", i)
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "the odd one", (), None)
    record.created = created  # e.g. a record rebuilt from another process's dict
    logged_at = time.time()
    logger.handle(record)
    for i in range(1000):
        logger.info("after-%d", i)
    assert handler.flush(timeout=20)
    flushed_at = time.time()

    stored = Counter(document["message"] for document in documents(sink))
    expected = Counter([f"before-{i}" for i in range(1000)] + [f"after-{i}" for i in range(1000)])
    expected["the odd one"] = 1
    assert stored == expected, f"{sum((expected - stored).values())} of 2,001 records lost"
    [(timestamp, message)] = [e for e in sink.events(GROUP) if "the odd one" in e[1]]
    assert logged_at * 1000 - 1000 <= timestamp <= flushed_at * 1000  # stamped "now"
    assert "formatError" in json.loads(message)
    assert handler.stats()["dropped"] == {}


def test_a_failed_percent_format_with_failing_reprs_keeps_the_format_and_safe_arguments(
    sink: LocalSink, sink_handlers: HandlerFactory
) -> None:
    handler, logger = sink_handlers.make(formatter=JsonFormatter())
    logger.info("value %d of %s", "not-a-number", Unprintable())
    assert handler.flush(timeout=10)
    [document] = documents(sink)
    message = document["message"]
    assert "value %d of %s" in message, document
    shown = f"{message} {document.get('formatError', '')}"  # the reprs: inline or beside it
    assert "'not-a-number'" in shown, document
    assert "Unprintable" in shown, document  # its type named, since its repr failed
    assert "object at 0x" not in shown, document


def _unencodable_values() -> list[Any]:
    # the placeholder is "<unserialisable T>"; an object whose repr fails was already
    # shown as "<unrepresentable T>", which says as much
    values: list[Any] = [
        pytest.param(Unprintable(), ("unserialisable", "unrepresentable"), id="unprintable-object")
    ]
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    values.append(
        pytest.param(
            10**5000,
            ("unserialisable",),
            id="int-over-4300-digits",
            marks=pytest.mark.skipif(
                limit == 0 or limit > 5000, reason="this Python converts any int to text"
            ),
        )
    )
    return values


@pytest.mark.parametrize(("value", "words"), _unencodable_values())
def test_one_unencodable_extra_is_replaced_alone(
    sink: LocalSink, sink_handlers: HandlerFactory, value: Any, words: tuple[str, ...]
) -> None:
    handler, logger = sink_handlers.make(formatter=JsonFormatter())
    logger.info("order placed", extra={"order_id": 42, "bad": value, "user": "u-1"})
    assert handler.flush(timeout=10)
    [document] = documents(sink)
    assert document["message"] == "order placed"
    assert document["order_id"] == 42 and document["user"] == "u-1", document
    placeholders = {f"<{word} {type(value).__name__}>" for word in words}
    assert document["bad"] in placeholders, document


def test_an_oversize_json_record_is_cut_inside_its_message_and_stays_valid_json(
    sink: LocalSink, sink_handlers: HandlerFactory
) -> None:
    handler, logger = sink_handlers.make(formatter=JsonFormatter())
    text = "big-message-start " + "é" * 750_000  # 1.5 MB of UTF-8
    original_bytes = len(text.encode("utf-8"))
    with cw_logging.correlation(trace_id=TRACE_ID):
        logger.info("%s", text, extra={"order_id": 7})
    assert handler.flush(timeout=20)
    [(_, message)] = sink.events(GROUP)
    assert len(message.encode("utf-8")) <= LARGEST_MESSAGE
    document = json.loads(message)  # fails if the event was cut mid-JSON
    assert document["traceId"] == TRACE_ID and document["order_id"] == 7, sorted(document)
    assert document["message"].startswith("big-message-start éé")
    assert document["truncated"] is True
    sizes = {
        key: value
        for key, value in document.items()
        if isinstance(value, int)
        and not isinstance(value, bool)
        and any(word in key.lower() for word in ("size", "bytes", "length"))
    }
    assert any(value >= original_bytes for value in sizes.values()), (
        f"no field gives the original size ({original_bytes} bytes): {sizes}"
    )


def test_mutable_values_are_stored_as_they_were_at_the_call(
    sink: LocalSink, sink_handlers: HandlerFactory
) -> None:
    handler, logger = sink_handlers.make(formatter=JsonFormatter(), flush_interval=60)
    order = {"state": "before"}
    items = ["a"]
    tags = {"t1"}
    cart = Cart(total=1)
    nested = {"lines": [{"sku": "s1", "qty": 1}]}
    logger.info(
        "order placed",
        extra={"order": order, "items": items, "tags": tags, "cart": cart, "nested": nested},
    )
    logger.info("cart %s holds %s", cart, items)
    order["state"] = "after"
    items.append("b")
    tags.add("t2")
    cart.total = 2
    nested["lines"][0]["qty"] = 99
    assert handler.flush(timeout=10)  # the sender formats only now
    by_message = {document["message"]: document for document in documents(sink)}
    placed = by_message["order placed"]
    assert placed["order"] == {"state": "before"}
    assert placed["items"] == ["a"]
    assert placed["tags"] == ["t1"]
    assert placed["cart"] == "Cart(total=1)"
    assert placed["nested"] == {"lines": [{"sku": "s1", "qty": 1}]}
    assert "cart Cart(total=1) holds ['a']" in by_message
