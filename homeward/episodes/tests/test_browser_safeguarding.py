"""Safeguarding journeys in a real browser: a return home interview feeding the next risk assessment,
and a carer's appeal overturning a decision not to record a report as missing.

Each user signs in through the sign-in form in a browser context of their own. Records that exist before
the journey are made with the real actions (factories.py); everything else is done through the pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from homeward.conftest import make_user
from homeward.episodes import actions as episode_actions
from homeward.episodes.models import Episode, Escalation, EscalationStatus, Status
from homeward.episodes.tests.factories import assess, find, make_ruby, report
from homeward.identity.models import Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.people.models import PersonAssociate
from homeward.returns import actions as rhi_actions
from homeward.returns.models import FindingProposal, ProposalStatus, ReturnInterview, RhiStatus

pytestmark = pytest.mark.browser

PUSH = "Rows with night staff about her phone being taken at ten"
PULL = "Jay, an older boyfriend with a car, who buys her vapes"
DISCLOSED = "Was given vodka at a flat on Mill Street by men she did not know"
ASSOCIATE = "Jay Marsh"
RELATIONSHIP = "Older boyfriend, about 24"


def banner(page: Page):
    return page.locator(".govuk-notification-banner")


def dashboard_row(page: Page, episode: Episode):
    return page.locator(f'#active-episodes tr[data-episode="{episode.reference}"]')


def test_return_interview_findings_reach_the_next_risk_assessment(world, sign_in, browser_log):
    service = Organisation.objects.create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    worker = make_user("wendy_worker", service, Role.RHI_WORKER)
    # The service's manager allocates its referrals (a missing officer of the service).
    manager = make_user("mona_manager", service, Role.CSC_MISSING_OFFICER)
    ruby = make_ruby(world)
    first = find(world, assess(world, report(world, ruby)))
    rhi = ReturnInterview.objects.get(episode=first)  # referred by the found hook
    assert rhi.referred_to == service and rhi.status == RhiStatus.REFERRED
    rhi = rhi_actions.rhi_assign(actor=manager, rhi=rhi, expected_version=rhi.version, worker=worker)
    assert rhi.status == RhiStatus.ASSIGNED

    # --- The worker lands on their own interviews, with the 72-hour offer clock running. ---
    interviewer = sign_in(worker)
    expect(interviewer).to_have_url(re.compile(r"/interviews/mine/$"))
    expect(interviewer.get_by_role("heading", name="My interviews")).to_be_visible()
    row = interviewer.locator(f'#my-interviews tr[data-rhi="{rhi.pk}"]')
    expect(row.locator("[data-rhi-status]")).to_have_text("Assigned to a worker")
    expect(row.locator('[data-clock="due"]')).to_be_visible()
    row.get_by_role("link", name="Ruby Hartley").click()
    expect(interviewer).to_have_url(re.compile(rf"/interviews/{rhi.pk}/$"))
    expect(interviewer.locator("#essentials")).to_contain_text("Oak House")

    # --- The offer. ---
    interviewer.get_by_role("link", name="Record the offer").click()
    expect(interviewer.get_by_role("heading", name="Record the offer of an interview")).to_be_visible()
    interviewer.get_by_label("How it was offered").fill("By phone to Ruby, then in person at Oak House")
    interviewer.get_by_role("button", name="Save offer").click()
    expect(banner(interviewer)).to_contain_text("Offer recorded.")
    expect(interviewer.locator("h1 [data-rhi-status]")).to_have_text("Offered")
    rhi.refresh_from_db()
    assert rhi.status == RhiStatus.OFFERED and rhi.offered_in_time is True
    assert rhi.offer_note == "By phone to Ruby, then in person at Oak House"

    # --- The outcome: completed, with what Ruby chose to share. ---
    interviewer.get_by_role("link", name="Record the outcome").click()
    interviewer.get_by_role("group", name="Outcome").get_by_label("Completed", exact=True).check()
    interviewer.get_by_label("Push factors").fill(PUSH)
    interviewer.get_by_label("Pull factors").fill(PULL)
    interviewer.get_by_label("Disclosures").fill(DISCLOSED)
    interviewer.get_by_label("Support they need now").fill("CSE worker; a college place")
    interviewer.get_by_role("button", name="Save outcome").click()
    expect(banner(interviewer)).to_contain_text("Outcome recorded.")
    expect(interviewer.locator("h1 [data-rhi-status]")).to_have_text("Completed")
    findings = interviewer.locator("#findings")
    expect(findings).to_contain_text(PUSH)
    expect(findings).to_contain_text(PULL)
    expect(findings).to_contain_text(DISCLOSED)
    rhi.refresh_from_db()
    assert (rhi.status, rhi.outcome) == (RhiStatus.COMPLETED, "completed")
    assert (rhi.push_factors, rhi.pull_factors, rhi.disclosures) == (PUSH, PULL, DISCLOSED)
    assert rhi.outcome_recorded_by == worker and rhi.completed_at >= rhi.offered_at

    # --- The worker proposes the boyfriend for Ruby's record; police decide. ---
    interviewer.get_by_role("link", name="Propose an addition to the record").click()
    interviewer.get_by_role("group", name="What to add").get_by_label("Associate", exact=True).check()
    interviewer.get_by_label("Name of the associate, or the place").fill(ASSOCIATE)
    interviewer.get_by_label("Detail").fill(RELATIONSHIP)
    interviewer.get_by_role("button", name="Propose").click()
    expect(banner(interviewer)).to_contain_text("Associate proposed.")
    expect(interviewer.locator("#proposals")).to_contain_text(f"Associate: {ASSOCIATE}")
    expect(interviewer.locator("#proposals")).to_contain_text("Waiting for a decision")
    proposal = FindingProposal.objects.get(rhi=rhi)
    assert (proposal.kind, proposal.value, proposal.detail) == ("associate", ASSOCIATE, RELATIONSHIP)
    assert proposal.status == ProposalStatus.PROPOSED and proposal.proposed_by == worker

    # --- An officer accepts it from the findings queue. ---
    officer = sign_in(world.officer)
    officer.get_by_role("link", name="Return interviews").click()
    officer.get_by_role("link", name="1 finding from interviews to review").click()
    expect(officer.get_by_role("heading", name="Findings from return interviews")).to_be_visible()
    pending = officer.locator(f'#pending-findings tr[data-proposal="{proposal.pk}"]')
    expect(pending).to_contain_text(ASSOCIATE)
    pending.get_by_role("link", name=f"Review associate {ASSOCIATE} for Ruby Hartley").click()
    expect(officer.locator("main")).to_contain_text(f"Return interview {rhi.pk} by {service.name}")
    officer.get_by_role("group", name="Add this to the person's record?").get_by_label(
        re.compile(r"^Yes, add it")
    ).check()
    officer.get_by_role("button", name="Save decision").click()
    expect(banner(officer)).to_contain_text(f"Associate added to {ruby.full_name}'s record.")
    expect(officer.locator("#pending-findings")).to_contain_text("Nothing is waiting for a decision.")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.decided_by == world.officer
    associate = PersonAssociate.objects.get(person=ruby, name=ASSOCIATE)
    assert associate.relationship == RELATIONSHIP
    assert associate.supplied_by == f"Return interview {rhi.pk} by {service.name}"
    assert associate.recorded_by == world.officer
    officer.goto(f"/people/{ruby.pk}/")
    expect(officer.locator("main")).to_contain_text(f"{ASSOCIATE} ({RELATIONSHIP})")

    # --- Ruby goes missing again: the supervisor's next assessment shows what the interview found. ---
    second = report(world, ruby)
    supervisor = sign_in(world.supervisor)
    dashboard_row(supervisor, second).get_by_role("link", name="Ruby Hartley").click()
    expect(supervisor).to_have_url(re.compile(rf"/episodes/{second.pk}/$"))
    supervisor.get_by_role("link", name="Record first risk assessment").click()
    expect(supervisor.get_by_role("heading", name="First risk assessment")).to_be_visible()
    panel = supervisor.locator("#latest-return-interview")
    expect(panel.get_by_role("heading", name="Latest return interview")).to_be_visible()
    expect(panel).to_contain_text(PUSH)
    expect(panel).to_contain_text(PULL)
    expect(panel).to_contain_text(DISCLOSED)
    expect(panel).to_contain_text(service.name)
    expect(panel.get_by_role("link", name=re.compile(r"^The full interview"))).to_have_attribute(
        "href", f"/interviews/{rhi.pk}/"
    )
    second.refresh_from_db()
    assert second.status == Status.REPORTED and second.risk_level == ""
    assert browser_log.page_errors == []
    assert browser_log.failed_responses() == []


def test_carer_appeal_overturns_a_decision_not_to_record(world, sign_in, browser_log):
    episode = report(world, make_ruby(world))
    reason = "Staff say she is at her boyfriend's flat; no risk identified"
    episode = episode_actions.episode_decide_not_recorded(
        actor=world.call_handler, episode=episode, expected_version=episode.version, reason=reason
    )
    assert episode.status == Status.NOT_RECORDED
    inspector = make_user("ines_inspector", world.force, Role.SUPERVISOR, world.north)
    grounds = "She has CSE markers and the boyfriend is 24; she has never stayed out this late before."

    # --- The home hears of the report in its inbox and appeals the decision. ---
    carer = sign_in(world.care_staff)
    carer.get_by_role("link", name=re.compile(r"^Inbox")).click()
    carer.get_by_role(
        "button", name=f"Open {episode.reference} (not recorded as missing) and mark it read"
    ).click()
    expect(carer).to_have_url(re.compile(rf"/episodes/{episode.pk}/$"))
    expect(carer.locator("h1 [data-status]")).to_have_text("Not recorded as missing")
    expect(carer.locator("main")).to_contain_text(reason)
    carer.get_by_role("link", name="Appeal this decision").click()
    expect(carer.get_by_role("heading", name="Appeal the decision not to record")).to_be_visible()
    carer.get_by_label("Your name and role").fill("Carys Tester, Oak House registered manager")
    carer.get_by_label("Why the report should be recorded as missing").fill(grounds)
    carer.get_by_role("button", name="Save").click()
    expect(banner(carer)).to_contain_text("Appeal sent to a senior officer.")
    expect(carer.locator('[data-escalation="open"]')).to_contain_text("Awaiting a senior officer")
    expect(carer.get_by_role("link", name="Appeal this decision")).to_have_count(0)
    escalation = Escalation.objects.get(episode=episode)
    assert escalation.status == EscalationStatus.OPEN and escalation.raised_by == world.care_staff
    assert escalation.grounds == grounds and escalation.decided_at is None

    # --- A senior officer, not the one who decided, finds it in the appeals queue and overturns it. ---
    senior = sign_in(inspector)
    expect(senior.locator('#dashboard-alerts [data-alert="appeals"]')).to_contain_text("1 appeal")
    senior.get_by_role("link", name="Appeals", exact=True).click()
    expect(senior.get_by_role("heading", name="Appeals against decisions not to record")).to_be_visible()
    expect(senior.locator("#escalations")).to_contain_text(episode.reference)
    senior.get_by_role("link", name="Decide the appeal for Ruby Hartley").click()
    expect(senior.get_by_role("heading", name="Decide the appeal")).to_be_visible()
    expect(senior.locator("main")).to_contain_text(grounds)
    expect(senior.locator("main")).to_contain_text(reason)
    senior.get_by_role("group", name="Decision").get_by_label(re.compile(r"^Overturn")).check()
    senior.get_by_label("Reasons").fill("CSE risk outweighs what staff were told: record and assess now.")
    senior.get_by_role("button", name="Record the decision").click()

    expect(banner(senior)).to_contain_text("Appeal decided.")
    expect(senior).to_have_url(re.compile(rf"/episodes/{episode.pk}/$"))
    expect(senior.locator("h1 [data-status]")).to_have_text("Reported")
    decided = senior.locator('[data-escalation="overturned"]')
    expect(decided).to_contain_text("Overturned: recorded as missing")
    expect(decided).to_contain_text(grounds)
    expect(decided).to_contain_text(f"Decided by {inspector.display_name}")
    expect(decided).to_contain_text("CSE risk outweighs what staff were told")
    history = senior.locator('h2:text-is("History") + ol')
    expect(history).to_contain_text(f"Not recorded as missing: {reason}")
    expect(history).to_contain_text("Appeal raised by Carys Tester, Oak House registered manager")
    expect(history).to_contain_text(f"now recorded as missing — {inspector.display_name}")
    expect(senior.get_by_role("link", name="Record first risk assessment")).to_be_visible()
    episode.refresh_from_db()
    escalation.refresh_from_db()
    assert episode.status == Status.REPORTED and episode.risk_level == ""
    assert episode.not_recorded_reason == reason  # the original decision stays on the record
    assert escalation.status == EscalationStatus.OVERTURNED
    assert escalation.decided_by == inspector
    assert escalation.decided_at is not None and escalation.decided_at >= escalation.raised_at

    # --- It is now on the dashboard, waiting for its first risk assessment; the queue is empty. ---
    senior.get_by_role("link", name="Dashboard").click()
    expect(dashboard_row(senior, episode)).to_contain_text("Not yet assessed")
    expect(senior.locator("#dashboard-alerts")).to_have_count(0)
    senior.get_by_role("link", name="Appeals", exact=True).click()
    expect(senior.locator("#escalations")).to_contain_text("No appeals are waiting.")
    assert browser_log.page_errors == []
    assert browser_log.failed_responses() == []
