"""The second factor (P1): enrolment on first sign-in, codes, backup codes, and what a half-signed-in
session may reach."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD, sign_in_with_password_only
from homeward.identity.mfa import backup_codes_issue, demo_totp_secret, totp_code_at
from homeward.identity.models import BackupCode
from homeward.identity.signin import SECOND_FACTOR_AT
from homeward.identity.tests.helpers import code_now, enrol, secret_on_page, sign_in_fully

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type))


def test_a_password_only_session_reaches_nothing_but_the_code_page_and_sign_out(client, world):
    enrol(world.supervisor)
    sign_in_with_password_only(client, world.supervisor)
    for name in ("home", "dashboard", "person_search", "insights:index", "reauthenticate"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("mfa_verify") + "?next="), name
    # htmx requests are told to load the page whole.
    response = client.get(reverse("dashboard_rows"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("mfa_verify"))
    # The API treats the session as signed out.
    assert client.get(reverse("api-v1:episode_list")).status_code == 401
    page = client.get(reverse("mfa_verify"))
    assert page.status_code == 200 and 'class="govuk-service-navigation"' not in page.content.decode()
    assert SECOND_FACTOR_AT not in client.session
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_an_api_token_still_works_without_a_browser_session(client, world):
    from homeward.identity.api_tokens import api_token_issue

    _token, plaintext = api_token_issue(actor=world.supervisor, name="script")
    response = client.get(reverse("api-v1:episode_list"), HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200


def test_first_sign_in_sets_up_an_authenticator_then_shows_backup_codes_once(client, world, clock):
    response = client.post(
        reverse("login") + "?next=/people/",
        {"username": world.officer.username, "password": TEST_PASSWORD, "next": "/people/"},
    )
    assert response["Location"] == reverse("mfa_enrol") + "?next=%2Fpeople%2F"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "Set up your authenticator app" in page
    secret = secret_on_page(page)
    assert len(secret) == 32
    # The QR code and the typed secret are the same device, and reloading keeps it.
    assert secret_on_page(client.get(reverse("mfa_enrol")).content.decode()) == secret
    assert not TOTPDevice.objects.get(user=world.officer).confirmed

    done = client.post(reverse("mfa_enrol"), {"code": code_now(secret), "next": "/people/"})
    body = done.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", body)
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert done["Cache-Control"] == "no-store"
    assert 'href="/people/"' in body
    assert TOTPDevice.objects.get(user=world.officer).confirmed
    # Only keyed hashes are stored.
    stored = set(BackupCode.objects.filter(user=world.officer).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes for h in stored)
    assert isinstance(client.session[SECOND_FACTOR_AT], float)
    assert client.get(reverse("person_search")).status_code == 200
    assert len(events("mfa.enrolled")) == 1 and len(events("sign_in.succeeded")) == 1
    # Enrolled: the set-up page now sends to the code page, so the secret is never shown again.
    assert client.get(reverse("mfa_enrol"))["Location"].startswith(reverse("mfa_verify"))


def test_enrolment_refuses_a_wrong_code(client, world, clock):
    sign_in_with_password_only(client, world.officer)
    secret = secret_on_page(client.get(reverse("mfa_enrol")).content.decode())
    wrong = f"{(int(code_now(secret)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_enrol"), {"code": wrong})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=world.officer).confirmed
    assert SECOND_FACTOR_AT not in client.session


def test_sign_in_with_the_app_code(client, world, clock):
    secret = enrol(world.supervisor)
    response = client.post(
        reverse("login"), {"username": world.supervisor.username, "password": TEST_PASSWORD}
    )
    assert response["Location"].startswith(reverse("mfa_verify"))
    response = client.post(reverse("mfa_verify"), {"code": code_now(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_code_of_the_step_before_or_after_is_accepted_but_not_two_steps_away(client, world, clock):
    secret = enrol(world.supervisor)
    now = START.timestamp()
    sign_in_with_password_only(client, world.supervisor)
    two_behind = totp_code_at(secret, now - 60)
    assert client.post(reverse("mfa_verify"), {"code": two_behind}).status_code == 200
    clock.shift(10)  # past django-otp's one-second slow-down after a wrong code
    one_behind = totp_code_at(secret, now - 30)
    assert client.post(reverse("mfa_verify"), {"code": one_behind}).status_code == 302


def test_a_wrong_code_is_refused_and_a_used_code_cannot_be_replayed(client, world, clock):
    secret = enrol(world.supervisor)
    sign_in_with_password_only(client, world.supervisor)
    right = code_now(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_verify"), {"code": wrong})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert SECOND_FACTOR_AT not in client.session
    failure = events("sign_in.failed")[-1]
    assert failure.outcome == "denied" and failure.actor_user_id == world.supervisor.pk
    assert right not in str(failure.__dict__) and wrong not in str(failure.__dict__)
    clock.shift(5)
    assert client.post(reverse("mfa_verify"), {"code": right}).status_code == 302
    # The same code again, in the same 30 seconds, from another browser: refused.
    other = type(client)()
    sign_in_with_password_only(other, world.supervisor)
    assert other.post(reverse("mfa_verify"), {"code": right}).status_code == 200


def test_a_backup_code_works_once(client, world, clock):
    enrol(world.supervisor)
    codes = backup_codes_issue(actor=world.supervisor)
    sign_in_with_password_only(client, world.supervisor)
    assert client.post(reverse("mfa_verify"), {"code": codes[3].upper()}).status_code == 302
    assert events("sign_in.succeeded")[-1].reason_text == "backup code"
    client.post(reverse("logout"))
    clock.shift(60)
    sign_in_with_password_only(client, world.supervisor)
    again = client.post(reverse("mfa_verify"), {"code": codes[3]})
    assert again.status_code == 200 and "The code is not right" in again.content.decode()
    clock.shift(60)
    assert client.post(reverse("mfa_verify"), {"code": codes[4]}).status_code == 302
    assert BackupCode.objects.filter(user=world.supervisor, used_at__isnull=True).count() == 8


def test_full_sign_in_helper_goes_through_the_real_pages(client, world, clock):
    secret = enrol(world.partner)
    sign_in_fully(client, world.partner, secret)
    assert client.get(reverse("notifications:inbox")).status_code == 200


def test_the_session_key_changes_when_the_second_factor_is_verified(client, world, clock):
    secret = enrol(world.supervisor)
    sign_in_with_password_only(client, world.supervisor)
    half = client.session.session_key
    client.post(reverse("mfa_verify"), {"code": code_now(secret)})
    assert client.session.session_key != half


def test_demo_secrets_are_derived_from_the_seed_and_listed_in_the_readme():
    from pathlib import Path

    from django.conf import settings

    from homeward.demo.config import DEMO_ACCOUNTS

    first = demo_totp_secret(seed=1, username="supervisor")
    assert first == demo_totp_secret(seed=1, username="supervisor")
    assert first != demo_totp_secret(seed=2, username="supervisor")
    assert first != demo_totp_secret(seed=1, username="officer")
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    import base64

    for username, *_rest in DEMO_ACCOUNTS:
        secret = base64.b32encode(demo_totp_secret(seed=1, username=username)).decode()
        assert re.search(rf"`{re.escape(username)}`.*`{secret}`", readme), username


def test_demo_accounts_lists_each_accounts_secret(world):
    import base64
    import io

    from django.core.management import call_command

    from homeward.conftest import make_user
    from homeward.identity.mfa import demo_accounts_enrol
    from homeward.identity.roles import Role

    user = make_user("supervisor", world.force, Role.SUPERVISOR, world.north)
    demo_accounts_enrol(seed=1, users=[user])
    out = io.StringIO()
    call_command("demo", "accounts", stdout=out)
    secret = base64.b32encode(demo_totp_secret(seed=1, username="supervisor")).decode()
    assert re.search(rf"^\s+supervisor\s.*{secret}$", out.getvalue(), re.M), out.getvalue()
    assert "authenticator app" in out.getvalue()


def test_a_backup_code_of_digits_only_is_still_a_backup_code(world):
    from django.utils import timezone

    from homeward.identity.mfa import backup_code_hash, second_factor_check

    enrol(world.officer)
    BackupCode.objects.create(
        user=world.officer, code_hash=backup_code_hash("2345678923"), created_at=timezone.now()
    )
    assert second_factor_check(user=world.officer, code="23456-78923") == "backup"
