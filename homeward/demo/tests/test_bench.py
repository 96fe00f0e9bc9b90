"""`homeward bench`: the report pages, their CSV downloads and the report commands are timed for real
(every one answers, as the police analyst), and the summary flags what is over the 200 ms target."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from homeward.conftest import make_user
from homeward.demo.management.commands.bench import Command, _report_dates
from homeward.episodes.models import Episode
from homeward.identity.roles import Role
from homeward.insights.tests.builders import episode, local, person

PAGES = {
    "weekly",
    "measures_year",
    "quarterly",
    "rolling_average",
    "problem_profile_quarter",
    "national_returns_mpdr_year",
    "national_returns_lac_year",
}


@pytest.fixture
def small_world(world):
    make_user("ann_analyst", world.force, Role.ANALYST)
    lia = person(world, "Lia", dob=dt.date(2010, 6, 1), looked_after=True)
    dan = person(world, "Dan", dob=dt.date(1980, 1, 1), sex="male")
    for when in (local(2025, 5, 3), local(2025, 11, 20), local(2026, 2, 14)):
        episode(world, lia, when, category="childrens_home")
    episode(world, dan, local(2026, 5, 2, 9), found_after=None)  # the last report: as of 2 May 2026
    Episode.objects.filter(person=lia).update(placing_authority=world.council_b)
    return world


def test_report_dates_follow_the_last_report(small_world):
    dates = _report_dates()
    assert dates is not None
    assert dates.as_of == dt.date(2026, 5, 2) and dates.year_first == dt.date(2025, 5, 3)
    assert (dates.month_first, dates.month_last) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert (dates.quarter_first, dates.quarter_last) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert (dates.quarter_year, dates.quarter) == (2026, 1)
    assert dates.financial_year == 2025 and dates.authority == small_world.council_b


def test_report_pages_and_commands_are_timed(small_world):
    dates = _report_dates()
    assert dates is not None
    command = Command(stdout=io.StringIO())
    pages = command._report_pages(2, dates)  # raises SystemExit if a page or a download fails
    assert pages["user"] == "ann_analyst" and pages["target_median_ms"] == 200
    assert set(pages["pages"]) == PAGES
    for figures in pages["pages"].values():
        for key in ("page_p50_ms", "page_p95_ms", "csv_p50_ms", "csv_p95_ms"):
            assert figures[key] > 0
    assert pages["pages"]["national_returns_mpdr_year"]["url"] == (
        "/reports/national-returns/?return=mpdr&year=2025"
    )
    cli = command._report_cli(2, dates)
    assert set(cli["median_ms"]) == {
        "weekly",
        "measures",
        "quarterly",
        "problem-profile",
        "mpdr",
        "lac-return",
    }
    assert all(ms > 0 for ms in cli["median_ms"].values())


def test_summary_flags_what_is_over_the_target():
    out = io.StringIO()
    figures = {"page_p50_ms": 250.0, "page_p95_ms": 300.0, "csv_p50_ms": 90.0, "csv_p95_ms": 120.0}
    Command(stdout=out)._summary(
        {
            "report_pages": {
                "user": "analyst",
                "as_of": "2026-05-02",
                "repeats": 3,
                "target_median_ms": 200,
                "pages": {"weekly": figures},
            },
            "report_cli": {
                "repeats": 3,
                "target_median_ms": 200,
                "median_ms": {"mpdr": 80.0, "weekly": 210.0},
            },
        }
    )
    text = out.getvalue()
    assert "weekly" in text and "250.0" in text and "OVER TARGET (page)" in text
    assert [line for line in text.splitlines() if "mpdr" in line and "OVER" not in line]
    assert [
        line
        for line in text.splitlines()
        if line.strip().startswith("weekly") and "210.0  OVER TARGET" in line
    ]
