"""Log group identifiers: names and ARNs, and the request parameters each operation wants."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .._limits import MAX_QUERY_LOG_GROUPS, validate_log_group_name
from ..errors import ConfigurationError

__all__ = ["group_name", "log_group_parameter", "log_group_parameters", "normalize_log_group"]

_ARN = re.compile(r"arn:aws[a-z-]*:logs:[a-z0-9-]*:\d*:log-group:(?P<name>[^:*]+)(?::\*|\*)?")


def group_name(identifier: str) -> str:
    """The log group name of a name or ARN (``arn:...:log-group:NAME``, with or without ``:*``)."""
    marker = ":log-group:"
    if identifier.startswith("arn:") and marker in identifier:
        name = identifier.split(marker, 1)[1]
        return name[:-2] if name.endswith(":*") else name
    return identifier


def normalize_log_group(group: str) -> tuple[str, bool]:
    """Return ``(identifier, is_arn)`` for a log group name or ARN, checking it.

    A trailing ``:*`` (as DescribeLogGroups shows ARNs) is removed: the service refuses it.
    """
    match = _ARN.fullmatch(group) if isinstance(group, str) else None
    if match is None:
        return validate_log_group_name(group), False
    validate_log_group_name(match.group("name"))
    return group[: match.end("name")], True


def log_group_parameter(group: str) -> dict[str, str]:
    """Return ``logGroupName`` or ``logGroupIdentifier`` (for an ARN) for single-group calls."""
    identifier, is_arn = normalize_log_group(group)
    return {"logGroupIdentifier" if is_arn else "logGroupName": identifier}


def log_group_parameters(log_groups: Iterable[str]) -> dict[str, list[str]]:
    """Return the StartQuery log-group parameter for ``log_groups`` (names and/or ARNs).

    Names only go to ``logGroupNames``; as soon as one ARN is present all go to
    ``logGroupIdentifiers`` (the service accepts exactly one of the two). Duplicates are dropped;
    no groups, or more than 50, are refused.
    """
    if isinstance(log_groups, str):
        log_groups = [log_groups]
    identifiers: list[str] = []
    has_arn = False
    for group in log_groups:
        identifier, is_arn = normalize_log_group(group)
        has_arn = has_arn or is_arn
        if identifier not in identifiers:
            identifiers.append(identifier)
    if not identifiers:
        raise ConfigurationError(
            "no log groups to query: pass log_groups=['/my/group', ...]", code="NoLogGroups"
        )
    if len(identifiers) > MAX_QUERY_LOG_GROUPS:
        raise ConfigurationError(
            f"{len(identifiers)} log groups exceed the {MAX_QUERY_LOG_GROUPS} one query may "
            "name: split them over several queries (find_by_* does this for you)",
            code="TooManyLogGroups",
        )
    return {"logGroupIdentifiers" if has_arn else "logGroupNames": identifiers}
