"""Stream name templates: placeholders, the record's own date and logger, CloudWatch's rules."""

from __future__ import annotations

import calendar
import logging
import os
import socket

import pytest

from cw_logging import ConfigurationError
from cw_logging._limits import validate_log_stream_name
from cw_logging.delivery._naming import StreamNamer


def _record(name: str = "app", created: float | None = None) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, "m", None, None)
    if created is not None:
        record.created = created
    return record


def test_default_template_names_host_and_process() -> None:
    assert StreamNamer().name_for(_record()) == f"{socket.gethostname()}-{os.getpid()}"


def test_date_comes_from_the_record_not_the_clock() -> None:
    leap_day = calendar.timegm((2024, 2, 29, 23, 59, 59))
    next_day = leap_day + 1
    namer = StreamNamer("{date}/{logger}")
    assert namer.name_for(_record("a.b", leap_day)) == "2024-02-29/a.b"
    assert namer.name_for(_record("a.b", next_day)) == "2024-03-01/a.b"
    assert namer.name_for(_record("c", leap_day)) == "2024-02-29/c"


def test_program_placeholder_uses_the_script_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["/srv/app/worker.py", "--flag"])
    assert StreamNamer("{program}").name_for(_record()) == "worker.py"


@pytest.mark.parametrize(
    ("logger_name", "expected"),
    [("db:primary", "x-db_primary"), ("a*b", "x-a_b"), ("a" * 600, "x-" + "a" * 510)],
)
def test_rendered_names_follow_cloudwatch_rules(logger_name: str, expected: str) -> None:
    name = StreamNamer("x-{logger}").name_for(_record(logger_name))
    assert name == expected
    assert validate_log_stream_name(name) == name


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("", "non-empty"),
        ("{host}", "placeholders"),
        ("{pid:>8}", "format specs"),
        ("{pid!r}", "format specs"),
        ("{0}", "placeholders"),
        ("{", "literal braces"),
    ],
)
def test_bad_templates_are_refused(template: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        StreamNamer(template)
    assert fragment in str(caught.value)
