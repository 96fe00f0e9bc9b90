"""Every write to a return interview: one action per change, each audited in its own transaction.

Concurrency as for episodes: an interview carries a version; changes say which version the user saw
and update with `WHERE version = n`. If someone saved first nothing is written and EditConflict lists
what changed meanwhile. A finding proposal is decided once: the update is conditional on it still
waiting, so two people deciding at once cannot both win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.roles import Role
from homeward.people.actions import person_fact_add
from homeward.people.models import MarkerType
from homeward.returns.models import (
    FINDING_FIELDS,
    FindingKind,
    FindingProposal,
    ProposalStatus,
    ReturnInterview,
    ReturnInterviewEvent,
    RhiOutcome,
    RhiStatus,
)
from homeward.returns.selectors import is_assigner, may_decide_for, workers_for
from homeward.versioning import update_if_unchanged

if TYPE_CHECKING:
    from homeward.identity.models import User

# Free-text answers are long by nature, but not unbounded.
TEXT_LIMIT = 5000
# Times a few minutes ahead are clock drift between devices, not the future.
CLOCK_SLACK = dt.timedelta(minutes=5)


def _now() -> dt.datetime:
    return timezone.now()


def may_assign(actor: User, rhi: ReturnInterview) -> bool:
    same_service = (
        rhi.referred_to_id is not None and actor.organisation_id == rhi.referred_to_id and not rhi.is_finished
    )
    if actor.role == Role.RHI_WORKER:
        # A worker may only take an unassigned referral on themselves (see rhi_claim).
        return same_service and rhi.assigned_to_id is None
    return is_assigner(actor) and same_service


@transaction.atomic
def rhi_claim(*, actor: User, rhi: ReturnInterview) -> ReturnInterview:
    """A worker takes on an unassigned referral of their own service."""
    return rhi_assign(actor=actor, rhi=rhi, expected_version=rhi.version, worker=actor)


def is_assigned_worker(actor: User, rhi: ReturnInterview) -> bool:
    return bool(actor.is_active and rhi.assigned_to_id is not None and rhi.assigned_to_id == actor.pk)


def _require_worker(actor: User, rhi: ReturnInterview, what: str) -> None:
    if not is_assigned_worker(actor, rhi):
        raise NotAllowed(f"Only the worker this interview is assigned to can {what}")


def _changes_since(rhi_id: int, version: int) -> list[dict[str, Any]]:
    events = ReturnInterviewEvent.objects.filter(rhi_id=rhi_id, version__gt=version).select_related("actor")
    return [
        {
            "version": e.version,
            "summary": e.summary,
            "by": e.actor.display_name if e.actor else "System",
            "at": e.at,
        }
        for e in events.order_by("version", "id")
    ]


def _save_state(
    rhi: ReturnInterview, *, expected_version: int, actor: User, kind: str, summary: str, **fields: Any
) -> ReturnInterview:
    """Conditionally write the interview's new state and its history row, or raise EditConflict."""
    now = _now()
    current = update_if_unchanged(
        ReturnInterview, pk=rhi.pk, expected_version=expected_version, updated_at=now, **fields
    )
    if current is not None:
        raise EditConflict(
            "Someone else changed this interview after you opened it. Nothing you entered has been saved "
            "yet: check what changed, then submit again.",
            current_version=current,
            changes=_changes_since(rhi.pk, expected_version),
        )
    ReturnInterviewEvent.objects.create(
        rhi=rhi, version=expected_version + 1, kind=kind, summary=summary[:500], actor=actor, at=now
    )
    rhi.refresh_from_db()
    return rhi


def _audit(
    actor: User, operation: str, event_type: str, rhi: ReturnInterview, fields: list[str], **extra: Any
) -> None:
    audit_record(
        actor=actor,
        operation=operation,
        event_type=event_type,
        object_type="return_interview",
        object_ids=[rhi.pk],
        changed_fields=fields,
        **extra,
    )


def _check_time(
    errors: dict[str, str], name: str, when: dt.datetime, rhi: ReturnInterview, what: str
) -> None:
    found_at = rhi.episode.found_at
    if when > _now() + CLOCK_SLACK:
        errors[name] = f"{what} must be in the past"
    elif found_at is not None and when < found_at:
        errors[name] = f"{what} must be after they were found ({timezone.localtime(found_at):%d %b %Y %H:%M})"


# --- Assignment and offer ---------------------------------------------------------------------------


@transaction.atomic
def rhi_assign(*, actor: User, rhi: ReturnInterview, expected_version: int, worker: User) -> ReturnInterview:
    """Allocate (or re-allocate) the interview to a return interview worker of the same service."""
    if not may_assign(actor, rhi):
        if rhi.is_finished:
            raise IllegalTransition("This interview is finished, so it can no longer be reassigned.")
        raise NotAllowed("Only the service the referral went to can assign its interviews")
    if not workers_for(rhi).filter(pk=worker.pk).exists():
        raise InvalidInput({"worker": "Choose a return interview worker of this service"})
    if worker.pk == rhi.assigned_to_id:
        raise InvalidInput({"worker": f"This interview is already assigned to {worker.display_name}"})
    now = _now()
    fields: dict[str, Any] = {"assigned_to": worker, "assigned_at": now}
    if rhi.status == RhiStatus.REFERRED:
        fields["status"] = RhiStatus.ASSIGNED
    rhi = _save_state(
        rhi,
        expected_version=expected_version,
        actor=actor,
        kind="assigned",
        summary=f"Assigned to {worker.display_name}",
        **fields,
    )
    _audit(actor, Operation.ALTERATION, "rhi.assigned", rhi, ["assigned_to", "status"])
    return rhi


@transaction.atomic
def rhi_record_offer(
    *, actor: User, rhi: ReturnInterview, expected_version: int, offered_at: dt.datetime, note: str = ""
) -> ReturnInterview:
    """The offer is what the 72-hour clock measures: when the child was offered the interview."""
    _require_worker(actor, rhi, "record the offer")
    if rhi.status != RhiStatus.ASSIGNED:
        raise IllegalTransition(
            "The offer is already recorded." if rhi.offered_at else "This interview is finished."
        )
    errors: dict[str, str] = {}
    _check_time(errors, "offered_at", offered_at, rhi, "The offer")
    if len(note.strip()) > 300:
        errors["note"] = "How it was offered can be at most 300 characters"
    if errors:
        raise InvalidInput(errors)
    in_time = offered_at <= rhi.offer_due_at
    rhi = _save_state(
        rhi,
        expected_version=expected_version,
        actor=actor,
        kind="offered",
        summary="Interview offered" + ("" if in_time else " (after the offer was due)"),
        status=RhiStatus.OFFERED,
        offered_at=offered_at,
        offer_note=note.strip(),
    )
    _audit(actor, Operation.ALTERATION, "rhi.offered", rhi, ["offered_at", "status"])
    return rhi


# --- Outcome ----------------------------------------------------------------------------------------


@dataclass
class OutcomeData:
    outcome: str
    completed_at: dt.datetime
    carer_account: str = ""
    not_possible_reason: str = ""
    push_factors: str = ""
    pull_factors: str = ""
    where_went: str = ""
    with_whom: str = ""
    how_travelled: str = ""
    disclosures: str = ""
    harm: str = ""
    support_needed: str = ""
    referrals: str = ""
    child_voice: str = ""


def _validate_outcome(rhi: ReturnInterview, data: OutcomeData) -> None:
    errors: dict[str, str] = {}
    if data.outcome not in RhiOutcome.values:
        raise InvalidInput(
            {"outcome": "Choose whether the interview was completed, declined or not possible"}
        )
    # An interview the child took part in, or turned down, was offered first; "not possible" may
    # come before any offer (the child moved away, could not be reached).
    if data.outcome != RhiOutcome.NOT_POSSIBLE and rhi.status != RhiStatus.OFFERED:
        errors["outcome"] = (
            "Record when the interview was offered before recording that it was completed or declined"
        )
    _check_time(errors, "completed_at", data.completed_at, rhi, "The date")
    if rhi.offered_at and data.completed_at < rhi.offered_at and "completed_at" not in errors:
        errors["completed_at"] = "The date must be on or after the offer"
    texts = {name: getattr(data, name) for name in (*FINDING_FIELDS, "carer_account", "not_possible_reason")}
    for name, text in texts.items():
        if len(text.strip()) > TEXT_LIMIT:
            errors[name] = f"This can be at most {TEXT_LIMIT} characters"
    if data.outcome == RhiOutcome.DECLINED and not data.carer_account.strip():
        errors["carer_account"] = (
            "When the child declines, record the carer's account: what they know of why the child went, "
            "where and with whom"
        )
    if data.outcome == RhiOutcome.NOT_POSSIBLE and not data.not_possible_reason.strip():
        errors["not_possible_reason"] = "Record why the interview was not possible"
    if data.outcome == RhiOutcome.COMPLETED and not any(getattr(data, n).strip() for n in FINDING_FIELDS):
        errors["push_factors"] = "Record what the interview found: at least the push or pull factors"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def rhi_record_outcome(
    *, actor: User, rhi: ReturnInterview, expected_version: int, data: OutcomeData
) -> ReturnInterview:
    _require_worker(actor, rhi, "record the outcome")
    if rhi.is_finished:
        raise IllegalTransition("The outcome of this interview is already recorded.")
    _validate_outcome(rhi, data)
    texts = {name: getattr(data, name).strip() for name in FINDING_FIELDS}
    rhi = _save_state(
        rhi,
        expected_version=expected_version,
        actor=actor,
        kind="outcome",
        summary=f"Interview {dict(RhiOutcome.choices)[data.outcome].lower()}",
        status=data.outcome,
        outcome=data.outcome,
        completed_at=data.completed_at,
        outcome_recorded_by=actor,
        outcome_recorded_at=_now(),
        carer_account=data.carer_account.strip(),
        not_possible_reason=data.not_possible_reason.strip(),
        **texts,
    )
    filled = [name for name, text in texts.items() if text]
    if data.carer_account.strip():
        filled.append("carer_account")
    _audit(actor, Operation.COLLECTION, "rhi.outcome_recorded", rhi, ["outcome", "completed_at", *filled])
    return rhi


# --- What interviews find flows back ------------------------------------------------------------------

# The longest each kind of fact may be on the person record (see people.actions.person_fact_add).
_VALUE_LIMITS = {FindingKind.ASSOCIATE: 200, FindingKind.PLACE: 300}
_DETAIL_LIMITS = {FindingKind.ASSOCIATE: 100, FindingKind.MARKER: 300, FindingKind.PLACE: 300}


@transaction.atomic
def rhi_finding_propose(
    *, actor: User, rhi: ReturnInterview, kind: str, value: str, detail: str = ""
) -> FindingProposal:
    """Propose an associate, place or marker the interview found, for the person's owning agency to
    accept onto the record. Proposing discloses it to that agency."""
    _require_worker(actor, rhi, "propose additions to the person's record")
    if rhi.status != RhiStatus.COMPLETED:
        raise IllegalTransition("Findings can be proposed once the interview is recorded as completed.")
    value, detail = value.strip(), detail.strip()
    errors: dict[str, str] = {}
    if kind not in FindingKind.values:
        raise InvalidInput({"kind": "Choose what to propose: an associate, a place or a marker"})
    if kind == FindingKind.MARKER:
        if value not in MarkerType.values:
            errors["marker"] = "Choose the marker"
    elif not value:
        errors["value"] = (
            "Enter the associate's name" if kind == FindingKind.ASSOCIATE else "Describe the place"
        )
    elif len(value) > _VALUE_LIMITS[FindingKind(kind)]:
        errors["value"] = f"This can be at most {_VALUE_LIMITS[FindingKind(kind)]} characters"
    if len(detail) > _DETAIL_LIMITS[FindingKind(kind)]:
        errors["detail"] = f"This can be at most {_DETAIL_LIMITS[FindingKind(kind)]} characters"
    if kind == FindingKind.PLACE and len(_place_description(value, detail)) > 300:
        errors["detail"] = "The place and its detail together can be at most 300 characters"
    if (
        not errors
        and FindingProposal.objects.filter(
            rhi=rhi, kind=kind, value__iexact=value, status=ProposalStatus.PROPOSED
        ).exists()
    ):
        errors["marker" if kind == FindingKind.MARKER else "value"] = "This is already proposed"
    if errors:
        raise InvalidInput(errors)
    proposal = FindingProposal.objects.create(
        rhi=rhi, kind=kind, value=value, detail=detail, proposed_by=actor, proposed_at=_now()
    )
    ReturnInterviewEvent.objects.create(
        rhi=rhi,
        version=rhi.version,
        kind="finding_proposed",
        summary=f"Proposed for the record: {proposal.get_kind_display().lower()} {proposal.value_label}",
        actor=actor,
        at=_now(),
    )
    _audit(
        actor,
        Operation.DISCLOSURE,
        "rhi.finding_proposed",
        rhi,
        ["proposals"],
        recipient_agency_id=rhi.person.force_id,
    )
    return proposal


def _place_description(value: str, detail: str) -> str:
    return f"{value} ({detail})" if detail else value


def supplied_by_for(rhi: ReturnInterview, proposal: FindingProposal) -> str:
    """The source the fact keeps on the person's record: which interview, by which service."""
    org = rhi.referred_to or (proposal.proposed_by.organisation if proposal.proposed_by else None)
    return f"Return interview {rhi.pk} by {org or 'the return interview service'}"[:200]


@transaction.atomic
def rhi_finding_decide(
    *, actor: User, proposal: FindingProposal, accept: bool, note: str = ""
) -> FindingProposal:
    rhi = proposal.rhi
    person = rhi.person
    if not may_decide_for(actor, person):
        raise NotAllowed("Only the agency that owns this person's record can decide what is added to it")
    if len(note.strip()) > 300:
        raise InvalidInput({"note": "The note can be at most 300 characters"})
    now = _now()
    status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    updated = FindingProposal.objects.filter(pk=proposal.pk, status=ProposalStatus.PROPOSED).update(
        status=status, decided_by=actor, decided_at=now, decision_note=note.strip()
    )
    if not updated:
        proposal.refresh_from_db()
        raise EditConflict(
            "Someone else has already decided this proposal; nothing was changed.",
            current_version=0,
            changes=[
                {
                    "summary": proposal.get_status_display(),
                    "by": proposal.decided_by.display_name if proposal.decided_by else "",
                    "at": proposal.decided_at,
                }
            ],
        )
    proposal.refresh_from_db()
    if accept:
        # Through the person actions, so the fact keeps its source and the person's audit trail.
        # A refusal there (say, the marker is already recorded) rolls this decision back too.
        if proposal.kind == FindingKind.MARKER:
            values = {"marker": proposal.value, "detail": proposal.detail}
        elif proposal.kind == FindingKind.ASSOCIATE:
            values = {"value": proposal.value, "detail": proposal.detail}
        else:
            values = {"value": _place_description(proposal.value, proposal.detail)}
        person_fact_add(
            actor=actor,
            person=person,
            kind=proposal.kind,
            values=values,
            supplied_by=supplied_by_for(rhi, proposal),
        )
    ReturnInterviewEvent.objects.create(
        rhi=rhi,
        version=rhi.version,
        kind=f"finding_{status}",
        summary=f"{proposal.get_kind_display()} {proposal.value_label}: "
        f"{'added to the record' if accept else 'not added'}",
        actor=actor,
        at=now,
    )
    _audit(actor, Operation.ALTERATION, f"rhi.finding_{status}", rhi, ["proposals"])
    return proposal
