"""Reads of return interviews, scoped to what the actor may see and logged as consultations.

Who sees which interview (SPEC §2, §5):
- a return interview worker: only the interviews assigned to them;
- whoever assigns work in the service the referral went to (a worker or a children's social care
  missing officer of that organisation): its referrals still waiting for a worker; the missing
  officer, as the service's manager, every interview of the service;
- the police force of the episode: every interview of its episodes;
- a council: the interviews of children it may see under the episode sharing rules (placing
  authority, children missing in or living in its area), and referrals made to it;
- a care provider or health trust whose staff follow cases: the interviews of episodes it may see
  (people missing from its premises), at its field level — the follow-up, not the child's account;
- nobody else — the commissioner's office, auditors, analysts see none.

Which parts of an interview each sees is `homeward.identity.sharing_rules` (record type
"return_interview"): the selectors attach `shown_fields` to every interview they return, and the
service it was referred to sees all of its own interviews.

"Not yours" and "not there" are the same 404, so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeward.audit.log import audit_consultation
from homeward.chronology.entries import ChronologyEntry, shown_or_withheld
from homeward.episodes.models import Episode, PreventionInterview
from homeward.episodes.sharing import episode_visibility
from homeward.identity.models import OrganisationKind, User
from homeward.identity.roles import Capability, Role
from homeward.identity.sharing_rules import shown_fields_for
from homeward.people.models import Person
from homeward.returns.models import (
    AWAITING_OFFER,
    FindingKind,
    FindingProposal,
    ProposalStatus,
    ReturnInterview,
    RhiStatus,
)

NOTHING = Q(pk__in=[])

# Roles that allocate referrals within the organisation the referral went to. A dedicated
# "RHI service manager" role would narrow this; until then any worker or missing officer there may.
ASSIGNER_ROLES = (Role.RHI_WORKER, Role.CSC_MISSING_OFFICER)

# Kinds of organisation whose case workers see interviews through the episode sharing rules.
_CASE_ORG_KINDS = (OrganisationKind.POLICE_FORCE, OrganisationKind.LOCAL_AUTHORITY)
# Carers follow the interviews of the episodes they see, for the follow-up that concerns their care.
_CARER_ORG_KINDS = (OrganisationKind.CARE_PROVIDER, OrganisationKind.NHS_TRUST)


def is_rhi_worker(actor: User) -> bool:
    return bool(actor.is_active and actor.organisation_id and actor.role == Role.RHI_WORKER)


def is_assigner(actor: User) -> bool:
    return bool(actor.is_active and actor.organisation_id and actor.role in ASSIGNER_ROLES)


def is_service_manager(actor: User) -> bool:
    """A missing officer of the organisation referrals go to oversees all of its interviews
    (reassigning them, watching the clock); a worker sees only their own."""
    return bool(actor.is_active and actor.organisation_id and actor.role == Role.CSC_MISSING_OFFICER)


def sees_cases(actor: User) -> bool:
    """Police and council case workers, who follow interviews through their episodes."""
    org = actor.organisation
    return bool(org is not None and org.kind in _CASE_ORG_KINDS and actor.can(Capability.VIEW_CASES))


def follows_as_carer(actor: User) -> bool:
    """Care and health staff, who see an interview of an episode they follow at the carer level."""
    org = actor.organisation
    return bool(org is not None and org.kind in _CARER_ORG_KINDS and actor.can(Capability.VIEW_CASES))


def rhi_visibility(actor: User) -> Q:
    org = actor.organisation
    if org is None or not actor.is_active:
        return NOTHING
    q = NOTHING
    if is_rhi_worker(actor):
        # Only their own: an unassigned referral is claimed from a list that names no one.
        q |= Q(assigned_to=actor)
    if is_service_manager(actor):
        q |= Q(referred_to_id=org.pk)
    if sees_cases(actor):
        # Through the episode sharing rules, so data-driven rules apply here unchanged.
        # EXISTS per interview, not IN (every visible episode): SQLite would list the force's episodes.
        q |= Q(Exists(Episode.objects.filter(episode_visibility(actor), pk=OuterRef("episode_id"))))
        if org.kind == OrganisationKind.LOCAL_AUTHORITY:
            q |= Q(referred_to_id=org.pk)
    if follows_as_carer(actor):
        q |= Q(Exists(Episode.objects.filter(episode_visibility(actor), pk=OuterRef("episode_id"))))
    return q


def rhis_visible_to(actor: User) -> QuerySet[ReturnInterview]:
    return ReturnInterview.objects.filter(rhi_visibility(actor))


def with_shown_fields(actor: User, rhis: list[ReturnInterview]) -> list[ReturnInterview]:
    """Attach the parts of each interview the actor may see (sharing_rules, "return_interview"):
    the service it was referred to owns it; anyone else reads it at their organisation's level."""
    for rhi in rhis:
        rhi.shown_fields = shown_fields_for(
            actor, "return_interview", force_id=rhi.episode.force_id, owner_ids=[rhi.referred_to_id]
        )
    return rhis


def _with_related(qs: QuerySet[ReturnInterview]) -> QuerySet[ReturnInterview]:
    return qs.select_related(
        "person",
        "episode",
        "episode__missing_from",
        "episode__placing_authority",
        "episode__district",
        "referred_to",
        "assigned_to",
    )


def _log(actor: User, event_type: str, ids: list[int]) -> None:
    audit_consultation(actor=actor, event_type=event_type, object_type="return_interview", object_ids=ids)


def rhi_for(*, actor: User, pk: int, log: bool = True) -> ReturnInterview:
    rhi = _with_related(rhis_visible_to(actor)).filter(pk=pk).first()
    if rhi is None:
        raise Http404("No such return interview")
    if log:
        _log(actor, "rhi.viewed", [rhi.pk])
    return with_shown_fields(actor, [rhi])[0]


# Finished interviews shown under the open ones; older ones stay reachable from the full list.
RECENTLY_FINISHED_SHOWN = 20


def rhis_assigned_to(*, actor: User) -> list[ReturnInterview]:
    """A worker's own interviews: every unfinished one, most urgent offer clock first, then the most
    recently finished few — a year of finished work would bury today's."""
    if not is_rhi_worker(actor):
        return []
    finished = (RhiStatus.COMPLETED, RhiStatus.DECLINED, RhiStatus.NOT_POSSIBLE)
    mine = ReturnInterview.objects.filter(assigned_to=actor)
    open_rhis = list(_with_related(mine.exclude(status__in=finished)).order_by("offer_due_at", "pk"))
    recent = list(
        _with_related(mine.filter(status__in=finished)).order_by("-offer_due_at", "-pk")[
            :RECENTLY_FINISHED_SHOWN
        ]
    )
    rhis = open_rhis + recent
    _log(actor, "rhi.listed", [r.pk for r in rhis])
    return with_shown_fields(actor, rhis)


@dataclass(frozen=True)
class Claimable:
    """An unassigned referral as a worker sees it before taking it on: no name, no address."""

    pk: int
    reference: str
    district: str
    offer_due_at: dt.datetime


def rhis_claimable_for(*, actor: User) -> list[Claimable]:
    """Unassigned referrals to the worker's own service, with nothing that identifies the child."""
    if not is_rhi_worker(actor):
        return []
    rows = (
        ReturnInterview.objects.filter(referred_to_id=actor.organisation_id, assigned_to=None)
        .exclude(status__in=(RhiStatus.COMPLETED, RhiStatus.DECLINED, RhiStatus.NOT_POSSIBLE))
        .order_by("offer_due_at", "pk")
        .values_list("pk", "episode__reference", "episode__district__name", "offer_due_at")[:200]
    )
    return [Claimable(pk, reference, district, due) for pk, reference, district, due in rows]


def rhi_claimable_for(*, actor: User, pk: int) -> ReturnInterview:
    """The referral a worker is taking on; the same 404 for anything else."""
    rhi = (
        ReturnInterview.objects.filter(pk=pk, referred_to_id=actor.organisation_id, assigned_to=None)
        .exclude(status__in=(RhiStatus.COMPLETED, RhiStatus.DECLINED, RhiStatus.NOT_POSSIBLE))
        .first()
    )
    if rhi is None or not is_rhi_worker(actor):
        raise Http404("No such referral")
    return rhi


def rhis_awaiting_assignment_for(*, actor: User) -> list[ReturnInterview]:
    """Referrals to the actor's organisation that no worker has yet, for the service's manager."""
    if not is_service_manager(actor):
        return []
    rhis = list(
        _with_related(
            ReturnInterview.objects.filter(referred_to_id=actor.organisation_id, assigned_to=None).exclude(
                status__in=(RhiStatus.COMPLETED, RhiStatus.DECLINED, RhiStatus.NOT_POSSIBLE)
            )
        ).order_by("offer_due_at", "pk")
    )
    _log(actor, "rhi.listed", [r.pk for r in rhis])
    return with_shown_fields(actor, rhis)


def rhis_for(*, actor: User, status: str = "") -> list[ReturnInterview]:
    """Every interview the actor may see, for the police and council list."""
    qs = _with_related(rhis_visible_to(actor))
    if status == "open":
        qs = qs.exclude(status__in=(RhiStatus.COMPLETED, RhiStatus.DECLINED, RhiStatus.NOT_POSSIBLE))
    elif status in RhiStatus.values:
        qs = qs.filter(status=status)
    rhis = list(qs.order_by("-referred_at", "-pk")[:500])
    _log(actor, "rhi.listed", [r.pk for r in rhis])
    return with_shown_fields(actor, rhis)


def rhis_overdue(*, now: dt.datetime | None = None) -> QuerySet[ReturnInterview]:
    """Unscoped, for the clock task: interviews not offered by the time they were due."""
    now = now or timezone.now()
    return ReturnInterview.objects.filter(status__in=AWAITING_OFFER, offer_due_at__lt=now).order_by(
        "offer_due_at", "pk"
    )


def rhis_overdue_for(*, actor: User, now: dt.datetime | None = None) -> list[ReturnInterview]:
    rhis = list(_with_related(rhis_overdue(now=now).filter(rhi_visibility(actor))))
    _log(actor, "rhi.listed", [r.pk for r in rhis])
    return with_shown_fields(actor, rhis)


def rhi_for_episode(*, actor: User, episode: Episode) -> ReturnInterview | None:
    rhi = _with_related(rhis_visible_to(actor)).filter(episode=episode).first()
    if rhi is None:
        return None
    _log(actor, "rhi.viewed", [rhi.pk])
    return with_shown_fields(actor, [rhi])[0]


def rhis_for_person(*, actor: User, person: Person, limit: int = 20) -> list[ReturnInterview]:
    rhis = list(
        _with_related(rhis_visible_to(actor)).filter(person=person).order_by("-referred_at", "-pk")[:limit]
    )
    if rhis:
        _log(actor, "rhi.listed", [r.pk for r in rhis])
    return with_shown_fields(actor, rhis)


@dataclass
class LatestFindings:
    """What the last interviews found, for the next risk assessment."""

    rhi: ReturnInterview | None
    # The police prevention interview, when it is newer than the return interview (or there is none).
    prevention_interview: PreventionInterview | None

    @property
    def date(self) -> dt.datetime | None:
        if self.rhi is not None and self.rhi.completed_at:
            return self.rhi.completed_at
        return self.prevention_interview.conducted_at if self.prevention_interview else None


# What the findings summary shows of an interview; one who may see none of it gets no summary.
FINDINGS_SHOWN = frozenset({"push_factors", "pull_factors", "disclosures", "support_needed"})


def latest_findings_for(*, actor: User, person: Person) -> LatestFindings | None:
    rhi = (
        _with_related(rhis_visible_to(actor))
        .filter(person=person, status=RhiStatus.COMPLETED)
        # What feeds the next risk grading: nothing from a report made in error (perhaps of someone else).
        .exclude(episode__reported_in_error_at__isnull=False)
        .order_by("-completed_at", "-pk")
        .first()
    )
    interviews = PreventionInterview.objects.filter(
        episode__in=Episode.objects.received().filter(episode_visibility(actor), person=person).values("pk")
    )
    if rhi is not None and rhi.completed_at is not None:
        interviews = interviews.filter(conducted_at__gt=rhi.completed_at)
    interview = interviews.select_related("episode").order_by("-conducted_at", "-pk").first()
    if interview is not None and "prevention_interview" not in shown_fields_for(
        actor, "episode", force_id=interview.episode.force_id
    ):
        # The police prevention interview is episode intelligence: partners do not see it here either.
        interview = None
    if rhi is not None:
        with_shown_fields(actor, [rhi])
        if not rhi.shown_fields & FINDINGS_SHOWN:
            rhi = None
    if rhi is None and interview is None:
        return None
    if rhi is not None:
        _log(actor, "rhi.findings_viewed", [rhi.pk])
    return LatestFindings(rhi=rhi, prevention_interview=interview)


# --- Finding proposals -----------------------------------------------------------------------------


def proposal_decision_scope(actor: User) -> Q:
    """Proposals the actor may decide: for people of their force (with the right to investigate),
    or people whose record their organisation owns (with the right to change records)."""
    org = actor.organisation
    if org is None or not actor.is_active:
        return NOTHING
    q = NOTHING
    if actor.can(Capability.INVESTIGATE):
        q |= Q(rhi__person__force_id=org.pk) | Q(rhi__person__owner_id=org.pk)
    elif actor.can(Capability.CREATE_PERSON):
        q |= Q(rhi__person__owner_id=org.pk)
    return q


def may_decide_for(actor: User, person: Person) -> bool:
    """The same rule as proposal_decision_scope, for one person (the person panel)."""
    org_id = actor.organisation_id
    if not actor.is_active or org_id is None:
        return False
    if actor.can(Capability.INVESTIGATE):
        return org_id in (person.force_id, person.owner_id)
    return actor.can(Capability.CREATE_PERSON) and org_id == person.owner_id


def proposals_pending_for(*, actor: User, person: Person | None = None) -> list[FindingProposal]:
    qs = FindingProposal.objects.filter(proposal_decision_scope(actor), status=ProposalStatus.PROPOSED)
    if person is not None:
        qs = qs.filter(rhi__person=person)
    proposals = list(
        qs.select_related("rhi", "rhi__person", "rhi__referred_to", "proposed_by").order_by(
            "proposed_at", "pk"
        )
    )
    if proposals:
        _log(actor, "rhi.proposals_listed", sorted({p.rhi_id for p in proposals}))
    return proposals


def proposal_for(*, actor: User, pk: int) -> FindingProposal:
    """A proposal the actor may decide; the same 404 for any other."""
    proposal = (
        FindingProposal.objects.filter(proposal_decision_scope(actor), pk=pk)
        .select_related("rhi", "rhi__person", "rhi__referred_to", "proposed_by", "decided_by")
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal")
    _log(actor, "rhi.proposal_viewed", [proposal.rhi_id])
    return proposal


def proposals_of(rhi: ReturnInterview) -> QuerySet[FindingProposal]:
    """The proposals of an interview the caller has already been allowed to see."""
    return rhi.proposals.select_related("proposed_by", "decided_by").order_by("proposed_at", "pk")


def workers_for(rhi: ReturnInterview) -> QuerySet[User]:
    """Who an interview may be assigned to: active return interview workers of the service."""
    if rhi.referred_to_id is None:
        return User.objects.none()
    return User.objects.filter(
        organisation_id=rhi.referred_to_id, role=Role.RHI_WORKER, is_active=True
    ).order_by("last_name", "first_name", "username")


def chronology_entries_for(*, actor: User, person: Person) -> list[ChronologyEntry]:
    """Return home interviews for a person's chronology: the interviews the actor may see, by stage.
    Summaries carry no disclosures; the interview page (logged) holds those."""
    entries: list[ChronologyEntry] = []
    for rhi in rhis_visible_to(actor).filter(person=person).select_related("episode", "referred_to"):
        service = rhi.referred_to.name if rhi.referred_to else "Return interview service"
        url = reverse("returns:detail", args=[rhi.pk])
        record = f"returns.returninterview:{rhi.pk}"
        ref = rhi.episode.reference
        entries.append(
            ChronologyEntry(
                rhi.referred_at, "Return interview referral", f"{ref}: to {service}", service, record, url
            )
        )
        if rhi.offered_at:
            late = "" if rhi.offered_in_time else " (after the 72-hour deadline)"
            entries.append(
                ChronologyEntry(
                    rhi.offered_at, "Return interview offered", f"{ref}{late}", service, record, url
                )
            )
        if rhi.outcome and rhi.outcome_recorded_at:
            at = rhi.completed_at or rhi.outcome_recorded_at
            entries.append(
                ChronologyEntry(
                    at, "Return interview " + rhi.get_outcome_display().lower(), ref, service, record, url
                )
            )
    # A finding added to the profile says an associate, a place or a marker: the person's fields.
    person_shown = shown_fields_for(actor, "person", force_id=person.force_id)
    visible = with_shown_fields(actor, list(_with_related(rhis_visible_to(actor)).filter(person=person)))
    for proposal in FindingProposal.objects.filter(
        rhi__in=[r.pk for r in visible], status=ProposalStatus.ACCEPTED
    ).select_related("rhi__referred_to"):
        rhi_shown = next(r.shown_fields for r in visible if r.pk == proposal.rhi_id)
        entry = ChronologyEntry(
            proposal.decided_at or proposal.proposed_at,
            "Interview finding added to profile",
            f"{proposal.get_kind_display()}: {proposal.value}",
            proposal.rhi.referred_to.name if proposal.rhi.referred_to else "",
            f"returns.findingproposal:{proposal.pk}",
            reverse("person_detail", args=[person.pk]),
        )
        shown = "proposals" in rhi_shown and PERSON_FIELD_FOR_FINDING[proposal.kind] in person_shown
        entries.append(shown_or_withheld(entry, shown))
    return entries


# The person field a finding becomes once accepted.
PERSON_FIELD_FOR_FINDING: dict[str, str] = {
    FindingKind.ASSOCIATE: "associates",
    FindingKind.PLACE: "places",
    FindingKind.MARKER: "markers",
}
