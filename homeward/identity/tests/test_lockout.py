"""Lockout after repeated failures, per username and per address, with no account enumeration (P6, AUTH-2)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD, sign_in_with_password_only
from homeward.identity.lockout import FAILED_MESSAGE, locked_message
from homeward.identity.models import SignInThrottle
from homeward.identity.tests.helpers import code_now, enrol

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def attempt(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def errors(response) -> list[str]:
    body = response.content.decode()
    summary = body.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]


def test_five_wrong_passwords_lock_the_username_for_ten_minutes(world, clock):
    officer = world.officer.username
    for i in range(5):
        response = attempt(client_at(f"10.0.0.{i + 1}"), officer, "wrong-password-123")
        assert response.status_code == 200
    assert locked_message() in errors(response)[0]
    # Locked: even the right password, from a fresh address, is refused without being checked.
    fresh = client_at("10.0.1.1")
    response = attempt(fresh, officer, TEST_PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in fresh.session
    assert errors(response) == [locked_message()]
    clock.shift(dt.timedelta(minutes=9, seconds=59))
    assert attempt(fresh, officer, TEST_PASSWORD).status_code == 200
    clock.shift(dt.timedelta(seconds=2))
    assert attempt(fresh, officer, TEST_PASSWORD).status_code == 302

    locked = AuditEvent.objects.get(event_type="sign_in.locked_out")
    assert locked.actor_user_id == world.officer.pk and locked.operation == "auth"
    assert AuditEvent.objects.filter(event_type="sign_in.failed", outcome="denied").count() == 5
    assert AuditEvent.objects.filter(event_type="sign_in.refused_locked").count() == 2


def test_five_failures_from_one_address_lock_that_address(world, clock):
    attacker = client_at("198.51.100.7")
    for i in range(5):
        attempt(attacker, f"someone{i}", "guess-guess-guess")
    # Another account's right password, from the same address: refused.
    response = attempt(attacker, world.supervisor.username, TEST_PASSWORD)
    assert response.status_code == 200 and errors(response) == [locked_message()]
    # From elsewhere the account is fine: only the address is locked.
    assert attempt(client_at("198.51.100.8"), world.supervisor.username, TEST_PASSWORD).status_code == 302
    clock.shift(dt.timedelta(minutes=10, seconds=1))
    assert attempt(attacker, world.supervisor.username, TEST_PASSWORD).status_code == 302


def test_failures_spread_beyond_the_window_do_not_lock(world, clock):
    for _ in range(4):
        attempt(client_at("10.0.0.1"), world.officer.username, "wrong-password-123")
    clock.shift(dt.timedelta(minutes=16))
    attempt(client_at("10.0.0.1"), world.officer.username, "wrong-password-123")
    assert attempt(client_at("10.0.0.2"), world.officer.username, TEST_PASSWORD).status_code == 302


def test_a_full_sign_in_clears_the_username_count(client, world, clock):
    secret = enrol(world.officer)
    for _ in range(4):
        attempt(client_at("10.0.0.1"), world.officer.username, "wrong-password-123")
    sign_in_with_password_only(client, world.officer)
    client.post(reverse("mfa_verify"), {"code": code_now(secret)})
    client.post(reverse("logout"))
    response = attempt(client_at("10.0.0.2"), world.officer.username, "wrong-password-123")
    assert errors(response) == [FAILED_MESSAGE]


def test_unknown_and_known_usernames_get_the_same_answer(world, clock, monkeypatch):
    hashed = []
    real_encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        hashed.append(1)
        return real_encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    known = attempt(client_at("10.0.0.1"), world.officer.username, "wrong-password-123")
    known_hashes = len(hashed)
    unknown = attempt(client_at("10.0.0.2"), "no.such.person", "wrong-password-123")
    # Same status and message, and the same hashing work (the backend hashes for unknown users too).
    assert known.status_code == unknown.status_code == 200
    assert errors(known) == errors(unknown) == [FAILED_MESSAGE]
    assert known_hashes == len(hashed) - known_hashes == 1

    # Locking behaves the same too.
    for i in range(4):
        attempt(client_at(f"10.1.0.{i}"), world.officer.username, "wrong-password-123")
        attempt(client_at(f"10.2.0.{i}"), "no.such.person", "wrong-password-123")
    known = attempt(client_at("10.3.0.1"), world.officer.username, "wrong-password-123")
    unknown = attempt(client_at("10.3.0.2"), "no.such.person", "wrong-password-123")
    assert errors(known) == errors(unknown) == [locked_message()]
    # Usernames are not stored as typed (people type passwords into the username box).
    assert not SignInThrottle.objects.filter(key__icontains="no.such").exists()
    failed_unknown = AuditEvent.objects.filter(
        event_type="sign_in.failed", actor_user_id__isnull=True
    ).first()
    assert failed_unknown is not None and "no.such" not in str(failed_unknown.__dict__)


def test_wrong_codes_at_the_second_step_count_towards_the_lockout(client, world, clock):
    secret = enrol(world.officer)
    sign_in_with_password_only(client, world.officer)
    right = code_now(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(reverse("mfa_verify"), {"code": wrong})
        clock.shift(20)  # past django-otp's own growing delay, to test the lockout alone
    response = client.post(reverse("mfa_verify"), {"code": code_now(secret)})
    assert response.status_code == 200 and locked_message() in response.content.decode()
    assert AuditEvent.objects.filter(event_type="sign_in.locked_out", actor_user_id=world.officer.pk).exists()


def test_the_account_holder_is_told_by_email(world, clock, django_capture_on_commit_callbacks):
    world.officer.email = "oscar@example.org"
    world.officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            attempt(client_at(f"10.0.0.{i}"), world.officer.username, "wrong-password-123")
    assert [m.to for m in mail.outbox] == [["oscar@example.org"]]
    assert "wrong-password-123" not in mail.outbox[0].body


def test_no_password_or_code_reaches_the_audit_log(client, world, clock):
    secret = enrol(world.officer)
    attempt(client_at("10.0.0.1"), world.officer.username, "my-secret-guess-999")
    sign_in_with_password_only(client, world.officer)
    code = code_now(secret)
    client.post(reverse("mfa_verify"), {"code": code})
    dump = " ".join(str(e.__dict__) for e in AuditEvent.objects.all())
    assert "my-secret-guess-999" not in dump and TEST_PASSWORD not in dump and f"'{code}'" not in dump
