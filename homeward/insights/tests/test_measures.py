"""Performance measures on a hand-built week: P = 20–26 October 2025 local, across the autumn clock
change (26 Oct). P starts at 20 Oct 00:00 BST = 19 Oct 23:00 UTC and ends at 27 Oct 00:00 GMT = 27 Oct
00:00 UTC. The previous equivalent period is 13–19 October. "Now" is fixed at 5 November 12:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.insights import measures as m
from homeward.insights.periods import between, quarter
from homeward.insights.tests.builders import episode, person, utc

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
P = between(dt.date(2025, 10, 20), dt.date(2025, 10, 26))
NOW = utc(2025, 11, 5, 12)


def test_episodes_and_individuals(week):
    # In P: e1, e2, e3, f1, f2, g1 = 6 (f0, g0 not recorded; e0 before P). People: Pia, Pat, Quinn.
    assert m.episodes(P) == 6
    assert m.individuals(P) == 3
    # North: e1, e2, e3, g1 = 4 episodes of 2 people; South: f1, f2 = 2 of 1.
    assert (m.episodes(P, week.world.north), m.individuals(P, week.world.north)) == (4, 2)
    assert (m.episodes(P, week.world.south), m.individuals(P, week.world.south)) == (2, 1)


def test_found_within_24_hours(week):
    # End of P = 27 Oct 00:00 UTC (before NOW). Left out: still open AND reported less than 24 h before
    # the end: e3 (30 min before) and f2 (23 h before). g1 is open but 3 days old: counted, not found.
    # Denominator: e1, e2, f1, g1 = 4. Numerator: e1 (2 h), f1 (exactly 24 h) = 2. e2 took 30 h.
    share = m.found_within_24h_share(P, now=NOW)
    assert (share.numerator, share.denominator, share.value) == (2, 4, 0.5)


def test_the_end_of_the_period_is_now_when_now_is_earlier(week, world):
    assert m.period_end(P, utc(2025, 10, 26, 12)) == utc(2025, 10, 26, 12)
    assert m.period_end(P, NOW) == utc(2025, 10, 27, 0)
    # Two days, 20–21 Oct: they end at 22 Oct 00:00 BST = 21 Oct 23:00 UTC. In them: e1 (found after
    # 2 h), g1 (21 Oct 08:00, open) and Zed (20 Oct 21:00 UTC, open).
    zed = person(world, "Zed", dob=dt.date(1975, 1, 1))
    episode(world, zed, utc(2025, 10, 20, 21), found_after=None)
    two_days = between(dt.date(2025, 10, 20), dt.date(2025, 10, 21))
    # Now = 21 Oct 20:00 UTC, before the end: the end is now. g1 (12 h before) and Zed (23 h before)
    # are open and too recent → denominator e1 = 1, numerator 1.
    early = m.found_within_24h_share(two_days, now=utc(2025, 10, 21, 20))
    assert (early.numerator, early.denominator) == (1, 1)
    # Later: the end is 21 Oct 23:00 UTC. g1 (15 h before) still left out; Zed (26 h before) counts,
    # not found → 1 / 2.
    late = m.found_within_24h_share(two_days, now=NOW)
    assert (late.numerator, late.denominator) == (1, 2)


def test_repeat_episodes_and_persistent_people(week):
    # Repeats (another recorded episode in the 365 days before): e1 (e0), e2, e3, f2 (f1) = 4.
    # f1 is not a repeat: f0 was not recorded. g1: g0 not recorded either.
    assert m.repeat_episodes(P) == 4
    # Persistent (3 in 90 days up to a report in P): Pia at e2 (e0, e1, e2). Pat at f2 has f1, f2 only.
    assert m.persistent_people(P) == 1
    assert m.persistent_people(P, week.world.south) == 0


def test_high_risk_share_uses_the_first_grade(week):
    # Graded: e1 high, e2 medium (later high: not counted), f1 low, f2 medium, g1 high = 5; e3 ungraded.
    # First grade high: e1, g1 = 2 → 2/5.
    share = m.high_risk_share(P)
    assert (share.numerator, share.denominator) == (2, 5)
    assert share.value == pytest.approx(0.4)


def test_prevention_interviews_done(week):
    # Found in P: e1, e2, f1 = 3. Completed interview: f1 only (e2 declined) → 1/3.
    share = m.prevention_interviews_done(P)
    assert (share.numerator, share.denominator) == (1, 3)


def test_rhis_offered_within_72_hours(week):
    # RHIs for episodes in P: e1 (in time), e2 (1 h late), f1 (not offered, due 6 Nov > NOW: left out).
    share = m.rhis_offered_within_72h(P, now=NOW)
    assert (share.numerator, share.denominator) == (1, 2)
    # After f1's deadline passes unoffered it counts against: 1/3.
    later = m.rhis_offered_within_72h(P, now=utc(2025, 11, 7))
    assert (later.numerator, later.denominator) == (1, 3)


def test_initiatives_active_in_the_period(week):
    # Force: "Force-wide" and "North late start" (starts on 26 Oct) = 2.
    assert m.initiatives(P) == 2
    # North: its own late start + the force-wide one = 2; South: force-wide only ("South ended" 19 Oct).
    assert m.initiatives(P, week.world.north) == 2
    assert m.initiatives(P, week.world.south) == 1


def test_measures_for_with_the_previous_period_and_direction(week):
    result = m.measures_for(P.first, P.last, now=NOW)
    for key in (
        "episodes",
        "individuals",
        "found_within_24h_share",
        "repeat_episodes",
        "persistent_people",
        "high_risk_share",
        "initiatives",
    ):
        assert key in result
    assert result["episodes"] == 6 and result["found_within_24h_share"] == 0.5
    # Previous: 13–19 Oct local (13 Oct 00:00 BST .. 19 Oct 23:00 UTC): e0 only (f0 not recorded;
    # e1 at 23:30 UTC on the 19th is already 20 Oct local).
    previous = result["previous"]
    assert previous["period"]["from"] == "2025-10-13" and previous["episodes"] == 1
    assert previous["found_within_24h_share"] == 1.0  # e0 found after 1 h
    assert previous["high_risk_share"] == 0.0  # e0 graded medium
    assert result["change"]["episodes"] == {"current": 6, "previous": 1, "difference": 5, "direction": "up"}
    assert result["change"]["found_within_24h_share"]["direction"] == "down"
    # Previous: e0 found alive with no interview → 0/1 = 0.0; P: 1/3 → up.
    assert result["change"]["prevention_interviews_done_share"]["direction"] == "up"


def test_direction_is_none_without_a_value():
    assert m.direction(None, 0.5) is None
    assert m.direction(1, 1) == "same"


def test_children_missing_rolling_12_months(week, world):
    # Child episodes (is_child): e0 (15 Oct), e1 (20 Oct local), e2, e3 (26 Oct) = 4 in October.
    # Rae, a child: 1 Oct 00:30 BST (= 30 Sep 23:30 UTC: October), 31 Oct 23:30 GMT (October, up to
    # until = 31 Oct inclusive) and 15 Oct 2024 (in the 12 months ending Sep 2025, not Oct 2025).
    rae = person(world, "Rae", dob=dt.date(2012, 1, 1))
    episode(world, rae, utc(2024, 10, 15))
    episode(world, rae, utc(2025, 9, 30, 23, 30))
    episode(world, rae, utc(2025, 10, 31, 23, 30))
    rows = m.children_missing_rolling_12m(None, 2, until=dt.date(2025, 10, 31))
    assert [r["month"] for r in rows] == ["2025-09", "2025-10"]
    # Sep 2025: Oct 2024–Sep 2025 holds the 15 Oct 2024 episode only → 1 / 12.
    assert rows[0]["child_episodes_12m"] == 1 and rows[0]["rolling_average"] == pytest.approx(1 / 12)
    # Oct 2025: Nov 2024–Oct 2025 → 4 + 2 = 6 → 6 / 12 = 0.5; October is complete on the 31st.
    assert rows[1]["child_episodes_month"] == 6
    assert rows[1]["rolling_average"] == 0.5 and rows[1]["complete"] is True
    # North only: all of these are North → same; South has no child episodes.
    assert (
        m.children_missing_rolling_12m(world.south, 1, until=dt.date(2025, 10, 31))[0]["rolling_average"] == 0
    )
    # Up to 30 October the month is not complete, and the 31 October episode is not counted: 5.
    assert m.children_missing_rolling_12m(None, 1, until=dt.date(2025, 10, 30))[0] == {
        "month": "2025-10",
        "child_episodes_month": 5,
        "child_episodes_12m": 5,
        "rolling_average": 5 / 12,
        "complete": False,
    }
    # All districts at once (the measures page): the force's series is the sum of its districts', and
    # each district's is what it is alone. South has no child episodes, so it has no group at all.
    force, by_district = m.children_missing_rolling_12m_by_district(2, until=dt.date(2025, 10, 31))
    assert force == rows
    assert by_district == {world.north.pk: rows}


def test_quarterly_management_information(week, world):
    mi = m.quarterly_mi(quarter(2025, 4))  # 1 Oct – 31 Dec 2025: e0–e3, f1, f2, g1 = 7 episodes
    force = mi["force"]
    assert force["totals"] == {"episodes": 7, "individuals": 3}
    assert force["age_group"] == {
        "child": {"episodes": 4, "individuals": 1},  # e0–e3
        "adult": {"episodes": 2, "individuals": 1},  # f1, f2
        "age_unknown": {"episodes": 1, "individuals": 1},  # g1
    }
    assert force["sex"]["male"] == {"episodes": 2, "individuals": 1}
    assert force["age_band"]["10-15"] == {"episodes": 4, "individuals": 1}  # Pia, 15
    assert force["age_band"]["40-59"] == {"episodes": 2, "individuals": 1}  # Pat, 55
    assert force["age_band"]["unknown"] == {"episodes": 1, "individuals": 1}
    assert force["ethnicity"]["B1"] == {"episodes": 2, "individuals": 1}
    assert force["cse_marker"] == {
        "yes": {"episodes": 4, "individuals": 1},
        "no": {"episodes": 3, "individuals": 2},
    }
    assert force["mental_health_marker"] == {"no": {"episodes": 7, "individuals": 3}}
    assert force["children_looked_after"] == {"yes": {"episodes": 4, "individuals": 1}}
    north = mi["districts"]["North"]
    assert north["totals"] == {"episodes": 5, "individuals": 2}  # e0–e3, g1
    assert mi["districts"]["South"]["totals"] == {"episodes": 2, "individuals": 1}
    assert m.quarterly_mi(quarter(2025, 4), world.south)["districts"].keys() == {"South"}


def test_the_24_hour_rule_is_exact_to_the_microsecond(world):
    # Reported at a time with microseconds: found at exactly +24 h counts, one microsecond later does not
    # (the database shifts the datetime natively; see measures.Shifted).
    who = person(world, "Mika", dob=dt.date(1980, 1, 1))
    start = utc(2025, 10, 21, 9) + dt.timedelta(microseconds=123_456)
    episode(world, who, start, found_after=24 * H)
    late = person(world, "Lark", dob=dt.date(1981, 1, 1))
    episode(world, late, start, found_after=24 * H + dt.timedelta(microseconds=1))
    round_second = person(world, "Rory", dob=dt.date(1982, 1, 1))
    episode(world, round_second, utc(2025, 10, 22, 9), found_after=24 * H)  # no microseconds at all
    share = m.found_within_24h_share(P, now=NOW)
    assert (share.numerator, share.denominator) == (2, 3)
