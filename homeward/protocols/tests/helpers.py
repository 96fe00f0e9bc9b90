"""Test records for profiles, built with the real actions (the rules users meet)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from homeward.conftest import TEST_PASSWORD, World, make_user
from homeward.episodes.tests.factories import make_ruby
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.people.actions import person_address_add
from homeward.people.models import Person
from homeward.places.models import Location, LocationCategory
from homeward.protocols import actions
from homeward.protocols.models import ProfileMissingReport, ProtocolProfile

# The smallest valid PNG (a 1x1 image): uploads are checked for structure, not only the signature.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3e5b5a40000000049454e44ae426082"
)


@dataclass
class Extra:
    """Beyond the three-organisation world: a second provider the profile can move to, and more staff."""

    provider_d: Organisation
    birch_house: Location
    care_d: User
    care_b2: User
    analyst: User


def make_extra(world: World) -> Extra:
    provider_d = Organisation.objects.create(
        name="Care Provider D", kind=OrganisationKind.CARE_PROVIDER, force=world.force
    )
    birch_house = Location.objects.create(
        name="Birch House",
        address="2 Birch Row, Northtown",
        category=LocationCategory.CHILDRENS_HOME,
        force=world.force,
        district=world.north,
        provider=provider_d,
    )
    return Extra(
        provider_d=provider_d,
        birch_house=birch_house,
        care_d=make_user("dee_carer", provider_d, Role.CARE_STAFF),
        care_b2=make_user("bea_carer", world.provider_b, Role.CARE_STAFF),
        analyst=make_user("ana_analyst", world.force, Role.ANALYST),
    )


def ruby_at_oak_house(world: World) -> Person:
    """Ruby, placed at Oak House: a resident of Care Provider B, who can therefore start her profile."""
    ruby = make_ruby(world)
    person_address_add(
        actor=world.call_handler,
        person=ruby,
        since=timezone.localdate() - dt.timedelta(days=60),
        supplied_by="Council B placement team",
        location=world.oak_house,
        is_placement=True,
        placing_authority=world.council_b,
    )
    return ruby


def make_profile(world: World, person: Person | None = None, **part1: str) -> ProtocolProfile:
    person = person or ruby_at_oak_house(world)
    values = {
        "associates": "Jade Brook (best friend), 'Tez' (older male, 20s)",
        "places_frequented": "Northtown bus station; McDonald's on High Street",
        "phones": "07700 900123 (iPhone, pay as you go)",
        **part1,
    }
    return actions.profile_create(actor=world.care_staff, person=person, scheme="philomena", part1=values)


def submit_report(world: World, profile: ProtocolProfile, **overrides: object) -> ProfileMissingReport:
    data = actions.MissingReportData(
        missing_from=world.oak_house,
        last_seen_at=timezone.now() - dt.timedelta(hours=2),
        last_seen_place="Front door of Oak House",
        last_seen_with="Alone",
        clothing="Black puffer jacket, grey joggers, white trainers",
        circumstances="Left after an argument about her phone; did not return by curfew.",
        reasonable_steps="Searched the house and garden; rang her phone four times; rang Jade's mum.",
        reporter_name="Carys Carer",
        reporter_relationship="Residential support worker",
        reporter_phone="01632 960001",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return actions.profile_report_save(actor=world.care_staff, profile=profile, data=data, submit=True)


def login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")
