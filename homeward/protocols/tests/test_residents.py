"""A care provider records a new resident who has no record yet, then starts her profile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.errors import InvalidInput, NotAllowed
from homeward.people.actions import PersonData, resident_register
from homeward.people.models import Person, PersonAddress
from homeward.protocols.tests.helpers import login

pytestmark = pytest.mark.django_db

NEW_RESIDENT = {
    "given_name": "Keira",
    "family_name": "Lomax",
    "date_of_birth": "2011-03-04",
    "sex": "female",
    "ethnicity": "NS",
    "officer_ethnicity": "X",
    "supplied_by": "Carys, Oak House manager",
}


def search_first(client) -> None:
    client.post(reverse("protocols:new"), {"given_name": "Keira", "family_name": "Lomax"})


def test_care_staff_search_then_record_a_new_resident_and_go_on_to_the_profile(client, world):
    login(client, world.care_staff)
    assert client.get(reverse("protocols:resident_new")).status_code == 302  # search first
    search_first(client)
    page = client.get(reverse("protocols:resident_new"))
    assert page.status_code == 200 and 'value="Keira"' in page.content.decode()
    response = client.post(
        reverse("protocols:resident_new"),
        {
            **NEW_RESIDENT,
            "looked_after": "on",
            "placing_authority": world.council_b.pk,
            "location": world.oak_house.pk,
            "since": str(timezone.localdate()),
        },
    )
    person = Person.objects.get(given_name="Keira")
    assert response.status_code == 302 and response.url == reverse("protocols:create", args=[person.pk])
    assert person.owner == world.provider_b
    address = PersonAddress.objects.get(person=person)
    assert (address.location, address.is_placement, address.placing_authority) == (
        world.oak_house,
        True,
        world.council_b,
    )
    assert AuditEvent.objects.filter(
        event_type="person.resident_registered", object_ids=[str(person.pk)]
    ).exists()
    # She is now one of Oak House's residents, so the profile can be started.
    assert client.get(reverse("protocols:create", args=[person.pk])).status_code == 200


def test_bad_input_is_shown_beside_the_field_and_nothing_is_written(client, world):
    login(client, world.care_staff)
    search_first(client)
    response = client.post(
        reverse("protocols:resident_new"),
        {**NEW_RESIDENT, "given_name": "", "location": world.family_home.pk, "since": "2999-01-01"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter" in body or "required" in body
    assert 'value="Lomax"' in body  # what was typed is kept
    assert not Person.objects.filter(family_name="Lomax").exists()


def test_only_premises_the_provider_runs_and_only_care_staff(world):
    data = PersonData(given_name="Keira", family_name="Lomax", date_of_birth=dt.date(2011, 3, 4))
    with pytest.raises(InvalidInput) as excinfo:
        resident_register(
            actor=world.care_staff,
            data=data,
            supplied_by="Carys",
            location=world.family_home,
            since=timezone.localdate(),
        )
    assert "location" in excinfo.value.errors
    with pytest.raises(NotAllowed):
        resident_register(
            actor=world.officer,
            data=data,
            supplied_by="Oscar",
            location=world.oak_house,
            since=timezone.localdate(),
        )
    assert not Person.objects.filter(family_name="Lomax").exists()


def test_roles_without_the_capability_get_403(client, world):
    login(client, world.partner)
    assert client.get(reverse("protocols:resident_new")).status_code == 403
