"""Field-index administration: merge fields into a group's index policy, describe policies
and field indexes, and list the groups a ``SOURCE`` over name prefixes covers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from ..delivery.transport import call_client
from ..errors import ConfigurationError, ResourceNotFoundError
from ._client import paginate, require_operation, resolve_client
from ._groups import normalize_log_group
from ._indexes import DESCRIBE_FIELD_INDEXES_BATCH
from ._insights import run_query
from ._source import source_clause

__all__ = [
    "MAX_POLICY_FIELDS",
    "delete_index_policy",
    "describe_field_indexes",
    "describe_index_policies",
    "groups_covered",
    "list_log_groups_for_query",
    "put_field_index_policy",
]

MAX_POLICY_FIELDS = 20
"""Fields one index policy may name."""


def put_field_index_policy(
    log_group: str,
    fields: Iterable[str] = ("requestId",),
    *,
    merge: bool = True,
    client: Any = None,
    **client_options: Any,
) -> dict[str, Any]:
    """Index ``fields`` of a group's JSON events so equality lookups on them scan less.

    The service's PutIndexPolicy REPLACES the group's policy; with ``merge`` (the default) the
    fields already in the policy are kept and ``fields`` added (at most 20 in all); with
    ``merge=False`` the policy becomes exactly ``fields``. ``traceId`` and ``severityText`` are
    indexed by CloudWatch already. Only STANDARD groups take a policy; events are indexed from
    the moment the policy is put. Returns the service's ``indexPolicy``.
    """
    names = list(dict.fromkeys(fields))
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise ConfigurationError(
            "fields must name at least one non-empty field, e.g. ('requestId',)",
            code="InvalidIndexFields",
        )
    client = resolve_client(client, client_options)
    require_operation(client, "PutIndexPolicy")
    identifier = _identifier(log_group)
    if merge:
        names = list(dict.fromkeys([*_policy_fields(client, identifier), *names]))
    if len(names) > MAX_POLICY_FIELDS:
        raise ConfigurationError(
            f"{len(names)} fields exceed the {MAX_POLICY_FIELDS} one index policy may name: "
            f"{', '.join(names)}",
            code="TooManyIndexFields",
        )
    response = call_client(
        client,
        "put_index_policy",
        logGroupIdentifier=identifier,
        policyDocument=json.dumps({"Fields": names}),
    )
    return dict(response.get("indexPolicy") or {})


def describe_index_policies(
    log_groups: Iterable[str], *, client: Any = None, **client_options: Any
) -> list[dict[str, Any]]:
    """The index policies of ``log_groups`` (one DescribeIndexPolicies call per group, the
    most the service takes); groups without one are left out."""
    client = resolve_client(client, client_options)
    require_operation(client, "DescribeIndexPolicies")
    policies: list[dict[str, Any]] = []
    for group in _listed(log_groups):
        policies += paginate(
            client,
            "describe_index_policies",
            {"logGroupIdentifiers": [_identifier(group)]},
            items_key="indexPolicies",
        )
    return policies


def delete_index_policy(
    log_group: str, *, missing_ok: bool = True, client: Any = None, **client_options: Any
) -> bool:
    """Delete a group's index policy; False when it had none (``missing_ok``). The default
    fields stay indexed."""
    client = resolve_client(client, client_options)
    require_operation(client, "DeleteIndexPolicy")
    try:
        call_client(client, "delete_index_policy", logGroupIdentifier=_identifier(log_group))
    except ResourceNotFoundError:
        if not missing_ok:
            raise
        return False
    return True


def describe_field_indexes(
    log_groups: Iterable[str], *, client: Any = None, **client_options: Any
) -> list[dict[str, Any]]:
    """The field indexes of ``log_groups`` (100 groups a DescribeFieldIndexes call)."""
    client = resolve_client(client, client_options)
    require_operation(client, "DescribeFieldIndexes")
    groups = [_identifier(g) for g in _listed(log_groups)]
    found: list[dict[str, Any]] = []
    for start in range(0, len(groups), DESCRIBE_FIELD_INDEXES_BATCH):
        found += paginate(
            client,
            "describe_field_indexes",
            {"logGroupIdentifiers": groups[start : start + DESCRIBE_FIELD_INDEXES_BATCH]},
            items_key="fieldIndexes",
        )
    return found


def list_log_groups_for_query(
    query_id: str, *, client: Any = None, **client_options: Any
) -> list[str]:
    """The ARNs of the groups a started query reads (ListLogGroupsForQuery)."""
    client = resolve_client(client, client_options)
    require_operation(client, "ListLogGroupsForQuery")
    return [
        str(arn)
        for arn in paginate(
            client,
            "list_log_groups_for_query",
            {"queryId": query_id},
            items_key="logGroupIdentifiers",
        )
    ]


def groups_covered(
    prefixes: Sequence[str],
    log_class: str = "STANDARD",
    *,
    client: Any = None,
    **client_options: Any,
) -> list[str]:
    """The ARNs of the groups ``SOURCE logGroups(namePrefix: prefixes, class: log_class)``
    reads: runs that SOURCE over the last second (scanning next to nothing), then lists its
    groups."""
    client = resolve_client(client, client_options)
    require_operation(client, "ListLogGroupsForQuery")
    query = f"{source_clause(prefixes, log_class)}\n| fields @timestamp\n| limit 1"
    result = run_query(query, (), timedelta(seconds=1), client=client)
    return list_log_groups_for_query(result.query_id, client=client)


def _policy_fields(client: Any, identifier: str) -> list[str]:
    for policy in paginate(
        client,
        "describe_index_policies",
        {"logGroupIdentifiers": [identifier]},
        items_key="indexPolicies",
    ):
        try:
            document = json.loads(policy.get("policyDocument") or "{}")
        except ValueError:
            continue
        fields = document.get("Fields") if isinstance(document, dict) else None
        if isinstance(fields, list):
            return [str(f) for f in fields]
    return []


def _identifier(group: str) -> str:
    return normalize_log_group(group)[0]


def _listed(log_groups: Iterable[str]) -> list[str]:
    return [log_groups] if isinstance(log_groups, str) else list(log_groups)
