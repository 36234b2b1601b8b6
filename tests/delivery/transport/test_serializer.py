"""The PutLogEvents body serialiser gives the same bytes as botocore's, and steps aside when
it cannot be sure."""

from __future__ import annotations

import copy
import json
import threading
import time
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.serialize import JSONSerializer
from botocore.validate import ParamValidationDecorator
from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging._limits import InputLogEvent
from cw_logging.delivery._columns import EventColumns
from cw_logging.delivery._threads import SENDER_THREADS
from cw_logging.delivery.transport import (
    Boto3Transport,
    PutLogEventsSerializer,
    build_client,
    default_botocore_config,
    install_put_serializer,
)
from cw_logging.local import LocalClient, LocalEngine
from tests.context.test_correlation import _isolated  # noqa: F401 - autouse: every test starts unbound

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"

# ---------------------------------------------------------------------------------- formatter


# ---------------------------------------------------------------------------------- transport


@pytest.fixture(scope="module")
def put_model() -> Any:
    return botocore.session.get_session().get_service_model("logs").operation_model("PutLogEvents")


def put_params(events: list[Any], **more: Any) -> dict[str, Any]:
    return {"logGroupName": "/app/g", "logStreamName": "s-1", "logEvents": events, **more}


class Spy(JSONSerializer):
    """botocore's serialiser, counting the events of each request it serialises."""

    def __init__(self) -> None:
        super().__init__()
        self.event_counts: list[int] = []

    def serialize_to_request(self, parameters: Any, operation_model: Any) -> Any:
        self.event_counts.append(len(parameters.get("logEvents") or ()))
        return super().serialize_to_request(parameters, operation_model)


messages = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1) | (
    st.sampled_from(['{"k":"v"}', "\\", "\x00", "\ud800 lone surrogate", "é😀"])
)
event_lists = st.lists(
    st.builds(lambda t, m: {"timestamp": t, "message": m}, st.integers(0, 2**45), messages),
    min_size=1,
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(event_lists)
def test_body_is_byte_identical_to_botocores(put_model: Any, events: list[Any]) -> None:
    spy = Spy()
    fast = PutLogEventsSerializer(spy)
    request = fast.serialize_to_request(put_params(events), put_model)
    assert request == JSONSerializer().serialize_to_request(put_params(events), put_model)
    assert spy.event_counts == [1]  # botocore walked one event, not all of them
    assert fast.enabled


@settings(max_examples=100, deadline=None)
@given(event_lists)
def test_events_held_as_columns_give_botocores_body_of_the_same_events(
    put_model: Any, events: list[Any]
) -> None:
    """The sender hands its waiting events over as columns; the body is the one botocore
    writes for the events as a list."""
    spy = Spy()
    fast = PutLogEventsSerializer(spy)
    columns = EventColumns.of(events, [0] * len(events))
    request = fast.serialize_to_request(put_params(columns), put_model)
    assert request == JSONSerializer().serialize_to_request(put_params(events), put_model)
    assert spy.event_counts == [1] and fast.enabled


def test_columns_go_to_botocore_as_a_list_whenever_botocore_serialises(put_model: Any) -> None:
    columns = EventColumns([1, 2], ["a", "b"], [1, 1])
    as_list = [{"timestamp": 1, "message": "a"}, {"timestamp": 2, "message": "b"}]
    inner = CompactBody()
    fast = PutLogEventsSerializer(inner)
    first = fast.serialize_to_request(put_params(columns), put_model)
    assert first == inner.serialize_to_request(put_params(as_list), put_model)
    assert not fast.enabled  # botocore writes other bytes: it serialises from now on
    validated = build_client(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    serializer = validated._serializer  # validation on, and this is not a sender thread
    assert serializer.serialize_to_request(put_params(columns), put_model) == (
        JSONSerializer().serialize_to_request(put_params(as_list), put_model)
    )
    unusual = EventColumns([1, 2.5], ["a", "b"], [1, 1])
    spy = Spy()
    request = PutLogEventsSerializer(spy).serialize_to_request(put_params(unusual), put_model)
    assert spy.event_counts == [2]  # botocore's own walk, over a list
    assert request == JSONSerializer().serialize_to_request(put_params(list(unusual)), put_model)


@pytest.mark.parametrize(
    "parameters",
    [
        pytest.param(
            {"logEvents": [], "logGroupName": "/g", "sequenceToken": "t"}, id="events first"
        ),
        pytest.param(
            {"sequenceToken": 't"', "logGroupName": "/g", "logEvents": []}, id="events last"
        ),
        pytest.param({"logEvents": []}, id="events only"),
    ],
)
def test_body_is_byte_identical_whatever_the_order_of_the_parameters(
    put_model: Any, parameters: dict[str, Any]
) -> None:
    parameters["logEvents"] = [
        {"timestamp": 5, "message": '{"k": "v\\n"}'},
        {"timestamp": 6, "message": "é"},
    ]
    fast = PutLogEventsSerializer(Spy())
    request = fast.serialize_to_request(copy.deepcopy(parameters), put_model)
    assert request["body"] == json.dumps(parameters).encode()
    assert request == JSONSerializer().serialize_to_request(parameters, put_model)
    assert fast.enabled


@pytest.mark.parametrize(
    "events",
    [
        pytest.param([{"timestamp": 1, "message": "m", "extra": 1}], id="unknown member"),
        pytest.param(
            [{"timestamp": 1, "message": "m"}, {"timestamp": 2, "message": "n", "extra": 1}],
            id="unknown member after the first event",
        ),
        pytest.param(
            [{"timestamp": 1, "message": "m"}, {"timestamp": 2}], id="member missing later"
        ),
        pytest.param(
            [{"timestamp": 1, "message": "m"}, {"timestamp": 2.5, "message": "n"}],
            id="timestamp that is not an int later",
        ),
        pytest.param(
            [{"timestamp": 1, "message": "m"}, {"timestamp": 2, "message": b"n"}],
            id="message that is not text later",
        ),
        pytest.param([{"timestamp": 1}], id="missing member"),
        pytest.param(({"timestamp": 1, "message": "m"},), id="tuple of events"),
        pytest.param([], id="no events"),
    ],
)
def test_unusual_events_are_serialised_by_botocore(put_model: Any, events: Any) -> None:
    spy = Spy()
    fast = PutLogEventsSerializer(spy)
    try:
        expected = JSONSerializer().serialize_to_request(put_params(events), put_model)
    except Exception as exc:  # botocore refuses it: so must the wrapper, the same way
        with pytest.raises(type(exc)):
            fast.serialize_to_request(put_params(events), put_model)
    else:
        assert fast.serialize_to_request(put_params(events), put_model) == expected
    assert spy.event_counts == [len(events)]


class CompactBody(JSONSerializer):
    """A botocore that (one day) writes its JSON differently."""

    def serialize_to_request(self, parameters: Any, operation_model: Any) -> Any:
        request = super().serialize_to_request(parameters, operation_model)
        request["body"] = json.dumps(json.loads(request["body"]), separators=(",", ":")).encode()
        return request


def test_a_botocore_writing_other_bytes_switches_the_fast_body_off(put_model: Any) -> None:
    events = [{"timestamp": 1, "message": "a"}, {"timestamp": 2, "message": "b"}]
    inner = CompactBody()
    fast = PutLogEventsSerializer(inner)
    first = fast.serialize_to_request(put_params(events), put_model)
    assert first == inner.serialize_to_request(put_params(events), put_model)
    assert not fast.enabled
    assert fast.serialize_to_request(put_params(events), put_model) == first


def test_the_wrapper_answers_for_botocores_serialiser_and_can_be_copied(put_model: Any) -> None:
    inner = JSONSerializer()
    fast = PutLogEventsSerializer(inner)
    assert fast.MAP_TYPE is inner.MAP_TYPE  # anything else botocore asks for is the inner's
    clone = copy.copy(fast)
    events = [{"timestamp": 1, "message": "m"}]
    assert clone.serialize_to_request(put_params(events), put_model) == (
        inner.serialize_to_request(put_params(events), put_model)
    )


def test_other_operations_and_parameters_go_to_botocore(put_model: Any) -> None:
    model = botocore.session.get_session().get_service_model("logs")
    create = model.operation_model("CreateLogStream")
    fast = PutLogEventsSerializer(JSONSerializer())
    params = {"logGroupName": "/app/g", "logStreamName": "s"}
    assert fast.serialize_to_request(params, create) == JSONSerializer().serialize_to_request(
        params, create
    )
    token = put_params([{"timestamp": 1, "message": "m"}], sequenceToken=None)
    assert fast.serialize_to_request(token, put_model) == JSONSerializer().serialize_to_request(
        token, put_model
    )


def test_build_client_installs_it_once_and_leaves_other_clients_alone() -> None:
    unvalidated = default_botocore_config(parameter_validation=False)
    client = build_client(
        region_name="us-east-1", endpoint_url="http://127.0.0.1:9", botocore_config=unvalidated
    )
    assert isinstance(client._serializer, PutLogEventsSerializer)
    assert install_put_serializer(client)
    assert isinstance(client._serializer.inner, JSONSerializer)
    validated = build_client(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    assert isinstance(validated._serializer, PutLogEventsSerializer)
    assert isinstance(validated._serializer.checked, ParamValidationDecorator)
    s3: Any = botocore.session.get_session().create_client("s3", region_name="us-east-1")
    assert not install_put_serializer(s3)  # not a JSON-protocol client
    assert not isinstance(s3._serializer, PutLogEventsSerializer)


def test_a_users_client_keeps_validating_its_own_calls_but_not_the_senders(
    put_model: Any,
) -> None:
    client = build_client(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    serializer = client._serializer
    assert isinstance(serializer, PutLogEventsSerializer)
    invalid = put_params([{"timestamp": 1, "message": ""}])  # empty messages break the model
    with pytest.raises(ParamValidationError):
        serializer.serialize_to_request(invalid, put_model)
    valid = put_params([{"timestamp": 1, "message": "m"}, {"timestamp": 2, "message": "n"}])
    ident = threading.get_ident()
    SENDER_THREADS.add(ident)
    try:
        checked, serializer.checked = serializer.checked, None  # what a sender call bypasses
        expected = serializer.serialize_to_request(valid, put_model)["body"]
        serializer.checked = _Forbidden()
        assert serializer.serialize_to_request(valid, put_model)["body"] == expected
    finally:
        SENDER_THREADS.discard(ident)
        serializer.checked = checked


def unvalidated_client(url: str) -> Any:
    """A client as the handler builds it, for the server at ``url``."""
    unvalidated = default_botocore_config(parameter_validation=False)
    return build_client(region_name="us-east-1", endpoint_url=url, botocore_config=unvalidated)


class _Forbidden:
    def serialize_to_request(self, *args: Any) -> Any:
        raise AssertionError("a sender's call must not go through validation")


def test_events_delivered_through_the_fast_body_are_stored_as_sent(
    moto_server: Any, logs_client: Any
) -> None:
    client = unvalidated_client(moto_server.url)
    assert isinstance(client._serializer, PutLogEventsSerializer)
    logs_client.create_log_group(logGroupName="/app/g")
    logs_client.create_log_stream(logGroupName="/app/g", logStreamName="s-1")
    now = int(time.time() * 1000)
    events: list[InputLogEvent] = [
        {"timestamp": now + i, "message": f'{{"n":{i},"t":"é \\"q\\" 😀"}}'} for i in range(500)
    ]
    Boto3Transport(client).put_log_events("/app/g", "s-1", events[:250])
    columns = EventColumns.of(events[250:], [len(e["message"].encode()) for e in events[250:]])
    Boto3Transport(client).put_log_events("/app/g", "s-1", columns)
    assert client._serializer.enabled
    stored = logs_client.get_log_events(
        logGroupName="/app/g", logStreamName="s-1", startFromHead=True, limit=10_000
    )["events"]
    assert [(e["timestamp"], e["message"]) for e in stored] == [
        (e["timestamp"], e["message"]) for e in events
    ]


def test_a_wrapped_client_is_left_alone_and_sent_lists() -> None:
    """A wrapper (the local engine's client) forwards to a client of its own: installing on the
    wrapper would change nothing, and columns would reach the inner client's validation."""
    with LocalEngine() as engine:
        wrapper = LocalClient(engine)
        assert not install_put_serializer(wrapper)
        assert not isinstance(wrapper._serializer, PutLogEventsSerializer)
        wrapper.create_log_group(logGroupName="/w")
        wrapper.create_log_stream(logGroupName="/w", logStreamName="s")
        columns = EventColumns([int(time.time() * 1000)], ["kept"], [4])
        Boto3Transport(wrapper).put_log_events("/w", "s", columns)
        stored = wrapper.get_log_events(logGroupName="/w", logStreamName="s")["events"]
        assert [event["message"] for event in stored] == ["kept"]


def test_columns_refused_before_the_serialiser_are_sent_again_as_a_list(
    moto_server: Any, logs_client: Any
) -> None:
    client = unvalidated_client(moto_server.url)
    seen: list[str] = []

    def wants_a_list(params: dict[str, Any], **_: Any) -> None:
        seen.append(type(params["logEvents"]).__name__)
        if not isinstance(params["logEvents"], list):
            raise ParamValidationError(report="logEvents must be a list")

    client.meta.events.register("provide-client-params.logs.PutLogEvents", wants_a_list)
    logs_client.create_log_group(logGroupName="/app/r")
    logs_client.create_log_stream(logGroupName="/app/r", logStreamName="s")
    now = int(time.time() * 1000)
    transport = Boto3Transport(client)
    for message in ("first", "second"):
        transport.put_log_events("/app/r", "s", EventColumns([now], [message], [len(message)]))
    assert seen == ["EventColumns", "list", "list"]  # refused once, then lists from the start
    stored = logs_client.get_log_events(logGroupName="/app/r", logStreamName="s")["events"]
    assert [event["message"] for event in stored] == ["first", "second"]
