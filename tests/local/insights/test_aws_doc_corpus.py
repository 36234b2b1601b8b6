"""Our corpus of AWS's own Logs Insights examples, each with the page it comes from.

Each case runs the page's query over log lines in the page's formats (Lambda platform lines,
VPC flow log and Route 53 records, CloudTrail JSON...) and checks the rows the page's
description implies; queries the pages call invalid must be refused. Nothing here is read from
our other tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from cw_logging.errors import MalformedQueryError
from cw_logging.local.insights import compile_query, format_value

from .events import BASE_MS, event

PAGES = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
SAMPLES = PAGES + "CWL_QuerySyntax-examples.html"
DISCOVERED = PAGES + "CWL_AnalyzeLogData-discoverable-fields.html"
FUNCTIONS = PAGES + "CWL_QuerySyntax-operations-functions.html"
STATS = PAGES + "CWL_QuerySyntax-Stats.html"
UNNEST = PAGES + "CWL_QuerySyntax-Unnest.html"
HASHING = PAGES + "CWL_QuerySyntax-hash-functions.html"
UNMASK = PAGES + "CWL_QuerySyntax-Unmask.html"
SYNTAX = PAGES + "CWL_QuerySyntax.html"

REPORT = (
    "REPORT RequestId: {id}\tDuration: {d} ms\tBilled Duration: {b} ms\tMemory Size: 128 MB"
    "\tMax Memory Used: {m} MB\t"
)
LAMBDA_LINES = [
    "START RequestId: r-1 Version: $LATEST",
    "END RequestId: r-1",
    REPORT.format(id="r-1", d="102.25", b="103", m="70"),
    "START RequestId: r-2 Version: $LATEST",
    REPORT.format(id="r-2", d="20.75", b="21", m="90")
    + "Init Duration: 150.10 ms\t\nXRAY TraceId: 1-66a1-0c1f\tSegmentId: 5e1f\tSampled: true",
]
VPC_LINES = [
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
    "1418530010 1418530070 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20642 22 6 5 840 "
    "1418530010 1418530070 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 17 11 1100 "
    "1418530010 1418530070 REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - SKIPDATA",
]
ROUTE53_LINES = [
    "1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -",
    "1.0 2017-12-13T08:16:50.235Z Z123412341234 example.com AAAA NOERROR UDP FRA6 192.168.1.1 -",
    "1.0 2017-12-13T08:17:50.235Z Z123412341234 a.example.com A SERVFAIL UDP FRA6 10.0.0.1 -",
]
CLOUDTRAIL = (
    '{"eventVersion": "1.0", "userIdentity": {"type": "IAMUser", "userName": "Alice"}, '
    '"eventName": "StartInstances", "requestParameters": {"instancesSet": {"items": '
    '[{"instanceId": "i-abcde123"}]}}}'
)


@dataclass(frozen=True)
class Case:
    """A page's query, the log lines it runs over and the rows it must give."""

    page: str
    query: str
    lines: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def _run(case: Case) -> list[dict[str, str]]:
    events = [event(line, BASE_MS + i * 1000, index=i) for i, line in enumerate(case.lines)]
    result = compile_query(case.query).run(events, now_ms=BASE_MS + 3_600_000)
    return [{k: format_value(v) for k, v in row.items() if k != "@ptr"} for row in result]


CASES = [
    Case(
        SAMPLES,
        'filter @type = "REPORT" | stats avg(@duration), max(@duration), min(@duration) by bin(5m)',
        tuple(LAMBDA_LINES),
        (
            {
                "bin(5m)": "2024-05-01 12:00:00.000",
                "avg(@duration)": "61.5",
                "max(@duration)": "102.25",
                "min(@duration)": "20.75",
            },
        ),
    ),
    Case(
        SAMPLES,
        'filter @type = "REPORT"\n'
        "| stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,\n"
        "    min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,\n"
        "    avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,\n"
        "    max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,\n"
        "    provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB",
        tuple(LAMBDA_LINES),
        (
            {
                "provisonedMemoryMB": "128",
                "smallestMemoryRequestMB": "70",
                "avgMemoryUsedMB": "80",
                "maxMemoryUsedMB": "90",
                "overProvisionedMB": "38",
            },
        ),
    ),
    Case(
        DISCOVERED,
        "fields @requestId, @billedDuration, @initDuration, @xrayTraceId, @xraySegmentId"
        " | filter ispresent(@initDuration)",
        tuple(LAMBDA_LINES),
        (
            {
                "@requestId": "r-2",
                "@billedDuration": "21",
                "@initDuration": "150.1",
                "@xrayTraceId": "1-66a1-0c1f",
                "@xraySegmentId": "5e1f",
            },
        ),
    ),
    Case(
        SAMPLES,
        "stats sum(packets) as packetsTransferred by srcAddr, dstAddr\n"
        "| sort packetsTransferred desc\n| limit 15",
        tuple(VPC_LINES[:3]),
        (
            {"srcAddr": "172.31.16.139", "dstAddr": "172.31.16.21", "packetsTransferred": "25"},
            {"srcAddr": "172.31.9.69", "dstAddr": "172.31.9.12", "packetsTransferred": "11"},
        ),
    ),
    Case(
        SAMPLES,
        'filter isIpv4InSubnet(srcAddr, "172.31.16.0/24")\n'
        "| stats sum(bytes) as bytesTransferred by dstAddr\n| sort bytesTransferred desc",
        tuple(VPC_LINES),
        ({"dstAddr": "172.31.16.21", "bytesTransferred": "5089"},),
    ),
    Case(
        SAMPLES,
        "filter protocol=17 | stats count(*) by srcAddr",
        tuple(VPC_LINES),
        ({"srcAddr": "172.31.9.69", "count(*)": "1"},),
    ),
    Case(
        SAMPLES,
        'filter logStatus="SKIPDATA" | stats count(*) by bin(1h) as t | sort t',
        tuple(VPC_LINES),
        ({"t": "2024-05-01 12:00:00.000", "count(*)": "1"},),
    ),
    Case(
        SAMPLES,
        "stats count(*) by queryType, bin(1h)",
        tuple(ROUTE53_LINES),
        (
            {"queryType": "A", "bin(1h)": "2024-05-01 12:00:00.000", "count(*)": "2"},
            {"queryType": "AAAA", "bin(1h)": "2024-05-01 12:00:00.000", "count(*)": "1"},
        ),
    ),
    Case(
        SAMPLES,
        'filter responseCode="SERVFAIL" | stats count(*) by queryName',
        tuple(ROUTE53_LINES),
        ({"queryName": "a.example.com", "count(*)": "1"},),
    ),
    Case(
        DISCOVERED,
        "fields @timestamp, @message\n"
        '| filter requestParameters.instancesSet.items.0.instanceId="i-abcde123"\n'
        "| sort @timestamp desc",
        (CLOUDTRAIL, '{"eventName": "StopInstances"}'),
        ({"@timestamp": "2024-05-01 12:00:00.000", "@message": CLOUDTRAIL},),
    ),
    Case(
        UNNEST,
        "fields jsonParse(@message) as json_message\n"
        "| unnest json_message.events into event\n| display event.name",
        ('{"events": [{"name": "exception"}, {"name": "user action"}]}',),
        ({"event.name": "exception"}, {"event.name": "user action"}),
    ),
    Case(
        UNNEST,
        "fields jsonParse(@message) as js | unnest js.accounts into account\n"
        '| filter account.type = "internal" | display account.id',
        ('{"accounts": [{"type": "internal", "id": 1}, {"type": "external", "id": 2}]}',),
        ({"account.id": "1"},),
    ),
    Case(
        FUNCTIONS,
        "fields jsonParse(@message) as json_message | stats count() by json_message.status_code",
        ('{"status_code": 200}', '{"status_code": 500}', '{"status_code": 200}'),
        (
            {"json_message.status_code": "200", "count()": "2"},
            {"json_message.status_code": "500", "count()": "1"},
        ),
    ),
    Case(
        FUNCTIONS,
        "fields jsonParse(@message) as json_message\n"
        '| filter json_message.users[1].action = "PutData" | display @message',
        ('{"users": [{"action": "Get"}, {"action": "PutData"}]}', '{"users": [{"action": "x"}]}'),
        ({"@message": '{"users": [{"action": "Get"}, {"action": "PutData"}]}'},),
    ),
    Case(
        FUNCTIONS,
        'fields jsonParse(@message) as json_message | filter json_message.`user.id` = "123"'
        " | display @message",
        ('{"user.id": "123"}', '{"user": {"id": "123"}}'),
        ({"@message": '{"user.id": "123"}'},),
    ),
    Case(
        DISCOVERED,
        "fields jsonParse(api.request.data).startTime as startTime",
        ('{"api": {"request": {"data": "{\\"startTime\\":1234,\\"endTime\\":5678}"}}}',),
        ({"startTime": "1234"},),
    ),
    Case(
        FUNCTIONS,
        "fields jsonParse(@message) as json_message | display toupper(json_message)",
        ('{"a": 1}',),
        ({},),
    ),
    Case(
        FUNCTIONS,
        'parse @message "Status Code: *;" as statusCode\n'
        "| filter statusCode >= 400 and statusCode <= 499\n"
        "| filter toMillis(@timestamp) >= (now() * 1000 - 7200000) | display statusCode",
        ("Status Code: 404;", "Status Code: 200;", "Status Code: 418;"),
        ({"statusCode": "418"}, {"statusCode": "404"}),
    ),
    Case(
        FUNCTIONS,
        'fields ltrim("xyZxyfooxyZ","xyZ") as l, rtrim("xyZfooxyxyZ","xyZ") as r, '
        'trim("xyZxyfooxyxyZ","xyZ") as t, substr("xyZfooxyZ",3, 3) as s, '
        "toMillis(@timestamp) as ms, 2 ^ 3 as p, 10 % 3 as m",
        ("x",),
        (
            {
                "l": "fooxyZ",
                "r": "xyZfoo",
                "t": "foo",
                "s": "foo",
                "ms": str(BASE_MS),
                "p": "8",
                "m": "1",
            },
        ),
    ),
    Case(
        FUNCTIONS,
        'fields hexToAscii("48656c6c6f") as text, hexToDec("0xff") as dec, decToHex(255) as hex,'
        " decToHex(-255) as neg, round(2.5) as r, round(3.14159, 2) as r2",
        ("x",),
        ({"text": "Hello", "dec": "255", "hex": "0xff", "neg": "-0xff", "r": "3", "r2": "3.14"},),
    ),
    Case(
        FUNCTIONS,
        'filter jsonArrayContains(roles, "admin") | fields jsonArraySize(roles) as n',
        ('{"roles": "[\\"admin\\", \\"dev\\"]"}', '{"roles": "[\\"dev\\"]"}'),
        ({"n": "2"},),
    ),
    Case(
        HASHING,
        "fields md5(@message) as m, sha256(@message) as s",
        ("hello",),
        ({"m": hashlib.md5(b"hello").hexdigest(), "s": hashlib.sha256(b"hello").hexdigest()},),
    ),
    Case(
        UNMASK,
        "fields @timestamp, unmask(@message) | sort @timestamp desc | limit 20",
        ("card 4111",),
        ({"@timestamp": "2024-05-01 12:00:00.000", "unmask(@message)": "card 4111"},),
    ),
    Case(
        STATS,
        "fields strlen(@message) as message_length\n"
        "| stats sum(message_length) as ingested_bytes by bin(5m)\n"
        "| filter ingested_bytes > 3\n"
        "| stats count(ingested_bytes) as number_of_peaks",
        ("abcd", "ab"),
        ({"number_of_peaks": "1"},),
    ),
    Case(
        SYNTAX,
        'fields @message | parse @message "[*] *" as loggingType, loggingMessage\n'
        '| filter loggingType = "ERROR" | display loggingMessage',
        ("[ERROR] disk full", "[INFO] fine"),
        ({"loggingMessage": "disk full"},),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{i}" for i in range(len(CASES))])
def test_page_example_answers_as_the_page_says(case: Case) -> None:
    assert case.page.startswith(PAGES)
    assert _run(case) == list(case.rows)


INVALID = [
    (STATS, "stats count(*) as a | stats count(*) as b | stats count(*) as c", "at most 2 stats"),
    (STATS, "stats count(*) as n by level | stats avg(latency)", "'latency' is not produced"),
    (STATS, "stats count(*) as n by bin(1m) | stats avg(n) by bin(5m)", "bin() may only be used"),
    (STATS, "stats count(*) as n by k | sort n | stats avg(n)", "'sort' may only come after"),
    (STATS, "stats count(*) as n by k | sort n | limit 2", None),
    (STATS, "stats count(*) as n by k | stats avg(n) as a | sort a | limit 1", None),
]


@pytest.mark.parametrize(("page", "query", "words"), INVALID)
def test_stats_page_rules(page: str, query: str, words: str | None) -> None:
    """The stats page: at most two stats; sort and limit after the second; the second uses only
    what the first produced; bin only in the first."""
    assert page == STATS
    if words is None:
        compile_query(query)
        return
    with pytest.raises(MalformedQueryError) as caught:
        compile_query(query)
    assert words in caught.value.message
