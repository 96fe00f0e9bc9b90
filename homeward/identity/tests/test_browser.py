"""Signing in in a real browser: first sign-in sets up the authenticator; later sign-ins ask for the code."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from homeward.browser_fixtures import authenticator_code, sign_in_page
from homeward.conftest import TEST_PASSWORD
from homeward.identity.mfa import totp_code_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_sets_up_the_app_and_shows_backup_codes(world, new_context, screenshot):
    page = new_context().new_page()
    page.goto("/people/")
    page.get_by_label("Username").fill(world.officer.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/set-up/\?next=%2Fpeople%2F$"))
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator(".hw-qr svg")).to_be_visible()
    screenshot(page, "mfa-set-up")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    # Nothing else is reachable yet.
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/login/set-up/"))
    expect(page.locator("#navigation")).to_have_count(0)

    page.get_by_label("Code", exact=True).fill(totp_code_at(secret, time.time()))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your authenticator app is set up")).to_be_visible()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("header")).to_contain_text(world.officer.display_name)


def test_a_wrong_code_is_refused_then_the_right_one_signs_in(world, new_context):
    page = sign_in_page(new_context().new_page(), world.supervisor)  # enrols, signs in
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill(world.supervisor.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/code/"))
    page.get_by_label("Code", exact=True).fill(
        "000000" if authenticator_code(world.supervisor) != "000000" else "111111"
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    time.sleep(1.1)  # django-otp slows the next try by a second after a wrong code
    page.get_by_label("Code", exact=True).fill(authenticator_code(world.supervisor))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
