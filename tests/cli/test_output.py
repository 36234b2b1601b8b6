"""Tables, CSV, colours, progress and time arguments, on their own."""

from __future__ import annotations

import argparse
import io
from datetime import datetime, timedelta, timezone

import pytest

from cw_logging.cli._argtypes import (
    parse_duration,
    parse_since,
    per_second,
    positive_int,
    seconds,
    share,
)
from cw_logging.cli._output import Progress, Style, number_column, render_csv, render_table


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_aligns_columns_and_right_aligns_numbers() -> None:
    text = render_table(("NAME", "N", "NOTE"), [("a", 5, "x"), ("longer", 1234, None)], right=(1,))
    assert text.splitlines() == [
        "NAME       N  NOTE",
        "a          5  x",
        "longer  1234",
    ]


def test_csv_quotes_and_dates() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=timezone.utc)
    text = render_csv(("a", "b"), [('x,"y"', moment), (None, 1)])
    assert text == 'a,b\n"x,""y""",2026-01-02T03:04:05.006Z\n,1\n'


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert Style(Terminal()).level("ERROR") == "\x1b[31mERROR\x1b[0m"
    assert Style(io.StringIO()).level("ERROR") == "ERROR"
    monkeypatch.setenv("NO_COLOR", "")
    assert Style(Terminal()).level("ERROR") == "ERROR"
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not Style(Terminal()).enabled


def test_progress_appears_only_on_a_terminal_after_the_delay() -> None:
    now = [0.0]
    terminal = Terminal()
    with Progress("work", total=10, stream=terminal, clock=lambda: now[0]) as progress:
        progress.update(3)
        assert terminal.getvalue() == ""  # quick work: nothing drawn
        now[0] = 2.5
        progress.update(5)
        assert "work [############............]  50% 5/10" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K")  # erased when done

    piped = io.StringIO()
    with Progress("work", total=10, stream=piped, clock=lambda: now[0]) as quiet:
        now[0] = 100.0
        quiet.update(5)
    assert piped.getvalue() == ""


def test_progress_without_total_shows_elapsed_time() -> None:
    assert Progress("query running", stream=io.StringIO()).render(3.25) == "query running   3.2s"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("10m", 600), ("2h", 7200), ("1h30m", 5400), ("1w", 604800)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "10", "m", "-5m", "0s", "10 parsecs"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)


def test_since_accepts_durations_and_iso_times() -> None:
    before = datetime.now(timezone.utc)
    assert before - timedelta(minutes=10, seconds=5) < parse_since("10m") <= before
    assert parse_since("2026-01-31T12:00:00Z") == datetime(2026, 1, 31, 12, tzinfo=timezone.utc)
    assert parse_since("2026-01-31T12:00:00") == datetime(2026, 1, 31, 12, tzinfo=timezone.utc)
    assert parse_since("2026-01-31T13:00:00+01:00") == datetime(
        2026, 1, 31, 12, tzinfo=timezone.utc
    )
    with pytest.raises(argparse.ArgumentTypeError):
        parse_since("yesterday")


def test_positive_int() -> None:
    assert positive_int("3") == 3
    for bad in ("0", "-1", "x", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_int(bad)


def test_number_columns_are_rounded_to_one_number_of_decimals() -> None:
    assert number_column(["21.511326860841425", "3", None, "1200.5"]) == [
        "21.51",
        "3.00",
        "",
        "1200.50",
    ]
    assert number_column(["0.000123456", "0.5"]) == ["0.000123", "0.500000"]
    assert number_column(["0.0123", "-0.5"]) == ["0.0123", "-0.5000"]
    assert number_column(["1.5e-07"]) == ["0.000000"]  # below the 6 decimals shown
    assert number_column(["12", "7", 3]) == ["12", "7", "3"]  # whole numbers stay as they are
    assert number_column(["12", "n/a"]) is None
    assert number_column(["1234e5"]) is None  # an id, not a number
    assert number_column(["", None]) is None
    assert number_column([True]) is None


def test_tables_with_numbers_align_them_right() -> None:
    text = render_table(
        ("service", "avg", "n", "note"),
        [("api", "21.511326860841425", "3", "ok"), ("payments", "1200", "12", "x")],
        numbers=True,
    )
    assert text.splitlines() == [
        "service       avg   n  note",
        "api         21.51   3  ok",
        "payments  1200.00  12  x",
    ]


def test_a_since_in_the_future_is_refused() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is in the future"):
        parse_since((datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat())
    assert parse_since("1s") < datetime.now(timezone.utc)


def test_numbers_name_their_unit() -> None:
    assert (seconds("0.5"), per_second("20"), share("0"), share("1")) == (0.5, 20.0, 0.0, 1.0)
    for parse, bad, unit in (
        (seconds, "0", "seconds"),
        (seconds, "inf", "seconds"),
        (per_second, "-1", "requests per second"),
        (per_second, "x", "requests per second"),
    ):
        with pytest.raises(argparse.ArgumentTypeError, match=f"number of {unit} greater than 0"):
            parse(bad)
    for bad in ("1.5", "-0.1", "nan", "x"):
        with pytest.raises(argparse.ArgumentTypeError, match="share between 0 and 1"):
            share(bad)
