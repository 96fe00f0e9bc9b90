"""The four weekly datasets of SPEC §7 on a hand-built March 2025 dataset.

As of D = Sunday 30 March 2025, the day the clocks go forward (local midnight of 31 March = 23:00 UTC
on the 30th):
- last 3 weeks  = 10–30 March local  (10 Mar 00:00 GMT .. 30 Mar 23:00 UTC)
- last 12 weeks = 6 January–30 March (84 days)
- this month    = 1–30 March
"""

from __future__ import annotations

import datetime as dt

import pytest

from homeward.insights.measures import individuals
from homeward.insights.periods import AgeGroup, last_weeks
from homeward.insights.tests.builders import episode, local, person, utc
from homeward.insights.weekly import (
    WEEKLY_LISTS,
    first_time_missing_children,
    looked_after_care_settings,
    medical_settings,
    most_frequently_missing,
    weekly_datasets,
)

pytestmark = pytest.mark.django_db
D = dt.date(2025, 3, 30)


def summary(rows):
    return [(r.rank, r.person_id, r.episodes, r.latest_episode_id) for r in rows]


def test_most_frequent_children_3_weeks(march):
    s = march
    rows = most_frequently_missing(D, 3, AgeGroup.CHILD)
    # Amy: a1 (the first instant), a2, a3 (23:30 BST on D) = 3.
    # Ben: b3 only (b2 is one minute early; b1 is 31 March local) = 1, latest 15 March.
    # Cara: c1 only (c2 was after her 18th birthday) = 1, latest 12 March → below Ben.
    assert summary(rows) == [
        (1, s.amy.pk, 3, s.a3.pk),
        (2, s.ben.pk, 1, s.b3.pk),
        (3, s.cara.pk, 1, s.c1.pk),
    ]
    amy = rows[0]
    assert amy.age == 15 and amy.district == "North" and amy.looked_after is True
    assert amy.markers == ["cse", "mental_health"]
    assert amy.latest_reported_at == local(2025, 3, 30, 23, 30)


def test_most_frequent_adults_3_weeks_ties_most_recent_then_person_id(march):
    s = march
    # Ed 2 (e1, e2; the not-recorded report does not count), latest 29 March.
    # Dan 2 and Fay 2, both latest 28 March 12:00 → lower person id first: Dan.
    # Cara 1 (c2, the episode after she turned 18).
    assert summary(most_frequently_missing(D, 3, AgeGroup.ADULT)) == [
        (1, s.ed.pk, 2, s.e2.pk),
        (2, s.dan.pk, 2, s.d2.pk),
        (3, s.fay.pk, 2, s.f2.pk),
        (4, s.cara.pk, 1, s.c2.pk),
    ]


def test_unknown_age_is_its_own_group(march):
    s = march
    assert summary(most_frequently_missing(D, 3, AgeGroup.UNKNOWN)) == [(1, s.gus.pk, 1, s.g1.pk)]
    rows = most_frequently_missing(D, 3, AgeGroup.UNKNOWN)
    assert rows[0].age is None


def test_most_frequent_children_12_weeks(march):
    s = march
    # Amy a0..a3 = 4; Ben b2, b3 = 2 (latest 15 Mar); Ivy i1, i2 = 2 (latest 5 Mar);
    # Hana h1, h3 = 2 (latest 3 Mar; h2 on 5 Jan is one minute before 6 Jan); Cara c1 = 1.
    assert summary(most_frequently_missing(D, 12, AgeGroup.CHILD)) == [
        (1, s.amy.pk, 4, s.a3.pk),
        (2, s.ben.pk, 2, s.b3.pk),
        (3, s.ivy.pk, 2, s.i2.pk),
        (4, s.hana.pk, 2, s.h3.pk),
        (5, s.cara.pk, 1, s.c1.pk),
    ]


def test_district_filter_counts_episodes_reported_there(march):
    s = march
    assert summary(most_frequently_missing(D, 3, AgeGroup.CHILD, s.world.north)) == [
        (1, s.amy.pk, 3, s.a3.pk),
        (2, s.cara.pk, 1, s.c1.pk),
    ]


def test_first_time_missing_children_this_month(march):
    s = march
    # Ben's first ever episode b2 was 9 March; Cara's c1 12 March (a child then).
    # Not: Amy (first in 2024), Ivy (28 Feb), Hana (Jan), Gus (age unknown), Ed/Fay (adults).
    rows = first_time_missing_children(D)
    assert [(r.person_id, r.episode_id) for r in rows] == [(s.cara.pk, s.c1.pk), (s.ben.pk, s.b2.pk)]
    assert rows[1].reported_at == local(2025, 3, 9, 23, 59)
    # North only: Ben's first episode was in South.
    assert [r.person_id for r in first_time_missing_children(D, s.world.north)] == [s.cara.pk]
    # As of 8 March neither had gone missing yet.
    assert first_time_missing_children(dt.date(2025, 3, 8)) == []


def test_looked_after_children_from_care_settings_12_weeks(march):
    s = march
    # Amy's a0–a3 (children's home) and Hana's h1 (secure unit), newest first. Not: Ben's b3 (not
    # looked after), Hana's h3 (private home) and h2 (before 6 January), Amy's a_old.
    rows = looked_after_care_settings(D)
    assert [r.episode_id for r in rows] == [s.a3.pk, s.a2.pk, s.a1.pk, s.h1.pk, s.a0.pk]
    assert rows[3].missing_from_category == "secure_unit"


def test_medical_settings_12_weeks(march):
    s = march
    # Dan's d2 (mental health unit, still open) and Cara's c2 (acute hospital); d0 is December.
    rows = medical_settings(D)
    assert [r.episode_id for r in rows] == [s.d2.pk, s.c2.pk]
    assert rows[0].found_at is None and rows[0].status == "active"


def test_weekly_datasets_gathers_every_list(march):
    data = weekly_datasets(D)
    assert list(data.lists) == list(WEEKLY_LISTS)
    assert data.periods["3w"] == last_weeks(D, 3)
    assert len(data.lists["most_frequent_3w_adults"]) == 4


def test_a_person_merged_from_two_records_counts_once_everywhere(world):
    """Kim (born 2 Feb 2011, a child throughout) was recorded twice. Her episodes:

        kim (kept)            k1  1 Mar 2025        k3 20 Mar 2025
        kim_again (duplicate) k0  1 Jan 2024        k2 12 Mar 2025      k4 25 Mar 2025

    Last 3 weeks as of D = 10–30 March (k2, k3, k4); last 12 weeks = 6 January–30 March.
    Before the merge the two records are two people; after it every measure sees one person with all
    five episodes (people.actions.merge_person_records; docs/definitions.md "Merged person records").
    """
    from homeward.insights.measures import persistent_people, repeat_episodes
    from homeward.people.actions import merge_person_records

    kim = person(world, "Kim", dob=dt.date(2011, 2, 2))
    kim_again = person(world, "Kim", dob=dt.date(2011, 2, 2))
    k0 = episode(world, kim_again, local(2024, 1, 1))
    k1 = episode(world, kim, local(2025, 3, 1))
    k2 = episode(world, kim_again, local(2025, 3, 12))
    k3 = episode(world, kim, local(2025, 3, 20))
    k4 = episode(world, kim_again, local(2025, 3, 25))
    three_weeks = last_weeks(D, 3)

    # Before: two records, two people.
    assert individuals(three_weeks) == 2
    # Repeats (another episode in the 365 days before): k3 (k1 19 days before) and k4 (k2); not k2,
    # whose only earlier episode on its record, k0, is 436 days before it.
    assert repeat_episodes(three_weeks) == 2
    # Persistent (3 episodes in the 90 days up to one in the period): at most 2 on either record.
    assert persistent_people(three_weeks) == 0
    # 3 weeks: kim_again k2, k4 = 2 (latest 25 Mar); kim k3 = 1 (k1 is before 10 March).
    rows = most_frequently_missing(D, 3, AgeGroup.CHILD)
    assert summary(rows) == [(1, kim_again.pk, 2, k4.pk), (2, kim.pk, 1, k3.pk)]
    # 12 weeks: both 2 (kim k1, k3; kim_again k2, k4, k0 too old); the later latest episode first.
    rows = most_frequently_missing(D, 12, AgeGroup.CHILD)
    assert summary(rows) == [(1, kim_again.pk, 2, k4.pk), (2, kim.pk, 2, k3.pk)]
    # First time missing this month: kim's record starts with k1 (1 March); kim_again's with k0 (2024).
    assert [(r.person_id, r.episode_id) for r in first_time_missing_children(D)] == [(kim.pk, k1.pk)]

    merge_person_records(
        actor=world.supervisor,
        keep=kim,
        duplicate=kim_again,
        reason="Same child, same date of birth and carer",
        expected_keep_version=kim.version,
        expected_duplicate_version=kim_again.version,
    )

    # After: one person with k0..k4.
    assert {e.pk for e in kim.episodes.all()} == {k0.pk, k1.pk, k2.pk, k3.pk, k4.pk}
    assert individuals(three_weeks) == 1
    # Repeats: k2 (k1 11 days before), k3, k4 = 3.
    assert repeat_episodes(three_weeks) == 3
    # Persistent: at k3 (20 Mar) the 90 days up to it hold k1, k2, k3 = 3, so Kim counts once.
    assert persistent_people(three_weeks) == 1
    # 3 weeks: k2, k3, k4 = 3, latest k4. 12 weeks: k1..k4 = 4 (k0 is 2024).
    assert summary(most_frequently_missing(D, 3, AgeGroup.CHILD)) == [(1, kim.pk, 3, k4.pk)]
    assert summary(most_frequently_missing(D, 12, AgeGroup.CHILD)) == [(1, kim.pk, 4, k4.pk)]
    # Her first episode is now k0 (January 2024), from the other record: not first-time this month.
    assert first_time_missing_children(D) == []
    january = first_time_missing_children(dt.date(2024, 1, 31))
    assert [(r.person_id, r.episode_id) for r in january] == [(kim.pk, k0.pk)]


def test_a_partners_counts_include_only_the_episodes_it_may_see(world):
    from homeward.episodes.sharing import episode_visibility
    from homeward.insights.weekly import AgeGroup, most_frequently_missing

    # A child (not looked after) missing twice in North, whose council is Council B, and once in
    # South, which Council B does not cover: the force sees 3, Council B only its 2.
    kid = person(world, "Kit", dob=dt.date(2012, 5, 5))
    episode(world, kid, utc(2025, 6, 10), district=world.north)
    episode(world, kid, utc(2025, 6, 12), district=world.north)
    latest_south = episode(world, kid, utc(2025, 6, 14), district=world.south)
    as_of = dt.date(2025, 6, 20)
    force = most_frequently_missing(as_of, 3, AgeGroup.CHILD)
    assert [(r.episodes, r.latest_episode_id) for r in force] == [(3, latest_south.pk)]
    council = most_frequently_missing(as_of, 3, AgeGroup.CHILD, visible=episode_visibility(world.partner))
    assert [r.episodes for r in council] == [2]
    assert council[0].latest_episode_id != latest_south.pk
