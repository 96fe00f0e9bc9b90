from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.people.actions import PersonData, person_create
from homeward.people.models import PersonPhoto

pytestmark = pytest.mark.django_db

# The smallest valid PNG: signature plus IHDR, IDAT and IEND chunks of a 1x1 image.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3e5b5a40000000049454e44ae426082"
)


@pytest.fixture
def person(world):
    return person_create(
        actor=world.call_handler,
        data=PersonData(given_name="Kai", family_name="Brennan"),
        supplied_by="Mother",
    )


def test_adding_an_associate_keeps_who_supplied_it(client, world, person):
    client.force_login(world.officer)
    response = client.post(
        reverse("person_add_fact", args=[person.pk]),
        {"kind": "associate", "value": "Jade Ellis", "detail": "School friend", "supplied_by": "Mother"},
    )
    assert response.status_code == 302
    associate = person.associates.get()
    assert (associate.name, associate.relationship, associate.supplied_by) == (
        "Jade Ellis",
        "School friend",
        "Mother",
    )
    assert associate.recorded_by == world.officer
    body = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Jade Ellis (School friend)" in body


def test_adding_an_alias_makes_it_searchable(client, world, person):
    client.force_login(world.officer)
    client.post(
        reverse("person_add_fact", args=[person.pk]),
        {"kind": "alias", "value": "KB Brennan", "supplied_by": "PNC"},
    )
    body = client.post(
        reverse("person_search"), {"given_name": "KB", "family_name": "Brennan"}
    ).content.decode()
    assert "Kai Brennan" in body


def test_fact_without_a_source_is_refused_and_kept(client, world, person):
    client.force_login(world.officer)
    response = client.post(
        reverse("person_add_fact", args=[person.pk]),
        {"kind": "place", "value": "Skate park on Kirkstall Road", "supplied_by": ""},
    )
    assert response.status_code == 200 and "Skate park on Kirkstall Road" in response.content.decode()
    assert person.places.count() == 0


def test_photo_upload_checks_type_and_serves_through_an_access_check(client, world, person):
    client.force_login(world.officer)
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(
        reverse("person_add_photo", args=[person.pk]),
        {"image": fake, "taken_on": "2026-01-02", "supplied_by": "Mother"},
    )
    assert response.status_code == 200 and "JPEG, PNG or WebP" in response.content.decode()
    assert PersonPhoto.objects.count() == 0
    png = SimpleUploadedFile("Kai Brennan at home.png", TINY_PNG, content_type="application/octet-stream")
    response = client.post(
        reverse("person_add_photo", args=[person.pk]),
        {
            "image": png,
            "taken_on": (timezone.localdate() - dt.timedelta(days=800)).isoformat(),
            "supplied_by": "Mother",
        },
    )
    assert response.status_code == 302
    photo = PersonPhoto.objects.get()
    assert photo.content_type == "image/png" and "Brennan" not in photo.image.name
    served = client.get(reverse("person_photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == TINY_PNG
    assert "ask for a recent photo" in client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert AuditEvent.objects.filter(event_type="person.photo_viewed").exists()
    client.force_login(world.outsider)
    assert client.get(reverse("person_photo", args=[photo.pk])).status_code == 404


def test_partner_cannot_add_to_records(client, world, person):
    client.force_login(world.partner)
    response = client.post(
        reverse("person_add_fact", args=[person.pk]), {"kind": "place", "value": "x", "supplied_by": "y"}
    )
    assert response.status_code in (403, 404)


def _edit_post(person, **overrides):
    data = {
        "version": person.version,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "officer_ethnicity": person.officer_ethnicity,
        "supplied_by": "PNC record",
    }
    data.update(overrides)
    return data


def test_changing_details_records_the_new_source_and_reindexes(client, world, person):
    client.force_login(world.officer)
    response = client.post(
        reverse("person_edit", args=[person.pk]),
        _edit_post(person, family_name="Brennan-Hall", date_of_birth="2010-06-01", hair="Dyed red"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.family_name, person.hair, person.version) == ("Brennan-Hall", "Dyed red", 2)
    assert person.fact_sources["hair"]["by"] == "PNC record"
    assert person.fact_sources["family_name"]["recorded_by"] == world.officer.pk
    body = client.post(
        reverse("person_search"), {"given_name": "Kai", "family_name": "Brennan-Hall"}
    ).content.decode()
    assert "Kai Brennan-Hall" in body
    assert AuditEvent.objects.filter(event_type="person.updated").get().changed_fields == [
        "date_of_birth",
        "family_name",
        "hair",
    ]


def test_a_stale_edit_is_refused_and_shows_what_changed(client, world, person):
    stale = _edit_post(person, hair="Brown")
    client.force_login(world.supervisor)
    client.post(
        reverse("person_edit", args=[person.pk]), _edit_post(person, hair="Shaved", supplied_by="Custody")
    )
    client.force_login(world.officer)
    response = client.post(reverse("person_edit", args=[person.pk]), stale)
    body = response.content.decode()
    assert response.status_code == 200 and "Changed by someone else" in body and "Custody" in body
    person.refresh_from_db()
    assert person.hair == "Shaved"


def test_forbidden_fields_in_an_edit_are_ignored(client, world, person):
    client.force_login(world.officer)
    client.post(
        reverse("person_edit", args=[person.pk]),
        _edit_post(person, hair="Black", force=world.council_c.pk, owner=world.council_c.pk, version=1),
    )
    person.refresh_from_db()
    assert person.force == world.force and person.owner == world.force and person.hair == "Black"


def test_a_new_placement_ends_the_current_address(client, world, person):
    client.force_login(world.officer)
    client.post(
        reverse("person_add_address", args=[person.pk]),
        {"address": "14 Elm Road", "since": "2025-01-01", "supplied_by": "Mother"},
    )
    response = client.post(
        reverse("person_add_address", args=[person.pk]),
        {
            "location": world.oak_house.pk,
            "since": "2026-03-01",
            "is_placement": "on",
            "placing_authority": world.council_b.pk,
            "supplied_by": "Council B",
        },
    )
    assert response.status_code == 302
    first, second = person.addresses.order_by("since")
    assert first.until == dt.date(2026, 3, 1) and second.until is None and second.is_placement
    bad = client.post(
        reverse("person_add_address", args=[person.pk]),
        {"address": "Somewhere", "since": "2020-01-01", "supplied_by": "x"},
    )
    assert bad.status_code == 200 and "on or after" in bad.content.decode()
    assert person.addresses.count() == 2
