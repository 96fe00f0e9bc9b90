"""Writes: each action audits in its transaction, refuses bad input whole, and checks versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.prevention import actions
from homeward.prevention.models import (
    Action,
    ActionStatus,
    EarlyHelpReferral,
    Meeting,
    Plan,
    PlanKind,
    ReferralStatus,
)
from homeward.prevention.tests.helpers import (
    action_on,
    daniel_missing_once,
    meeting_for,
    plan_for,
    ruby_missing_once,
)

pytestmark = pytest.mark.django_db


def events(event_type: str, **filters: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type, **filters))


def test_every_write_leaves_its_audit_event(pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    plan = plan_for(w.supervisor, person=ruby)
    [created] = events("prevention_plan.created", object_ids=[str(plan.pk)])
    assert created.operation == "collection" and created.actor_user_id == w.supervisor.pk

    meeting = meeting_for(w.supervisor, plan, [w.force, w.council_b, w.provider_b])
    assert events("prevention_meeting.created", object_ids=[str(meeting.pk)])
    # Naming partner agencies shares the record with them: one disclosure to each, not to oneself.
    shared = events("prevention_meeting.shared", object_ids=[str(meeting.pk)])
    assert sorted(e.recipient_agency_id for e in shared) == sorted([w.council_b.pk, w.provider_b.pk])
    assert all(e.operation == "disclosure" for e in shared)

    action = action_on(w.supervisor, plan, w.partner)
    assert events("prevention_action.created", object_ids=[str(action.pk)])
    assert [e.recipient_agency_id for e in events("prevention_action.shared")] == [w.council_b.pk]

    actions.action_record_outcome(
        actor=w.partner, action=action, expected_version=action.version, status="done", outcome="Screened."
    )
    assert events("prevention_action.outcome_recorded", actor_user_id=w.partner.pk)

    plan = actions.plan_close(
        actor=w.supervisor, plan=plan, expected_version=plan.version, outcome="Settled."
    )
    assert plan.status == "closed" and plan.closed_at is not None
    assert events("prevention_plan.closed", object_ids=[str(plan.pk)])

    referral = actions.referral_make(
        actor=w.supervisor,
        person=ruby,
        episode=episode,
        referred_to=w.council_b,
        reason="First time missing.",
    )
    [sent] = events("early_help_referral.sent", object_ids=[str(referral.pk)])
    assert sent.recipient_agency_id == w.council_b.pk
    actions.referral_change_status(actor=w.partner, referral=referral, status="accepted")
    assert events("early_help_referral.accepted", actor_user_id=w.partner.pk)


def test_bad_input_is_refused_whole_with_a_message_for_each_field(pw):
    w = pw.world
    ruby, _ = ruby_missing_once(w)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as excinfo:
        actions.plan_create(
            actor=w.supervisor,
            kind="problem_solving",
            concerns="  ",
            review_on=timezone.localdate() - dt.timedelta(days=1),
            person=ruby,
        )
    assert set(excinfo.value.errors) == {"kind", "concerns", "review_on"}
    assert not Plan.objects.exists() and AuditEvent.objects.count() == audit_before

    plan = plan_for(w.supervisor, person=ruby)
    with pytest.raises(InvalidInput) as excinfo:
        actions.action_add(
            actor=w.supervisor,
            plan=plan,
            description="",
            owner=w.outsider,  # Council C has nothing to do with Ruby
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(excinfo.value.errors) == {"description", "owner", "due_on"}
    with pytest.raises(InvalidInput) as excinfo:
        actions.meeting_create(
            actor=w.supervisor,
            plan=plan,
            data=actions.MeetingData(held_at=None, chair="", attending_organisations=[w.council_c]),
        )
    assert set(excinfo.value.errors) == {"held_at", "chair", "attending_organisations"}
    assert not Action.objects.exists() and not Meeting.objects.exists()


def test_the_database_holds_the_subject_rules_too(pw):
    w = pw.world
    ruby, _ = ruby_missing_once(w)
    now = timezone.now()
    common = {"organisation": w.force, "concerns": "x", "created_at": now, "updated_at": now}
    for bad in (
        {"kind": PlanKind.TRIGGER_PLAN},  # no subject
        {"kind": PlanKind.TRIGGER_PLAN, "person": ruby, "location": w.oak_house},  # two
        {"kind": PlanKind.PROBLEM_SOLVING, "person": ruby},  # problem-solving is for a location
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Plan.objects.create(**common, **bad)


def test_a_second_open_plan_of_the_same_kind_is_refused(pw):
    w = pw.world
    ruby, _ = ruby_missing_once(w)
    plan_for(w.supervisor, person=ruby)
    with pytest.raises(InvalidInput) as excinfo:
        plan_for(w.partner, person=ruby)
    assert "already an open trigger plan" in excinfo.value.errors["kind"]
    assert Plan.objects.count() == 1


def test_concurrent_edits_conflict_and_nothing_is_overwritten(pw):
    w = pw.world
    ruby, _ = ruby_missing_once(w)
    plan = plan_for(w.supervisor, person=ruby)
    seen = plan.version
    actions.plan_update(
        actor=w.partner,
        plan=plan,
        expected_version=seen,
        concerns="Partner's view",
        approach="",
        review_on=None,
    )
    with pytest.raises(EditConflict) as excinfo:
        actions.plan_update(
            actor=w.supervisor, plan=plan, expected_version=seen, concerns="Mine", approach="", review_on=None
        )
    assert excinfo.value.current_version == seen + 1
    assert [c["by"] for c in excinfo.value.changes] == [w.partner.display_name]
    plan.refresh_from_db()
    assert plan.concerns == "Partner's view"


def test_who_may_write(pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    with pytest.raises(NotAllowed):
        plan_for(w.officer, person=ruby)  # no PLAN_PREVENTION
    with pytest.raises(NotAllowed):
        plan_for(w.outsider, person=ruby)  # may plan, but cannot see Ruby
    plan = plan_for(w.supervisor, person=ruby)
    action = action_on(w.supervisor, plan, w.care_staff)
    # Any owner may report back, even without PLAN_PREVENTION; someone else without it may not.
    with pytest.raises(NotAllowed):
        actions.action_record_outcome(
            actor=w.officer, action=action, expected_version=1, status="done", outcome="Done"
        )
    action = actions.action_record_outcome(
        actor=w.care_staff, action=action, expected_version=1, status="done", outcome="Done"
    )
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    with pytest.raises(IllegalTransition):
        actions.action_record_outcome(
            actor=w.care_staff, action=action, expected_version=action.version, status="done", outcome="x"
        )


def test_referral_status_changes_keep_their_times(pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    referral = actions.referral_make(
        actor=w.supervisor,
        person=ruby,
        episode=episode,
        referred_to=w.council_b,
        reason="First time missing.",
    )
    with pytest.raises(InvalidInput):  # one in progress at a time
        actions.referral_make(actor=w.supervisor, person=ruby, referred_to=w.council_b, reason="Again")
    with pytest.raises(NotAllowed):  # only the receiving authority accepts
        actions.referral_change_status(actor=w.supervisor, referral=referral, status="accepted")
    with pytest.raises(InvalidInput) as excinfo:
        actions.referral_change_status(actor=w.partner, referral=referral, status="declined")
    assert "notes" in excinfo.value.errors
    referral = actions.referral_change_status(
        actor=w.partner, referral=referral, status="accepted", notes="Allocated"
    )
    assert referral.accepted_at is not None and "Allocated" in referral.outcome_notes
    with pytest.raises(IllegalTransition):
        actions.referral_change_status(actor=w.partner, referral=referral, status="declined", notes="No")
    referral = actions.referral_change_status(actor=w.supervisor, referral=referral, status="closed")
    assert referral.status == ReferralStatus.CLOSED and referral.closed_at >= referral.accepted_at
    assert EarlyHelpReferral.objects.get().status == "closed"


def test_a_referral_goes_to_a_local_authority_only(pw):
    w = pw.world
    daniel, _ = daniel_missing_once(w)
    with pytest.raises(InvalidInput) as excinfo:
        actions.referral_make(actor=w.supervisor, person=daniel, referred_to=w.provider_b, reason="x")
    assert "referred_to" in excinfo.value.errors
    with pytest.raises(InvalidInput):  # Council C is outside the force area and did not place him
        actions.referral_make(actor=w.supervisor, person=daniel, referred_to=w.council_c, reason="x")
    assert not EarlyHelpReferral.objects.exists()
