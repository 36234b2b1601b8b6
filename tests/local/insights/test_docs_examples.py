"""Query semantics checked against the examples in AWS's Logs Insights documentation.

Each test runs the query text from the cited page over events built here; the expected rows
are derived by hand from what the page says the query does.
"""

from __future__ import annotations

from collections import Counter

from cw_logging.local.insights import compile_query

from .events import BASE_MS, event, events, run

DOCS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
SYNTAX_V1 = "awsdocs/amazon-cloudwatch-logs-user-guide doc_source/CWL_QuerySyntax.md"


def test_filter_numeric_comparison_keeps_only_larger_durations() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1): ``fields f1, f2, f3 | filter (duration>2000)``
    retrieves f1, f2, f3 for all log events with a value over 2000 in ``duration``."""
    evts = events(
        {"f1": "a", "f2": 1, "f3": True, "duration": 2500},
        {"f1": "b", "f2": 2, "duration": 2000},
        {"f1": "c", "duration": 150},
        {"f1": "d"},
    )
    rows = run("fields f1, f2, f3 | filter (duration>2000)", evts)
    assert [(r["f1"], r["f2"], r["f3"]) for r in rows] == [("a", "1", "1")]
    assert set(rows[0]) == {"f1", "f2", "f3", "@ptr"}


def test_filter_without_fields_shows_timestamp_and_message() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1): ``filter (duration>2000)`` is valid; the results show
    @timestamp and all log data in @message for events where duration is more than 2000."""
    evts = events({"duration": 3000}, {"duration": 10})
    rows = run("filter (duration>2000)", evts)
    assert rows == [
        {
            "@timestamp": "2024-05-01 12:00:00.000",
            "@message": '{"duration": 3000}',
            "@ptr": evts[0]["@ptr"],
        }
    ]


def test_filter_or_of_equality_and_comparison() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1): ``fields f1, f2 | filter (f1=10 or f3>25)`` retrieves
    f1 and f2 for events where f1 is 10 or f3 is greater than 25."""
    evts = events({"f1": 10, "f2": "x"}, {"f1": 11, "f3": 26}, {"f1": 11, "f3": 25}, {"f2": "y"})
    rows = run("fields f1, f2 | filter (f1=10 or f3>25)", evts)
    assert sorted(r["f1"] for r in rows) == ["10", "11"]
    assert {r.get("f2") for r in rows} == {"x", None}


def test_filter_like_regex_matches_status_codes_2xx() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1): ``fields f1 | filter statusCode like /2\\d\\d/``
    returns events where statusCode is between 200 and 299."""
    evts = events(*({"f1": code, "statusCode": code} for code in (199, 200, 250, 299, 300, 404)))
    rows = run(r"fields f1 | filter statusCode like /2\d\d/", evts)
    assert sorted(int(r["f1"]) for r in rows) == [200, 250, 299]


def test_filter_in_set_membership_with_numbers() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1): ``filter statusCode in [300,400,500]`` returns events
    that have a statusCode of 300, 400 or 500."""
    evts = events(*({"statusCode": code} for code in (200, 300, 400, 404, 500)))
    rows = run("fields @timestamp, @message | filter statusCode in [300,400,500]", evts)
    assert sorted(r["@message"] for r in rows) == sorted(
        f'{{"statusCode": {code}}}' for code in (300, 400, 500)
    )


def test_filter_not_in_excludes_listed_values_of_mixed_types() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1): ``filter Type not in ["foo","bar",1]`` returns events
    that do not have Type fields with values of "foo", "bar" or "1"."""
    evts = events({"Type": "foo"}, {"Type": "bar"}, {"Type": 1}, {"Type": "baz"}, {"Type": 2})
    rows = run('fields @timestamp, @message | filter Type not in ["foo","bar",1]', evts)
    assert sorted(r["@message"] for r in rows) == ['{"Type": "baz"}', '{"Type": 2}']


def test_like_and_match_operator_are_case_sensitive_substring_searches() -> None:
    """CWL_QuerySyntax.html, "Matches and Regular Expressions in the Filter Command": the three
    queries ``like /Exception/``, ``=~ /Exception/`` and ``like "Exception"`` each return all
    events in which f1 contains the word Exception, case-sensitively."""
    evts = events(
        {"f1": "java.lang.NullPointerException at x"},
        {"f1": "an exception happened"},
        {"f1": "EXCEPTION"},
        {"f1": "Exception"},
    )
    expected = ["Exception", "java.lang.NullPointerException at x"]
    for query in (
        "fields f1, f2, f3 | filter f1 like /Exception/",
        "fields f1, f2, f3 | filter f1 =~ /Exception/",
        'fields f1, f2, f3 | filter f1 like "Exception"',
    ):
        assert sorted(r["f1"] for r in run(query, evts)) == expected, query


def test_inline_case_insensitive_flag_and_anchors() -> None:
    """CWL_QuerySyntax.html: ``filter f1 like /(?i)Exception/`` is not case sensitive, and
    ``filter f1 =~ /^(?i)Exception$/`` returns events where f1 is exactly the word Exception,
    not case sensitive."""
    evts = events({"f1": "an exception happened"}, {"f1": "EXCEPTION"}, {"f1": "Exceptional"})
    insensitive = run("fields f1, f2, f3 | filter f1 like /(?i)Exception/", evts)
    assert len(insensitive) == 3
    exact = run("fields f1, f2, f3 | filter f1 =~ /^(?i)Exception$/", evts)
    assert [r["f1"] for r in exact] == ["EXCEPTION"]


def test_alias_of_a_function_result() -> None:
    """CWL_QuerySyntax.html, "Using Aliases in Queries": ``fields abs(myField) as
    AbsoluteValuemyField, myField2`` returns the absolute value of myField and myField2."""
    rows = run(
        "fields abs(myField) as AbsoluteValuemyField, myField2",
        events({"myField": -4.5, "myField2": "keep"}),
    )
    assert rows[0]["AbsoluteValuemyField"] == "4.5"
    assert rows[0]["myField2"] == "keep"


def test_stats_average_by_group_sorted_by_alias() -> None:
    """CWL_QuerySyntax.html: ``stats avg (f1) by f2`` calculates the average of f1 for each
    unique value of f2; ``stats avg(f1) as myAvgF1 | sort myAvgF1 desc`` orders by the alias."""
    evts = events({"f1": 1, "f2": "a"}, {"f1": 3, "f2": "a"}, {"f1": 10, "f2": "b"}, {"f2": "b"})
    rows = run("stats avg (f1) by f2", evts)
    assert sorted((r["f2"], r["avg(f1)"]) for r in rows) == [("a", "2"), ("b", "10")]
    rows = run("stats avg(f1) as myAvgF1 by f2 | sort myAvgF1 desc", evts)
    assert [r["myAvgF1"] for r in rows] == ["10", "2"]


def test_fields_concat_creates_an_ephemeral_field() -> None:
    """CWL_QuerySyntax.html: ``fields concat(Operation, '-', StatusCode) as opStatus`` creates
    opStatus, the values of Operation and StatusCode with a hyphen in between."""
    rows = run(
        "fields concat(Operation, '-', StatusCode) as opStatus",
        events({"Operation": "PutItem", "StatusCode": 200}),
    )
    assert rows[0]["opStatus"] == "PutItem-200"


def test_display_shows_only_the_field_named_after_parse_and_filter() -> None:
    """CWL_QuerySyntax.html, ``display``: the query parses ``[*] *`` into loggingType and
    loggingMessage, keeps ERROR events and displays only loggingMessage."""
    evts = events("[ERROR] disk full", "[INFO] all good", "[ERROR] out of memory")
    rows = run(
        'fields @message | parse @message "[*] *" as loggingType, loggingMessage'
        ' | filter loggingType = "ERROR" | display loggingMessage',
        evts,
    )
    shown = [{k: v for k, v in row.items() if k != "@ptr"} for row in rows]
    assert shown == [{"loggingMessage": "out of memory"}, {"loggingMessage": "disk full"}]


PARSE_LINE = (
    "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException"
)


def test_parse_glob_and_regex_extract_the_same_fields() -> None:
    """CWL_QuerySyntax.html, ``parse``: for the documented single log line, both the glob
    ``"[*] * The error was: *"`` and the regex with named groups give level ERROR,
    config ``{foo=2, bar=data}`` and exception DataIntegrityException."""
    expected = {
        "level": "ERROR",
        "config": "{foo=2, bar=data}",
        "exception": "DataIntegrityException",
    }
    glob = 'parse @message "[*] * The error was: *" as level, config, exception'
    regex = (
        r"parse @message /\[(?<level>\S+)\]\s+(?<config>\{.*\})\s+The error was: (?<exception>\S+)/"
    )
    for query in (glob, regex):
        row = run(f"{query} | display level, config, exception", events(PARSE_LINE))[0]
        row.pop("@ptr")
        assert row == expected, query


def test_parse_glob_then_stats_by_extracted_fields() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1, older revision of ``parse``): ``parse @message "user=*,
    method:*, latency := *" as @user, @method, @latency | stats avg(@latency) by @method, @user``
    returns the average latency for each combination of method and user."""
    evts = events(
        "user=ann, method:GET, latency := 10",
        "user=ann, method:GET, latency := 30",
        "user=bob, method:PUT, latency := 7",
    )
    rows = run(
        'parse @message "user=*, method:*, latency := *" as @user, @method, @latency'
        " | stats avg(@latency) by @method, @user",
        evts,
    )
    assert sorted((r["@method"], r["@user"], r["avg(@latency)"]) for r in rows) == [
        ("GET", "ann", "20"),
        ("PUT", "bob", "7"),
    ]


def test_commented_line_is_ignored() -> None:
    """CWL_QuerySyntax.html, "Using Comments in Queries": in the example the second line
    (``# | filter @message like /delay/``) is ignored, so every event is returned."""
    query = "fields @timestamp, @message\n    # | filter @message like /delay/\n    | limit 20"
    rows = run(query, events("delay 1", "fine", "no delay"))
    assert len(rows) == 3


def test_documented_string_and_arithmetic_function_examples() -> None:
    """CWL_QuerySyntax-operations-functions.html: ``ltrim("xyZfooxyZ","xyZ")`` returns
    "fooxyZ", rtrim "xyZfoo", trim "foo"; ``substr("xyZfooxyZ",3, 3)`` returns "foo";
    ``replace("foo","o","0")`` returns "f00"; ``2 ^ 3`` returns 8 and ``10 % 3`` returns 1."""
    query = (
        'fields ltrim("xyZfooxyZ","xyZ") as l, rtrim("xyZfooxyZ","xyZ") as r,'
        ' trim("xyZfooxyZ","xyZ") as t, substr("xyZfooxyZ",3, 3) as s,'
        ' replace("foo","o","0") as p, 2 ^ 3 as e, 10 % 3 as m, strcontains("abc", "b") as c'
    )
    row = run(query, events("x"))[0]
    assert (row["l"], row["r"], row["t"], row["s"], row["p"]) == (
        "fooxyZ",
        "xyZfoo",
        "foo",
        "foo",
        "f00",
    )
    assert (row["e"], row["m"], row["c"]) == ("8", "1", "1")


def test_ispresent_alias_is_zero_or_one() -> None:
    """CWL_QuerySyntax.html (notes on fields and display): ``fields ispresent(resolverArn) as
    isRes`` creates isRes, either 0 or 1 depending on whether resolverArn is discovered."""
    rows = run("fields ispresent(resolverArn) as isRes", events({"resolverArn": "arn:x"}, {"a": 1}))
    assert [r["isRes"] for r in rows] == ["0", "1"]  # newest first


def test_filter_range_and_account_then_sort_and_limit() -> None:
    """CWL_QuerySyntax-Filter.html: ``filter (range>3000 and accountId=123456789012) | sort
    @timestamp desc | limit 20`` returns events where range is over 3000 and accountId equals
    123456789012, newest first, at most 20."""
    messages = [{"range": 3000 + i, "accountId": "123456789012"} for i in range(30)]
    messages.append({"range": 9999, "accountId": "999999999999"})
    rows = run(
        "fields @timestamp, @message | filter (range>3000 and accountId=123456789012)"
        " | sort @timestamp desc | limit 20",
        events(*messages),
    )
    assert len(rows) == 20
    assert rows[0]["@message"] == '{"range": 3029, "accountId": "123456789012"}'
    assert rows == sorted(rows, key=lambda r: r["@timestamp"], reverse=True)


def test_where_is_an_alias_of_filter() -> None:
    """CWL_QuerySyntax-Where.html: ``fields @timestamp, @message | where @message like /error/``
    filters for log events containing "error"."""
    rows = run(
        "fields @timestamp, @message | where @message like /error/", events("an error", "ok")
    )
    assert [r["@message"] for r in rows] == ["an error"]


def test_limit_returns_the_most_recent_events() -> None:
    """CWL_QuerySyntax-Limit.html: ``fields @timestamp, @message | sort @timestamp desc |
    limit 25`` returns only the 25 most recent log events; without limit at most 10,000."""
    evts = events(*(f"m{i}" for i in range(40)))
    rows = run("fields @timestamp, @message | sort @timestamp desc | limit 25", evts)
    assert [r["@message"] for r in rows] == [f"m{i}" for i in range(39, 14, -1)]
    many = [event("x", BASE_MS + i) for i in range(10_050)]
    assert len(compile_query("fields @message").run(many)) == 10_000


def test_limit_any_stops_at_n_events() -> None:
    """CWL_QuerySyntax-Limit.html, "limit any": ``fields @message | limit any 1`` returns 1
    log event."""
    assert len(run("fields @message | limit any 1", events("a", "b", "c"))) == 1


def test_dedup_keeps_most_recent_event_per_server_and_events_without_server() -> None:
    """CWL_QuerySyntax-Dedup.html: ``fields @timestamp, server, severity, message | sort
    @timestamp desc | dedup server`` shows only the most recent event for each server; events
    with null values for the field are retained."""
    evts = events(
        {"server": "a", "message": "old a"},
        {"server": "b", "message": "old b"},
        {"message": "no server 1"},
        {"server": "a", "message": "new a"},
        {"message": "no server 2"},
    )
    rows = run(
        "fields @timestamp, server, severity, message | sort @timestamp desc | dedup server", evts
    )
    assert [r["message"] for r in rows] == ["no server 2", "new a", "no server 1", "old b"]


def test_sort_ascending_follows_the_documented_natural_order() -> None:
    """CWL_QuerySyntax-Sort.html: the documented ascending sort result is ``!:``, ``#``,
    ``*%04``, ``0#``, ``5A``, ``111A``, ``2345_``, ``@``, ``@_``, ``A``, ``A9876fghj``,
    ``a12345hfh``, then the number values ``0``, ``01``, ``1``, ``2``, ``3``; descending is
    the reverse."""
    documented = [
        "!:",
        "#",
        "*%04",
        "0#",
        "5A",
        "111A",
        "2345_",
        "@",
        "@_",
        "A",
        "A9876fghj",
        "a12345hfh",
        "0",
        "01",
        "1",
        "2",
        "3",
    ]
    shuffled = documented[7:] + documented[:7]
    evts = events(*(f'{{"v": "{value}"}}' for value in shuffled))
    ascending = run("fields v | sort v asc", evts)
    assert [r["v"] for r in ascending] == documented
    descending = run("fields v | sort v desc", evts)
    assert [r["v"] for r in descending] == documented[::-1]


def test_stats_count_by_query_type_and_hour_bins() -> None:
    """CWL_QuerySyntax-Stats.html: ``stats count(*) by queryType, bin(1h)`` returns the number
    of Route 53 records per hour, by query type."""
    hour = 3_600_000
    evts = [
        event({"queryType": "A"}, BASE_MS + 5),
        event({"queryType": "A"}, BASE_MS + 20 * 60_000),
        event({"queryType": "AAAA"}, BASE_MS + 30 * 60_000),
        event({"queryType": "A"}, BASE_MS + hour + 1),
    ]
    rows = run("stats count(*) by queryType, bin(1h)", evts)
    counts = {(r["queryType"], r["bin(1h)"]): r["count(*)"] for r in rows}
    assert counts == {
        ("A", "2024-05-01 12:00:00.000"): "2",
        ("AAAA", "2024-05-01 12:00:00.000"): "1",
        ("A", "2024-05-01 13:00:00.000"): "1",
    }


def test_stats_sum_top_talkers_vpc_example() -> None:
    """CWL_QuerySyntax-Sort.html: ``stats sum(packets) as packetsTransferred by srcAddr,
    dstAddr | sort packetsTransferred desc | limit 15`` finds the top packet transfers between
    hosts."""
    pairs = [(f"10.0.0.{i % 20}", "10.0.1.1", i) for i in range(60)]
    evts = events(*({"srcAddr": s, "dstAddr": d, "packets": p} for s, d, p in pairs))
    rows = run(
        "stats sum(packets) as packetsTransferred by srcAddr, dstAddr"
        " | sort packetsTransferred desc | limit 15",
        evts,
    )
    totals: Counter[str] = Counter()
    for source, _, packets in pairs:
        totals[source] += packets
    assert [(r["srcAddr"], int(r["packetsTransferred"])) for r in rows] == totals.most_common(15)


def test_json_fields_are_flattened_with_dots_and_array_indexes() -> None:
    """CWL_AnalyzeLogData-discoverable-fields.html, "Fields in JSON logs": ``userIdentity.type``
    names a nested field and ``requestParameters.instancesSet.items.0.instanceId`` the first
    array item's instanceId (the page's CloudTrail example)."""
    cloudtrail = {
        "eventVersion": "1.0",
        "userIdentity": {"type": "IAMUser", "userName": "Alice"},
        "eventName": "StartInstances",
        "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-abcde123"}]}},
    }
    rows = run(
        "fields userIdentity.type, requestParameters.instancesSet.items.0.instanceId as id",
        events(cloudtrail),
    )
    assert rows[0]["userIdentity.type"] == "IAMUser"
    assert rows[0]["id"] == "i-abcde123"


def test_discovered_field_starting_with_at_gets_another_at() -> None:
    """CWL_AnalyzeLogData-discoverable-fields.html (awsdocs revision 5ae5c9a): a discovered
    field named ``@example.com`` is displayed as ``@@example.com``."""
    rows = run("fields `@@example.com` as v, @message", events({"@example.com": "yes"}))
    assert rows[0]["v"] == "yes"


def test_datetime_functions_floor_and_ceil_to_the_hour() -> None:
    """CWL_QuerySyntax-operations-functions.html, datetime functions: ``datefloor(@timestamp,
    1h)`` truncates to the bottom of the hour and ``dateceil(@timestamp, 1h)`` to the top;
    ``fromMillis`` and ``toMillis`` convert between epoch milliseconds and timestamps."""
    at = BASE_MS + 25 * 60_000 + 123
    rows = run(
        "fields datefloor(@timestamp, 1h) as f, dateceil(@timestamp, 1h) as c,"
        " toMillis(@timestamp) as ms, fromMillis(0) as epoch",
        [event("x", at)],
    )
    assert rows[0]["f"] == "2024-05-01 12:00:00.000"
    assert rows[0]["c"] == "2024-05-01 13:00:00.000"
    assert rows[0]["ms"] == str(at)
    assert rows[0]["epoch"] == "1970-01-01 00:00:00.000"


def test_count_of_a_field_counts_only_events_that_have_it() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1), aggregation functions: ``count(*)`` counts all events
    while ``count(fieldname)`` counts all records that include the field; ``count_distinct``
    returns the number of unique values."""
    evts = events({"u": "a"}, {"u": "b"}, {"u": "a"}, {"v": 1})
    row = run("stats count(*) as all, count(u) as withU, count_distinct(u) as users", evts)[0]
    assert (row["all"], row["withU"], row["users"]) == ("4", "3", "2")


def test_earliest_and_latest_follow_the_timestamp_not_the_value() -> None:
    """CWL_QuerySyntax.html (SYNTAX_V1), non-aggregation stats functions: earliest/latest
    return the value from the event with the earliest/latest timestamp."""
    evts = [event({"v": "middle"}, BASE_MS + 5), event({"v": "first"}, BASE_MS)]
    evts.append(event({"v": "last"}, BASE_MS + 9))
    row = run("stats earliest(v) as e, latest(v) as l, min(v) as lo", evts)[0]
    assert (row["e"], row["l"], row["lo"]) == ("first", "last", "first")


def test_all_fields_commands_show_and_only_the_last_display_counts() -> None:
    """CWL_QuerySyntax.html (awsdocs revision 5ae5c9a), notes on ``fields`` and ``display``:
    with several ``fields`` commands and no ``display``, the fields of all of them are shown;
    with several ``display`` commands, only the fields of the last one are shown."""
    evts = events({"a": 1, "b": 2, "c": 3})
    assert compile_query("fields a | fields b").fields == ["a", "b", "@ptr"]
    rows = run("fields a | fields b", evts)
    assert (rows[0]["a"], rows[0]["b"]) == ("1", "2")
    assert "c" not in rows[0]
    query = compile_query("display a | fields b | display c")
    assert query.fields == ["c", "@ptr"]
    assert run("display a | fields b | display c", evts)[0]["c"] == "3"
