"""Step-up re-authentication before exports (P9, AUTH-5): password and code again within 15 minutes."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD, make_user
from homeward.identity.auth_views import require_recent_authentication
from homeward.identity.roles import Role
from homeward.identity.tests.helpers import code_now, enrol, sign_in_fully

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
DOWNLOAD = "/reports/weekly/?as_of=2025-03-30&format=csv"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def analyst(world):
    user = make_user("ann_analyst", world.force, Role.ANALYST)
    return user, enrol(user)


def test_a_download_soon_after_sign_in_needs_nothing_more(client, analyst, clock):
    user, secret = analyst
    sign_in_fully(client, user, secret)
    clock.shift(dt.timedelta(minutes=14, seconds=59))
    response = client.get(DOWNLOAD)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_after_fifteen_minutes_a_download_asks_again_and_comes_back(client, analyst, clock):
    user, secret = analyst
    sign_in_fully(client, user, secret)
    clock.shift(dt.timedelta(minutes=10))
    assert client.get("/reports/weekly/?as_of=2025-03-30").status_code == 200  # the page itself: no
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    response = client.get(DOWNLOAD)
    confirm = reverse("reauthenticate") + "?next=" + quote(DOWNLOAD, safe="")
    assert response.status_code == 302 and response["Location"] == confirm
    assert not AuditEvent.objects.filter(event_type="report.weekly.exported").exists()
    page = client.get(confirm).content.decode()
    assert "Confirm it is you" in page

    # A wrong password with a right code: refused, and counted as a failed sign-in.
    refused = client.post(
        confirm, {"password": "not-my-password", "code": code_now(secret), "next": DOWNLOAD}
    )
    assert refused.status_code == 200
    assert AuditEvent.objects.filter(event_type="sign_in.failed", reason_text="step-up").count() == 1

    clock.shift(5)
    back = client.post(confirm, {"password": TEST_PASSWORD, "code": code_now(secret), "next": DOWNLOAD})
    assert back.status_code == 302 and back["Location"] == DOWNLOAD
    assert AuditEvent.objects.filter(event_type="session.reauthenticated", actor_user_id=user.pk).exists()
    response = client.get(DOWNLOAD)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(event_type="report.weekly.exported").count() == 1


def test_the_confirm_page_only_returns_to_this_site(client, analyst, clock):
    user, secret = analyst
    sign_in_fully(client, user, secret)
    clock.shift(60)
    response = client.post(
        reverse("reauthenticate"),
        {"password": TEST_PASSWORD, "code": code_now(secret), "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_decorator_on_a_post_returns_to_the_form(world, clock):
    @require_recent_authentication
    def erase(request):
        return HttpResponse("erased")

    request = RequestFactory().post("/people/7/erase/", {"reason": "x"})
    request.user = world.officer
    request.session = {}
    response = erase(request)
    assert response.status_code == 302
    assert response["Location"] == reverse("reauthenticate") + "?next=%2Fpeople%2F7%2Ferase%2F"


@pytest.mark.parametrize(
    "url",
    [
        "/reports/measures/?from=2025-10-20&to=2025-10-26&format=xlsx",
        "/reports/quarterly/?year=2025&quarter=1&format=csv",
        "/reports/problem-profile/?format=csv",
        "/reports/national-returns/?return=mpdr&year=2025&format=csv",
        "/reports/weekly/delivered/1/",
    ],
)
def test_every_report_download_asks_for_step_up(client, analyst, clock, url):
    user, secret = analyst
    sign_in_fully(client, user, secret)
    clock.shift(dt.timedelta(minutes=16))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
