"""Correlation context: scopes, binding, sources, header parsers and propagation."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

import cw_logging.context as context
from cw_logging.context import (
    RECORD_ATTRIBUTE,
    ContextThreadPoolExecutor,
    CorrelationFilter,
    bind,
    capture,
    clear,
    configure,
    correlation,
    current,
    ids_from_headers,
    new_span_id,
    new_trace_id,
    parse_amzn_trace_id,
    parse_request_id,
    parse_traceparent,
    wrap,
)
from tests.testing.helpers import ROOT, run_python

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
XRAY = "1-5759e988-bd862e3fe1be46a994272793"
XRAY_AS_W3C = "5759e988bd862e3fe1be46a994272793"


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    clear()
    yield
    clear()
    configure(auto_generate=False)


def otel_span(trace_id: str = TRACE, span_id: str = SPAN) -> NonRecordingSpan:
    return NonRecordingSpan(
        SpanContext(int(trace_id, 16), int(span_id, 16), False, TraceFlags(TraceFlags.SAMPLED))
    )


# --------------------------------------------------------------------------- ids


def test_new_ids_are_w3c_shaped_and_distinct() -> None:
    traces = {new_trace_id() for _ in range(200)}
    spans = {new_span_id() for _ in range(200)}
    assert len(traces) == 200 and len(spans) == 200
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) and t != "0" * 32 for t in traces)
    assert all(re.fullmatch(r"[0-9a-f]{16}", s) and s != "0" * 16 for s in spans)


# --------------------------------------------------------------------------- scopes


def test_nothing_bound_captures_none() -> None:
    assert capture() is None
    assert current() == {}


def test_correlation_binds_and_restores_previous_values() -> None:
    with correlation(request_id="outer", trace_id=TRACE, tenant="t1"):
        with correlation(request_id="inner", user="u1"):
            assert current() == {
                "trace_id": TRACE,
                "request_id": "inner",
                "tenant": "t1",
                "user": "u1",
            }
        assert current() == {"trace_id": TRACE, "request_id": "outer", "tenant": "t1"}
    assert capture() is None


def test_correlation_restores_after_an_exception() -> None:
    bind(request_id="before")
    with pytest.raises(KeyError), correlation(request_id="during"):
        raise KeyError("x")
    assert current() == {"request_id": "before"}


def test_the_same_scope_object_can_be_reentered() -> None:
    scope = correlation(request_id="a")
    with scope:
        bind(request_id="changed")
        with scope:
            assert current()["request_id"] == "a"
        assert current()["request_id"] == "changed"
    assert capture() is None


def test_snapshot_is_read_only() -> None:
    bind(trace_id=TRACE)
    snapshot = capture()
    assert snapshot is not None
    with pytest.raises(TypeError):
        snapshot["trace_id"] = "x"  # type: ignore[index]


def test_xray_trace_id_is_converted_and_kept() -> None:
    with correlation(trace_id=XRAY.upper()):
        assert current() == {"trace_id": XRAY_AS_W3C, "xray_trace_id": XRAY}


def test_uppercase_hex_trace_id_is_lowercased_and_other_ids_are_strings() -> None:
    with correlation(trace_id=TRACE.upper(), request_id=42):  # type: ignore[arg-type]
        assert current() == {"trace_id": TRACE, "request_id": "42"}


def test_bind_none_unbinds_and_clear_unbinds_all() -> None:
    bind(request_id="r", user="u")
    bind(user=None)
    assert current() == {"request_id": "r"}
    clear()
    assert capture() is None


def test_sync_decorator_gives_each_call_its_own_scope() -> None:
    @correlation(request_id="decorated")
    def handler(depth: int) -> list[str]:
        seen = [current()["request_id"]]
        bind(request_id=f"changed-{depth}")
        if depth:
            seen += handler(depth - 1)
        seen.append(current()["request_id"])
        return seen

    bind(request_id="outside")
    assert handler(1) == ["decorated", "decorated", "changed-0", "changed-1"]
    assert current() == {"request_id": "outside"}
    assert handler.__name__ == "handler"


def test_async_decorator_and_async_with() -> None:
    @correlation(request_id="async-decorated")
    async def handler() -> str:
        await asyncio.sleep(0)
        return str(current()["request_id"])

    async def main() -> tuple[str, str, dict[str, object]]:
        async with correlation(request_id="async-with"):
            inside = str(current()["request_id"])
        return await handler(), inside, current()

    assert asyncio.run(main()) == ("async-decorated", "async-with", {})


# --------------------------------------------------------------------------- isolation


def test_concurrent_asyncio_tasks_each_see_their_own_ids() -> None:
    count = 40

    async def worker(index: int, all_bound: asyncio.Event, bound: list[int]) -> tuple[int, str]:
        with correlation(request_id=f"req-{index}", trace_id=new_trace_id()):
            bound.append(index)
            if len(bound) == count:
                all_bound.set()
            await all_bound.wait()  # every task has bound its ids before any task reads them
            return index, str(current()["request_id"])

    async def main() -> list[tuple[int, str]]:
        all_bound = asyncio.Event()
        bound: list[int] = []
        return await asyncio.gather(*(worker(i, all_bound, bound) for i in range(count)))

    assert asyncio.run(main()) == [(i, f"req-{i}") for i in range(count)]
    assert capture() is None


def test_concurrent_threads_each_see_their_own_ids() -> None:
    count = 8
    barrier = threading.Barrier(count, timeout=10)
    results: dict[int, object] = {}

    def worker(index: int) -> None:
        bind(request_id=f"req-{index}")
        barrier.wait()  # every thread has bound before any reads
        results[index] = current().get("request_id")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {i: f"req-{i}" for i in range(count)}
    assert capture() is None


def test_context_executor_carries_the_submitters_context() -> None:
    with correlation(request_id="submitter"), ContextThreadPoolExecutor(2) as pool:
        assert pool.submit(current).result(10) == {"request_id": "submitter"}
    with correlation(request_id="submitter"), ThreadPoolExecutor(1) as plain:
        assert plain.submit(current).result(10) == {}


def test_wrap_runs_in_the_wrapping_context_even_concurrently() -> None:
    with correlation(request_id="wrapped"):
        wrapped = wrap(current)
    barrier = threading.Barrier(2, timeout=10)

    def call_twice_concurrently() -> dict[str, object]:
        barrier.wait()
        return wrapped()

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(call_twice_concurrently) for _ in range(2)]
        assert [f.result(10) for f in futures] == [{"request_id": "wrapped"}] * 2
    assert current() == {}


# --------------------------------------------------------------------------- sources


def test_active_opentelemetry_span_supplies_trace_and_span_ids() -> None:
    with trace.use_span(otel_span(), end_on_exit=False):
        assert current() == {"trace_id": TRACE, "span_id": SPAN}
        with correlation(request_id="r"):
            assert current() == {"trace_id": TRACE, "span_id": SPAN, "request_id": "r"}
    assert capture() is None


def test_explicitly_bound_trace_id_wins_over_opentelemetry() -> None:
    other = "a" * 32
    with trace.use_span(otel_span(), end_on_exit=False), correlation(trace_id=other):
        assert current() == {"trace_id": other}


def test_invalid_opentelemetry_span_is_ignored() -> None:
    with trace.use_span(trace.INVALID_SPAN, end_on_exit=False):
        assert capture() is None


def test_auto_generation_gives_scopes_one_id_and_loose_records_fresh_ones() -> None:
    configure(auto_generate=True)
    with correlation(request_id="r"):
        first, second = current()["trace_id"], current()["trace_id"]
        assert first == second and re.fullmatch(r"[0-9a-f]{32}", str(first))
    loose = {current()["trace_id"] for _ in range(3)}
    assert len(loose) == 3 and first not in loose


def test_generated_id_yields_to_an_opentelemetry_span_started_inside_the_scope() -> None:
    with correlation(generate=True):
        generated = current()["trace_id"]
        with trace.use_span(otel_span(), end_on_exit=False):
            assert current()["trace_id"] == TRACE
        assert current()["trace_id"] == generated != TRACE


def test_scope_without_generation_binds_no_trace_id() -> None:
    with correlation(request_id="r"):
        assert current() == {"request_id": "r"}


LAMBDA_SCRIPT = """
import json
import cw_logging.context as context
print(json.dumps([context.current(), context.capture() is context.capture()]))
"""


def run_in_lambda_env(trace_header: str) -> list[object]:
    lambda_env = {"AWS_LAMBDA_FUNCTION_NAME": "fn", "_X_AMZN_TRACE_ID": trace_header}
    done = run_python(["-c", LAMBDA_SCRIPT], cwd=ROOT, extra_env=lambda_env)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    result: list[object] = json.loads(done.stdout)
    return result


def test_lambda_trace_header_is_a_source() -> None:
    ids, _ = run_in_lambda_env(f"Root={XRAY};Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:1")
    assert ids == {
        "trace_id": XRAY_AS_W3C,
        "xray_trace_id": XRAY,
        "span_id": "53995c3f42cd8ad8",
    }


def test_malformed_lambda_trace_header_is_ignored() -> None:
    assert run_in_lambda_env("Root=1-zzzz;Parent=x")[0] == {}


# --------------------------------------------------------------------------- header parsers


def test_parse_traceparent_accepts_valid_values() -> None:
    parsed = parse_traceparent(f"00-{TRACE}-{SPAN}-01")
    assert parsed is not None
    assert (parsed.trace_id, parsed.span_id, parsed.sampled) == (TRACE, SPAN, True)
    future = parse_traceparent(f"01-{TRACE}-{SPAN}-00-extra")
    assert future is not None and future.sampled is False


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        f"00-{TRACE}-{SPAN}",  # no flags
        f"00-{TRACE.upper()}-{SPAN}-01",  # uppercase
        f"00-{'0' * 32}-{SPAN}-01",  # all-zero trace id
        f"00-{TRACE}-{'0' * 16}-01",  # all-zero span id
        f"ff-{TRACE}-{SPAN}-01",  # forbidden version
        f"00-{TRACE}-{SPAN}-01-extra",  # version 00 has no extra fields
        f"00-{TRACE}x-{SPAN}-01",
        f"01-{TRACE}-{SPAN}-01-" + "x" * 2000,  # oversized
    ],
)
def test_parse_traceparent_rejects_malformed_values(value: str | None) -> None:
    assert parse_traceparent(value) is None


def test_parse_amzn_trace_id() -> None:
    parsed = parse_amzn_trace_id(f"Self=1-67891234-12456789abcdef012345678;Root={XRAY};Sampled=0")
    assert parsed is not None
    assert parsed.trace_id == XRAY_AS_W3C and parsed.xray_trace_id == XRAY
    assert parsed.span_id is None and parsed.sampled is False


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "Parent=53995c3f42cd8ad8",  # no root
        "Root=1-5759e988-bd862e3f",  # short
        "Root=2-5759e988-bd862e3fe1be46a994272793",  # wrong version
        f"Root={XRAY};garbage",
        f"Root={XRAY};" + "Lineage=x;" * 200,  # oversized
    ],
)
def test_parse_amzn_trace_id_rejects_malformed_values(value: str | None) -> None:
    assert parse_amzn_trace_id(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("req-1.2:3_x", "req-1.2:3_x"),
        (" 9f0c1e2a-0000-4000-8000-000000000000 ", "9f0c1e2a-0000-4000-8000-000000000000"),
        ("", None),
        ("has space", None),
        ('quote"s', None),
        ("x" * 201, None),
        ("newline\nsplit", None),
    ],
)
def test_parse_request_id(value: str, expected: str | None) -> None:
    assert parse_request_id(value) == expected


def test_ids_from_headers_prefers_traceparent_and_is_case_insensitive() -> None:
    headers = {
        "TraceParent": f"00-{TRACE}-{SPAN}-01",
        "X-Amzn-Trace-Id": f"Root={XRAY}",
        "X-REQUEST-ID": "r-9",
    }
    assert ids_from_headers(headers) == {"trace_id": TRACE, "request_id": "r-9"}
    xray_only = {"x-amzn-trace-id": f"Root={XRAY}", "x-request-id": "bad id"}
    assert ids_from_headers(xray_only) == {"trace_id": XRAY_AS_W3C, "xray_trace_id": XRAY}
    with correlation(**ids_from_headers(headers)):
        assert current()["trace_id"] == TRACE


# --------------------------------------------------------------------------- filter


def make_record() -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, "hello", None, None)


def test_correlation_filter_attaches_the_snapshot_once() -> None:
    record = make_record()
    with correlation(request_id="first"):
        assert CorrelationFilter().filter(record) is True
    with correlation(request_id="second"):
        CorrelationFilter().filter(record)
    assert dict(getattr(record, RECORD_ATTRIBUTE)) == {"request_id": "first"}


def test_correlation_filter_attributes_for_text_formats() -> None:
    record = make_record()
    with correlation(trace_id=TRACE):
        CorrelationFilter(attributes=True).filter(record)
    text = logging.Formatter("%(trace_id)s|%(request_id)s|%(message)s").format(record)
    assert text == f"{TRACE}||hello"


def test_capture_is_a_single_lookup_when_ids_are_bound() -> None:
    bind(trace_id=TRACE)
    assert capture() is capture()  # no per-call copy in the common case
    assert context.capture() is not None


def test_span_ids_follow_the_current_span_when_spans_change() -> None:
    first, second = otel_span(TRACE, SPAN), otel_span("b" * 32, "c" * 16)
    with correlation(request_id="r"), trace.use_span(first, end_on_exit=False):
        assert current()["span_id"] == SPAN
        with trace.use_span(second, end_on_exit=False):
            assert (current()["trace_id"], current()["span_id"]) == ("b" * 32, "c" * 16)
        assert current()["span_id"] == SPAN
        bind(user="u")
        assert current() == {"trace_id": TRACE, "span_id": SPAN, "request_id": "r", "user": "u"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_header_parsers_never_raise_and_return_only_valid_ids(value: str) -> None:
    for parsed in (parse_traceparent(value), parse_amzn_trace_id(value)):
        if parsed is not None:
            assert re.fullmatch(r"[0-9a-f]{32}", parsed.trace_id)
            assert parsed.span_id is None or re.fullmatch(r"[0-9a-f]{16}", parsed.span_id)
    request_id = parse_request_id(value)
    assert request_id is None or re.fullmatch(r"[A-Za-z0-9._:-]{1,200}", request_id)


def test_replacing_the_trace_id_drops_the_old_xray_form_and_empty_ids_unbind() -> None:
    with correlation(trace_id=XRAY):
        with correlation(trace_id=TRACE):
            assert current() == {"trace_id": TRACE}
        assert current()["xray_trace_id"] == XRAY
        bind(trace_id="", request_id="")
        assert current() == {}
