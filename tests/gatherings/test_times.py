"""Times of gatherings: local times in IANA zones, DST refusals, labels in the viewer's zone,
and a series keeping its wall-clock time across a clock change (pure: no app)."""
from datetime import date, datetime, timedelta

import pytest

from app.gatherings import times


def test_a_local_time_becomes_utc_in_winter_and_in_summer():
    assert times.to_utc(datetime(2027, 1, 14, 18, 0), "America/New_York") == datetime(2027, 1, 14, 23, 0)
    assert times.to_utc(datetime(2027, 7, 14, 18, 0), "America/New_York") == datetime(2027, 7, 14, 22, 0)
    assert times.to_utc(datetime(2027, 1, 14, 18, 0), "Asia/Kolkata") == datetime(2027, 1, 14, 12, 30)


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message():
    # 14 March 2027, 02:00 -> 03:00 in New York.
    with pytest.raises(times.LocalTimeError) as refused:
        times.to_utc(datetime(2027, 3, 14, 2, 30), "America/New_York")
    assert "does not exist in New York" in str(refused.value)
    assert "clocks go forward" in str(refused.value)


def test_a_time_that_happens_twice_is_refused_with_a_clear_message():
    # 31 October 2027, 03:00 -> 02:00 in Berlin: 02:30 happens twice.
    with pytest.raises(times.LocalTimeError) as refused:
        times.to_utc(datetime(2027, 10, 31, 2, 30), "Europe/Berlin")
    assert "happens twice in Berlin" in str(refused.value)
    # The hours either side are fine.
    assert times.to_utc(datetime(2027, 10, 31, 1, 30), "Europe/Berlin") == datetime(2027, 10, 30, 23, 30)
    assert times.to_utc(datetime(2027, 10, 31, 3, 30), "Europe/Berlin") == datetime(2027, 10, 31, 2, 30)


def test_unknown_zones_are_no_zones():
    assert not times.is_zone("Mars/Olympus_Mons")
    assert not times.is_zone("")
    assert times.is_zone("America/Argentina/Buenos_Aires")
    with pytest.raises(ValueError):
        times.zone("../../etc/passwd")


def test_the_label_names_the_gatherings_zone_and_the_viewers_own_time():
    start = datetime(2026, 12, 3, 23, 0)  # 18:00 in New York, midnight in Berlin
    label = times.label(start, "America/New_York", "Europe/Berlin", place="Hartford")
    assert label.there == "Thu 3 Dec, 18:00 in Hartford (EST)"
    assert label.yours == "Fri 4 Dec, 00:00 your time (CET)"
    assert str(label) == "Thu 3 Dec, 18:00 in Hartford (EST) · Fri 4 Dec, 00:00 your time (CET)"


def test_the_same_clock_elsewhere_adds_nothing_and_zones_without_letters_read_as_offsets():
    start = datetime(2026, 12, 3, 17, 0)
    assert times.label(start, "Europe/Berlin", "Europe/Paris").yours == ""
    label = times.label(start, "Europe/Berlin", "America/Sao_Paulo")
    assert label.yours == "14:00 your time (UTC−3)"
    assert times.label(start, "Asia/Kathmandu").there == "Thu 3 Dec, 22:45 in Kathmandu (UTC+5:45)"


def test_a_weekly_series_keeps_its_local_time_across_the_clock_change():
    # Weekly at 18:00 in New York from 4 March 2027: the clocks go forward on 14 March.
    slots = times.occurrences(datetime(2027, 3, 4, 18, 0), timedelta(hours=1), "America/New_York",
                              "weekly", 4)
    assert [start for start, _ in slots] == [
        datetime(2027, 3, 4, 23, 0), datetime(2027, 3, 11, 23, 0),  # EST, UTC-5
        datetime(2027, 3, 18, 22, 0), datetime(2027, 3, 25, 22, 0),  # EDT, UTC-4
    ]
    for start, end in slots:
        local = times.to_local(start, "America/New_York")
        assert (local.hour, local.minute) == (18, 0)
        assert end - start == timedelta(hours=1)


def test_monthly_series_fall_on_the_same_weekday_of_the_month():
    # 9 February 2027 is the second Tuesday.
    assert times.series_dates(date(2027, 2, 9), "monthly", 4) == [
        date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11)]
    assert times.monthly_rule_label(date(2027, 2, 9)) == "the second Tuesday of each month"
    # A date in the fifth week means the last such weekday.
    assert times.series_dates(date(2027, 3, 30), "monthly", 3) == [
        date(2027, 3, 30), date(2027, 4, 27), date(2027, 5, 25)]


def test_every_two_weeks_and_the_limit_of_a_series():
    assert times.series_dates(date(2027, 1, 5), "fortnightly", 3) == [
        date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2)]
    assert len(times.series_dates(date(2027, 1, 5), "weekly", 500)) == times.MAX_OCCURRENCES


def test_a_later_occurrence_on_a_skipped_hour_moves_forward_instead_of_failing():
    # Weekly at 02:30 from 7 March 2027: 14 March 02:30 does not exist in New York.
    slots = times.occurrences(datetime(2027, 3, 7, 2, 30), timedelta(hours=1), "America/New_York",
                              "weekly", 2)
    second = times.to_local(slots[1][0], "America/New_York")
    assert (second.month, second.day, second.hour, second.minute) == (3, 14, 3, 30)
