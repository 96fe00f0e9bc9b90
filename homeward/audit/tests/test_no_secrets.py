"""AUD-10: no password, TOTP secret, one-time code, backup code or API token reaches the audit log.

One journey through every sign-in flow through the real pages, collecting each secret as the person
would see or type it, then a scan of every field of every audit row written on the way.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD
from homeward.identity.api_tokens import api_token_issue
from homeward.identity.tests.helpers import code_now, secret_on_page

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)
NEW_PASSWORD = "lantern meadow quietly 2026"
WRONG_PASSWORD = "Zebra-Wrong-Password-771"
CODES = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def _variants(secret: str) -> set[str]:
    s = secret.strip()
    return {s, s.lower(), s.upper(), s.replace("-", ""), s.replace(" ", "")}


def test_no_secret_from_any_sign_in_flow_is_in_the_audit_log(world, time_machine):
    time_machine.move_to(START, tick=False)
    user = world.officer
    secrets: set[str] = {TEST_PASSWORD, NEW_PASSWORD, WRONG_PASSWORD}
    codes_typed: set[str] = set()
    client = Client()

    # First sign-in: password, then the authenticator is set up and backup codes are shown.
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    secret = secret_on_page(client.get(reverse("mfa_enrol")).content.decode())
    secrets.add(secret)
    code = code_now(secret)
    codes_typed.add(code)
    backup = CODES.findall(client.post(reverse("mfa_enrol"), {"code": code}).content.decode())
    assert len(backup) == 10
    secrets.update(backup)
    client.post(reverse("logout"))

    # Failures: a wrong password, a password typed into the username box, a wrong code.
    client.post(reverse("login"), {"username": user.username, "password": WRONG_PASSWORD})
    client.post(reverse("login"), {"username": WRONG_PASSWORD, "password": TEST_PASSWORD})
    time_machine.shift(31)
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    wrong_code = f"{(int(code_now(secret)) + 1) % 1_000_000:06d}"
    codes_typed.add(wrong_code)
    client.post(reverse("mfa_verify"), {"code": wrong_code})
    time_machine.shift(5)
    # A backup code instead of the app.
    assert client.post(reverse("mfa_verify"), {"code": backup[0]}).status_code == 302

    # Step-up, then a new password, new backup codes, and a new phone.
    time_machine.shift(dt.timedelta(minutes=20))
    code = code_now(secret)
    codes_typed.add(code)
    client.post(reverse("reauthenticate"), {"password": TEST_PASSWORD, "code": code, "next": "/"})
    client.post(reverse("password_change"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    renewed = CODES.findall(client.post(reverse("backup_codes_renew")).content.decode())
    assert len(renewed) == 10
    secrets.update(renewed)
    enrol_page = client.post(reverse("authenticator_replace"))["Location"]
    new_secret = secret_on_page(client.get(enrol_page).content.decode())
    secrets.add(new_secret)
    time_machine.shift(31)
    code = code_now(new_secret)
    codes_typed.add(code)
    client.post(enrol_page, {"code": code})

    # An API token, used once; and an administrator's reset of the second factor.
    _token, plaintext = api_token_issue(actor=user, name="Custody system")
    secrets.add(plaintext)
    Client().get("/api/v1/episodes/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    call_command("mfa_reset", user.username, "--reason", "Lost phone", stdout=StringIO())

    events = list(AuditEvent.objects.values())
    kinds = {e["event_type"] for e in events}
    assert {
        "sign_in.password_accepted",
        "sign_in.failed",
        "sign_in.succeeded",
        "mfa.enrolled",
        "mfa.removed",
        "mfa.reset",
        "mfa.backup_codes_issued",
        "session.reauthenticated",
        "password.changed",
        "api_token.issued",
    } <= kinds, kinds
    for event in events:
        text = " ".join(str(v) for k, v in event.items() if k not in ("hash", "prev_hash")).lower()
        for secret_value in secrets:
            for variant in _variants(secret_value):
                assert variant.lower() not in text, (event["event_type"], "a secret is in the log")
        for code_value in codes_typed:
            assert code_value not in text, (event["event_type"], "a one-time code is in the log")
