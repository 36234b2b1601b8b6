"""What every operation of the local engine works with: the store, the clock, the account."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidParameterError, ResourceNotFoundError
from ._model import LogGroup, LogStream
from ._query_model import QueryRegistry
from ._store import Store

INVALID_PARAMETER = "InvalidParameterException"
NOT_FOUND = "ResourceNotFoundException"


def invalid(message: str) -> InvalidParameterError:
    """Return the service's InvalidParameterException with ``message``."""
    return InvalidParameterError(message, code=INVALID_PARAMETER)


def not_found(message: str) -> ResourceNotFoundError:
    """Return the service's ResourceNotFoundException with ``message``."""
    return ResourceNotFoundError(message, code=NOT_FOUND)


@dataclass
class ServiceContext:
    """The store, the queries, the clock (epoch seconds, injectable), region and account id."""

    store: Store
    queries: QueryRegistry
    clock: Callable[[], float]
    region: str
    account_id: str

    def now_ms(self) -> int:
        """The engine's current time in epoch milliseconds."""
        return int(self.clock() * 1000)

    def group_arn(self, name: str) -> str:
        """The log group's ARN without the trailing ``:*``."""
        return f"arn:aws:logs:{self.region}:{self.account_id}:log-group:{name}"

    def group(self, name: str) -> LogGroup:
        """Return the group or raise ResourceNotFoundException."""
        group = self.store.groups.get(name)
        if group is None:
            raise not_found("The specified log group does not exist.")
        return group

    def stream(self, group: LogGroup, name: str) -> LogStream:
        """Return the stream or raise ResourceNotFoundException."""
        stream = group.streams.get(name)
        if stream is None:
            raise not_found("The specified log stream does not exist.")
        return stream

    def group_name_from_arn(self, arn: str) -> str:
        """Return the group name in a log-group ARN (with or without ``:*``)."""
        prefix = f"arn:aws:logs:{self.region}:{self.account_id}:log-group:"
        if not arn.startswith("arn:"):
            raise invalid(f"Invalid ARN {arn!r}: expected {prefix}<name>")
        if not arn.startswith(prefix):
            raise not_found(f"The specified resource {arn} does not exist.")
        name = arn[len(prefix) :]
        return name[:-2] if name.endswith(":*") else name

    def group_from_identifier(self, identifier: str) -> LogGroup:
        """Return the group a name or ARN identifies."""
        name = self.group_name_from_arn(identifier) if identifier.startswith("arn:") else identifier
        return self.group(name)

    def group_from_params(self, params: dict[str, Any]) -> LogGroup:
        """Return the group named by ``logGroupName`` or ``logGroupIdentifier`` (exactly one)."""
        name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
        if name is not None and identifier is not None:
            raise invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if identifier is not None:
            return self.group_from_identifier(identifier)
        if name is None:
            raise invalid("Either logGroupName or logGroupIdentifier must be specified.")
        return self.group(name)


def encode_token(state: Any) -> str:
    """Return an opaque paging token holding ``state`` (JSON-serialisable)."""
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> Any:
    """Return the state in a token from :func:`encode_token`; InvalidParameterException if bad."""
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise invalid("The specified nextToken is invalid.") from exc


def page_after(
    items: list[Any],
    key: Callable[[Any], Any],
    token: str | None,
    limit: int,
    *,
    descending: bool = False,
) -> tuple[list[Any], str | None]:
    """Return up to ``limit`` of ``items`` (sorted by ``key``, ascending unless ``descending``)
    that come after the token's key, and the token for the next page (None at the end)."""
    start = 0
    if token is not None:
        after = decode_token(token)
        if not isinstance(after, list):
            raise invalid("The specified nextToken is invalid.")
        start = next(
            (i for i, item in enumerate(items) if _beyond(_jsonish(key(item)), after, descending)),
            len(items),
        )
    chosen = items[start : start + limit]
    more = start + limit < len(items)
    return chosen, encode_token(_jsonish(key(chosen[-1]))) if more and chosen else None


def _jsonish(key: Any) -> list[Any]:
    return list(key) if isinstance(key, tuple) else [key]


def _beyond(key: list[Any], after: list[Any], descending: bool) -> bool:
    try:
        return key < after if descending else key > after
    except TypeError as exc:
        raise invalid("The specified nextToken is invalid.") from exc
