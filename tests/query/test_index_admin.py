"""Field-index administration against the local server over real HTTP and boto3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cw_logging.errors import ConfigurationError, InvalidParameterError
from cw_logging.local import LocalEngine, serve
from cw_logging.query import admin
from cw_logging.query._client import require_operation


@pytest.fixture
def logs() -> Iterator[Any]:
    with (
        LocalEngine(query_polls_before_complete=0) as engine,
        serve(port=0, engine=engine) as server,
    ):
        yield boto3.client(
            "logs", region_name="us-east-1", endpoint_url=server.url,
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=Config(retries={"mode": "standard", "max_attempts": 1}),
        )  # fmt: skip


def fields_of(logs: Any, group: str) -> list[str]:
    [policy] = logs.describe_index_policies(logGroupIdentifiers=[group])["indexPolicies"]
    return list(json.loads(policy["policyDocument"])["Fields"])


def test_put_merges_fields_where_a_raw_put_replaces_the_policy(logs: Any) -> None:
    admin.create_log_group("/shop/api", client=logs)
    admin.put_field_index_policy("/shop/api", ["requestId"], client=logs)
    admin.put_field_index_policy("/shop/api", ["userId", "requestId"], client=logs)
    assert fields_of(logs, "/shop/api") == ["requestId", "userId"]
    logs.put_index_policy(logGroupIdentifier="/shop/api", policyDocument='{"Fields": ["orderId"]}')
    assert fields_of(logs, "/shop/api") == ["orderId"]  # the service replaced it
    admin.put_field_index_policy("/shop/api", ["sku"], merge=False, client=logs)
    assert fields_of(logs, "/shop/api") == ["sku"]


def test_a_merge_past_twenty_fields_is_refused_before_any_call(logs: Any) -> None:
    admin.create_log_group("/shop/api", client=logs)
    admin.put_field_index_policy("/shop/api", [f"f{n}" for n in range(15)], client=logs)
    with pytest.raises(ConfigurationError, match="21 fields exceed the 20"):
        admin.put_field_index_policy("/shop/api", [f"g{n}" for n in range(6)], client=logs)
    assert len(fields_of(logs, "/shop/api")) == 15


def test_describe_and_delete_policies_and_field_indexes(logs: Any) -> None:
    admin.create_log_group("/shop/api", client=logs)
    admin.create_log_group("/shop/web", client=logs)
    admin.put_field_index_policy("/shop/api", ["requestId"], client=logs)
    policies = admin.describe_index_policies(["/shop/api", "/shop/web"], client=logs)
    assert [p["logGroupIdentifier"].rsplit(":", 1)[-1] for p in policies] == ["/shop/api"]
    indexes = admin.describe_field_indexes(["/shop/api", "/shop/web"], client=logs)
    assert [(i["logGroupIdentifier"].rsplit(":", 1)[-1], i["fieldIndexName"]) for i in indexes] == [
        ("/shop/api", "requestId")
    ]
    assert admin.delete_index_policy("/shop/api", client=logs) is True
    assert admin.delete_index_policy("/shop/api", client=logs) is False
    assert admin.describe_index_policies(["/shop/api"], client=logs) == []


def test_infrequent_access_groups_take_no_index_policy(logs: Any) -> None:
    admin.create_log_group("/shop/archive", log_group_class="INFREQUENT_ACCESS", client=logs)
    with pytest.raises(InvalidParameterError, match="only STANDARD"):
        admin.put_field_index_policy("/shop/archive", ["requestId"], merge=False, client=logs)


def test_groups_covered_lists_the_groups_a_source_reads_by_class(logs: Any) -> None:
    for name in ("/shop/api", "/shop/web", "/shopping/x", "/other/api"):
        admin.create_log_group(name, client=logs)
    admin.create_log_group("/shop/archive", log_group_class="INFREQUENT_ACCESS", client=logs)
    covered = admin.groups_covered(["/shop/"], client=logs)
    assert [arn.rsplit(":", 1)[-1] for arn in covered] == ["/shop/api", "/shop/web"]
    archived = admin.groups_covered(["/shop/"], "INFREQUENT_ACCESS", client=logs)
    assert [arn.rsplit(":", 1)[-1] for arn in archived] == ["/shop/archive"]


def test_a_botocore_without_the_operation_names_the_minimum_version() -> None:
    old = SimpleNamespace(meta=SimpleNamespace(service_model=SimpleNamespace(operation_names=[])))
    with pytest.raises(ConfigurationError, match=r"botocore >= 1\.35\.67") as caught:
        require_operation(old, "DescribeFieldIndexes")
    assert caught.value.code == "BotocoreTooOld"
    current = boto3.client("logs", region_name="us-east-1")
    for operation in ("PutIndexPolicy", "DescribeIndexPolicies", "DeleteIndexPolicy",
                      "DescribeFieldIndexes", "ListLogGroupsForQuery"):  # fmt: skip
        require_operation(current, operation)
