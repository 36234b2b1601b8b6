"""``groups``, ``streams`` and ``retention`` end to end against the local engine over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli.conftest import Run, put_events

Cli = Callable[..., Run]


def test_groups_lists_names_and_retention(cli: Cli, logs: Any) -> None:
    logs.create_log_group(logGroupName="/app/web")
    logs.create_log_group(logGroupName="/app/worker")
    logs.create_log_group(logGroupName="/other")
    logs.put_retention_policy(logGroupName="/app/worker", retentionInDays=14)

    listed = cli("groups", "--json")
    assert listed.code == 0
    assert [(g["name"], g["retentionDays"]) for g in listed.json()] == [
        ("/app/web", None),
        ("/app/worker", 14),
        ("/other", None),
    ]
    assert all(g["created"].endswith("Z") for g in listed.json())

    prefixed = cli("groups", "--prefix", "/app/", "--json")
    assert [g["name"] for g in prefixed.json()] == ["/app/web", "/app/worker"]

    human = cli("groups").out.splitlines()
    assert human[0].split() == ["GROUP", "CLASS", "RETENTION", "BYTES", "CREATED"]
    assert "14 days" in human[2] and "forever" in human[1]
    assert all(line.split()[1] == "STANDARD" for line in human[1:])
    # aligned: the RETENTION column starts at the same offset on every line
    column = human[0].index("RETENTION")
    assert {line[column - 2 : column] for line in human} == {"  "}
    assert all(line[column] != " " for line in human)


def test_groups_empty(cli: Cli) -> None:
    listed = cli("groups", "--json")
    assert (listed.code, listed.json()) == (0, [])


def test_streams_newest_event_first(cli: Cli, logs: Any) -> None:
    put_events(logs, "/app", "old", [(60_000, "a")])
    put_events(logs, "/app", "new", [(1_000, "b")])
    put_events(logs, "/app", "middle", [(30_000, "c")])

    listed = cli("streams", "/app", "--json")
    assert listed.code == 0
    assert [s["name"] for s in listed.json()] == ["new", "middle", "old"]
    assert all(s["lastEvent"] and s["firstEvent"] for s in listed.json())

    by_prefix = cli("streams", "/app", "--prefix", "m", "--json")
    assert [s["name"] for s in by_prefix.json()] == ["middle"]

    human = cli("streams", "/app").out.splitlines()
    assert human[0].startswith("STREAM") and human[1].startswith("new ")


def test_retention_show_set_delete(cli: Cli, logs: Any) -> None:
    logs.create_log_group(logGroupName="/app")

    def stored() -> Any:
        return logs.describe_log_groups(logGroupNamePrefix="/app")["logGroups"][0].get(
            "retentionInDays"
        )

    shown = cli("retention", "/app", "--json")
    assert (shown.code, shown.json()) == (0, {"group": "/app", "retentionDays": None})

    set_ = cli("retention", "/app", "30", "--json")
    assert set_.json() == {"group": "/app", "retentionDays": 30}
    assert stored() == 30
    assert cli("retention", "/app").out == "/app: events kept 30 days\n"

    deleted = cli("retention", "/app", "--delete", "--json")
    assert deleted.json() == {"group": "/app", "retentionDays": None}
    assert stored() is None


def test_retention_refuses_a_value_the_service_refuses(cli: Cli, logs: Any) -> None:
    logs.create_log_group(logGroupName="/app")
    refused = cli("retention", "/app", "8")
    assert refused.code == 1
    assert refused.err.count("\n") == 1
    assert "InvalidRetention" in refused.err and "14, 30" in refused.err
    assert logs.describe_log_groups()["logGroups"][0].get("retentionInDays") is None


def test_retention_days_and_delete_together_is_a_usage_error(cli: Cli, logs: Any) -> None:
    logs.create_log_group(logGroupName="/app")
    both = cli("retention", "/app", "30", "--delete")
    assert both.code == 2
    assert "DAYS or --delete" in both.err


def test_retention_of_a_missing_group(cli: Cli) -> None:
    missing = cli("retention", "/nope", "--json")
    assert missing.code == 1
    assert missing.err.count("\n") == 1 and "ResourceNotFound" in missing.err
