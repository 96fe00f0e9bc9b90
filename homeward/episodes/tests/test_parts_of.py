"""The parts of an episode and a person that their pages show, read through selectors (ACC-1, ACC-3).

`*_of(episode=...)` / `*_of(person=...)` take a record from episode_for / person_for and return nothing
the actor's field level withholds, so a partner's page never even reads the police's intelligence.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.episodes import actions, selectors
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import assess, make_ruby, report
from homeward.people import selectors as people_selectors
from homeward.people.actions import person_fact_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(world):
    episode = assess(world, report(world, make_ruby(world)))
    actions.sighting_record(
        actor=world.officer,
        episode=episode,
        seen_at=timezone.now() - dt.timedelta(minutes=30),
        place="Mill Street takeaway",
        reported_by="A bus driver",
        details="",
    )
    actions.episode_update_add(actor=world.officer, episode=episode, text="A new older boyfriend")
    person_fact_add(
        actor=world.officer,
        person=episode.person,
        kind="associate",
        values={"value": "Tez Whitlock", "detail": "Older male"},
        supplied_by="Oak House manager",
    )
    return episode


def _episode_parts(episode: Episode) -> dict[str, int]:
    return {
        "risk_assessments": selectors.risk_assessments_of(episode=episode).count(),
        "sightings": selectors.sightings_of(episode=episode).count(),
        "updates": selectors.updates_of(episode=episode).count(),
        "events": selectors.events_of(episode=episode).count(),
    }


def test_the_police_read_every_part_of_an_episode_and_partners_none_of_its_intelligence(world, episode):
    police = _episode_parts(selectors.episode_for(actor=world.officer, pk=episode.pk))
    assert police["risk_assessments"] == 1 and police["sightings"] == 1 and police["updates"] == 1
    assert police["events"] > 0
    for who in (world.partner, world.care_staff):
        assert set(_episode_parts(selectors.episode_for(actor=who, pk=episode.pk)).values()) == {0}
    # Not read through a selector: no shown_fields, no parts.
    assert set(_episode_parts(Episode.objects.get(pk=episode.pk)).values()) == {0}


def test_person_parts_follow_the_readers_level(world, episode):
    def parts(actor):
        person = people_selectors.person_for(actor=actor, pk=episode.person_id)
        history = people_selectors.person_history_for(actor=actor, person=person)
        return {
            "aliases": people_selectors.aliases_of(person=person).count(),
            "associates": people_selectors.associates_of(person=person).count(),
            "markers": people_selectors.active_markers_of(actor=actor, person=person).count(),
            "risk_history": len(people_selectors.risk_history_of(person=person, history=history)),
        }

    assert parts(world.officer) == {"aliases": 1, "associates": 1, "markers": 1, "risk_history": 1}
    assert parts(world.partner) == {"aliases": 1, "associates": 0, "markers": 1, "risk_history": 1}
    assert parts(world.care_staff) == {"aliases": 1, "associates": 0, "markers": 0, "risk_history": 0}


def test_markers_of_a_person_reached_through_an_episode_use_the_readers_level(world, episode):
    # The risk form passes episode.person, which carries no shown_fields of its own.
    for actor, expected in ((world.officer, 1), (world.care_staff, 0)):
        person = selectors.episode_for(actor=actor, pk=episode.pk).person
        assert people_selectors.active_markers_of(actor=actor, person=person).count() == expected
