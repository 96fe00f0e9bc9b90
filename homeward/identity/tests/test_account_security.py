"""A person's own sign-in settings: password, authenticator, backup codes. Each change needs step-up
(P9) and signs out every other session (P10); a configured maximum password age is enforced (P4)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD, sign_in_with_password_only
from homeward.identity.models import User
from homeward.identity.tests.helpers import code_now, enrol, secret_on_page, sign_in_fully

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
NEW_PASSWORD = "lantern meadow quietly 2026"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def two_browsers(world, clock):
    secret = enrol(world.supervisor)
    here, elsewhere = Client(), Client()
    sign_in_fully(here, world.supervisor, secret)
    clock.shift(31)
    sign_in_fully(elsewhere, world.supervisor, secret)
    clock.shift(31)
    return here, elsewhere, secret


def test_the_page_shows_the_state_and_the_header_links_to_it(client, world):
    client.force_login(world.supervisor)
    assert 'href="/account/sign-in/"' in client.get(reverse("dashboard")).content.decode()
    page = client.get(reverse("account_security")).content.decode()
    assert "Your sign-in" in page and "Not set up" in page and "0 unused" in page


def test_changing_the_password_needs_step_up_and_signs_out_other_sessions(two_browsers, world, clock):
    here, elsewhere, secret = two_browsers
    clock.shift(dt.timedelta(minutes=16))
    response = here.get(reverse("password_change"))
    assert response["Location"].startswith(reverse("reauthenticate"))
    back = here.post(
        response["Location"],
        {"password": TEST_PASSWORD, "code": code_now(secret), "next": "/account/sign-in/password/"},
    )
    assert back["Location"] == reverse("password_change")
    short = here.post(reverse("password_change"), {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 200 and "too short" in short.content.decode()
    done = here.post(
        reverse("password_change"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("account_security")
    assert here.get(reverse("dashboard")).status_code == 200
    assert elsewhere.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert Session.objects.count() == 1
    user = User.objects.get(pk=world.supervisor.pk)
    assert user.check_password(NEW_PASSWORD) and user.password_changed_at == timezone.now()
    assert AuditEvent.objects.filter(event_type="password.changed").count() == 1
    assert AuditEvent.objects.get(event_type="session.others_ended").reason_text.endswith(
        "1 other session(s) ended"
    )


def test_new_backup_codes_replace_the_old_ones(two_browsers, world, clock):
    from homeward.identity.mfa import backup_codes_issue

    here, elsewhere, _secret = two_browsers
    old = backup_codes_issue(actor=world.supervisor)
    assert "Get new backup codes" in here.get(reverse("backup_codes_renew")).content.decode()
    page = here.post(reverse("backup_codes_renew")).content.decode()
    new = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old) and "Your old codes no longer work" in page
    assert elsewhere.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    fresh = Client()
    sign_in_with_password_only(fresh, world.supervisor)
    assert fresh.post(reverse("mfa_verify"), {"code": old[0]}).status_code == 200
    clock.shift(5)
    assert fresh.post(reverse("mfa_verify"), {"code": new[0]}).status_code == 302


def test_moving_to_a_new_phone(two_browsers, world, clock):
    here, elsewhere, old_secret = two_browsers
    response = here.post(reverse("authenticator_replace"))
    assert response["Location"] == reverse("mfa_enrol") + "?next=%2Faccount%2Fsign-in%2F"
    assert not TOTPDevice.objects.filter(user=world.supervisor, confirmed=True).exists()
    assert elsewhere.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    new_secret = secret_on_page(here.get(response["Location"]).content.decode())
    assert new_secret != old_secret
    clock.shift(31)
    done = here.post(response["Location"], {"code": code_now(new_secret), "next": "/account/sign-in/"})
    assert done.status_code == 200 and "Your authenticator app is set up" in done.content.decode()
    assert AuditEvent.objects.filter(event_type__in=["mfa.removed", "mfa.enrolled"]).count() == 2


def test_a_maximum_password_age_is_off_by_default_and_enforced_when_set(client, world, clock, settings):
    User.objects.filter(pk=world.officer.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=400)
    )
    client.force_login(User.objects.get(pk=world.officer.pk))
    assert client.get(reverse("person_search")).status_code == 200
    settings.HOMEWARD_PASSWORD_MAX_AGE_DAYS = 365
    assert client.get(reverse("person_search"))["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "asks for a new password" in page
    client.post(reverse("password_change"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.get(reverse("person_search")).status_code == 200
