"""The prevention corner of the test world: a coordinator and roles without casework, and record makers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from homeward.conftest import World, make_user
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.identity.models import User
from homeward.identity.roles import Role
from homeward.people.models import Person
from homeward.prevention import actions
from homeward.prevention.models import Action, Meeting, Plan


@dataclass
class PreventionWorld:
    world: World
    coordinator: User
    analyst: User
    auditor: User


@pytest.fixture
def pw(world: World) -> PreventionWorld:
    return PreventionWorld(
        world=world,
        coordinator=make_user("cleo_coordinator", world.force, Role.MFH_COORDINATOR),
        analyst=make_user("ana_analyst", world.force, Role.ANALYST),
        auditor=make_user("aud_auditor", world.force, Role.AUDITOR),
    )


def ruby_missing_once(world: World) -> tuple[Person, Episode]:
    """Ruby (looked after by Council B, at Oak House in North) reported missing from Oak House."""
    ruby = make_ruby(world)
    return ruby, report(world, ruby)


def daniel_missing_once(world: World) -> tuple[Person, Episode]:
    """Daniel, an adult, reported missing from the family home in South (a district with no council)."""
    daniel = make_adult(world)
    return daniel, report(world, daniel, from_home=False)


def persistent_ruby(world: World) -> tuple[Person, Episode]:
    """Three episodes within 90 days: the third is persistent."""
    ruby = make_ruby(world)
    episode = None
    for _ in range(3):
        if episode is not None:
            find(world, assess(world, episode))
        episode = report(world, ruby)
    assert episode is not None
    return ruby, episode


def plan_for(user: User, *, person: Person | None = None, location: object = None, kind: str = "") -> Plan:
    return actions.plan_create(
        actor=user,
        kind=kind or ("trigger_plan" if person is not None else "problem_solving"),
        concerns="Goes missing after family contact; seen with older males.",
        approach="Carers to ring friends first; weekly key-work.",
        review_on=timezone.localdate() + dt.timedelta(days=28),
        person=person,
        location=location,  # type: ignore[arg-type]
    )


def meeting_for(user: User, plan: Plan, orgs: list[object]) -> Meeting:
    return actions.meeting_create(
        actor=user,
        plan=plan,
        data=actions.MeetingData(
            held_at=timezone.now() - dt.timedelta(days=1),
            chair="DS Amy Clarke",
            attending_organisations=orgs,  # type: ignore[arg-type]
            summary="Shared what each agency knows.",
            outcome="Trigger plan agreed.",
        ),
    )


def action_on(user: User, plan: Plan, owner: User, due_in_days: int = 7) -> Action:
    return actions.action_add(
        actor=user,
        plan=plan,
        description="Complete the exploitation screening tool",
        owner=owner,
        due_on=timezone.localdate() + dt.timedelta(days=due_in_days),
    )
