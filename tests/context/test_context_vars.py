"""The per-id context vars: values set directly (by middleware or other libraries) are honoured
by capture(), current(), the formatter and CloudWatchHandler, and stay isolated per task and
thread, var by var."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import pytest
from opentelemetry import trace

from cw_logging.context import (
    FIELDS_VAR,
    ID_KEYS,
    ID_VARS,
    RECORD_ATTRIBUTE,
    REQUEST_ID_VAR,
    SPAN_ID_VAR,
    TRACE_ID_VAR,
    XRAY_TRACE_ID_VAR,
    CorrelationFilter,
    bind,
    capture,
    clear,
    correlation,
    current,
    new_trace_id,
)
from cw_logging.formatter import JsonFormatter
from cw_logging.handler import CloudWatchHandler
from tests.context.test_correlation import (
    SPAN,
    TRACE,
    XRAY,
    XRAY_AS_W3C,
    _isolated,  # noqa: F401 - autouse: every test starts unbound
    make_record,
    otel_span,
)

_T = TypeVar("_T")
_U = TypeVar("_U")


def test_every_id_key_has_its_own_var() -> None:
    assert set(ID_VARS) == set(ID_KEYS)
    assert ID_VARS["trace_id"] is TRACE_ID_VAR and ID_VARS["request_id"] is REQUEST_ID_VAR
    assert ID_VARS["span_id"] is SPAN_ID_VAR and ID_VARS["xray_trace_id"] is XRAY_TRACE_ID_VAR
    assert len({id(var) for var in (*ID_VARS.values(), FIELDS_VAR)}) == 5


# --------------------------------------------------------------------------- direct sets


def test_ids_set_directly_are_captured() -> None:
    TRACE_ID_VAR.set(TRACE)
    REQUEST_ID_VAR.set("r-direct")
    SPAN_ID_VAR.set(SPAN)
    XRAY_TRACE_ID_VAR.set(XRAY)
    assert current() == {
        "trace_id": TRACE,
        "request_id": "r-direct",
        "span_id": SPAN,
        "xray_trace_id": XRAY,
    }
    assert capture() is capture()  # unchanged vars reuse one snapshot


def test_fields_set_directly_are_captured_but_cannot_shadow_ids() -> None:
    REQUEST_ID_VAR.set("r")
    FIELDS_VAR.set(MappingProxyType({"tenant": "t1", "request_id": "from-fields"}))
    assert current() == {"request_id": "r", "tenant": "t1"}
    FIELDS_VAR.set(MappingProxyType({"trace_id": "from-fields"}))
    assert current() == {"request_id": "r"}


def test_each_direct_change_and_reset_gives_a_new_snapshot() -> None:
    token = REQUEST_ID_VAR.set("first")
    first = capture()
    REQUEST_ID_VAR.set("second")
    second = capture()
    FIELDS_VAR.set(MappingProxyType({"user": "u"}))
    third = capture()
    assert [dict(s or {}) for s in (first, second, third)] == [
        {"request_id": "first"},
        {"request_id": "second"},
        {"request_id": "second", "user": "u"},
    ]
    FIELDS_VAR.set(MappingProxyType({}))
    REQUEST_ID_VAR.reset(token)
    assert capture() is None


def test_bind_and_correlation_write_the_vars_other_code_reads() -> None:
    with correlation(trace_id=XRAY, request_id="r", user="u"):
        assert (TRACE_ID_VAR.get(), XRAY_TRACE_ID_VAR.get()) == (XRAY_AS_W3C, XRAY)
        assert REQUEST_ID_VAR.get() == "r" and dict(FIELDS_VAR.get()) == {"user": "u"}
        bind(span_id=SPAN, request_id=None)
        assert (SPAN_ID_VAR.get(), REQUEST_ID_VAR.get()) == (SPAN, None)
    assert [var.get() for var in ID_VARS.values()] == [None] * 4
    assert dict(FIELDS_VAR.get()) == {}


def test_scope_exit_also_undoes_direct_sets_made_inside_it() -> None:
    REQUEST_ID_VAR.set("before")
    with correlation(tenant="t1"):
        REQUEST_ID_VAR.set("inside")
        TRACE_ID_VAR.set(TRACE)
        assert current() == {"trace_id": TRACE, "request_id": "inside", "tenant": "t1"}
    assert current() == {"request_id": "before"}


def test_scope_exited_in_another_context_restores_the_previous_values() -> None:
    def in_a_fresh_context() -> dict[str, Any]:  # only REQUEST_ID_VAR has ever been set here
        REQUEST_ID_VAR.set("before")
        scope = correlation(request_id="scoped", user="u")
        contextvars.copy_context().run(scope.__enter__)  # entered in one context...
        bind(request_id="changed", user="v")
        scope.__exit__(None, None, None)  # ...exited in this one: tokens do not apply here
        return current()

    assert contextvars.Context().run(in_a_fresh_context) == {"request_id": "before"}


def test_clear_unsets_directly_set_vars() -> None:
    TRACE_ID_VAR.set(TRACE)
    FIELDS_VAR.set(MappingProxyType({"user": "u"}))
    clear()
    assert capture() is None


def test_directly_set_ids_win_over_an_opentelemetry_span() -> None:
    other_trace = "a" * 32
    with trace.use_span(otel_span(), end_on_exit=False):
        SPAN_ID_VAR.set("b" * 16)
        assert current() == {"trace_id": TRACE, "span_id": "b" * 16}
        TRACE_ID_VAR.set(other_trace)
        assert current() == {"trace_id": other_trace, "span_id": "b" * 16}


# --------------------------------------------------------------------------- isolation


def run_tasks_interleaved(
    count: int, step: Callable[[int], _T], then: Callable[[int], _U]
) -> list[tuple[_T, _U]]:
    """Run ``step(i)`` in each of ``count`` asyncio tasks, then, once every task has run its step,
    ``then(i)`` in each; return both results per task."""

    async def task(index: int, arrived: list[int], all_arrived: asyncio.Event) -> tuple[_T, _U]:
        await asyncio.sleep(0)
        result = step(index)
        arrived.append(index)
        if len(arrived) == count:
            all_arrived.set()
        await all_arrived.wait()
        return result, then(index)

    async def main() -> list[tuple[_T, _U]]:
        arrived: list[int] = []
        all_arrived = asyncio.Event()
        return list(await asyncio.gather(*(task(i, arrived, all_arrived) for i in range(count))))

    return asyncio.run(main())


def set_one_var_per_index(index: int) -> None:
    """Task/thread ``index`` sets a different var (or two), as unrelated middleware would."""
    kind = index % 3
    if kind == 0:
        TRACE_ID_VAR.set(f"{index:032x}")
    elif kind == 1:
        REQUEST_ID_VAR.set(f"req-{index}")
    else:
        SPAN_ID_VAR.set(f"{index:016x}")
        FIELDS_VAR.set(MappingProxyType({"worker": index}))


def expected_for(index: int) -> dict[str, object]:
    kind = index % 3
    if kind == 0:
        return {"trace_id": f"{index:032x}"}
    if kind == 1:
        return {"request_id": f"req-{index}"}
    return {"span_id": f"{index:016x}", "worker": index}


def test_concurrent_tasks_setting_different_vars_each_see_only_their_own() -> None:
    REQUEST_ID_VAR.set("parent")  # inherited by every task unless the task sets its own

    results = run_tasks_interleaved(30, set_one_var_per_index, lambda index: current())
    for index, (_, seen) in enumerate(results):
        assert seen == {"request_id": "parent", **expected_for(index)}, index
    assert current() == {"request_id": "parent"}


def test_concurrent_threads_setting_different_vars_each_see_only_their_own() -> None:
    count = 9
    barrier = threading.Barrier(count, timeout=10)
    results: dict[int, object] = {}

    def worker(index: int) -> None:
        set_one_var_per_index(index)
        first = capture()
        barrier.wait()  # every thread has set its var before any reads again
        results[index] = (current(), capture() is first)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {i: (expected_for(i), True) for i in range(count)}
    assert capture() is None


def test_interleaved_tasks_keep_their_own_cached_snapshot() -> None:
    def step(index: int) -> Mapping[str, Any] | None:
        REQUEST_ID_VAR.set(f"req-{index}")
        return capture()

    # Each task captures again after all the others captured theirs: its snapshot is still cached.
    results = run_tasks_interleaved(10, step, lambda index: capture())
    assert [dict(first or {}) for first, _ in results] == [
        {"request_id": f"req-{i}"} for i in range(10)
    ]
    assert all(first is second for first, second in results)


# --------------------------------------------------------------------------- formatter


def test_formatter_writes_ids_set_directly() -> None:
    TRACE_ID_VAR.set(TRACE)
    REQUEST_ID_VAR.set("r-direct")
    FIELDS_VAR.set(MappingProxyType({"tenant": "t1"}))
    document = json.loads(JsonFormatter().format(make_record()))
    assert (document["traceId"], document["requestId"], document["tenant"]) == (
        TRACE,
        "r-direct",
        "t1",
    )
    assert "spanId" not in document


def test_correlation_filter_snapshots_ids_set_directly() -> None:
    record = make_record()
    token = REQUEST_ID_VAR.set("at-log-time")
    CorrelationFilter().filter(record)
    REQUEST_ID_VAR.reset(token)
    assert json.loads(JsonFormatter().format(record))["requestId"] == "at-log-time"
    assert dict(getattr(record, RECORD_ATTRIBUTE)) == {"request_id": "at-log-time"}


@pytest.mark.integration
def test_cloudwatch_handler_ships_ids_set_directly_in_concurrent_tasks(logs_client: Any) -> None:
    group = "/cw-logging/context-vars-test"
    logs_client.create_log_group(logGroupName=group)
    handler = CloudWatchHandler(log_group=group, log_stream="s", client=logs_client)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test_context_vars")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    traces = [new_trace_id() for _ in range(5)]

    def set_ids(index: int) -> None:
        TRACE_ID_VAR.set(traces[index])  # as middleware of another library would
        REQUEST_ID_VAR.set(f"req-{index}")

    try:
        run_tasks_interleaved(
            5, set_ids, lambda index: logger.info("handled", extra={"index": index})
        )
        assert handler.flush(30)
    finally:
        logger.removeHandler(handler)
        handler.close()
    events = logs_client.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)
    records = [json.loads(event["message"]) for event in events["events"]]
    assert sorted((r["index"], r["traceId"], r["requestId"]) for r in records) == [
        (i, traces[i], f"req-{i}") for i in range(5)
    ]
