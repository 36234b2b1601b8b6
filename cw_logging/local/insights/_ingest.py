"""Fields discovered once, when events are stored, a batch at a time (queries then only read).

:func:`discover_batch` gives, for each message, what :func:`~._fields.discover_json_fields`
would discover in it, or None when the message is not a JSON object. It parses the JSON
messages of a batch with one ``json.loads`` over a JSON array of them, separated by a string
no message can contain by accident (it holds a random value of this process): the array only
parses into message, separator, message, ... when every message is exactly one JSON value.
Otherwise (some message is not JSON) the messages are parsed one by one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from itertools import chain, repeat
from typing import Any

from ._fields import MAX_DISCOVERED_FIELDS, flatten_document, may_be_json

_SEPARATOR_TEXT = "#cw-logging-separator-" + secrets.token_hex(16)
_SEPARATOR = ',"' + _SEPARATOR_TEXT + '",'
_SCALARS = frozenset((str, int, float, bool))


def discover_batch(messages: Sequence[str]) -> list[dict[str, Any] | None]:
    """The fields discovered in each message that is a JSON object, None for the others."""
    found: list[dict[str, Any] | None] = [None] * len(messages)
    if all(map(str.startswith, messages, repeat("{"))):  # the usual batch: every one JSON
        candidates: Sequence[int] = range(len(messages))
        texts = list(messages)
    else:
        candidates = [i for i, m in enumerate(messages) if may_be_json(m)]
        texts = [messages[i] for i in candidates]
    if not candidates:
        return found
    documents = _parse_together(texts)
    if documents is None:
        documents = [_parse_one(text) for text in texts]
    if _all_flat(documents):
        for index, document in zip(candidates, documents, strict=True):
            found[index] = document
        return found
    for index, document in zip(candidates, documents, strict=True):
        if document is not None:
            found[index] = _fields_of(document)
    return found


def _parse_together(texts: list[str]) -> list[dict[str, Any] | None] | None:
    try:
        parsed = json.loads("[" + _SEPARATOR.join(texts) + "]")
    except (ValueError, RecursionError):
        return None
    if len(parsed) != 2 * len(texts) - 1:
        return None
    separators = parsed[1::2]
    if separators.count(_SEPARATOR_TEXT) != len(separators):
        return None
    documents: list[Any] = parsed[::2]
    return documents if set(map(type, documents)) == {dict} else None


def _parse_one(text: str) -> dict[str, Any] | None:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if document.__class__ is dict else None


def _all_flat(documents: list[dict[str, Any] | None]) -> bool:
    """Whether every document is an object of at most 200 non-null scalars whose keys do not
    start with ``@``: such an object is its own field map."""
    if None in documents or max(map(len, documents)) > MAX_DISCOVERED_FIELDS:  # type: ignore[arg-type]
        return False
    objects: list[dict[str, Any]] = documents  # type: ignore[assignment]
    if not _SCALARS.issuperset(map(type, chain.from_iterable(map(dict.values, objects)))):
        return False
    return not any(key[:1] == "@" for key in set(chain.from_iterable(objects)))


def _fields_of(document: dict[str, Any]) -> dict[str, Any]:
    try:
        return flatten_document(document)
    except RecursionError:  # nested deeper than the interpreter can walk: nothing discovered
        return {}
