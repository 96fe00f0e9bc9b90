"""Hypothesis properties for the parsers at Homeward's edges (security baseline REL-5).

- People search's name normaliser (people/search.py): any text in, lower-case ASCII tokens out, never
  an error; accents, case and Mc/Mac do not change what is found; a person is always found by their
  own name.
- The report and export commands' date option (insights/commands.py) and the report filter forms
  (insights/forms.py): any text in, a date or a precise refusal out, never a crash.
- Reporting periods (insights/periods.py): quarters and "the previous period" tile the calendar.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.identity.models import District
from homeward.insights.commands import parse_date
from homeward.insights.forms import MeasuresFilter, QuarterlyFilter, WeeklyFilter
from homeward.insights.periods import Period, add_months, between, quarter
from homeward.people.search import SearchQuery, _family_forms, _query_keys, _tokens, search_keys_for

BOUNDED = settings(max_examples=200, deadline=None, derandomize=True)
TODAY = dt.date(2026, 6, 15)

names = st.from_regex(r"[A-Z][a-z]{1,12}", fullmatch=True)
any_text = st.text(max_size=100)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


# --- Search query normalisation --------------------------------------------------------------------


@BOUNDED
@given(any_text)
def test_names_normalise_to_lower_case_ascii_tokens(text: str) -> None:
    tokens = _tokens(text)
    assert all(re.fullmatch(r"[a-z]+", t) for t in tokens)
    # Normalising again changes nothing.
    assert _tokens(" ".join(tokens)) == tokens


@BOUNDED
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=60))
def test_case_does_not_matter(text: str) -> None:
    assert _tokens(text.upper()) == _tokens(text.lower()) == _tokens(text)


@BOUNDED
@given(names, st.lists(st.sampled_from(["\u0301", "\u0300", "\u0308", "\u0327", "\u0303"]), min_size=1))
def test_accents_do_not_matter(name: str, marks: list[str]) -> None:
    accented = unicodedata.normalize("NFC", name[0] + "".join(marks) + name[1:])
    assert _tokens(accented) == _tokens(name)


@BOUNDED
@given(st.from_regex(r"[a-z]{1,10}", fullmatch=True))
def test_mc_and_mac_are_one_surname(rest: str) -> None:
    assert _family_forms("Mc" + rest.title()) == _family_forms("Mac" + rest.title())


@BOUNDED
@given(names, names, dates, st.booleans())
def test_a_person_is_found_by_their_own_name(
    given_name: str, family_name: str, born: dt.date, year: bool
) -> None:
    keys = search_keys_for(given_name, family_name, born, [])
    query = SearchQuery(
        given_name=given_name, family_name=family_name, birth_year=born.year if year else None
    )
    assert keys & set(_query_keys(query, TODAY))
    # Typed the other way round (surname in the first-name box) too.
    swapped = SearchQuery(
        given_name=family_name, family_name=given_name, birth_year=born.year if year else None
    )
    assert keys & set(_query_keys(swapped, TODAY))


@BOUNDED
@given(
    any_text,
    any_text,
    st.none() | st.integers(1900, 2100),
    st.none() | st.integers(1, 12),
    st.none() | st.integers(1, 31),
    st.none() | st.integers(0, 120),
)
def test_any_query_within_the_api_limits_gives_bounded_keys(
    given_name: str, family_name: str, year: int | None, month: int | None, day: int | None, age: int | None
) -> None:
    query = SearchQuery(given_name, family_name, year, month, day, age)
    keys = _query_keys(query, TODAY)
    assert all(isinstance(k, str) and ":" in k for k in keys)
    assert all(weight > 0 for weight in keys.values())


# --- Dates typed into commands and report filters ---------------------------------------------------


@BOUNDED
@given(dates)
def test_the_command_date_option_reads_back_an_iso_date(day: dt.date) -> None:
    assert parse_date("--from", day.isoformat()) == day


@BOUNDED
@given(st.none() | any_text)
def test_the_command_date_option_gives_a_date_or_a_precise_refusal(raw: str | None) -> None:
    try:
        parsed = parse_date("--from", raw)
    except CommandError as exc:
        assert "--from" in str(exc)
    else:
        assert isinstance(parsed, dt.date)


def _iso(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007 (a date, not a time)
    except ValueError:
        return None


@BOUNDED
@given(st.one_of(dates.map(dt.date.isoformat), any_text), st.one_of(dates.map(dt.date.isoformat), any_text))
def test_the_measures_filter_accepts_exactly_real_ordered_dates(first: str, last: str) -> None:
    form = MeasuresFilter({"from": first, "to": last}, districts=District.objects.none(), force_wide=True)
    a, b = _iso(first), _iso(last)
    assert form.is_valid() == (a is not None and b is not None and b >= a)
    if form.is_valid():
        assert form.cleaned_data["date_from"] == a and form.cleaned_data["date_to"] == b
    else:
        # Every refusal is a message beside a field, never an exception.
        assert form.errors


@BOUNDED
@given(st.one_of(dates.map(dt.date.isoformat), any_text))
def test_the_weekly_filter_never_crashes(as_of: str) -> None:
    form = WeeklyFilter({"as_of": as_of}, districts=District.objects.none(), force_wide=True)
    assert form.is_valid() == (_iso(as_of) is not None)


@BOUNDED
@given(st.one_of(st.integers(1990, 2110).map(str), any_text), st.one_of(st.sampled_from("12345"), any_text))
def test_the_quarterly_filter_gives_a_real_quarter_or_an_error(year: str, number: str) -> None:
    form = QuarterlyFilter(
        {"year": year, "quarter": number}, districts=District.objects.none(), force_wide=True
    )
    if form.is_valid():
        period = quarter(form.cleaned_data["year"], int(form.cleaned_data["quarter"]))
        assert 2000 <= period.first.year <= 2100 and 90 <= period.days <= 92
    else:
        assert form.errors


# --- Periods ---------------------------------------------------------------------------------------


@BOUNDED
@given(st.integers(2000, 2100), st.integers(1, 4))
def test_quarters_tile_the_year(year: int, number: int) -> None:
    period = quarter(year, number)
    assert period.is_whole_months
    before = period.previous()
    assert before.last + dt.timedelta(days=1) == period.first
    assert before == (quarter(year, number - 1) if number > 1 else quarter(year - 1, 4))


@BOUNDED
@given(dates, st.integers(0, 800))
def test_the_previous_period_ends_the_day_before_and_is_as_long(first: dt.date, length: int) -> None:
    last = first + dt.timedelta(days=length)
    period = between(first, last)
    before = period.previous()
    assert before.last == first - dt.timedelta(days=1)
    if period.is_whole_months:
        assert before.is_whole_months
    else:
        assert before.days == period.days


@BOUNDED
@given(dates, st.integers(-240, 240))
def test_adding_months_keeps_the_day_or_clips_to_the_month_end(day: dt.date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + dt.timedelta(days=1)).day == 1)


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        Period(dt.date(2026, 1, 2), dt.date(2026, 1, 1))
