"""In Chromium, the Content-Security-Policy blocks nothing Homeward itself serves (P16)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward.conftest import World
from homeward.episodes.tests.factories import assess, make_ruby, report
from homeward.people.actions import person_photo_add
from homeward.security.tests.test_uploads import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_their_scripts_and_the_policy_blocks_nothing(world: World, sign_in: Any) -> None:
    ruby = make_ruby(world)
    upload = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    person_photo_add(
        actor=world.officer, person=ruby, upload=upload, taken_on=dt.date(2026, 1, 2), supplied_by="Mother"
    )
    episode = assess(world, report(world, ruby))
    page = sign_in(world.supervisor)
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    for path in ("/dashboard/", f"/people/{ruby.pk}/", f"/episodes/{episode.pk}/", "/reports/weekly/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # The static scripts ran: GOV.UK Frontend's class on <body>, htmx loaded.
        page.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')")
        page.wait_for_function("() => window.htmx !== undefined")
    # A photo served as an attachment (DEP-4) still shows in the page's <img>.
    page.goto(f"/people/{ruby.pk}/")
    page.wait_for_function(
        "() => { const i = document.querySelector('img.hw-photo'); return i && i.complete }"
    )
    assert page.evaluate("document.querySelector('img.hw-photo').naturalWidth") == 1
    violations = [line for line in console if "Content Security Policy" in line or "Refused to" in line]
    assert violations == []
