from __future__ import annotations

import pytest
from django.urls import reverse

from homeward.conftest import make_user
from homeward.episodes.tests.factories import make_ruby, report
from homeward.identity.roles import Role
from homeward.places.models import Location

pytestmark = pytest.mark.django_db


def test_location_page_lists_its_episodes(client, world):
    episode = report(world, make_ruby(world))
    client.force_login(world.officer)
    body = client.get(reverse("location_detail", args=[world.oak_house.pk])).content.decode()
    assert "Oak House" in body and "Ruby Hartley" in body and "1 episode from here" in body
    listing = client.get(reverse("location_list"), {"category": "childrens_home"}).content.decode()
    assert "Oak House" in listing and "14 Elm Road" not in listing
    assert episode.missing_from == world.oak_house


def test_care_provider_sees_its_own_premises_only(client, world):
    client.force_login(world.care_staff)
    assert client.get(reverse("location_detail", args=[world.oak_house.pk])).status_code == 200
    assert client.get(reverse("location_detail", args=[world.family_home.pk])).status_code == 404


def test_coordinator_adds_a_location_and_bad_input_is_kept(client, world):
    coordinator = make_user("cole_coordinator", world.force, Role.MFH_COORDINATOR, world.north)
    client.force_login(coordinator)
    response = client.post(
        reverse("location_new"), {"name": "", "category": "hostel", "address": "9 Mill St"}
    )
    assert response.status_code == 200 and "9 Mill St" in response.content.decode()
    response = client.post(
        reverse("location_new"),
        {
            "name": "Mill Street Hostel",
            "category": "hostel",
            "district": world.north.pk,
            "postcode": "nt2 2bb",
            "force": world.council_c.pk,
        },
    )
    location = Location.objects.get(name="Mill Street Hostel")
    assert response["Location"] == reverse("location_detail", args=[location.pk])
    assert location.force == world.force and location.postcode == "NT2 2BB"


def test_officer_cannot_add_locations(client, world):
    client.force_login(world.officer)
    assert client.get(reverse("location_new")).status_code == 403
