"""Local-day periods: bounds at local midnight, right across both clock changes of 2025."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.insights.periods import Period, between, last_weeks, month_to_date, quarter
from homeward.insights.tests.builders import utc

D = dt.date


def test_last_week_ending_on_the_spring_clock_change_is_one_hour_short():
    # As of Sunday 30 March 2025 (clocks go forward at 01:00 GMT), last 1 week = 24–30 March local.
    p = last_weeks(D(2025, 3, 30), 1)
    assert (p.first, p.last) == (D(2025, 3, 24), D(2025, 3, 30))
    assert p.start == utc(2025, 3, 24, 0)  # local midnight in GMT = 00:00 UTC
    assert p.end == utc(2025, 3, 30, 23)  # local midnight of 31 March is BST = 23:00 UTC on the 30th
    assert p.end - p.start == dt.timedelta(hours=7 * 24 - 1)


def test_last_week_ending_on_the_autumn_clock_change_is_one_hour_long():
    # As of Sunday 26 October 2025 (clocks go back at 02:00 BST): 20–26 October local.
    p = last_weeks(D(2025, 10, 26), 1)
    assert p.start == utc(2025, 10, 19, 23)  # 20 Oct 00:00 BST
    assert p.end == utc(2025, 10, 27, 0)  # 27 Oct 00:00 GMT
    assert p.end - p.start == dt.timedelta(hours=7 * 24 + 1)


def test_three_and_twelve_weeks_are_21_and_84_days_ending_on_d():
    assert last_weeks(D(2025, 3, 30), 3).first == D(2025, 3, 10)  # 30 − 21 + 1
    assert last_weeks(D(2025, 3, 30), 12).first == D(2025, 1, 6)  # 30 Mar − 84 days + 1
    assert last_weeks(D(2025, 3, 30), 12).days == 84


def test_month_to_date_and_quarters():
    assert month_to_date(D(2025, 3, 30)) == Period(D(2025, 3, 1), D(2025, 3, 30))
    assert quarter(2025, 1) == Period(D(2025, 1, 1), D(2025, 3, 31))
    assert quarter(2024, 4) == Period(D(2024, 10, 1), D(2024, 12, 31))
    with pytest.raises(ValueError):
        quarter(2025, 5)


def test_previous_equivalent_period():
    # 7 days → the 7 days before.
    assert between(D(2025, 10, 20), D(2025, 10, 26)).previous() == Period(D(2025, 10, 13), D(2025, 10, 19))
    # A whole quarter → the whole quarter before (92 days ≠ 90 days: months, not days).
    assert quarter(2025, 3).previous() == quarter(2025, 2)
    assert quarter(2025, 1).previous() == quarter(2024, 4)
    # A whole month → the previous whole month, February included.
    assert between(D(2025, 3, 1), D(2025, 3, 31)).previous() == Period(D(2025, 2, 1), D(2025, 2, 28))
    # Month to date is not whole months → same number of days (30) before.
    assert month_to_date(D(2025, 3, 30)).previous() == Period(D(2025, 1, 30), D(2025, 2, 28))


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        between(D(2025, 3, 2), D(2025, 3, 1))
