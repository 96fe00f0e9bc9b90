"""Signing in through the real pages in tests: password, then a code computed from the secret."""

from __future__ import annotations

import re
import time

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.conftest import TEST_PASSWORD
from homeward.identity.mfa import DEVICE_NAME, totp_code_at, totp_secret_base32
from homeward.identity.models import User

# A fixed base32 secret (20 bytes), so tests can compute codes as an authenticator app would.
TEST_SECRET_HEX = "3132333435363738393031323334353637383930"


def enrol(user: User, key_hex: str = TEST_SECRET_HEX) -> str:
    """Give the user a confirmed authenticator; returns its base32 secret."""
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True, key=key_hex)
    return totp_secret_base32(device)


def code_now(secret: str) -> str:
    return totp_code_at(secret, time.time())


def sign_in_fully(client: Client, user: User, secret: str, password: str = TEST_PASSWORD) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify")), response
    response = client.post(response["Location"], {"code": code_now(secret)})
    assert response.status_code == 302, response.content.decode()


def secret_on_page(html: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert match, "no secret on the enrolment page"
    return match.group(1).replace(" ", "")
