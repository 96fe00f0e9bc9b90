from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from homeward.identity.roles import ROLE_CAPABILITIES, Capability, Role
from homeward.identity.tests.helpers import enrol, sign_in_fully

pytestmark = pytest.mark.django_db


def test_every_role_has_a_capability_entry():
    assert set(ROLE_CAPABILITIES) == set(Role.values)


def test_sign_in_sends_police_to_the_dashboard_and_partners_to_their_cases(client, world, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False)
    sign_in_fully(client, world.supervisor, enrol(world.supervisor))
    assert client.get(reverse("home"))["Location"] == reverse("dashboard")
    client.post(reverse("logout"))
    sign_in_fully(client, world.partner, enrol(world.partner))
    assert client.get(reverse("home"))["Location"] == reverse("notifications:inbox")
    client.post(reverse("logout"))
    sign_in_fully(client, world.commissioner, enrol(world.commissioner))
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused_and_keeps_the_username(client, world):
    response = client.post(reverse("login"), {"username": world.officer.username, "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and world.officer.username in body
    assert "_auth_user_id" not in client.session


def test_authenticated_pages_are_not_cached(client, world):
    client.force_login(world.supervisor)
    assert client.get(reverse("dashboard"))["Cache-Control"] == "no-store"


def test_roles_without_casework_are_refused_casework_pages(client, world):
    client.force_login(world.commissioner)
    for name in ("dashboard", "report_start", "person_search", "location_list"):
        assert client.get(reverse(name)).status_code == 403, name
    assert not world.commissioner.can(Capability.VIEW_CASES)


def test_logout_ends_the_session(client, world):
    client.force_login(world.officer)
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_return_interview_workers_start_at_their_interviews(client, world):
    from homeward.conftest import make_user
    from homeward.identity.models import Organisation, OrganisationKind

    service = Organisation.objects.create(
        name="RHI Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    worker = make_user("rita_rhi", service, Role.RHI_WORKER)
    client.force_login(worker)
    assert client.get(reverse("home"))["Location"] == reverse("returns:mine")
