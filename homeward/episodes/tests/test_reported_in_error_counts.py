"""Records reported in error count nowhere (Episode.objects.counted), yet stay on record, marked.

One world: Ruby, a looked-after child from Oak House, has four episodes in the last 50 days. Two of them
(50 and 45 days ago) are then marked as reported in error — the first with a high grading and a prevention
interview, the second found and never interviewed. Her two real episodes are 30 days ago (closed) and now
(open, graded medium). Hand-worked: every count, list and prompt sees two episodes, not four; with the
two in error counted, she would be "persistently missing" (4 in 90 days), her 30-day episode would not be
her first, and the high grade and the interview would feed her next risk assessment.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from homeward.chronology.selectors import chronology_for
from homeward.conftest import World
from homeward.dataprotection.actions import episode_mark_reported_in_error
from homeward.episodes import actions, selectors
from homeward.episodes.models import Episode, InterviewOutcome, Status
from homeward.episodes.patterns import NO_PATTERN, pattern_for, patterns_for
from homeward.episodes.tests.factories import assess, find, make_ruby, report
from homeward.insights import measures, problem_profile, weekly
from homeward.insights.base import recorded_episodes
from homeward.insights.export import episodes_csv_text
from homeward.insights.national_returns import lac_missing_return, missing_persons_data_return
from homeward.insights.periods import AgeGroup, between
from homeward.people.models import Person
from homeward.people.selectors import person_history_for
from homeward.places.selectors import locations_for
from homeward.prevention.selectors import person_panel_for
from homeward.returns.models import ReturnInterview, RhiStatus
from homeward.returns.selectors import latest_findings_for

pytestmark = pytest.mark.django_db

REASON = "Recorded against the wrong Ruby Hartley: the home meant another resident."


@dataclass
class Ruby:
    person: Person
    wrong_interviewed: Episode  # 50 days ago, graded high, interviewed; reported in error
    wrong_found: Episode  # 45 days ago, found, never interviewed; reported in error
    earlier: Episode  # 30 days ago, closed
    now: Episode  # open, graded medium


def _episode(world: World, person: Person, days_ago: float, level: str) -> Episode:
    episode = report(world, person, reasonable_steps="Searched the home")
    episode = assess(world, episode, level)
    episode = find(world, episode)
    reported = timezone.now() - dt.timedelta(days=days_ago)
    Episode.objects.filter(pk=episode.pk).update(
        reported_at=reported, found_at=reported + dt.timedelta(hours=5)
    )
    episode.refresh_from_db()
    return episode


@pytest.fixture
def ruby(world: World) -> Ruby:
    person = make_ruby(world)
    wrong_interviewed = _episode(world, person, 50, "high")
    actions.prevention_interview_record(
        actor=world.officer,
        episode=wrong_interviewed,
        expected_version=wrong_interviewed.version,
        data=actions.InterviewData(
            outcome=InterviewOutcome.COMPLETED,
            conducted_at=timezone.now() - dt.timedelta(days=49),
            push_factors="Arguments with the other resident",
        ),
    )
    wrong_interviewed.refresh_from_db()
    wrong_found = _episode(world, person, 45, "low")  # stays "found": no interview, never closed
    earlier = _episode(world, person, 30, "low")
    Episode.objects.filter(pk=earlier.pk).update(status=Status.CLOSED)
    now = assess(world, report(world, person, reasonable_steps="Searched the home"), "medium")
    # A completed return interview of the report in error: what it found must not reach the next grading.
    ReturnInterview.objects.filter(episode=wrong_interviewed).update(
        status=RhiStatus.COMPLETED, completed_at=timezone.now() - dt.timedelta(days=48)
    )
    # Every offer deadline passed, so each interview is in the offer-rate measure's denominator.
    ReturnInterview.objects.filter(person=person).update(offer_due_at=timezone.now() - dt.timedelta(days=20))
    for episode in (wrong_interviewed, wrong_found):
        episode_mark_reported_in_error(
            actor=world.supervisor, episode=episode, expected_version=episode.version, reason=REASON
        )
    return Ruby(person, wrong_interviewed, wrong_found, earlier, Episode.objects.get(pk=now.pk))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_queryset_says_once_which_episodes_count(ruby: Ruby):
    assert ReturnInterview.objects.filter(person=ruby.person).count() == 3  # one per episode found
    mine = Episode.objects.filter(person=ruby.person)
    assert set(mine.counted()) == {ruby.earlier, ruby.now}
    assert set(mine.received()) == {ruby.earlier, ruby.now}
    assert [e.is_counted for e in (ruby.wrong_interviewed, ruby.earlier)] == [False, True]
    assert set(recorded_episodes().filter(person=ruby.person)) == {ruby.earlier, ruby.now}
    # The rows themselves stay, with who marked them and why.
    assert mine.count() == 4 and ruby.wrong_found.status == Status.FOUND


def test_a_decision_not_to_record_is_received_but_not_counted(world):
    person = make_ruby(world)
    episode = report(world, person, reasonable_steps="Searched the home")
    actions.episode_decide_not_recorded(
        actor=world.supervisor, episode=episode, expected_version=episode.version, reason="Known whereabouts."
    )
    assert list(Episode.objects.received()) == [episode]
    assert list(Episode.objects.counted()) == []


def test_patterns_and_their_prompts_leave_it_out(world: World, ruby: Ruby):
    now = pattern_for(ruby.now, actor=world.officer)
    assert now.repeat and now.episodes_in_repeat_window == 1
    assert now.episodes_in_persistent_window == 2 and not now.persistent and now.prompts == []
    # Her 30-day episode was her first real one: a first-time missing child, prompting early help.
    assert pattern_for(ruby.earlier).first_time_child
    # A report in error has no pattern and prompts nothing.
    assert patterns_for([ruby.wrong_interviewed, ruby.wrong_found]) == {
        ruby.wrong_interviewed.pk: NO_PATTERN,
        ruby.wrong_found.pk: NO_PATTERN,
    }


def test_the_repeat_count_and_the_history_fed_into_the_next_grading_leave_it_out(world: World, ruby: Ruby):
    history = person_history_for(actor=world.officer, person=ruby.person)
    assert history.repeat_count == 2 and history.total == 2
    assert history.counted_episodes == [ruby.now, ruby.earlier]
    assert len(history.episodes) == 4  # still listed, marked, on the person's page
    assert latest_findings_for(actor=world.officer, person=ruby.person) is None

    page = signed_in(world.officer).get(f"/people/{ruby.person.pk}/")
    assert page.status_code == 200
    assert b'data-repeat-count="2"' in page.content and b"2 in all" in page.content
    assert page.content.count(b"data-in-error") == 2
    assert {e.pk for e, _ in page.context["risk_history"]} == {ruby.now.pk, ruby.earlier.pk}
    assert page.context["pattern"].episodes_in_persistent_window == 2

    form = signed_in(world.supervisor).get(f"/episodes/{ruby.now.pk}/risk/")
    assert form.status_code == 200
    assert form.context["history"].repeat_count == 2
    assert form.context["previous_interview"] is None
    assert b"Arguments with the other resident" not in form.content

    episode_page = signed_in(world.officer).get(f"/episodes/{ruby.now.pk}/")
    assert b'data-repeat-count="2"' in episode_page.content
    assert b"in-error-banner" not in episode_page.content


def test_the_episode_itself_stays_viewable_with_a_banner(world: World, ruby: Ruby):
    page = signed_in(world.officer).get(f"/episodes/{ruby.wrong_interviewed.pk}/")
    assert page.status_code == 200
    assert (
        b"in-error-banner" in page.content and b"This report was marked as reported in error" in page.content
    )
    assert page.context["pattern"] == NO_PATTERN


def test_dashboards_and_prompts_leave_it_out(world: World, ruby: Ruby):
    (row,) = selectors.episodes_active_for(actor=world.officer)
    assert row.episode == ruby.now and row.pattern is not None and not row.pattern.persistent
    # Found 45 days ago and never interviewed: no prevention interview is overdue for a report in error.
    overdue = selectors.overdue_for(actor=world.supervisor)
    assert ruby.wrong_found.pk not in {r.item.episode_id for r in overdue}
    assert "Persistently missing" not in person_panel_for(actor=world.officer, person=ruby.person).prompt


def test_the_chronology_shows_it_marked(world: World, ruby: Ruby):
    lines = chronology_for(actor=world.officer, person=ruby.person, sources={"episodes"})
    kinds = [line.entry.kind for line in lines]
    assert kinds.count("Reported missing") == 4
    assert kinds.count("Marked as reported in error") == 2
    marked = [line.entry.summary for line in lines if line.entry.summary.endswith("(reported in error)")]
    assert len(marked) == 2


def test_weekly_lists_measures_and_profiles_leave_it_out(world: World, ruby: Ruby):
    today = timezone.localdate()
    period = between(today - dt.timedelta(days=60), today)
    (row,) = weekly.most_frequently_missing(today, 12, AgeGroup.CHILD)
    assert row.person_id == ruby.person.pk and row.episodes == 2
    assert measures.episodes(period) == 2
    assert measures.repeat_episodes(period) == 1
    assert measures.persistent_people(period) == 0
    assert measures.rhis_offered_within_72h(period).denominator == 1  # the 30-day episode's only
    oak_house = next(r for r in problem_profile.top_locations(period) if r["location"] == "Oak House")
    assert oak_house["episodes"] == 2
    location = locations_for(actor=world.officer).get(pk=world.oak_house.pk)
    assert location.episode_count == 2


def test_national_returns_leave_it_out(world: World, ruby: Ruby):
    today = timezone.localdate()
    mpdr = missing_persons_data_return(today - dt.timedelta(days=60), today, force=world.force)
    rows = {row[0]: row[1:] for row in mpdr.table("calls_incidents").rows}
    assert rows["calls (reports received)"] == (2, 2, 0, 0)
    assert rows["incidents (recorded episodes)"] == (2, 2, 0, 0)
    assert rows["individuals"] == (1, 1, 0, 0)
    lac = lac_missing_return(today - dt.timedelta(days=60), today, world.council_b)
    assert len(lac.table("incidents").rows) == 2


def test_the_raw_export_names_it(ruby: Ruby):
    rows = {int(r["episode_id"]): r for r in csv.DictReader(io.StringIO(episodes_csv_text()))}
    assert len(rows) == 4  # every row, as documented: the column says which to leave out
    assert rows[ruby.wrong_found.pk]["reported_in_error_at"] != ""
    assert rows[ruby.now.pk]["reported_in_error_at"] == ""
