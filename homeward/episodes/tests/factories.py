"""Build test records with the real actions, so tests exercise the same rules users meet."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from homeward.conftest import World
from homeward.episodes import actions
from homeward.episodes.models import Episode
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person


def make_ruby(world: World) -> Person:
    """Ruby Hartley, 15, looked after by Council B, living at Oak House."""
    today = timezone.localdate()
    return person_create(
        actor=world.call_handler,
        data=PersonData(
            given_name="Ruby",
            family_name="Hartley",
            date_of_birth=today.replace(year=today.year - 15) - dt.timedelta(days=40),
            sex="female",
            looked_after=True,
            placing_authority=world.council_b,
            aliases=[("Rubes", "Hart")],
            markers=["cse"],
        ),
        supplied_by="Oak House manager",
    )


def make_adult(world: World, given: str = "Daniel", family: str = "Okafor") -> Person:
    return person_create(
        actor=world.call_handler,
        data=PersonData(given_name=given, family_name=family, date_of_birth=dt.date(1980, 5, 2), sex="male"),
        supplied_by="His wife",
    )


def report(world: World, person: Person, *, from_home: bool = True, **overrides: object) -> Episode:
    now = timezone.now()
    data = actions.ReportData(
        district=world.north if from_home else world.south,
        missing_from=world.oak_house if from_home else world.family_home,
        reporting_person_name="Alex Manager",
        reporting_person_relationship="Care home manager" if from_home else "Wife",
        last_seen_at=now - dt.timedelta(hours=3),
        last_seen_place="Front door",
        circumstances="Left after an argument and did not come back at curfew.",
        reasonable_steps="Searched the house and garden, rang her phone and two friends."
        if from_home
        else "",
        call_handler_answers={"out_of_character": {"answer": "no", "detail": "Goes missing often"}},
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return actions.episode_report(actor=world.call_handler, person=person, data=data)


def assess(world: World, episode: Episode, level: str = "high") -> Episode:
    actions.risk_assessment_record(
        actor=world.supervisor,
        episode=episode,
        expected_version=episode.version,
        data=actions.RiskData(
            level=level,
            rationale="Known CSE risk; seen with older men.",
            factors={"sexual_exploitation": "yes"},
        ),
    )
    episode.refresh_from_db()
    return episode


def find(world: World, episode: Episode) -> Episode:
    return actions.episode_mark_found(
        actor=world.officer,
        episode=episode,
        expected_version=episode.version,
        data=actions.FoundData(
            found_at=timezone.now() - dt.timedelta(minutes=5),
            found_place="Friend's flat",
            how_found="police",
            condition="safe_well",
        ),
    )
