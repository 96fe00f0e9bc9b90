"""Assignment, offer, outcome and findings: the rules live in the actions, so they are tested here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.roles import Role
from homeward.people.models import PersonAssociate, PersonMarker, PersonPlace
from homeward.returns import actions
from homeward.returns.models import FindingProposal, ProposalStatus, ReturnInterview, RhiStatus
from homeward.returns.selectors import latest_findings_for
from homeward.returns.tests.helpers import COMPLETED, assigned, completed, found_ruby, offered

pytestmark = pytest.mark.django_db


# --- Assignment ---------------------------------------------------------------------------------------


def test_the_service_assigns_to_one_of_its_workers(rw):
    _, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    assert (rhi.status, rhi.assigned_to, rhi.version) == (RhiStatus.ASSIGNED, rw.worker, 2)
    assert rhi.assigned_at is not None
    assert AuditEvent.objects.filter(
        event_type="rhi.assigned", object_ids=[str(rhi.pk)], actor_user_id=rw.other_worker.pk
    ).exists()


def test_nobody_outside_the_service_assigns_and_only_its_workers_take_interviews(rw):
    _, rhi = found_ruby(rw.world)
    for outsider in (rw.world.officer, rw.world.partner, rw.world.outsider):
        with pytest.raises(NotAllowed):
            actions.rhi_assign(actor=outsider, rhi=rhi, expected_version=rhi.version, worker=rw.worker)
    with pytest.raises(InvalidInput) as refused:
        actions.rhi_assign(actor=rw.worker, rhi=rhi, expected_version=rhi.version, worker=rw.world.partner)
    assert "worker" in refused.value.errors
    rhi.refresh_from_db()
    assert rhi.assigned_to is None and rhi.version == 1


def test_a_missing_officer_of_the_service_may_assign(rw):
    manager = make_user("mona_manager", rw.service, Role.CSC_MISSING_OFFICER)
    _, rhi = found_ruby(rw.world)
    rhi = actions.rhi_assign(actor=manager, rhi=rhi, expected_version=rhi.version, worker=rw.other_worker)
    assert rhi.assigned_to == rw.other_worker


# --- Offer and outcome -----------------------------------------------------------------------------------


def test_only_the_assigned_worker_records_the_offer(rw):
    _, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    with pytest.raises(NotAllowed):
        actions.rhi_record_offer(
            actor=rw.other_worker, rhi=rhi, expected_version=rhi.version, offered_at=timezone.now()
        )
    rhi = offered(rw, rhi)
    assert rhi.status == RhiStatus.OFFERED and rhi.offered_in_time is True
    assert AuditEvent.objects.filter(event_type="rhi.offered").exists()


def test_the_offer_cannot_be_before_the_return_or_in_the_future(rw):
    episode, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    for when in (episode.found_at - dt.timedelta(hours=1), timezone.now() + dt.timedelta(days=1)):
        with pytest.raises(InvalidInput) as refused:
            actions.rhi_record_offer(actor=rw.worker, rhi=rhi, expected_version=rhi.version, offered_at=when)
        assert "offered_at" in refused.value.errors


def test_completed_or_declined_needs_the_offer_first_but_not_possible_does_not(rw):
    _, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    with pytest.raises(InvalidInput) as refused:
        completed(rw, rhi)
    assert "offered" in refused.value.errors["outcome"]
    rhi = actions.rhi_record_outcome(
        actor=rw.worker,
        rhi=rhi,
        expected_version=rhi.version,
        data=actions.OutcomeData(
            outcome="not_possible", completed_at=timezone.now(), not_possible_reason="Moved to Scotland"
        ),
    )
    assert rhi.status == RhiStatus.NOT_POSSIBLE


def test_declined_requires_the_carers_account_and_writes_nothing_without_it(rw):
    _, rhi = found_ruby(rw.world)
    rhi = offered(rw, assigned(rw, rhi))
    version = rhi.version
    with pytest.raises(InvalidInput) as refused:
        actions.rhi_record_outcome(
            actor=rw.worker,
            rhi=rhi,
            expected_version=version,
            data=actions.OutcomeData(outcome="declined", completed_at=timezone.now()),
        )
    assert "carer's account" in refused.value.errors["carer_account"]
    rhi.refresh_from_db()
    assert (rhi.status, rhi.version, rhi.outcome) == (RhiStatus.OFFERED, version, "")
    rhi = actions.rhi_record_outcome(
        actor=rw.worker,
        rhi=rhi,
        expected_version=version,
        data=actions.OutcomeData(
            outcome="declined", completed_at=timezone.now(), carer_account="She said she was at Jay's."
        ),
    )
    assert rhi.status == RhiStatus.DECLINED and rhi.carer_account == "She said she was at Jay's."


def test_completed_needs_findings_and_not_possible_needs_a_reason(rw):
    _, rhi = found_ruby(rw.world)
    rhi = offered(rw, assigned(rw, rhi))
    for outcome, field in (("completed", "push_factors"), ("not_possible", "not_possible_reason")):
        with pytest.raises(InvalidInput) as refused:
            actions.rhi_record_outcome(
                actor=rw.worker,
                rhi=rhi,
                expected_version=rhi.version,
                data=actions.OutcomeData(outcome=outcome, completed_at=timezone.now()),
            )
        assert field in refused.value.errors


def test_two_outcome_saves_from_the_same_version_conflict(rw):
    _, rhi = found_ruby(rw.world)
    rhi = offered(rw, assigned(rw, rhi))
    seen = rhi.version
    stale = ReturnInterview.objects.get(pk=rhi.pk)
    completed(rw, rhi)
    with pytest.raises(EditConflict) as conflict:
        actions.rhi_record_outcome(
            actor=rw.worker,
            rhi=stale,
            expected_version=seen,
            data=actions.OutcomeData(
                outcome="not_possible", completed_at=timezone.now(), not_possible_reason="Could not reach her"
            ),
        )
    assert conflict.value.current_version == seen + 1
    assert [c["summary"] for c in conflict.value.changes] == ["Interview completed"]
    rhi.refresh_from_db()
    assert rhi.status == RhiStatus.COMPLETED and rhi.not_possible_reason == ""


def test_a_finished_interview_cannot_be_recorded_again(rw):
    _, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    with pytest.raises(IllegalTransition):
        completed(rw, rhi)
    with pytest.raises(IllegalTransition):
        actions.rhi_assign(actor=rw.worker, rhi=rhi, expected_version=rhi.version, worker=rw.other_worker)


def test_the_outcome_is_audited_as_collection(rw):
    _, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    event = AuditEvent.objects.get(event_type="rhi.outcome_recorded")
    assert event.operation == "collection" and event.actor_user_id == rw.worker.pk
    assert {"push_factors", "pull_factors", "disclosures"} <= set(event.changed_fields)


# --- What interviews find flows back ----------------------------------------------------------------------


def test_completed_findings_are_the_latest_findings_for_the_police(rw):
    _, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    findings = latest_findings_for(actor=rw.world.officer, person=rhi.person)
    assert findings is not None and findings.rhi == rhi
    assert findings.rhi.pull_factors == COMPLETED["pull_factors"]
    assert findings.prevention_interview is None
    assert AuditEvent.objects.filter(
        event_type="rhi.findings_viewed", actor_user_id=rw.world.officer.pk
    ).exists()
    # The outsider council sees nothing of it.
    assert latest_findings_for(actor=rw.world.outsider, person=rhi.person) is None


def test_a_newer_prevention_interview_comes_with_the_findings(rw):
    from homeward.episodes import actions as episode_actions

    episode, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    episode.refresh_from_db()
    episode_actions.prevention_interview_record(
        actor=rw.world.officer,
        episode=episode,
        expected_version=episode.version,
        data=episode_actions.InterviewData(
            outcome="completed", conducted_at=timezone.now(), push_factors="Row with key worker"
        ),
    )
    findings = latest_findings_for(actor=rw.world.officer, person=rhi.person)
    assert findings is not None and findings.rhi == rhi
    assert findings.prevention_interview is not None
    assert findings.prevention_interview.push_factors == "Row with key worker"


def _completed_rhi(rw):
    _, rhi = found_ruby(rw.world)
    return completed(rw, offered(rw, assigned(rw, rhi)))


def test_accepted_proposals_are_added_with_the_interview_as_their_source(rw):
    rhi = _completed_rhi(rw)
    person = rhi.person
    associate = actions.rhi_finding_propose(
        actor=rw.worker, rhi=rhi, kind="associate", value="Jay Marsh", detail="Boyfriend, about 22"
    )
    place = actions.rhi_finding_propose(
        actor=rw.worker, rhi=rhi, kind="place", value="Flat above Mill Street takeaway"
    )
    marker = actions.rhi_finding_propose(
        actor=rw.worker, rhi=rhi, kind="marker", value="substance_misuse", detail="Given alcohol by adults"
    )
    assert (
        AuditEvent.objects.filter(
            event_type="rhi.finding_proposed", operation="disclosure", recipient_agency_id=rw.world.force.pk
        ).count()
        == 3
    )
    for proposal in (associate, place, marker):
        actions.rhi_finding_decide(actor=rw.world.officer, proposal=proposal, accept=True)
    source = f"Return interview {rhi.pk} by {rw.service.name}"
    jay = PersonAssociate.objects.get(person=person, name="Jay Marsh")
    assert (jay.relationship, jay.supplied_by, jay.recorded_by) == (
        "Boyfriend, about 22",
        source,
        rw.world.officer,
    )
    assert (
        PersonPlace.objects.get(person=person, description="Flat above Mill Street takeaway").supplied_by
        == source
    )
    drink = PersonMarker.objects.get(person=person, marker="substance_misuse")
    assert (drink.supplied_by, drink.detail) == (source, "Given alcohol by adults")
    assert set(FindingProposal.objects.values_list("status", flat=True)) == {ProposalStatus.ACCEPTED}
    assert AuditEvent.objects.filter(event_type="rhi.finding_accepted").count() == 3
    assert AuditEvent.objects.filter(event_type="person.associate_added").exists()


def test_rejected_proposals_add_nothing(rw):
    rhi = _completed_rhi(rw)
    proposal = actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="associate", value="Jay Marsh")
    actions.rhi_finding_decide(
        actor=rw.world.officer, proposal=proposal, accept=False, note="Already known as Jay M"
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED and proposal.decided_by == rw.world.officer
    assert not PersonAssociate.objects.filter(person=rhi.person).exists()


def test_a_proposal_is_decided_once(rw):
    rhi = _completed_rhi(rw)
    proposal = actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="place", value="Bus station")
    stale = FindingProposal.objects.get(pk=proposal.pk)
    actions.rhi_finding_decide(actor=rw.world.officer, proposal=proposal, accept=False)
    with pytest.raises(EditConflict):
        actions.rhi_finding_decide(actor=rw.world.supervisor, proposal=stale, accept=True)
    assert not PersonPlace.objects.filter(person=rhi.person).exists()


def test_only_the_owning_agency_decides(rw):
    rhi = _completed_rhi(rw)
    proposal = actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="place", value="Bus station")
    for actor in (rw.worker, rw.world.partner, rw.world.outsider, rw.world.care_staff):
        with pytest.raises(NotAllowed):
            actions.rhi_finding_decide(actor=actor, proposal=proposal, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_marker_already_on_the_record_is_refused_and_the_decision_rolled_back(rw):
    rhi = _completed_rhi(rw)  # Ruby already has the CSE marker
    proposal = actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="marker", value="cse")
    with pytest.raises(InvalidInput) as refused:
        actions.rhi_finding_decide(actor=rw.world.officer, proposal=proposal, accept=True)
    assert "already on the record" in refused.value.errors["marker"]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_proposals_need_a_completed_interview_by_its_worker_and_valid_values(rw):
    _, rhi = found_ruby(rw.world)
    rhi = offered(rw, assigned(rw, rhi))
    with pytest.raises(IllegalTransition):
        actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="place", value="Park")
    rhi = completed(rw, rhi)
    with pytest.raises(NotAllowed):
        actions.rhi_finding_propose(actor=rw.other_worker, rhi=rhi, kind="place", value="Park")
    with pytest.raises(InvalidInput) as refused:
        actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="marker", value="not-a-marker")
    assert "marker" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="associate", value="x" * 201)
    assert "value" in refused.value.errors
    actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="place", value="Park")
    with pytest.raises(InvalidInput) as refused:
        actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="place", value="park")
    assert "already proposed" in refused.value.errors["value"]
