"""PII redaction: default rules, false positives, key names, configuration, filter, formatter."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging.context import clear, correlation
from cw_logging.formatter import JsonFormatter
from cw_logging.pii import REDACTED, PiiFilter, PiiRedactor, Rule, luhn_valid

DEFAULT = PiiRedactor()

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\nabc+/=\n-----END RSA PRIVATE KEY-----"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contact ann.lee+shop@mail.example.co.uk now", "contact [REDACTED:email] now"),
        ("visa 4111 1111 1111 1111.", "visa [REDACTED:card]."),
        ("mc 5500-0000-0000-0004", "mc [REDACTED:card]"),
        ("amex 378282246310005", "amex [REDACTED:card]"),
        ("card=4012888888881881,", "card=[REDACTED:card],"),
        ("ssn 078-05-1120 ok", "ssn [REDACTED:ssn] ok"),
        ("ssn 219 09 9999", "ssn [REDACTED:ssn]"),
        ("key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED:aws_key] used"),
        ("sts ASIAY34FZKBOKMUTVV7A", "sts [REDACTED:aws_key]"),
        ("Authorization: Bearer abc.def-123_x", "Authorization: Bearer [REDACTED:credentials]"),
        (
            "authorization: basic dXNlcjpwYXNzd29yZA==",
            "authorization: basic [REDACTED:credentials]",
        ),
        (f"token {JWT} end", "token [REDACTED:jwt] end"),
        (
            "db postgres://app:s3cr3t@db.internal:5432/x",
            "db postgres://app:[REDACTED:password]@db.internal:5432/x",
        ),
        (f"key:\n{PEM}\ndone", "key:\n[REDACTED:private_key]\ndone"),
        (
            "GET /login?user=a&password=hunter2&x=1",
            "GET /login?user=a&password=[REDACTED:secret]&x=1",
        ),
        ('config api_key: "k-123 456"', 'config api_key: "[REDACTED:secret]"'),
    ],
)
def test_default_rules_redact(text: str, expected: str) -> None:
    assert DEFAULT.redact_text(text) == expected


FALSE_POSITIVES = [
    "2024-05-06T07:08:09.123456Z",
    "2024-05-06 07:08:09,123",
    "epoch ms 1714979289123 and ns 1714979289123456789",
    "request 9f0c1e2a-7b3d-4e5f-8a9b-0c1d2e3f4a5b",
    "uuid 12345678-1234-1234-1234-123456789012",
    "order ORD-2024-000123-4567 shipped",
    "order #4111111111111112",  # 16 digits failing Luhn
    "id 1234567812345678",  # fails Luhn
    "invoice 7992739871300001",  # passes Luhn but no card brand starts with 7
    "version 1.2.3.4 and v2024.05.06-rc1",
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "git 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "phone-like id 555-123-4567 and +1 (555) 123-4567",
    "ip 10.0.0.1 port 8080",
    "not ssn 000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000",
    "ssn needs separators 078051120 and the same ones 078-05 1120",
    "package foo@1.2.3 and user@localhost",
    "Bearer tokens are described in RFC 6750; Basic authentication too",
    "the password was changed",  # no value assigned
    "AKIA short AKIA1234",
    "amount 4111.11 and 5500.00",
    "prompt_tokens=512 max_tokens=1024",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_false_positive_corpus_passes_untouched(text: str) -> None:
    assert DEFAULT.redact_text(text) is text


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")


def test_optional_rules_are_off_by_default_and_can_be_enabled() -> None:
    text = "call +1 (555) 123-4567 from 192.168.1.20"
    assert DEFAULT.redact_text(text) == text
    enabled = PiiRedactor(enable=["phone", "ipv4"])
    assert enabled.redact_text(text) == "call [REDACTED:phone] from [REDACTED:ip]"
    assert enabled.redact_text("version 1.2.3 at 2024-05-06") == "version 1.2.3 at 2024-05-06"


def test_rules_can_be_disabled_replaced_and_extended() -> None:
    text = "ann@example.com 078-05-1120 EMP-12345"
    assert PiiRedactor(disable=["email"]).redact_text(text) == (
        "ann@example.com [REDACTED:ssn] EMP-12345"
    )
    assert (
        PiiRedactor(rules=["ssn"]).redact_text(text) == "ann@example.com [REDACTED:ssn] EMP-12345"
    )
    custom = PiiRedactor(extra_rules=[("employee", r"\bEMP-\d{5}\b")])
    assert custom.redact_text(text) == "[REDACTED:email] [REDACTED:ssn] [REDACTED:employee]"
    replaced = PiiRedactor(
        rules=[Rule("email", r"[\w.]+@[\w.]+", lambda m: m.split("@")[0][:1] + "***@…")]
    )
    assert replaced.redact_text(text).startswith("a***@… ")
    assert PiiRedactor(rules=[]).redact_text(text) is text


def test_configuration_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match=r"unknown PII rule 'emial'.*known rules: private_key"):
        PiiRedactor(disable=["emial"])
    with pytest.raises(ValueError, match="unknown PII rule 'fax'"):
        PiiRedactor(enable=["fax"])
    with pytest.raises(ValueError, match="'broken' has an invalid regex"):
        PiiRedactor(extra_rules=[("broken", "(unclosed")])


# --------------------------------------------------------------------------- key names


@pytest.mark.parametrize(
    "key",
    ["password", "PASSWORD", "db_password", "dbPassword", "X-Api-Key", "apiKey", "githubToken",
     "Authorization", "client_secret", "Set-Cookie", "aws_secret_access_key"],
)  # fmt: skip
def test_sensitive_keys(key: str) -> None:
    assert DEFAULT.is_sensitive_key(key)


@pytest.mark.parametrize(
    "key", ["max_tokens", "token_count", "passwordless", "author", "keyboard", "order_id", 3]
)
def test_keys_that_are_not_sensitive(key: object) -> None:
    assert not DEFAULT.is_sensitive_key(key)


def test_keys_can_be_replaced_and_extended() -> None:
    assert PiiRedactor(extra_keys=["dob"]).is_sensitive_key("customer_dob")
    only = PiiRedactor(keys=["pin"])
    assert only.is_sensitive_key("PIN") and not only.is_sensitive_key("password")


def test_nested_structures_are_redacted_without_mutating_the_input() -> None:
    value = {
        "user": {"email": "ann@example.com", "Password": {"old": "a", "new": "b"}},
        "items": [("note", "card 4111111111111111"), {"apiKey": "k"}],
        "tags": {"x"},
        "count": 3,
    }
    before = copy.deepcopy(value)
    result = DEFAULT.redact(value)
    assert result == {
        "user": {"email": "[REDACTED:email]", "Password": REDACTED},
        "items": [("note", "card [REDACTED:card]"), {"apiKey": REDACTED}],
        "tags": {"x"},
        "count": 3,
    }
    assert value == before
    assert result["tags"] is value["tags"]  # unchanged parts are shared, not copied


def test_unchanged_values_are_returned_as_is() -> None:
    value = {"a": ["b", {"c": 1}]}
    assert DEFAULT.redact(value) is value


def test_objects_are_redacted_through_the_converter() -> None:
    class Customer:
        email = "ann@example.com"

    converted = DEFAULT.redact(Customer(), convert=lambda o: {"email": o.email})
    assert converted == {"email": "[REDACTED:email]"}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_redaction_never_raises_and_is_stable(text: str) -> None:
    once = DEFAULT.redact_text(text)
    assert DEFAULT.redact_text(once) == once


# --------------------------------------------------------------------------- filter and formatter


def record_with(msg: str, args: Any = None, **extra: Any) -> logging.LogRecord:
    return logging.getLogger("pii").makeRecord(
        "pii", logging.INFO, __file__, 1, msg, args, None, extra=extra
    )


def test_pii_filter_replaces_message_extras_and_exception_text() -> None:
    payload = {"email": "ann@example.com", "secret": "s"}
    before = copy.deepcopy(payload)
    try:
        raise ValueError("bad card 4111 1111 1111 1111")
    except ValueError:
        record = logging.getLogger("pii").makeRecord(
            "pii", logging.ERROR, __file__, 1, "user %s", ("ann@example.com",), sys.exc_info(),
            extra={"payload": payload, "api_key": "k"},
        )  # fmt: skip
    assert PiiFilter().filter(record) is True
    assert record.getMessage() == "user [REDACTED:email]"
    assert record.payload == {"email": "[REDACTED:email]", "secret": REDACTED}
    assert record.api_key == REDACTED
    assert payload == before
    text = logging.Formatter("%(message)s").format(record)
    assert "4111" not in text and "[REDACTED:card]" in text
    out = json.loads(JsonFormatter().format(record))
    assert out["errorMessage"] == "bad card [REDACTED:card]"
    assert not any("4111" in line for line in out["stackTrace"])


def test_pii_filter_on_a_handler() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiFilter(PiiRedactor(disable=["email"])))
    logger = logging.getLogger("test_pii.handler")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("ann@example.com ssn %s", "078-05-1120")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "ann@example.com ssn [REDACTED:ssn]\n"


def test_formatter_redacts_everything_but_ids_and_core_keys() -> None:
    clear()
    try:
        raise RuntimeError("password=abc123 leaked\n" + PEM)
    except RuntimeError:
        info = sys.exc_info()
    record = logging.getLogger("pii").makeRecord(
        "pii", logging.ERROR, __file__, 1, "from ann@example.com", None, info,
        extra={"nested": {"authorization": "Bearer x", "note": "078-05-1120"}},
    )  # fmt: skip
    with correlation(request_id="ann@example.com", customer="bob@example.com"):
        out = json.loads(JsonFormatter(redact=True).format(record))
    clear()
    assert out["message"] == "from [REDACTED:email]"
    assert out["requestId"] == "ann@example.com"  # ids are the caller's to choose, never rewritten
    assert out["customer"] == "[REDACTED:email]"
    assert out["nested"] == {"authorization": REDACTED, "note": "[REDACTED:ssn]"}
    assert out["errorMessage"].startswith("password=[REDACTED:secret] leaked")
    assert "PRIVATE KEY" not in json.dumps(out["stackTrace"])
    assert "[REDACTED:private_key]" in out["stackTrace"]


def test_formatter_accepts_a_configured_redactor() -> None:
    formatter = JsonFormatter(redact=PiiRedactor(rules=["ssn"], keys=[]))
    out = json.loads(formatter.format(record_with("ann@example.com 078-05-1120", password="p")))
    assert out["message"] == "ann@example.com [REDACTED:ssn]" and out["password"] == "p"


def test_dict_arguments_are_redacted_before_rendering() -> None:
    user = {"name": "ann", "password": "hunter2"}
    record = record_with("user %s", (user,))
    out = json.loads(JsonFormatter(redact=True).format(record))
    assert out["message"] == "user {'name': 'ann', 'password': '[REDACTED]'}"
    PiiFilter().filter(record)
    assert record.getMessage() == "user {'name': 'ann', 'password': '[REDACTED]'}"
    assert user == {"name": "ann", "password": "hunter2"}


def test_options_from_dictconfig_style_mappings() -> None:
    configurator = logging.config.DictConfigurator({"version": 1})
    formatter = configurator.configure_formatter(
        {
            "()": "cw_logging.formatter.JsonFormatter",
            "redact": {"disable": ["email"], "extra_rules": [["emp", r"EMP-\d{5}"]]},
        }
    )
    out = json.loads(formatter.format(record_with("ann@example.com EMP-12345")))
    assert out["message"] == "ann@example.com [REDACTED:emp]"
    pii_filter = configurator.configure_filter(
        {"()": "cw_logging.pii.PiiFilter", "extra_keys": ["dob"]}
    )
    record = record_with("x", customer_dob="1990-01-01")
    pii_filter.filter(record)
    assert record.customer_dob == REDACTED
    with pytest.raises(ValueError, match="either a PiiRedactor or its options"):
        PiiFilter(PiiRedactor(), disable=["email"])


def test_repeated_texts_give_the_same_answers() -> None:
    redactor = PiiRedactor()
    for _ in range(2):
        assert redactor.redact_text("ann@example.com") == "[REDACTED:email]"
        text = "".join(["sku", "-1"])  # a fresh object each round
        assert redactor.redact_text(text) is text
    many = [f"mail u{i}@example.com" for i in range(5000)]  # more than the cache holds
    assert {redactor.redact_text(t) for t in many} == {"mail [REDACTED:email]"}
