"""A faster PutLogEvents body for boto3 clients: one ``json.dumps`` call, proven on every call
to equal what botocore's own serialiser writes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

from .._columns import EventColumns
from .._threads import SENDER_THREADS

__all__ = ["PutLogEventsSerializer", "install_put_serializer"]

_EVENT_KEYS = frozenset({"timestamp", "message"})


def _plain_events(events: object) -> bool:
    """True for non-empty events of exactly an int ``timestamp`` and a str ``message`` each (a
    list of dicts, or columns): events whose encoding botocore's on the first event proves for
    all."""
    if events.__class__ is EventColumns:
        assert isinstance(events, EventColumns)
        return (
            len(events) > 0
            and set(map(type, events.timestamps)) == {int}
            and set(map(type, events.messages)) == {str}
        )
    if events.__class__ is not list or not events:
        return False
    assert isinstance(events, list)
    return all(
        event.__class__ is dict
        and event.keys() == _EVENT_KEYS
        and event["timestamp"].__class__ is int
        and event["message"].__class__ is str
        for event in events
    )


def _json_body(parameters: dict[str, Any], events: list[Any] | EventColumns) -> str:
    """``json.dumps(parameters)`` for plain ``events`` (its ``logEvents``), written without the
    encoder's walk over each event's dict when ``logEvents`` is the last parameter."""
    pairs: Iterable[tuple[int, str]]
    if isinstance(events, EventColumns):
        pairs = zip(events.timestamps, events.messages, strict=True)
    else:
        pairs = ((event["timestamp"], event["message"]) for event in events)
    if next(reversed(parameters)) != "logEvents":
        return json.dumps({**parameters, "logEvents": _as_list(events)})
    head = json.dumps({key: value for key, value in parameters.items() if key != "logEvents"})
    start = head[:-1] + ", " if len(head) > 2 else "{"
    members = ", ".join(
        [
            f'{{"timestamp": {timestamp}, "message": {_quote(message)}}}'
            for timestamp, message in pairs
        ]
    )
    return f'{start}"logEvents": [{members}]}}'


def _as_list(events: object) -> object:
    """``events`` as botocore's serialisers and validator take them: columns become a list."""
    return list(events) if isinstance(events, EventColumns) else events


class PutLogEventsSerializer:
    """Wraps a boto3 logs client's request serialiser so that a PutLogEvents body is written by
    one ``json.dumps`` call instead of botocore's walk over every event (about 4x cheaper).

    The result is the same bytes botocore writes. Each call proves it: botocore serialises the
    request with the first event only, and the body must equal ``json.dumps`` of those
    parameters; otherwise (a botocore change, unusual parameters or events) botocore's own
    result is used, and after a mismatch always.

    ``checked`` is the parameter-validating serialiser the client had (validation on): calls
    from other threads go through it unchanged; calls from cw_logging's sender threads, whose
    batches the batch builder made valid, skip the validation of every event.
    """

    def __init__(self, inner: Any, checked: Any = None) -> None:
        self.inner = inner
        self.checked = checked
        self.enabled = True

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet (copy, unpickling): no endless lookup
            raise AttributeError(name)
        return getattr(self.inner, name)

    def serialize_to_request(self, parameters: dict[str, Any], operation_model: Any) -> Any:
        """Return botocore's request dict for ``parameters`` (see the class docstring)."""
        inner = self.inner
        events = parameters.get("logEvents")
        if not (
            self.enabled
            and operation_model.name == "PutLogEvents"
            and (self.checked is None or threading.get_ident() in SENDER_THREADS)
            and _plain_events(events)
        ):
            if isinstance(events, EventColumns):
                parameters = {**parameters, "logEvents": list(events)}
            return (self.checked or inner).serialize_to_request(parameters, operation_model)
        assert isinstance(events, (list, EventColumns))
        probe = {**parameters, "logEvents": [events[0]]}
        request = inner.serialize_to_request(probe, operation_model)
        try:
            same = request.get("body") == _json_body(probe, probe["logEvents"]).encode("utf-8")
            body = _json_body(parameters, events).encode("utf-8") if same else b""
        except (TypeError, ValueError):
            same = False
        if not same:
            self.enabled = False
            return inner.serialize_to_request(
                {**parameters, "logEvents": _as_list(events)}, operation_model
            )
        request["body"] = body
        return request


def install_put_serializer(client: Any) -> bool:
    """Give ``client`` a :class:`PutLogEventsSerializer` (in front of botocore's parameter
    validation when that is on, which still checks every call but the sender's); False, client
    unchanged, when it is not a botocore client or lacks the JSON serialiser this relies on."""
    from botocore.client import BaseClient
    from botocore.serialize import JSONSerializer
    from botocore.validate import ParamValidationDecorator

    if not isinstance(client, BaseClient):  # a wrapper: its attributes are not the client's
        return False
    current = getattr(client, "_serializer", None)
    if isinstance(current, PutLogEventsSerializer):
        return True
    checked = None
    if isinstance(current, ParamValidationDecorator):  # validation on: it wraps the serialiser
        checked, current = current, getattr(current, "_serializer", None)
    if not isinstance(current, JSONSerializer):
        return False
    botocore_client: Any = client
    botocore_client._serializer = PutLogEventsSerializer(current, checked)
    return True
