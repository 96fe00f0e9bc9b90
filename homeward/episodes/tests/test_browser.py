"""The main journey in a real browser: report, grade, sign off, watch the dashboard, find, interview, close.

Each user signs in through the sign-in form in a browser context of their own. Records that exist before
the journey are made with the real actions (factories.py); everything else is done through the pages.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from homeward.browser_fixtures import BrowserLog, authenticator_code, authenticator_secret, sign_in_page
from homeward.conftest import TEST_PASSWORD
from homeward.episodes.models import Episode, PreventionInterview, RiskAssessment, Status
from homeward.episodes.tests.factories import make_ruby

pytestmark = pytest.mark.browser

# The dashboard polls every 5 s (HOMEWARD_DASHBOARD_POLL_SECONDS): two polls and some slack.
POLL_WAIT_MS = 12_000


def local_input(moment: dt.datetime) -> str:
    """A datetime-local input value in Europe/London time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def dashboard_row(page: Page, episode: Episode):
    return page.locator(f'#active-episodes tr[data-episode="{episode.reference}"]')


def assert_stylesheets_loaded(page: Page, log: BrowserLog) -> None:
    govuk = [r for r in log.responses if r[2] == "stylesheet" and "govuk-frontend.min.css" in r[0]]
    assert govuk, "the GOV.UK Frontend stylesheet was never requested"
    assert all(status == 200 for _, status, _ in govuk), govuk
    # And applied: the skip link is visually hidden (absolutely positioned) until it has focus.
    expect(page.locator(".govuk-skip-link")).to_have_css("position", "absolute")


def test_report_grade_sign_off_find_and_close(world, sign_in, browser_log, screenshot):
    ruby = make_ruby(world)
    now = timezone.now()

    # --- The call handler finds Ruby's existing record despite a misspelt surname. ---
    handler = sign_in(world.call_handler)
    assert_stylesheets_loaded(handler, browser_log)
    handler.get_by_role("link", name="Report missing").click()
    expect(handler.get_by_role("heading", name="Who is missing?")).to_be_visible()
    handler.get_by_label("First name").fill("Ruby")
    handler.get_by_label("Last name").fill("Hartly")
    handler.get_by_label("Year").fill(str(ruby.date_of_birth.year))
    handler.get_by_role("button", name="Search").click()
    candidate = handler.locator(f'#candidates tr[data-person="{ruby.pk}"]')
    expect(candidate).to_contain_text("Ruby Hartley")
    expect(candidate.locator(".hw-reasons li").first).to_be_visible()
    expect(candidate.locator(".hw-reasons")).to_contain_text(re.compile("surname", re.IGNORECASE))
    candidate.get_by_role("link", name="Report Ruby Hartley missing").click()

    # --- Circumstances. ---
    expect(handler).to_have_url(re.compile(rf"/report/person/{ruby.pk}/$"))
    expect(handler.get_by_role("heading", name="Circumstances")).to_be_visible()
    handler.get_by_label("Missing from (premises)").select_option(label="Oak House")
    handler.get_by_label("Last seen (date and time)").fill(local_input(now - dt.timedelta(hours=3)))
    handler.get_by_label("Where last seen").fill("Front door of Oak House")
    handler.get_by_label("Clothing when last seen").fill("Black puffer jacket, white trainers")
    handler.get_by_label("Circumstances", exact=True).fill(
        "Left after an argument with staff at tea time and did not return for the 9pm curfew."
    )
    handler.get_by_label("Name of the person reporting").fill("Alex Manager")
    handler.get_by_label("Their relationship to the missing person").fill("Care home manager")
    handler.get_by_label("Their phone number").fill("01632 960123")
    handler.get_by_label("Reasonable steps the carer took before reporting").fill(
        "Searched the house and garden, rang her phone and her friend Jade, drove round the park."
    )
    handler.get_by_role("group", name="Is this out of character?").get_by_label("No", exact=True).check()
    handler.locator("#id_q_out_of_character_detail").fill("Goes missing most weekends")
    handler.get_by_role("group", name="Are they currently at risk of sexual exploitation?").get_by_label(
        "Yes", exact=True
    ).check()
    handler.locator("#id_q_sexual_exploitation_detail").fill("Seen getting into cars with older men")
    handler.get_by_role("button", name="Save report and assess risk").click()

    expect(handler.get_by_role("heading", name="First risk assessment")).to_be_visible()
    episode = Episode.objects.get(person=ruby)
    expect(handler).to_have_url(re.compile(rf"/episodes/{episode.pk}/risk/$"))
    expect(handler.locator(".govuk-notification-banner")).to_contain_text(f"Report {episode.reference}")
    assert episode.status == Status.REPORTED and episode.risk_level == ""
    assert episode.missing_from == world.oak_house and episode.looked_after
    assert episode.call_handler_answers == {
        "out_of_character": {"answer": "no", "detail": "Goes missing most weekends"},
        "sexual_exploitation": {"answer": "yes", "detail": "Seen getting into cars with older men"},
    }

    # --- The supervisor sees it waiting; an officer keeps the dashboard open from before the grading. ---
    supervisor = sign_in(world.supervisor)
    expect(supervisor.get_by_role("heading", name="Missing now")).to_be_visible()
    expect(dashboard_row(supervisor, episode)).to_contain_text("Not yet assessed")
    watcher = sign_in(world.officer)
    watcher_row = dashboard_row(watcher, episode)
    expect(watcher_row).to_contain_text("Not yet assessed")
    watcher.evaluate("window.homewardNotReloaded = true")

    # --- The supervisor grades her high, with two systems checked. ---
    dashboard_row(supervisor, episode).get_by_role("link", name="Ruby Hartley").click()
    expect(supervisor).to_have_url(re.compile(rf"/episodes/{episode.pk}/$"))
    supervisor.get_by_role("link", name="Record first risk assessment").click()
    supervisor.get_by_role("group", name="Risk level").get_by_label("High", exact=True).check()
    supervisor.get_by_label("Rationale").fill(
        "Known CSE markers and seen with older men; out overnight with no contact. Hypothesis: with "
        "the men from the park, kept separate from the risk."
    )
    systems = supervisor.get_by_role("group", name="Systems checked")
    systems.get_by_label("Police National Computer (PNC)").check()
    systems.get_by_label("Previous missing reports").check()
    supervisor.get_by_label("What the checks found").fill("Three previous episodes this year.")
    supervisor.get_by_role(
        "group", name="Victim of sexual exploitation, trafficking or prostitution?"
    ).get_by_label("Yes", exact=True).check()
    supervisor.get_by_role("button", name="Save risk assessment").click()

    expect(supervisor.locator(".govuk-notification-banner")).to_contain_text("Risk assessment recorded.")
    expect(supervisor.locator("h1 [data-risk]")).to_have_text("High risk")
    episode.refresh_from_db()
    assessment = RiskAssessment.objects.get(episode=episode)
    assert episode.status == Status.ACTIVE and episode.risk_level == "high"
    assert assessment.level == "high" and assessment.signed_off_at is None
    assert {s["system"] for s in assessment.systems_checked} == {"pnc", "previous_missing"}

    # --- The open dashboard regrades itself by polling, without a reload. ---
    expect(watcher_row).to_contain_text("New high risk", timeout=POLL_WAIT_MS)
    expect(watcher_row.locator("td").nth(1)).to_have_text("High")
    expect(watcher_row).to_contain_text("Pending")
    assert watcher.evaluate("window.homewardNotReloaded") is True

    # --- The supervisor signs the assessment off from the episode page. ---
    supervisor.get_by_role("link", name=re.compile(r"^Sign off")).click()
    expect(supervisor.get_by_role("heading", name="Sign off the high risk assessment")).to_be_visible()
    supervisor.get_by_label("Supervisor's note").fill("Research and grading agreed. Review at 2 hours.")
    supervisor.get_by_role("button", name="Sign off").click()
    expect(supervisor.locator(".govuk-notification-banner")).to_contain_text("Risk assessment signed off.")
    expect(supervisor.get_by_text("Research and grading agreed.")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.signed_off_at is not None and assessment.signed_off_by == world.supervisor
    expect(watcher_row.locator("td").nth(6)).to_have_text("Signed off", timeout=POLL_WAIT_MS)
    assert watcher.evaluate("window.homewardNotReloaded") is True
    screenshot(watcher, "dashboard")
    screenshot(supervisor, "episode")

    # --- The officer records her found, then the prevention interview. ---
    watcher_row.get_by_role("link", name="Ruby Hartley").click()
    watcher.get_by_role("link", name="Record found").click()
    watcher.get_by_label("Found at (date and time)").fill(local_input(now - dt.timedelta(minutes=30)))
    watcher.get_by_label("Where found").fill("Northtown bus station")
    watcher.get_by_role("group", name="How found").get_by_label("Found by police").check()
    watcher.get_by_role("group", name="Condition").get_by_label("Safe and well").check()
    watcher.get_by_label("Where they had been").fill("A flat above the takeaway on Mill Street")
    watcher.get_by_role("button", name="Record found").click()
    expect(watcher.locator(".govuk-notification-banner")).to_contain_text("Recorded as found.")
    expect(watcher.locator("h1 [data-status]")).to_have_text("Found")
    episode.refresh_from_db()
    assert episode.status == Status.FOUND and episode.found_at is not None

    watcher.get_by_role("link", name="Record prevention interview").click()
    watcher.get_by_role("group", name="Outcome").get_by_label("Completed").check()
    watcher.get_by_label("When", exact=True).fill(local_input(now - dt.timedelta(minutes=5)))
    watcher.get_by_label("Push factors (why they left)").fill("Arguments with staff about her phone")
    watcher.get_by_label("Pull factors (what drew them away)").fill("Older friends with a car")
    watcher.get_by_label("Support needed").fill("Referral to the CSE team")
    watcher.get_by_role("button", name="Save interview").click()
    expect(watcher.locator(".govuk-notification-banner")).to_contain_text("Prevention interview recorded.")
    assert PreventionInterview.objects.get(episode=episode).outcome == "completed"

    # --- The supervisor closes the episode; it leaves the active list. ---
    supervisor.reload()
    supervisor.get_by_role("link", name="Close episode").click()
    expect(supervisor.get_by_text("Prevention interview completed on")).to_be_visible()
    supervisor.get_by_label("Closing note").fill("Home safe; interview done; CSE referral made.")
    supervisor.get_by_role("button", name="Close episode").click()
    expect(supervisor.locator(".govuk-notification-banner")).to_contain_text("Episode closed.")
    expect(supervisor.locator("h1 [data-status]")).to_have_text("Closed")
    episode.refresh_from_db()
    assert episode.status == Status.CLOSED and episode.closed_by == world.supervisor

    supervisor.get_by_role("link", name="Dashboard").click()
    expect(supervisor.locator("#active-episodes")).to_contain_text("Nobody is missing")
    expect(dashboard_row(supervisor, episode)).to_have_count(0)
    assert browser_log.page_errors == []
    assert browser_log.failed_responses() == []


def test_report_search_works_without_javascript(world, new_context):
    ruby = make_ruby(world)
    context = new_context(java_script_enabled=False)
    page = sign_in_page(context.new_page(), world.call_handler)
    page.get_by_role("link", name="Report missing").click()
    page.get_by_label("First name").fill("Ruby")
    page.get_by_label("Last name").fill("Hartly")
    page.get_by_label("Year").fill(str(ruby.date_of_birth.year))
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("possible match")
    candidate = page.locator(f'#candidates tr[data-person="{ruby.pk}"]')
    expect(candidate).to_contain_text("Ruby Hartley")
    expect(candidate.locator(".hw-reasons li").first).to_be_visible()
    expect(candidate.get_by_role("link", name="Report Ruby Hartley missing")).to_have_attribute(
        "href", f"/report/person/{ruby.pk}/"
    )
    expect(page.get_by_role("link", name="Create a new person record")).to_be_visible()


def test_sign_in_by_keyboard(world, new_context):
    authenticator_secret(world.call_handler)
    page = new_context().new_page()
    page.goto("/login/")
    username = page.get_by_label("Username")
    # Tab past the skip link and the header to the first field, as a keyboard user would.
    for _ in range(10):
        page.keyboard.press("Tab")
        if username.evaluate("el => el === document.activeElement"):
            break
    expect(username).to_be_focused()
    page.keyboard.type(world.call_handler.username)
    page.keyboard.press("Tab")
    password = page.get_by_label("Password")
    expect(password).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login/code/"))
    page.get_by_label("Code", exact=True).focus()
    page.keyboard.type(authenticator_code(world.call_handler))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("header")).to_contain_text(world.call_handler.display_name)
