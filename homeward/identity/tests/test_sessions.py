"""Session limits (P7, P8, AUTH-3), ending sessions on deactivation (P10, AUTH-4) and disabling unused
accounts (P11), tested by moving the clock with time-machine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.identity.accounts import accounts_disable_inactive, user_deactivate
from homeward.identity.roles import Role
from homeward.identity.tests.helpers import enrol, sign_in_fully

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def signed_in(client, world, clock):
    sign_in_fully(client, world.supervisor, enrol(world.supervisor))
    return client


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")


def test_thirty_minutes_idle_ends_the_session(signed_in, clock):
    clock.shift(dt.timedelta(minutes=29, seconds=59))
    assert signed_in.get(reverse("dashboard")).status_code == 200
    # Activity moves the idle limit on.
    clock.shift(dt.timedelta(minutes=29, seconds=59))
    assert signed_in.get(reverse("dashboard")).status_code == 200
    clock.shift(dt.timedelta(minutes=30, seconds=1))
    assert sent_to_sign_in(signed_in.get(reverse("dashboard")))
    # Ended on the server, not just refused once.
    assert "_auth_user_id" not in signed_in.session
    assert sent_to_sign_in(signed_in.get(reverse("dashboard")))
    expired = AuditEvent.objects.get(event_type="session.expired")
    assert expired.reason_text == "idle limit"


def test_the_api_answers_401_once_the_session_is_idle(signed_in, clock):
    assert signed_in.get(reverse("api-v1:episode_list")).status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    assert signed_in.get(reverse("api-v1:episode_list")).status_code == 401


def test_dashboard_polling_does_not_keep_a_session_alive(signed_in, clock):
    for _ in range(6):
        clock.shift(dt.timedelta(minutes=5))
        assert signed_in.get(reverse("dashboard_rows"), HTTP_HX_REQUEST="true").status_code == 200
    clock.shift(dt.timedelta(seconds=1))  # 30 min 1 s after the last thing the person did
    response = signed_in.get(reverse("dashboard_rows"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))


def test_twelve_hours_after_sign_in_the_session_ends_however_busy(signed_in, clock):
    for _ in range(24):
        clock.shift(dt.timedelta(minutes=29, seconds=59))
        assert signed_in.get(reverse("dashboard")).status_code == 200
    # 24 x 29 min 59 s = 11 h 59 min 36 s since sign-in.
    clock.shift(dt.timedelta(seconds=23))
    assert signed_in.get(reverse("dashboard")).status_code == 200  # 11:59:59
    clock.shift(dt.timedelta(seconds=2))  # 12:00:01
    response = signed_in.get(reverse("dashboard"))
    assert sent_to_sign_in(response)
    assert AuditEvent.objects.get(event_type="session.expired").reason_text == "absolute limit"


def test_deactivating_a_user_deletes_all_their_sessions(client, world, clock):
    secret = enrol(world.supervisor)
    sign_in_fully(client, world.supervisor, secret)
    clock.shift(40)  # a fresh code for the second browser
    other = Client()
    sign_in_fully(other, world.supervisor, secret)
    bystander = Client()
    bystander.force_login(world.officer)
    assert Session.objects.count() == 3

    administrator = make_user("ada_admin", world.force, Role.ADMINISTRATOR)
    user_deactivate(actor=administrator, user=world.supervisor, reason="left the force", expected_version=1)

    assert Session.objects.count() == 1  # only the officer's
    for browser in (client, other):
        assert sent_to_sign_in(browser.get(reverse("dashboard")))
    assert bystander.get(reverse("dashboard")).status_code == 200
    ended = AuditEvent.objects.get(event_type="session.ended_by_deactivation")
    assert ended.object_ids == [str(world.supervisor.pk)] and ended.reason_text == "2 session(s) ended"
    assert AuditEvent.objects.filter(event_type="account.deactivated").count() == 1


def test_deactivation_by_any_save_ends_sessions(client, world, clock):
    client.force_login(world.officer)
    world.officer.is_active = False
    world.officer.save()
    assert not Session.objects.exists()


def test_accounts_unused_for_ninety_days_are_disabled(world, clock):
    from django.utils import timezone

    from homeward.conftest import make_user
    from homeward.identity.models import User
    from homeward.identity.roles import Role

    now = timezone.now()
    User.objects.filter(pk=world.officer.pk).update(last_login=now - dt.timedelta(days=91))
    User.objects.filter(pk=world.supervisor.pk).update(last_login=now - dt.timedelta(days=89))
    User.objects.exclude(pk__in=[world.officer.pk, world.supervisor.pk]).update(
        date_joined=now - dt.timedelta(days=10)
    )
    never = make_user("nev_never", world.force, Role.OFFICER)
    User.objects.filter(pk=never.pk).update(date_joined=now - dt.timedelta(days=100))

    assert accounts_disable_inactive(now=now) == 2
    active = dict(User.objects.values_list("username", "is_active"))
    assert not active["oscar_officer"] and not active["nev_never"] and active["sam_supervisor"]
    events = AuditEvent.objects.filter(event_type="account.deactivated")
    assert sorted(int(e.object_ids[0]) for e in events) == sorted([world.officer.pk, never.pk])
    assert all(e.reason_text == "no sign-in for 90 days" for e in events)
    assert accounts_disable_inactive(now=now) == 0


def test_the_clocks_sweep_disables_unused_accounts(world, clock):
    from django.utils import timezone

    from homeward.episodes.tasks import clocks_sweep
    from homeward.identity.models import User

    User.objects.filter(pk=world.officer.pk).update(last_login=timezone.now() - dt.timedelta(days=91))
    clocks_sweep.call()
    world.officer.refresh_from_db()
    assert not world.officer.is_active


def test_mfa_reset_makes_the_user_enrol_again_and_ends_their_sessions(client, world, clock):
    from django.core.management import call_command

    from homeward.conftest import sign_in_with_password_only

    sign_in_fully(client, world.supervisor, enrol(world.supervisor))
    call_command("mfa_reset", world.supervisor.username, reason="lost phone, ticket 42")
    assert sent_to_sign_in(client.get(reverse("dashboard")))
    sign_in_with_password_only(client, world.supervisor)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("mfa_enrol"))
    assert AuditEvent.objects.get(event_type="mfa.reset").reason_text.startswith("lost phone, ticket 42")
