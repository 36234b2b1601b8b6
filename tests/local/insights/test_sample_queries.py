"""The service's "Sample queries" page run over events built here.

Page: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-examples.html
(text as in awsdocs/amazon-cloudwatch-logs-user-guide doc_source/CWL_QuerySyntax-examples.md).
Expected rows are derived by hand from the description the page gives each query.
"""

from __future__ import annotations

from .events import BASE_MS, event, events, run

HOUR = 3_600_000


def test_exceptions_per_hour_sorted_by_count() -> None:
    """ "Get a list of the number of exceptions per hour": ``filter @message like /Exception/ |
    stats count(*) as exceptionCount by bin(1h) | sort exceptionCount desc``."""
    evts = [
        event("java.lang.IllegalStateException", BASE_MS),
        event("ok", BASE_MS + 1),
        event("IOException", BASE_MS + HOUR),
        event("TimeoutException", BASE_MS + HOUR + 5),
        event("exception in lower case", BASE_MS + HOUR + 6),
    ]
    query = (
        "filter @message like /Exception/\n    | stats count(*) as exceptionCount by bin(1h)\n"
        "    | sort exceptionCount desc"
    )
    rows = run(query, evts)
    assert [(r["bin(1h)"], r["exceptionCount"]) for r in rows] == [
        ("2024-05-01 13:00:00.000", "2"),
        ("2024-05-01 12:00:00.000", "1"),
    ]


def test_events_that_are_not_exceptions() -> None:
    """ "Get a list of log events that aren't exceptions":
    ``fields @message | filter @message not like /Exception/``."""
    rows = run("fields @message | filter @message not like /Exception/", events("A Exception", "b"))
    assert [r["@message"] for r in rows] == ["b"]


def test_overprovisioned_memory_combines_earlier_stats_items() -> None:
    """ "Determine the amount of overprovisioned memory": the last stats item,
    ``provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB``, combines two earlier items.
    The page reads Lambda's discovered ``@type``/``@memorySize``/``@maxMemoryUsed``; the local
    engine does not discover Lambda REPORT lines, so the same query runs on JSON fields."""
    mib = 1024 * 1024
    evts = events(
        {"type": "REPORT", "memorySize": 512 * mib, "maxMemoryUsed": 100 * mib},
        {"type": "REPORT", "memorySize": 512 * mib, "maxMemoryUsed": 300 * mib},
        {"type": "START", "memorySize": 4096 * mib, "maxMemoryUsed": 1},
    )
    query = (
        'filter type = "REPORT"\n'
        "    | stats max(memorySize / 1024 / 1024) as provisonedMemoryMB,\n"
        "        min(maxMemoryUsed / 1024 / 1024) as smallestMemoryRequestMB,\n"
        "        avg(maxMemoryUsed / 1024 / 1024) as avgMemoryUsedMB,\n"
        "        max(maxMemoryUsed / 1024 / 1024) as maxMemoryUsedMB,\n"
        "        provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB"
    )
    rows = run(query, evts)
    assert rows == [
        {
            "provisonedMemoryMB": "512",
            "smallestMemoryRequestMB": "100",
            "avgMemoryUsedMB": "200",
            "maxMemoryUsedMB": "300",
            "overProvisionedMB": "212",
        }
    ]


def test_top_byte_transfers_for_hosts_on_a_subnet() -> None:
    """ "Find the top 15 byte transfers for hosts on a given subnet": ``filter
    isIpv4InSubnet(srcAddr, "192.0.2.0/24") | stats sum(bytes) as bytesTransferred by dstAddr
    | sort bytesTransferred desc | limit 15``."""
    evts = events(
        {"srcAddr": "192.0.2.10", "dstAddr": "10.0.0.1", "bytes": 100},
        {"srcAddr": "192.0.2.11", "dstAddr": "10.0.0.1", "bytes": 50},
        {"srcAddr": "192.0.2.12", "dstAddr": "10.0.0.2", "bytes": 400},
        {"srcAddr": "198.51.100.1", "dstAddr": "10.0.0.3", "bytes": 9999},
    )
    rows = run(
        'filter isIpv4InSubnet(srcAddr, "192.0.2.0/24")\n    | stats sum(bytes) as bytesTransferred'
        " by dstAddr\n    | sort bytesTransferred desc\n    | limit 15",
        evts,
    )
    assert [(r["dstAddr"], r["bytesTransferred"]) for r in rows] == [
        ("10.0.0.2", "400"),
        ("10.0.0.1", "150"),
    ]


def test_skipped_flow_records_per_hour_sorted_by_alias_of_bin() -> None:
    """ "Find the IP addresses where flow records were skipped during the capture window":
    ``filter logStatus="SKIPDATA" | stats count(*) by bin(1h) as t | sort t``."""
    evts = [
        event({"logStatus": "SKIPDATA"}, BASE_MS + HOUR),
        event({"logStatus": "OK"}, BASE_MS),
        event({"logStatus": "SKIPDATA"}, BASE_MS + 2),
    ]
    rows = run(
        'filter logStatus="SKIPDATA"\n    | stats count(*) by bin(1h) as t\n    | sort t', evts
    )
    assert [(r["t"], r["count(*)"]) for r in rows] == [
        ("2024-05-01 12:00:00.000", "1"),
        ("2024-05-01 13:00:00.000", "1"),
    ]


def test_udp_flows_counted_by_source_address() -> None:
    """ "Find the IP addresses that use UDP as a data transfer protocol":
    ``filter protocol=17 | stats count(*) by srcAddr``."""
    evts = events(
        {"protocol": 17, "srcAddr": "a"},
        {"protocol": 6, "srcAddr": "a"},
        {"protocol": 17, "srcAddr": "b"},
        {"protocol": 17, "srcAddr": "a"},
    )
    rows = run("filter protocol=17 | stats count(*) by srcAddr", evts)
    assert sorted((r["srcAddr"], r["count(*)"]) for r in rows) == [("a", "2"), ("b", "1")]


def test_top_resolvers_by_request_count() -> None:
    """ "Find the 10 DNS resolvers with the highest number of requests": ``stats count(*) as
    numRequests by resolverIp | sort numRequests desc | limit 10``."""
    ips = [f"10.0.0.{i}" for i in range(12) for _ in range(i + 1)]
    rows = run(
        "stats count(*) as numRequests by resolverIp\n    | sort numRequests desc\n    | limit 10",
        events(*({"resolverIp": ip} for ip in ips)),
    )
    assert [r["resolverIp"] for r in rows] == [f"10.0.0.{i}" for i in range(11, 1, -1)]


def test_cloudtrail_start_or_stop_in_a_region() -> None:
    """ "Find the Amazon EC2 hosts that were started or stopped in a given AWS Region":
    ``filter (eventName="StartInstances" or eventName="StopInstances") and region="us-east-2"``."""
    evts = events(
        {"eventName": "StartInstances", "region": "us-east-2"},
        {"eventName": "StopInstances", "region": "us-east-2"},
        {"eventName": "StopInstances", "region": "eu-west-1"},
        {"eventName": "RunInstances", "region": "us-east-2"},
    )
    rows = run(
        'filter (eventName="StartInstances" or eventName="StopInstances") and region="us-east-2"',
        evts,
    )
    assert len(rows) == 2


def test_cloudtrail_new_users_show_nested_fields() -> None:
    """ "Find the AWS Regions, user names, and ARNs of newly created IAM users": ``filter
    eventName="CreateUser" | fields awsRegion, requestParameters.userName,
    responseElements.user.arn``."""
    created = {
        "eventName": "CreateUser",
        "awsRegion": "us-east-1",
        "requestParameters": {"userName": "bob"},
        "responseElements": {"user": {"arn": "arn:aws:iam::1:user/bob"}},
    }
    rows = run(
        'filter eventName="CreateUser"\n    | fields awsRegion, requestParameters.userName,'
        " responseElements.user.arn",
        events(created, {"eventName": "DeleteUser", "awsRegion": "x"}),
    )
    assert len(rows) == 1
    assert (rows[0]["requestParameters.userName"], rows[0]["responseElements.user.arn"]) == (
        "bob",
        "arn:aws:iam::1:user/bob",
    )


def test_update_trail_errors_counted_by_code_and_message() -> None:
    """ "Find the number of records where an exception occurred while invoking the API
    UpdateTrail": ``filter eventName="UpdateTrail" and ispresent(errorCode) | stats count(*)
    by errorCode, errorMessage``."""
    failed = {"eventName": "UpdateTrail", "errorCode": "E1", "errorMessage": "bad"}
    evts = events(failed, failed, {"eventName": "UpdateTrail"}, {**failed, "eventName": "Other"})
    rows = run(
        'filter eventName="UpdateTrail" and ispresent(errorCode)\n'
        "    | stats count(*) by errorCode, errorMessage",
        evts,
    )
    assert rows == [{"errorCode": "E1", "errorMessage": "bad", "count(*)": "2"}]


def test_upper_case_commands_parse_in_list_and_display_expression() -> None:
    """Examples of the parse command: ``FIELDS @message | PARSE @message "* [*] *" as
    loggingTime, loggingType, loggingMessage | FILTER loggingType IN ["ERROR", "INFO"] |
    DISPLAY loggingMessage, loggingType = "ERROR" as isError``."""
    evts = events("10:00 [ERROR] disk full", "10:01 [DEBUG] noise", "10:02 [INFO] started")
    rows = run(
        "FIELDS @message\n"
        '    | PARSE @message "* [*] *" as loggingTime, loggingType, loggingMessage\n'
        '    | FILTER loggingType IN ["ERROR", "INFO"]\n'
        '    | DISPLAY loggingMessage, loggingType = "ERROR" as isError',
        evts,
    )
    shown = [(r["loggingMessage"], r["isError"]) for r in rows]
    assert shown == [("started", "0"), ("disk full", "1")]
