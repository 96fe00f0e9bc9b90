"""One record of every kind a route can name, all belonging to Force A (or its partners' work with it).

Used by the generated route-access tests (test_route_access.py): each route's path arguments are filled
with the id of a real record of the right kind, so "outsider gets 404" is proved on a record that
exists, not on an id that happens to be missing. Built with the real actions where that is cheap;
the rest are plain rows with the fields the views need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from homeward.audit.models import BreachCategory, BreachIncident
from homeward.conftest import World, make_user
from homeward.episodes import actions as episode_actions
from homeward.episodes.models import ClockAlert, Enquiry, Episode, Escalation, RiskAssessment
from homeward.episodes.tests.factories import assess, find, make_adult, report
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.insights.models import DeliveredReport, ReportSubscription
from homeward.notifications.models import Notification
from homeward.people.actions import person_photo_add
from homeward.people.models import Person, PersonPhoto
from homeward.places.models import Location
from homeward.prevention.models import Action, EarlyHelpReferral, Initiative, Meeting, Plan
from homeward.prevention.tests.helpers import action_on, meeting_for, plan_for
from homeward.protocols.models import ProfileMissingReport, ProtocolProfile
from homeward.protocols.tests.helpers import PNG, make_profile, ruby_at_oak_house, submit_report
from homeward.returns.models import FindingProposal, ReturnInterview

MISSING_ID = 987_654_321


@dataclass
class Records:
    person: Person
    episode: Episode  # Ruby's open episode (active, graded, not signed off)
    assessment: RiskAssessment
    enquiry: Enquiry
    clock_alert: ClockAlert
    escalation: Escalation
    photo: PersonPhoto
    location: Location
    notification: Notification
    profile: ProtocolProfile
    profile_report: ProfileMissingReport
    rhi: ReturnInterview
    finding: FindingProposal
    plan: Plan
    meeting: Meeting
    action: Action
    referral: EarlyHelpReferral
    initiative: Initiative
    delivered: DeliveredReport
    breach_incident: BreachIncident  # recorded by Force A's auditor
    analyst: User  # Force A's read-only role
    coordinator: User


def build_records(world: World) -> Records:
    now = timezone.now()
    analyst = make_user("ana_analyst", world.force, Role.ANALYST, world.north)
    coordinator = make_user("cleo_coordinator", world.force, Role.MFH_COORDINATOR)
    rhi_service = Organisation.objects.create(
        name="Return Interview Service A", kind=OrganisationKind.RHI_SERVICE, force=world.force
    )
    rhi_worker = make_user("wendy_worker", rhi_service, Role.RHI_WORKER)

    # Ruby: placed at Oak House, with a profile and a missing report from her carers.
    ruby = ruby_at_oak_house(world)
    profile = make_profile(world, ruby)
    profile_report = submit_report(world, profile)
    photo = person_photo_add(
        actor=world.officer,
        person=ruby,
        upload=SimpleUploadedFile("ruby.png", PNG, content_type="image/png"),
        taken_on=timezone.localdate(),
        supplied_by="Oak House",
    )

    # Daniel's episode is found, so it has a return interview (and a finding proposed from it).
    daniel = make_adult(world)
    found = find(world, assess(world, report(world, daniel)))
    rhi = ReturnInterview.objects.filter(episode=found).first() or ReturnInterview.objects.create(
        episode=found, person=daniel, referred_at=now, offer_due_at=now, updated_at=now
    )
    ReturnInterview.objects.filter(pk=rhi.pk).update(
        referred_to=rhi_service, assigned_to=rhi_worker, status="completed", outcome="completed"
    )
    rhi.refresh_from_db()
    finding = FindingProposal.objects.create(
        rhi=rhi, kind="associate", value="Jay", proposed_by=rhi_worker, proposed_at=now
    )

    episode = assess(world, report(world, ruby))
    assessment = episode.risk_assessments.get()
    enquiry = episode_actions.enquiry_add(
        actor=world.officer, episode=episode, description="Check the bus station CCTV", owner=world.officer
    )
    clock_alert = ClockAlert.objects.create(
        episode=episode,
        clock="review",
        due_at=now - dt.timedelta(hours=1),
        escalated_at=now,
        organisation=world.force,
        role=Role.SUPERVISOR,
    )
    notification = Notification.objects.filter(episode=episode).first() or Notification.objects.create(
        episode=episode,
        recipient=world.council_b,
        reason="placing_authority",
        event="reported",
        created_at=now,
    )

    # A report the call handler decided not to record, appealed by the carer.
    declined_person = make_adult(world, "Tom", "Reeve")
    declined = episode_actions.episode_decide_not_recorded(
        actor=world.call_handler,
        episode=report(world, declined_person, from_home=False),
        expected_version=1,
        reason="He is at his brother's; no risk identified",
    )
    escalation = episode_actions.escalation_raise(
        actor=world.call_handler, episode=declined, grounds="His brother says he is not there."
    )

    plan = plan_for(coordinator, person=ruby)
    meeting = meeting_for(coordinator, plan, [world.force, world.council_b])
    action = action_on(coordinator, plan, coordinator)
    referral = EarlyHelpReferral.objects.create(
        person=ruby,
        episode=episode,
        referred_by=coordinator,
        referred_by_organisation=world.force,
        referred_to=world.council_b,
        reason="First time missing",
        made_at=now,
    )
    initiative = Initiative.objects.create(
        name="Safe at the station",
        provider_name="Station outreach team",
        force=world.force,
        amount=1000,
        starts_on=timezone.localdate(),
        aims="Fewer missing episodes",
        created_at=now,
        updated_at=now,
    )
    subscription = ReportSubscription.objects.create(user=analyst, created_at=now)
    delivered = DeliveredReport.objects.create(
        subscription=subscription, as_of=timezone.localdate(), created_at=now, rows=0, content=b"PK"
    )
    auditor = make_user("aubrey_auditor", world.force, Role.AUDITOR)
    breach_incident = BreachIncident.objects.create(
        organisation=world.force,
        discovered_at=now,
        discovered_by="Oak House manager",
        description="A printed briefing sheet was left on a bus",
        category=BreachCategory.CONFIDENTIALITY,
        person_ids=[ruby.pk],
        suspected_user_ids=[analyst.pk],
        window_start=now - dt.timedelta(days=1),
        opened_by=auditor,
        opened_at=now,
        updated_at=now,
    )
    return Records(
        person=ruby,
        episode=episode,
        assessment=assessment,
        enquiry=enquiry,
        clock_alert=clock_alert,
        escalation=escalation,
        photo=photo,
        location=world.oak_house,
        notification=notification,
        profile=profile,
        profile_report=profile_report,
        rhi=rhi,
        finding=finding,
        plan=plan,
        meeting=meeting,
        action=action,
        referral=referral,
        initiative=initiative,
        delivered=delivered,
        breach_incident=breach_incident,
        analyst=analyst,
        coordinator=coordinator,
    )
