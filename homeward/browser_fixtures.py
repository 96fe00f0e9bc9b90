"""Pytest plugin: Playwright fixtures that drive the system Chromium against pytest-django's live server.

Register with `pytest_plugins = ["homeward.browser_fixtures"]` in homeward/conftest.py, or pass
`-p homeward.browser_fixtures`. Never downloads a browser: it launches the Chromium at $HOMEWARD_CHROMIUM,
else /usr/bin/chromium, and skips the test when there is none.

- `browser`: one headless Chromium per test module.
- `new_context(**options)`: a fresh browser context (its own cookies, so its own signed-in user) aimed at
  the live server; every context is closed before the test database is flushed.
- `sign_in(user, **options)`: a new context signed in through the real sign-in pages (password, then
  the authenticator code, computed from the user's secret); returns its page.
- `screenshot(page, name)`: a full-page screenshot in test-artifacts/ when HOMEWARD_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from homeward.identity.models import User

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous enough for a loaded CI machine; Playwright's auto-waiting returns as soon as the page is ready.
ACTION_TIMEOUT_MS = 10_000
EXPECT_TIMEOUT_MS = 8_000


def chromium_path() -> str:
    return os.environ.get("HOMEWARD_CHROMIUM") or DEFAULT_CHROMIUM


def artifacts_dir() -> Path:
    return Path(settings.BASE_DIR) / "test-artifacts"


@dataclass
class BrowserLog:
    """What the browser saw go wrong: uncaught page errors and failed responses, per test."""

    page_errors: list[str] = field(default_factory=list)
    responses: list[tuple[str, int, str]] = field(default_factory=list)  # (url, status, resource type)

    def failed_responses(self) -> list[tuple[str, int, str]]:
        return [r for r in self.responses if r[1] >= 400]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if not Path(path).exists():
        pytest.skip(f"no Chromium at {path}: install Debian's chromium or set HOMEWARD_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an asyncio loop marked as running in this thread, which makes Django
    # refuse ORM calls ("you cannot call this from an async context"). The test code is synchronous and
    # the live server runs in its own thread, so the guard is a false alarm here; lift it only while
    # the browser is alive.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
            instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
            try:
                yield instance
            finally:
                instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def new_context(
    browser: Browser, live_server: Any, transactional_db: None, browser_log: BrowserLog
) -> Iterator[Callable[..., BrowserContext]]:
    # Depending on transactional_db puts this fixture's teardown (closing every context, which stops
    # htmx polling) before the database flush.
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        settings_ = {
            "base_url": live_server.url,
            "locale": "en-GB",
            "timezone_id": "Europe/London",
            "viewport": {"width": 1280, "height": 900},
            **options,
        }
        context = browser.new_context(**settings_)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.on("weberror", lambda error: browser_log.page_errors.append(str(error.error)))
        context.on(
            "response",
            lambda response: browser_log.responses.append(
                (response.url, response.status, response.request.resource_type)
            ),
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def authenticator_secret(user: User) -> str:
    """The user's authenticator secret (base32), setting one up first if the user has none.

    Stands in for the person's phone: the browser still types the code into the real page.
    """
    from homeward.identity.mfa import totp_device_confirmed, totp_secret_base32
    from homeward.identity.tests.helpers import enrol

    device = totp_device_confirmed(user)
    return totp_secret_base32(device) if device is not None else enrol(user)


def authenticator_code(user: User) -> str:
    """The code the user's app shows now, or the next step's if this step's was already used
    (a code is accepted once, and the next step's is within the allowed drift)."""
    import time

    from homeward.identity.mfa import TOTP_STEP_SECONDS, totp_code_at, totp_device_confirmed

    secret = authenticator_secret(user)
    device = totp_device_confirmed(user)
    assert device is not None
    now = time.time()
    step = int(now) // TOTP_STEP_SECONDS
    while device.last_t >= step + 1:
        # Both this step's and the next step's codes are spent: wait for a fresh step.
        time.sleep(TOTP_STEP_SECONDS - now % TOTP_STEP_SECONDS + 0.1)
        now = time.time()
        step = int(now) // TOTP_STEP_SECONDS
    if device.last_t >= step:
        now += TOTP_STEP_SECONDS
    return totp_code_at(secret, now)


def sign_in_page(page: Page, user: User, password: str | None = None) -> Page:
    """Sign in through the real pages, as a person would: the password, then the code from the app."""
    from playwright.sync_api import expect

    # Imported here: `-p homeward.browser_fixtures` loads this module before Django is set up.
    from homeward.conftest import TEST_PASSWORD

    password = TEST_PASSWORD if password is None else password
    authenticator_secret(user)
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/code/"))
    enter_code(page, user)
    expect(page).not_to_have_url(re.compile(r"/login/"))
    expect(page.locator("header")).to_contain_text(user.display_name)
    return page


def enter_code(page: Page, user: User) -> None:
    """On the code page: type the authenticator code and continue."""
    page.get_by_label("Code", exact=True).fill(authenticator_code(user))
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def sign_in(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    def make(user: User, **options: Any) -> Page:
        return sign_in_page(new_context(**options).new_page(), user)

    return make


def save_screenshot(page: Page, name: str) -> Path | None:
    """A full-page PNG in test-artifacts/ when HOMEWARD_SCREENSHOTS=1; otherwise nothing."""
    if os.environ.get("HOMEWARD_SCREENSHOTS") != "1":
        return None
    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path | None]:
    return save_screenshot
