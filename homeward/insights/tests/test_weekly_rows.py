"""The weekly page's rows, built in Python: escaped, linked, and in local time like the old template."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from homeward.insights.weekly import EpisodeRow, MostFrequentRow
from homeward.insights.weekly_rows import WeeklyRows

SUMMER = dt.datetime(2025, 7, 1, 22, 30, tzinfo=dt.UTC)  # 23:30 British Summer Time
WINTER = dt.datetime(2025, 12, 1, 9, 5, tzinfo=dt.UTC)  # 09:05 GMT


def test_a_most_frequent_row_links_escapes_and_shows_local_time():
    row = MostFrequentRow(
        rank=2,
        person_id=41,
        name="Amy <b>O'Neil</b>",
        episodes=3,
        latest_reported_at=SUMMER,
        latest_episode_id=7,
        latest_reference="MP/25/7",
        age=None,
        district="North & East",
        looked_after=True,
        markers=["cse", "<x>"],
    )
    html = WeeklyRows().most_frequent(row)
    assert html.startswith('<tr class="govuk-table__row" data-person="41">')
    assert f'href="{reverse("person_detail", args=[41])}">Amy &lt;b&gt;O&#x27;Neil&lt;/b&gt;</a>' in html
    assert f'href="{reverse("episode_detail", args=[7])}">MP/25/7</a> 1 Jul 2025 23:30' in html
    assert ">unknown<" in html and ">North &amp; East<" in html and ">Yes<" in html
    assert "cse, &lt;x&gt;" in html and "<b>" not in html


def test_an_episode_row_shows_still_missing_the_place_and_out_of_area():
    row = EpisodeRow(
        episode_id=9,
        reference="MP/25/9",
        person_id=5,
        name="Ben Hall",
        reported_at=WINTER,
        found_at=None,
        status="active",
        age=15,
        is_child=True,
        district="South",
        looked_after=True,
        missing_from="",
        missing_from_category="childrens_home",
        placing_authority="Council <C>",
        out_of_area=True,
        markers=[],
    )
    html = WeeklyRows().episode_log(row)
    assert 'data-episode="9"' in html
    assert ">1 Dec 2025 09:05<" in html and ">Still missing<" in html and ">15<" in html
    assert ">childrens_home<" in html  # no place name: the category, as before
    assert ">Council &lt;C&gt; (out of area)<" in html
