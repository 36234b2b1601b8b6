"""Filter patterns checked against the examples of AWS's documentation.

Source: "Filter pattern syntax for metric filters, subscription filters, filter log events, and
Live Tail", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
(sections: unstructured log events, JSON log events, space-delimited log events, regex).
"""

from __future__ import annotations

import json

import pytest

from cw_logging.local import compile_filter_pattern

DOC_URL = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html"

UNSTRUCTURED = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
    "[ERROR 500] INTERNAL SERVER ERROR",
    "[WARN 416] INVALID ARGUMENTS",
    "[SUCCESS 200] AUTHORIZED REQUEST",
]


def matching(pattern: str, messages: list[str]) -> list[str]:
    compiled = compile_filter_pattern(pattern)
    return [m for m in messages if compiled.matches(m)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # a single term: every event containing the word ERROR
        ("ERROR", [0, 1, 2, 3, 4]),
        # several terms: events containing all of them
        ("ERROR ARGUMENTS", [2, 3]),
        # ? terms: events containing any of them
        ("?ERROR ?ARGUMENTS", [0, 1, 2, 3, 4, 5]),
        # an exact phrase in double quotes
        ('"INTERNAL SERVER ERROR"', [4]),
        # a - term excludes events containing it
        ("ERROR -ARGUMENTS", [0, 1, 4]),
        # regex surrounded by %: AUTHORIZED inside UNAUTHORIZED matches too
        ("%AUTHORIZED%", [1, 6]),
        # a quoted space matches every event
        ('" "', [0, 1, 2, 3, 4, 5, 6]),
        # case-sensitive
        ("error", []),
    ],
)
def test_unstructured_examples(pattern: str, expected: list[int]) -> None:
    """Doc page (see DOC_URL), section "Matching terms in unstructured log events"."""
    assert matching(pattern, UNSTRUCTURED) == [UNSTRUCTURED[i] for i in expected]


def test_term_is_whole_term_not_substring() -> None:
    """A plain term matches whole terms only; the doc's regex example is how to match inside."""
    assert matching("AUTHORIZED", UNSTRUCTURED) == [UNSTRUCTURED[6]]


EXITING = ["[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # the page's first example: "ERROR" matches both, ERRORCODE included
        ('"ERROR"', [0, 1]),
        # its second: excluding "Exiting" leaves the first
        ('"ERROR" - "Exiting"', [0]),
        ('"ERROR" -"Exiting"', [0]),
        ('?"fatal" ?"Exiting"', [0, 1]),
        ("- Exiting", [0]),
        # an exact phrase is found inside longer text too, never with its words apart
        ('"fatal exc"', [0]),
        ('"exception occurred"', []),
        ('-"ERRORCODE"', [0]),
    ],
)
def test_quoted_term_matches_its_exact_text_anywhere(pattern: str, expected: list[int]) -> None:
    """Doc page, "Matching terms in log events" (example 1: the quoted term "ERROR" matches
    "Exiting with ERRORCODE: -1"; example 2: "ERROR" -"Exiting")."""
    assert matching(pattern, EXITING) == [EXITING[i] for i in expected]


JSON_EVENT = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "ThisFlag": True,
        "cluster.name": "c",
    }
)

COMPOUND_EVENT = json.dumps(
    {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [
            {"id": 2, "email": "John.Doe@example.com"},
            {"id": 3, "email": "Jane.Doe@example.com"},
        ],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 11], [4, 6], [7, 9]],
    }
)


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ('{ $.eventType = "UpdateTrail" }', True),
        ('{ $.eventType = "CreateTrail" }', False),
        ("{ $.sourceIPAddress != 123.123.* }", True),
        ("{ $.sourceIPAddress = 111.111.* }", True),
        ('{ $.arrayKey[0] = "value" }', True),
        ('{ $.arrayKey[1] = "value" }', False),
        ("{ $.objectList[1].id = 2 }", True),
        ("{ $.objectList[0].id = 2 }", False),
        ("{ $.SomeObject IS NULL }", True),
        ("{ $.eventType IS NULL }", False),
        ("{ $.SomeOtherObject NOT EXISTS }", True),
        ("{ $.SomeObject NOT EXISTS }", False),
        ("{ $.ThisFlag IS TRUE }", True),
        ("{ $.ThisFlag IS FALSE }", False),
        ("{ $.['cluster.name'] = \"c\" }", True),
        ("{ $.eventType = %Update[a-zA-Z]+% }", True),
        # "*" matches text at, before or after the value; "Ev*ent" only the string Ev*ent
        ("{ $.eventType = *Trail }", True),
        ("{ $.eventType = Update* }", True),
        ("{ $.eventType = *date* }", True),
        ("{ $.eventType = Up*Trail }", False),
        ("{ $.sourceIPAddress = * }", True),
    ],
)
def test_json_examples(pattern: str, matches: bool) -> None:
    """Doc page (see DOC_URL), section "Using filter patterns to match terms in JSON log events"."""
    assert compile_filter_pattern(pattern).matches(JSON_EVENT) is matches


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        (
            '{ ($.user.id = 2 && $.users[0].email = "John.Doe@example.com") '
            '|| $.actions[2] = "GET" }',
            False,
        ),
        # && binds tighter than ||: A || (B && C) with A true
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && '
            '$.actions[2] = "nomatch" }',
            True,
        ),
        ("{ $.coordinates[0][1] = 11 }", True),
        ("{ $.user.id > 0 && $.user.id < 2 }", True),
        ("{ $.user.id >= 2 }", False),
        ("{ $.users[1].id <= 3 && $.users[1].id != 2 }", True),
    ],
)
def test_json_compound_examples(pattern: str, matches: bool) -> None:
    """Doc page (see DOC_URL), JSON log events: compound expressions with && and ||."""
    assert compile_filter_pattern(pattern).matches(COMPOUND_EVENT) is matches


@pytest.mark.parametrize(
    ("value", "matches"),
    [("Ev*ent", True), ("Event", False), ("EvXent", False), ("PutEv*ent", False)],
)
def test_star_inside_a_value_is_a_plain_character(value: str, matches: bool) -> None:
    """Doc page, JSON STRING: "Ev*ent will only match the actual string Ev*ent"."""
    event = json.dumps({"eventName": value})
    assert compile_filter_pattern("{ $.eventName = Ev*ent }").matches(event) is matches


def test_json_pattern_never_matches_non_json() -> None:
    assert not compile_filter_pattern('{ $.eventType = "UpdateTrail" }').matches("UpdateTrail")


APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code = 404, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code = 200, bytes]", False),
        ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", True),
        ("[ip, user, ..., status_code = 4*, bytes > 1000]", True),
        ("[ip, user, ..., status_code = 4*, bytes > 2000]", False),
        ("[..., status_code = 404 || status_code = 410, bytes]", True),
        ("[ip = 127.0.0.1, ...]", True),
        ('[ip, user, username = "frank", ...]', True),
        ('[ip, user, username, timestamp, request = "GET /index.html HTTP/1.0", ...]', True),
        ("[ip, user, username, timestamp = %Oct/2000%, ...]", True),
        # without ..., the last field takes the rest of the event: the page's "[w1=ERROR, w2]"
        # needs its blank w2 because w1 alone would hold the whole event
        ("[ip, user, username]", True),
        ("[ip, user, username = frank*]", True),
        ("[ip, user, username = frank]", False),
        ("[ip, user, username, timestamp, request, status_code, bytes, extra]", False),
    ],
)
def test_space_delimited_examples(pattern: str, matches: bool) -> None:
    """Doc page (see DOC_URL), section "Using filter patterns to match terms in space-delimited
    log events"."""
    assert compile_filter_pattern(pattern).matches(APACHE) is matches


@pytest.mark.parametrize(
    ("pattern", "message", "matches"),
    [
        ("%ERROR%", "[ERROR 400]", True),
        ("%^ERROR%", "[ERROR 400]", False),
        ("%colou?r%", "the color red", True),
        ("%10\\.10\\.0\\.1%", "from 10.10.0.1 port 80", True),
        ("%10\\.10\\.0\\.1%", "from 10.10.0.11 port 80", True),
        ("%[0-9]{3}%", "code 42", False),
        ("%gray|grey%", "a grey day", True),
    ],
)
def test_regex_examples(pattern: str, message: str, matches: bool) -> None:
    """Doc page (see DOC_URL), section "Supported regular expressions (regex) syntax"."""
    assert compile_filter_pattern(pattern).matches(message) is matches


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('ERROR -"BAD REQUEST"', [1, 2, 3, 4]),
        ('?"BAD REQUEST" ?"SERVER ERROR"', [0, 4]),
        ("ERROR ?MISSING ?INVALID", [2, 3]),
        ("%^\\[ERROR%", [0, 1, 2, 3, 4]),
    ],
)
def test_combined_unstructured_forms(pattern: str, expected: list[int]) -> None:
    """Combinations the page describes separately: quoted exclusions and alternatives, plain
    terms with ? alternatives (plain terms all required, one alternative required)."""
    assert matching(pattern, UNSTRUCTURED) == [UNSTRUCTURED[i] for i in expected]


@pytest.mark.parametrize("pattern", ["[]", "[ ]", " [] "])
def test_empty_field_list_matches_every_event(pattern: str) -> None:
    """``[]``: the "send everything" pattern of many subscription filters in the field (the
    service accepts it); it matches every event and extracts nothing."""
    compiled = compile_filter_pattern(pattern)
    for message in (APACHE, "", "one", '{"a": 1}'):
        found = compiled.match(message)
        assert found is not None
        assert found.extracted() == {}


def test_several_ellipses_align_fields() -> None:
    pattern = compile_filter_pattern("[..., request = *index*, ..., bytes = 1534]")
    assert pattern.matches(APACHE)
    assert not compile_filter_pattern("[..., request = *nothere*, ..., bytes]").matches(APACHE)
