from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.query import TimeRange
from cw_logging.query._timerange import as_time_range, parse_service_timestamp, to_utc

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")


def test_aware_datetimes_in_any_zone_become_utc() -> None:
    start = datetime(2024, 7, 1, 12, 0, tzinfo=PARIS)  # CEST, UTC+2
    end = datetime(2024, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=-4)))
    span = TimeRange.between(start, end)
    assert span.start == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    assert span.end == datetime(2024, 7, 1, 13, 30, tzinfo=UTC)
    assert span.start.utcoffset() == timedelta(0)
    assert span.duration == timedelta(hours=3, minutes=30)


def test_naive_datetime_is_refused_without_a_zone() -> None:
    with pytest.raises(ConfigurationError, match=r"naive datetime .* tz="):
        TimeRange.between(datetime(2024, 1, 1), datetime(2024, 1, 2))
    with pytest.raises(ConfigurationError, match="naive"):
        TimeRange(datetime(2024, 1, 1), datetime(2024, 1, 2, tzinfo=UTC))


def test_naive_datetime_is_read_in_the_given_zone() -> None:
    span = TimeRange.between(datetime(2024, 1, 1, 12), datetime(2024, 1, 1, 13), tz=PARIS)
    assert span.start == datetime(2024, 1, 1, 11, tzinfo=UTC)  # CET, UTC+1 in winter


def test_start_after_end_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="after it ends"):
        TimeRange.between(datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC))


def test_last_ends_at_now_and_combines_units() -> None:
    now = datetime(2024, 5, 5, 10, 0, tzinfo=UTC)
    span = TimeRange.last(hours=1, minutes=30, now=now)
    assert span.end == now
    assert span.start == datetime(2024, 5, 5, 8, 30, tzinfo=UTC)
    assert TimeRange.last(days=2, now=now).start == datetime(2024, 5, 3, 10, tzinfo=UTC)


def test_last_without_a_duration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="positive duration"):
        TimeRange.last()


def test_last_uses_the_real_clock_by_default() -> None:
    before = datetime.now(UTC)
    span = TimeRange.last(minutes=5)
    after = datetime.now(UTC)
    assert before <= span.end <= after
    assert span.duration == timedelta(minutes=5)


def test_epoch_seconds_round_outwards() -> None:
    span = TimeRange.from_epoch_millis(1_700_000_000_250, 1_700_000_100_750)
    assert span.epoch_seconds() == (1_700_000_000, 1_700_000_101)
    assert span.epoch_millis() == (1_700_000_000_250, 1_700_000_100_750)


def test_epoch_seconds_constructor_and_whole_seconds_stay_exact() -> None:
    span = TimeRange.from_epoch_seconds(1_700_000_000, 1_700_003_600)
    assert span.epoch_seconds() == (1_700_000_000, 1_700_003_600)
    assert span.epoch_millis() == (1_700_000_000_000, 1_700_003_600_000)
    assert span.start == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_epoch_constructors_refuse_non_numbers() -> None:
    with pytest.raises(ConfigurationError, match="epoch timestamp"):
        TimeRange.from_epoch_seconds("1700000000", 1_700_000_001)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="epoch timestamp"):
        TimeRange.from_epoch_millis(True, 5)


def test_around_and_clip_end() -> None:
    moment = datetime(2024, 1, 1, 12, tzinfo=UTC)
    span = TimeRange.around(moment, timedelta(minutes=10))
    radius = timedelta(minutes=10)
    assert (span.start, span.end) == (moment - radius, moment + radius)
    clipped = span.clip_end(moment)
    assert clipped.end == moment and clipped.start == span.start
    assert span.clip_end(moment + timedelta(hours=1)) is span


def test_as_time_range_accepts_timedelta_and_refuses_other_types() -> None:
    span = as_time_range(timedelta(minutes=30))
    assert span.duration == timedelta(minutes=30)
    with pytest.raises(ConfigurationError, match="TimeRange or a timedelta"):
        as_time_range(3600)  # type: ignore[arg-type]


def test_to_utc_refuses_non_datetimes() -> None:
    with pytest.raises(ConfigurationError, match="expected a datetime"):
        to_utc("2024-01-01")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-04 05:06:07.089", datetime(2024, 3, 4, 5, 6, 7, 89_000, tzinfo=UTC)),
        ("2024-03-04 05:06:07", datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("1709528767089", datetime(2024, 3, 4, 5, 6, 7, 89_000, tzinfo=UTC)),
        ("2024-03-04T06:06:07.089+01:00", datetime(2024, 3, 4, 5, 6, 7, 89_000, tzinfo=UTC)),
        ("not a time", None),
    ],
)
def test_parse_service_timestamp(text: str, expected: datetime | None) -> None:
    assert parse_service_timestamp(text) == expected


def test_epoch_seconds_that_look_like_milliseconds_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="looks like milliseconds"):
        TimeRange.from_epoch_seconds(1_700_000_000_000, 1_700_000_100_000)
