"""A person with records in every app, carrying distinctive values the erasure tests look for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from homeward.conftest import World, make_user
from homeward.episodes import actions as episode_actions
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import assess, find, report
from homeward.families.actions import ContactData, family_contact_log
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person, PersonAddress, PersonContact
from homeward.prevention.tests.helpers import plan_for

# Values that must not survive erasure anywhere in the database.
SECRETS = (
    "Zephyrine",
    "Quillfeather",
    "Zeph-Q",
    "07700 900123",
    "12 Wisteria Crescent",
    "Mrs Quillfeather-Senior",
    "tattoo of a heron",
    "Orrin Blackwood",
    "Left after a row about her phone",
)


@dataclass
class Subject:
    person: Person
    episode: Episode
    coordinator: User


def coordinator_of(world: World) -> User:
    existing = User.objects.filter(username="cleo_coordinator").first()
    return existing or make_user("cleo_coordinator", world.force, Role.MFH_COORDINATOR)


def rich_subject(world: World) -> Subject:
    Organisation.objects.get_or_create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    today = timezone.localdate()
    person = person_create(
        actor=world.call_handler,
        data=PersonData(
            given_name="Zephyrine",
            family_name="Quillfeather",
            date_of_birth=today.replace(year=today.year - 15) - dt.timedelta(days=11),
            sex="female",
            looked_after=True,
            placing_authority=world.council_b,
            aliases=[("Zeph-Q", "")],
            markers=["cse"],
        ),
        supplied_by="Oak House manager",
    )
    Person.objects.filter(pk=person.pk).update(marks="A small tattoo of a heron on the left wrist")
    now = timezone.now()
    PersonContact.objects.create(person=person, kind="phone", value="07700 900123", recorded_at=now)
    PersonAddress.objects.create(
        person=person, address="12 Wisteria Crescent, Northtown", since=today, recorded_at=now
    )
    episode = report(
        world,
        person,
        reporting_person_name="Orrin Blackwood",
        circumstances="Left after a row about her phone; thought to be with Orrin Blackwood.",
    )
    episode = assess(world, episode)
    episode_actions.episode_update_add(
        actor=world.officer, episode=episode, text="Zephyrine seen near the canal."
    )
    episode = find(world, episode)
    coordinator = coordinator_of(world)
    plan_for(coordinator, person=person)
    family_contact_log(
        actor=world.officer,
        episode=episode,
        data=ContactData(
            contacted_at=now,
            contact_name="Mrs Quillfeather-Senior",
            relationship="Mother",
            method="phone",
            direction="outbound",
            summary="Told Mrs Quillfeather-Senior that Zephyrine is safe.",
        ),
    )
    episode.refresh_from_db()
    return Subject(person=Person.objects.get(pk=person.pk), episode=episode, coordinator=coordinator)


def other_force_user(role: str, username: str) -> User:
    """A user of Force C, which shares nothing with Force A."""
    force_c, _ = Organisation.objects.get_or_create(name="Force C Police", kind=OrganisationKind.POLICE_FORCE)
    force_c.force = force_c
    force_c.save()
    return make_user(username, force_c, role)
