"""The pre-registration journey in a real browser: a carer keeps a profile and reports a resident missing
from it; the call handler picks it up and lands on the police report form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.episodes.models import Episode
from homeward.notifications.models import Notification
from homeward.protocols.models import ProfileMissingReport, ProtocolProfile, ReportStatus
from homeward.protocols.tests.helpers import ruby_at_oak_house

pytestmark = pytest.mark.browser


def test_carer_keeps_profile_and_reports_missing_then_police_start_report(
    world, sign_in, browser_log, screenshot
):
    ruby = ruby_at_oak_house(world)

    carer = sign_in(world.care_staff)
    carer.get_by_role("link", name="Profiles").click()
    carer.get_by_role("link", name="Start a profile").click()
    carer.locator(f'#residents tr[data-person="{ruby.pk}"]').get_by_role("link").click()
    expect(carer.get_by_label("Philomena Protocol (child in care)")).to_be_checked()
    carer.get_by_label("Friends and associates").fill("Jade Brook (best friend)")
    carer.get_by_label("Medical conditions, medication and GP").fill("Asthma: blue inhaler")
    screenshot(carer, "protocols-part1-form")
    carer.get_by_role("button", name="Save").click()
    expect(carer.get_by_role("heading", name="Ruby Hartley")).to_be_visible()
    # No photo yet: the profile says so at once.
    expect(carer.locator(".govuk-warning-text")).to_contain_text("No photo on the profile")
    screenshot(carer, "protocols-profile")
    profile = ProtocolProfile.objects.get(person=ruby)

    carer.get_by_role("link", name="Report Ruby missing").click()
    last_seen = timezone.localtime() - dt.timedelta(hours=1)
    carer.get_by_label("Last seen (date and time)").fill(last_seen.strftime("%Y-%m-%dT%H:%M"))
    carer.get_by_label("Where last seen").fill("Front door of Oak House")
    carer.get_by_label("What happened").fill("Left after an argument about her phone.")
    carer.get_by_label("Your role").fill("Residential support worker")
    carer.get_by_role("button", name="Submit to the police").click()
    # Reasonable steps are required: the summary links to the field, and what was typed is kept.
    summary = carer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Record the reasonable steps you took before reporting")
    expect(carer.get_by_label("Where last seen")).to_have_value("Front door of Oak House")
    screenshot(carer, "protocols-part2-error")
    summary.get_by_role("link").first.click()
    expect(carer.get_by_label("Reasonable steps taken before reporting")).to_be_focused()
    carer.keyboard.type("Searched the house and garden; rang her phone; rang Jade's mum.")
    carer.get_by_role("button", name="Submit to the police").click()
    expect(carer.get_by_text("Part 2 sent to the police")).to_be_visible()
    part2 = ProfileMissingReport.objects.get(profile=profile)
    assert part2.status == ReportStatus.SUBMITTED

    handler = sign_in(world.call_handler)
    handler.get_by_role("link", name="Submitted reports").click()
    handler.locator(f'#submitted tr[data-report="{part2.pk}"]').get_by_role("link").click()
    screenshot(handler, "protocols-part2-police")
    handler.get_by_role("button", name="Start the police report").click()
    expect(handler).to_have_url(re.compile(rf"/report/person/{ruby.pk}/$"))
    expect(handler.get_by_role("heading", name="Circumstances")).to_be_visible()
    # The carer's part 2 is already in the police report: nothing is asked twice.
    expect(handler.get_by_label("Where last seen")).to_have_value("Front door of Oak House")
    expect(handler.get_by_label("Reasonable steps the carer took before reporting")).to_have_value(
        re.compile("rang Jade's mum")
    )
    handler.get_by_label("Circumstances").fill("Left after an argument about her phone.")
    if not handler.get_by_label("Name of the person reporting").input_value():
        handler.get_by_label("Name of the person reporting").fill("Carys Carer")
    if not handler.get_by_label("Their relationship to the missing person").input_value():
        handler.get_by_label("Their relationship to the missing person").fill("Residential support worker")
    handler.get_by_role("button", name="Save report and assess risk").click()
    expect(handler.get_by_role("heading", name="First risk assessment")).to_be_visible()
    episode = Episode.objects.get(person=ruby)
    part2.refresh_from_db()
    assert part2.episode == episode and part2.status == ReportStatus.LINKED
    assert Notification.objects.filter(episode=episode, recipient=world.council_b, event="reported").exists()

    # Children's social care (Council B placed Ruby) is told at once: its officer's home is the inbox.
    council = sign_in(world.partner)
    expect(council).to_have_url(re.compile(r"/inbox/$"))
    expect(council.locator("main")).to_contain_text(episode.reference)
    expect(council.locator("main")).to_contain_text("Ruby Hartley")
    screenshot(council, "council-inbox")

    assert not browser_log.page_errors
    assert not [r for r in browser_log.failed_responses() if r[2] != "favicon"]
