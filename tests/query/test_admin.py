"""Log group / stream / retention / index administration: moto round trips and request shapes."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest

from cw_logging.errors import ConfigurationError, ResourceAlreadyExistsError, ResourceNotFoundError
from cw_logging.query import admin


@pytest.mark.integration
def test_group_lifecycle_with_retention_and_tags(logs_client: Any) -> None:
    assert admin.create_log_group(
        "/app/a", retention_days=14, tags={"team": "shop"}, client=logs_client
    )
    assert admin.create_log_group("/app/a", retention_days=30, client=logs_client) is False
    assert admin.get_retention("/app/a", client=logs_client) == 30
    tags = logs_client.list_tags_log_group(logGroupName="/app/a")["tags"]
    assert tags == {"team": "shop"}
    admin.delete_retention("/app/a", client=logs_client)
    assert admin.get_retention("/app/a", client=logs_client) is None
    assert admin.delete_log_group("/app/a", client=logs_client) is True
    assert admin.delete_log_group("/app/a", client=logs_client) is False
    with pytest.raises(ResourceNotFoundError):
        admin.delete_log_group("/app/a", missing_ok=False, client=logs_client)
    with pytest.raises(ResourceNotFoundError, match="does not exist"):
        admin.get_retention("/app/a", client=logs_client)


@pytest.mark.integration
def test_exist_ok_false_raises_on_an_existing_group_and_stream(logs_client: Any) -> None:
    admin.create_log_group("/app/a", client=logs_client)
    with pytest.raises(ResourceAlreadyExistsError):
        admin.create_log_group("/app/a", exist_ok=False, client=logs_client)
    assert admin.create_log_stream("/app/a", "s", client=logs_client) is True
    assert admin.create_log_stream("/app/a", "s", client=logs_client) is False
    with pytest.raises(ResourceAlreadyExistsError):
        admin.create_log_stream("/app/a", "s", exist_ok=False, client=logs_client)
    assert admin.delete_log_stream("/app/a", "s", client=logs_client) is True
    assert admin.delete_log_stream("/app/a", "s", client=logs_client) is False


@pytest.mark.integration
def test_describe_iterates_over_every_page(logs_client: Any) -> None:
    for i in range(55):  # DescribeLogGroups pages hold at most 50
        admin.create_log_group(f"/many/{i:02d}", client=logs_client)
    admin.create_log_group("/other", client=logs_client)
    names = [g["logGroupName"] for g in admin.describe_log_groups("/many/", client=logs_client)]
    assert names == [f"/many/{i:02d}" for i in range(55)]
    for i in range(3):
        admin.create_log_stream("/other", f"s{i}", client=logs_client)
    streams = admin.describe_log_streams("/other", "s", client=logs_client)
    assert [s["logStreamName"] for s in streams] == ["s0", "s1", "s2"]


@pytest.mark.integration
def test_ensure_stream_exists_is_safe_under_concurrent_callers(moto_server: Any) -> None:
    callers = 8
    barrier = threading.Barrier(callers)
    created: list[bool] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        client = boto3.client("logs", region_name="us-east-1", endpoint_url=moto_server.url)
        barrier.wait(timeout=10)
        try:
            result = admin.ensure_stream_exists("/race/group", "shared", client=client)
        except BaseException as exc:  # collected and asserted below
            with lock:
                failures.append(exc)
            return
        with lock:
            created.append(result)

    threads = [threading.Thread(target=worker) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert len(created) == callers
    assert created.count(True) == 1  # exactly one caller created the stream
    client = boto3.client("logs", region_name="us-east-1", endpoint_url=moto_server.url)
    streams = client.describe_log_streams(logGroupName="/race/group")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["shared"]


def test_ensure_stream_exists_without_group_creation_raises(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_client_error("create_log_stream", "ResourceNotFoundException", "no group")
    with pytest.raises(ResourceNotFoundError):
        admin.ensure_stream_exists("/g", "s", create_group=False, client=client)


def test_create_log_group_request_shape(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "create_log_group",
        {},
        {
            "logGroupName": "/app/a",
            "tags": {"team": "shop"},
            "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abc",
            "logGroupClass": "INFREQUENT_ACCESS",
        },
    )
    stubber.add_response(
        "put_retention_policy", {}, {"logGroupName": "/app/a", "retentionInDays": 7}
    )
    assert admin.create_log_group(
        "/app/a",
        retention_days=7,
        tags={"team": "shop"},
        kms_key_id="arn:aws:kms:us-east-1:123456789012:key/abc",
        log_group_class="INFREQUENT_ACCESS",
        client=client,
    )


def test_field_index_policy_shape(stubbed: Any) -> None:
    client, stubber = stubbed
    policy = {"logGroupIdentifier": "/app/a", "policyDocument": '{"Fields": ["requestId"]}'}
    stubber.add_response(  # the merge reads the policy first: there is none
        "describe_index_policies", {"indexPolicies": []}, {"logGroupIdentifiers": ["/app/a"]}
    )
    stubber.add_response("put_index_policy", {"indexPolicy": policy}, policy)
    assert admin.put_field_index_policy("/app/a", client=client) == policy
    assert json.loads(policy["policyDocument"]) == {"Fields": ["requestId"]}


def test_describe_streams_newest_first_shape(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "describe_log_streams",
        {"logStreams": [{"logStreamName": "b"}, {"logStreamName": "a"}]},
        {"logGroupName": "/app/a", "orderBy": "LastEventTime", "descending": True},
    )
    streams = admin.describe_log_streams("/app/a", newest_first=True, client=client)
    assert [s["logStreamName"] for s in streams] == ["b", "a"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: admin.put_retention("/app/a", 2, client=c), "invalid retention 2 days"),
        (lambda c: admin.create_log_group("/app/a", retention_days=10, client=c), "retention"),
        (lambda c: admin.create_log_group("aws/reserved", client=c), "reserved by AWS"),
        (lambda c: admin.create_log_group("/a", log_group_class="COLD", client=c), "COLD"),
        (
            lambda c: admin.create_log_group("/a", tags={str(i): "v" for i in range(51)}, client=c),
            "51 tags",
        ),
        (lambda c: admin.create_log_stream("/a", "bad:name", client=c), "':' and '\\*'"),
        (lambda c: admin.describe_log_groups("/a", pattern="a", client=c), "not both"),
        (lambda c: admin.describe_log_streams("/a", "p", newest_first=True, client=c), "prefix"),
        (lambda c: admin.put_field_index_policy("/a", [], client=c), "at least one"),
    ],
)
def test_invalid_admin_arguments_are_refused_before_sending(
    stubbed: Any, call: Any, message: str
) -> None:
    client, _ = stubbed
    with pytest.raises(ConfigurationError, match=message):
        call(client)
