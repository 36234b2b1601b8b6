"""What every operation of the local engine works with: the caller's region state, the clock,
ARNs, and opaque paging tokens."""

from __future__ import annotations

import base64
import binascii
import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from ..errors import InvalidParameterError, ResourceNotFoundError
from ._model import LogGroup, LogStream
from ._query_model import QueryRegistry
from ._store import RegionStore

INVALID_PARAMETER = "InvalidParameterException"
NOT_FOUND = "ResourceNotFoundException"
MAX_TOKEN_CHARS = 4096
"""Tokens the engine hands out stay far below this; longer ones are refused unread."""
_TOKEN_VERSION = "v1"
_INTEGER = re.compile(r"-?[0-9]{1,19}")
TokenKey = tuple[int | str, ...]


def invalid(message: str) -> InvalidParameterError:
    """Return the service's InvalidParameterException with ``message``."""
    return InvalidParameterError(message, code=INVALID_PARAMETER)


def not_found(message: str) -> ResourceNotFoundError:
    """Return the service's ResourceNotFoundException with ``message``."""
    return ResourceNotFoundError(message, code=NOT_FOUND)


@dataclass
class ServiceContext:
    """One caller's view of the engine: the state of its account and region, and the clock
    (epoch seconds, injectable)."""

    store: RegionStore
    clock: Callable[[], float]

    @property
    def region(self) -> str:
        """The caller's region."""
        return self.store.region

    @property
    def account_id(self) -> str:
        """The caller's account id."""
        return self.store.account_id

    @property
    def groups(self) -> dict[str, LogGroup]:
        """The caller's log groups by name."""
        return self.store.groups

    @property
    def queries(self) -> QueryRegistry:
        """The caller's Logs Insights queries."""
        return self.store.queries

    def now_ms(self) -> int:
        """The engine's current time in epoch milliseconds."""
        return int(self.clock() * 1000)

    def group_arn(self, name: str) -> str:
        """The log group's ARN without the trailing ``:*``."""
        return f"{self.arn_prefix}{name}"

    @property
    def arn_prefix(self) -> str:
        """``arn:aws:logs:<region>:<account>:log-group:`` for the caller."""
        return f"arn:aws:logs:{self.region}:{self.account_id}:log-group:"

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
        """Return the group name in a log-group ARN (with or without ``:*``) of the caller's
        account and region; an ARN of another region or account names nothing here."""
        prefix = self.arn_prefix
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


def encode_token(kind: str, key: TokenKey) -> str:
    """An opaque paging token for the operation ``kind`` holding ``key`` (ints and strings)."""
    parts = [_TOKEN_VERSION, kind]
    parts += [f"i{part}" if isinstance(part, int) else f"s{quote(part, safe='')}" for part in key]
    return base64.urlsafe_b64encode("/".join(parts).encode()).decode().rstrip("=")


def decode_token(token: str, kind: str) -> TokenKey:
    """The key in a token from :func:`encode_token` for ``kind``; InvalidParameterException
    for anything else (read in one linear pass: no nesting, no recursion)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise _bad_token()
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise _bad_token() from exc
    version, _, rest = text.partition("/")
    token_kind, _, rest = rest.partition("/")
    if version != _TOKEN_VERSION or token_kind != kind:
        raise _bad_token()
    key: list[int | str] = []
    for part in rest.split("/") if rest else []:
        if part[:1] == "i" and _INTEGER.fullmatch(part, 1):
            key.append(int(part[1:]))
        elif part[:1] == "s":
            try:
                key.append(unquote(part[1:], errors="strict"))
            except UnicodeError as exc:
                raise _bad_token() from exc
        else:
            raise _bad_token()
    return tuple(key)


def _bad_token() -> InvalidParameterError:
    return invalid("The specified nextToken is invalid.")


def page_after(
    items: Sequence[Any],
    key: Callable[[Any], TokenKey],
    token: str | None,
    limit: int,
    *,
    kind: str,
    descending: bool = False,
) -> tuple[list[Any], str | None]:
    """Return up to ``limit`` of ``items`` (sorted by ``key``, ascending unless ``descending``)
    that come after the token's key, and the token for the next page (None at the end)."""
    start = 0
    if token is not None:
        after = decode_token(token, kind)
        keys = [key(item) for item in items]
        try:
            if descending:
                start = next((i for i, k in enumerate(keys) if k < after), len(keys))
            else:
                start = bisect.bisect_right(keys, after)
        except TypeError as exc:  # a key of other types than this listing's
            raise _bad_token() from exc
    chosen = list(items[start : start + limit])
    more = start + limit < len(items)
    return chosen, encode_token(kind, key(chosen[-1])) if more and chosen else None
