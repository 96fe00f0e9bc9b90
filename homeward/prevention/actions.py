"""Every write to prevention records: keyword-only, actor required, one transaction with its audit event.

Plans, meetings, actions and initiatives carry a version: a change says which version the user saw and is
written with `UPDATE … WHERE version = n` (homeward.versioning); if someone saved first nothing is written
and EditConflict says what changed. Naming another agency as an attendee, an action owner or a referral's
recipient shares the record with it, so each is also logged as a disclosure to that agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.episodes.models import Episode
from homeward.episodes.sharing import episode_visibility
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.models import OrganisationKind
from homeward.identity.roles import Capability
from homeward.prevention import selectors
from homeward.prevention.models import (
    PERSON_PLAN_KINDS,
    REFERRAL_TRANSITIONS,
    Action,
    ActionStatus,
    EarlyHelpReferral,
    Initiative,
    Meeting,
    Plan,
    PlanEvent,
    PlanKind,
    PlanStatus,
    ReferralStatus,
)
from homeward.versioning import update_if_unchanged

if TYPE_CHECKING:
    from homeward.identity.models import District, Organisation, User
    from homeward.people.models import Person
    from homeward.places.models import Location

TEXT_LIMIT = 4000
MAX_AMOUNT = Decimal("10000000")
# A meeting is recorded after it is held or arranged ahead of it; far outside this window is a typo.
MEETING_PAST_DAYS = 365 * 2
MEETING_AHEAD_DAYS = 365


def _audit(
    actor: User | None,
    operation: str,
    event_type: str,
    object_type: str,
    object_id: int,
    fields: list[str] | tuple[str, ...] = (),
    recipient: int | None = None,
    reason: str = "",
) -> None:
    audit_record(
        actor=actor,
        operation=operation,
        event_type=event_type,
        object_type=object_type,
        object_ids=[object_id],
        changed_fields=fields,
        recipient_agency_id=recipient,
        reason=reason,
    )


def _disclose(actor: User, event_type: str, object_type: str, object_id: int, orgs: set[int]) -> None:
    """One disclosure per agency the record is now shared with (other than the actor's own)."""
    for org_id in sorted(orgs - {actor.organisation_id}):
        _audit(actor, Operation.DISCLOSURE, event_type, object_type, object_id, recipient=org_id)


def _org(actor: User) -> Organisation:
    org = actor.organisation
    if org is None:
        raise NotAllowed("You are not in an organisation")
    return org


def _require_planner(actor: User) -> None:
    if not selectors.may_plan(actor):
        raise NotAllowed("Your role cannot keep trigger plans, meetings or early-help referrals")


def _text(
    errors: dict[str, str], name: str, value: str, *, required: str = "", limit: int = TEXT_LIMIT
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = f"This can be at most {limit} characters"
    return value


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(errors)


# --- Plans ----------------------------------------------------------------------------------------


def _plan_event(plan: Plan, *, version: int, kind: str, summary: str, actor: User) -> None:
    PlanEvent.objects.create(
        plan=plan, version=version, kind=kind, summary=summary[:500], actor=actor, at=timezone.now()
    )


def _plan_changes_since(plan_id: int, version: int) -> list[dict[str, Any]]:
    events = PlanEvent.objects.filter(plan_id=plan_id, version__gt=version).select_related("actor")
    return [
        {"summary": e.summary, "by": e.actor.display_name if e.actor else "System", "at": e.at}
        for e in events.order_by("version", "id")
    ]


def _require_plan(actor: User, plan: Plan) -> None:
    _require_planner(actor)
    if not selectors.plans_visible_to(actor).filter(pk=plan.pk).exists():
        raise NotAllowed("You cannot change this plan")


def _save_plan(
    plan: Plan, *, expected_version: int, actor: User, kind: str, summary: str, **fields: Any
) -> Plan:
    current = update_if_unchanged(
        Plan,
        pk=plan.pk,
        expected_version=expected_version,
        updated_at=timezone.now(),
        updated_by=actor,
        **fields,
    )
    if current is not None:
        raise EditConflict(
            "Someone else changed this plan after you opened it. Nothing you entered has been saved yet: "
            "check what changed, then submit again.",
            current_version=current,
            changes=_plan_changes_since(plan.pk, expected_version),
        )
    _plan_event(plan, version=expected_version + 1, kind=kind, summary=summary, actor=actor)
    plan.refresh_from_db()
    return plan


def _review_on(errors: dict[str, str], review_on: dt.date | None, *, was: dt.date | None = None) -> None:
    if review_on is not None and review_on != was and review_on < timezone.localdate():
        errors["review_on"] = "The review date must be today or in the future"


@transaction.atomic
def plan_create(
    *,
    actor: User,
    kind: str,
    concerns: str,
    approach: str = "",
    review_on: dt.date | None = None,
    person: Person | None = None,
    location: Location | None = None,
) -> Plan:
    """Open a trigger or prevention plan for a person, or a problem-solving record for premises."""
    _require_planner(actor)
    if (person is None) == (location is None):
        raise InvalidInput({"__all__": "A plan is about one person or one location"})
    if person is not None and not selectors.people_visible(actor).filter(pk=person.pk).exists():
        raise NotAllowed("You cannot start a plan for this person")
    if location is not None and not selectors.locations_for_planning(actor).filter(pk=location.pk).exists():
        raise NotAllowed("You cannot start a plan for this location")
    errors: dict[str, str] = {}
    allowed = PERSON_PLAN_KINDS if person is not None else tuple(PlanKind)
    if kind not in allowed:
        errors["kind"] = (
            "Choose a trigger plan or a prevention plan"
            if person is not None
            else "Choose the kind of record"
        )
    concerns = _text(errors, "concerns", concerns, required="Describe the triggers and concerns")
    approach = _text(errors, "approach", approach)
    _review_on(errors, review_on)
    _raise(errors)
    subject: dict[str, Any] = {"person": person} if person is not None else {"location": location}
    label = PlanKind(kind).label.lower()
    already = {"kind": f"There is already an open {label} here: add to it instead"}
    if Plan.objects.filter(status=PlanStatus.OPEN, kind=kind, **subject).exists():
        raise InvalidInput(already)
    now = timezone.now()
    try:
        # A savepoint: losing a race to a simultaneous create (the unique constraint) leaves this
        # transaction usable, and the user is told as for the check above.
        with transaction.atomic():
            plan = Plan.objects.create(
                kind=kind,
                organisation=_org(actor),
                concerns=concerns,
                approach=approach,
                review_on=review_on,
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
                **subject,
            )
    except IntegrityError as exc:
        raise InvalidInput(already) from exc
    _plan_event(plan, version=1, kind="opened", summary=f"{plan.get_kind_display()} opened", actor=actor)
    _audit(
        actor,
        Operation.COLLECTION,
        "prevention_plan.created",
        "prevention_plan",
        plan.pk,
        ["kind", "concerns", "approach", "review_on"],
    )
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: User,
    plan: Plan,
    expected_version: int,
    concerns: str,
    approach: str,
    review_on: dt.date | None,
) -> Plan:
    _require_plan(actor, plan)
    if not plan.is_open:
        raise IllegalTransition("This plan is closed: it can no longer be changed.")
    errors: dict[str, str] = {}
    concerns = _text(errors, "concerns", concerns, required="Describe the triggers and concerns")
    approach = _text(errors, "approach", approach)
    _review_on(errors, review_on, was=plan.review_on)
    _raise(errors)
    new = {"concerns": concerns, "approach": approach, "review_on": review_on}
    changed = [name for name, value in new.items() if getattr(plan, name) != value]
    labels = {"concerns": "triggers and concerns", "approach": "agreed approach", "review_on": "review date"}
    summary = "Changed " + ", ".join(labels[n] for n in changed) if changed else "Saved without changes"
    plan = _save_plan(
        plan, expected_version=expected_version, actor=actor, kind="updated", summary=summary, **new
    )
    _audit(actor, Operation.ALTERATION, "prevention_plan.updated", "prevention_plan", plan.pk, changed)
    return plan


@transaction.atomic
def plan_close(*, actor: User, plan: Plan, expected_version: int, outcome: str) -> Plan:
    """Close a plan with its outcome. Open actions stay open: their owners still report back."""
    _require_plan(actor, plan)
    if not plan.is_open:
        raise IllegalTransition("This plan is already closed.")
    errors: dict[str, str] = {}
    outcome = _text(
        errors, "outcome", outcome, required="Record the outcome: what changed, and why the plan can close"
    )
    _raise(errors)
    plan = _save_plan(
        plan,
        expected_version=expected_version,
        actor=actor,
        kind="closed",
        summary="Plan closed",
        status=PlanStatus.CLOSED,
        outcome=outcome,
        closed_at=timezone.now(),
        closed_by=actor,
    )
    _audit(
        actor,
        Operation.ALTERATION,
        "prevention_plan.closed",
        "prevention_plan",
        plan.pk,
        ["status", "outcome"],
    )
    return plan


# --- Meetings -------------------------------------------------------------------------------------


@dataclass
class MeetingData:
    held_at: dt.datetime | None
    chair: str
    attending_organisations: list[Organisation]
    other_attendees: str = ""
    summary: str = ""
    outcome: str = ""


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    data: MeetingData,
    plan: Plan | None = None,
    person: Person | None = None,
    location: Location | None = None,
) -> Meeting:
    """Record a multi-agency meeting (held or arranged) about a person or a location, or under a plan."""
    _require_planner(actor)
    if plan is not None:
        if not selectors.plans_visible_to(actor).filter(pk=plan.pk).exists():
            raise NotAllowed("You cannot add a meeting to this plan")
        if not plan.is_open:
            raise IllegalTransition("This plan is closed: start a new plan for a new meeting.")
        person, location = plan.person, plan.location
    if (person is None) == (location is None):
        raise InvalidInput({"__all__": "A meeting is about one person or one location"})
    if (
        plan is None
        and person is not None
        and not selectors.people_visible(actor).filter(pk=person.pk).exists()
    ):
        raise NotAllowed("You cannot arrange a meeting about this person")
    if (
        plan is None
        and location is not None
        and not selectors.locations_for_planning(actor).filter(pk=location.pk).exists()
    ):
        raise NotAllowed("You cannot arrange a meeting about this location")
    errors: dict[str, str] = {}
    now = timezone.now()
    if data.held_at is None:
        errors["held_at"] = "Enter the date and time of the meeting"
    elif not (
        now - dt.timedelta(days=MEETING_PAST_DAYS)
        <= data.held_at
        <= now + dt.timedelta(days=MEETING_AHEAD_DAYS)
    ):
        errors["held_at"] = "Enter a date within the last two years or the next year"
    chair = _text(errors, "chair", data.chair, required="Enter who chairs the meeting", limit=200)
    allowed = set(selectors.attendee_choices(actor, person).values_list("pk", flat=True))
    orgs = {o.pk for o in data.attending_organisations}
    if not orgs:
        errors["attending_organisations"] = "Choose at least one agency attending"
    elif orgs - allowed:
        errors["attending_organisations"] = "Choose agencies from the list"
    other = _text(errors, "other_attendees", data.other_attendees)
    summary = _text(errors, "summary", data.summary)
    outcome = _text(errors, "outcome", data.outcome)
    _raise(errors)
    assert data.held_at is not None
    meeting = Meeting.objects.create(
        plan=plan,
        person=person,
        location=location,
        organisation=_org(actor),
        held_at=data.held_at,
        chair=chair,
        other_attendees=other,
        summary=summary,
        outcome=outcome,
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    meeting.attending_organisations.set(sorted(orgs))
    _audit(
        actor,
        Operation.COLLECTION,
        "prevention_meeting.created",
        "prevention_meeting",
        meeting.pk,
        ["held_at", "chair", "attending_organisations", "other_attendees", "summary", "outcome"],
    )
    _disclose(actor, "prevention_meeting.shared", "prevention_meeting", meeting.pk, orgs)
    if plan is not None:
        _plan_event(
            plan,
            version=plan.version,
            kind="meeting",
            summary=f"Meeting recorded for {timezone.localtime(meeting.held_at):%d %b %Y %H:%M}",
            actor=actor,
        )
    return meeting


@transaction.atomic
def meeting_record(
    *, actor: User, meeting: Meeting, expected_version: int, summary: str, outcome: str
) -> Meeting:
    """Record (or correct) what a meeting discussed and decided."""
    _require_planner(actor)
    if not selectors.meetings_visible_to(actor).filter(pk=meeting.pk).exists():
        raise NotAllowed("You cannot change this meeting")
    errors: dict[str, str] = {}
    summary = _text(errors, "summary", summary)
    outcome = _text(errors, "outcome", outcome, required="Record the outcome of the meeting")
    _raise(errors)
    current = update_if_unchanged(
        Meeting,
        pk=meeting.pk,
        expected_version=expected_version,
        summary=summary,
        outcome=outcome,
        updated_at=timezone.now(),
    )
    if current is not None:
        meeting.refresh_from_db()
        raise EditConflict(
            "Someone else recorded this meeting after you opened it. Nothing you entered has been saved yet.",
            current_version=current,
            changes=[
                {"summary": f"Outcome now reads: {meeting.outcome[:200]}", "by": "", "at": meeting.updated_at}
            ],
        )
    meeting.refresh_from_db()
    _audit(
        actor,
        Operation.ALTERATION,
        "prevention_meeting.recorded",
        "prevention_meeting",
        meeting.pk,
        ["summary", "outcome"],
    )
    return meeting


# --- Actions --------------------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    actor: User,
    description: str,
    owner: User | None,
    due_on: dt.date | None,
    plan: Plan | None = None,
    meeting: Meeting | None = None,
) -> Action:
    """Give an agreed action to a named owner, with a due date, under a plan or a meeting."""
    _require_planner(actor)
    if (plan is None) == (meeting is None):
        raise InvalidInput({"__all__": "An action belongs to a plan or a meeting"})
    if plan is not None:
        if not selectors.plans_visible_to(actor).filter(pk=plan.pk).exists():
            raise NotAllowed("You cannot add actions to this plan")
        if not plan.is_open:
            raise IllegalTransition("This plan is closed: it takes no new actions.")
        choices = selectors.owner_choices(actor, plan=plan)
    else:
        assert meeting is not None
        if not selectors.meetings_visible_to(actor).filter(pk=meeting.pk).exists():
            raise NotAllowed("You cannot add actions to this meeting")
        choices = selectors.owner_choices(
            actor, person=meeting.person, location=meeting.location, plan=meeting.plan
        )
    errors: dict[str, str] = {}
    description = _text(errors, "description", description, required="Describe the action", limit=500)
    if owner is None:
        errors["owner"] = "Choose who owns the action"
    elif not choices.filter(pk=owner.pk).exists():
        errors["owner"] = "Choose an owner from one of the agencies involved"
    if due_on is None:
        errors["due_on"] = "Enter the due date"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The due date must be today or in the future"
    _raise(errors)
    assert owner is not None and due_on is not None
    now = timezone.now()
    action = Action.objects.create(
        plan=plan,
        meeting=meeting,
        description=description,
        owner=owner,
        owner_organisation=_org(owner),
        due_on=due_on,
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    _audit(
        actor,
        Operation.COLLECTION,
        "prevention_action.created",
        "prevention_action",
        action.pk,
        ["description", "owner", "due_on"],
    )
    _disclose(actor, "prevention_action.shared", "prevention_action", action.pk, {_org(owner).pk})
    if plan is not None:
        _plan_event(
            plan,
            version=plan.version,
            kind="action",
            summary=f"Action for {owner.display_name}, due {due_on:%d %b %Y}",
            actor=actor,
        )
    return action


@transaction.atomic
def action_record_outcome(
    *, actor: User, action: Action, expected_version: int, status: str, outcome: str
) -> Action:
    """The owner (or anyone who keeps plans) reports the action done, or cancelled, with its outcome."""
    if not selectors.actions_visible_to(actor).filter(
        pk=action.pk
    ).exists() or not selectors.may_record_outcome(actor, action):
        raise NotAllowed("Only the owner or someone who keeps plans can record this action's outcome")
    if action.status != ActionStatus.OPEN:
        raise IllegalTransition(f"This action is already {action.get_status_display().lower()}.")
    errors: dict[str, str] = {}
    if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
        errors["status"] = "Choose done or cancelled"
    outcome = _text(errors, "outcome", outcome, required="Record what was done, or why it was cancelled")
    _raise(errors)
    current = update_if_unchanged(
        Action,
        pk=action.pk,
        expected_version=expected_version,
        status=status,
        outcome=outcome,
        completed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if current is not None:
        action.refresh_from_db()
        raise EditConflict(
            "Someone else recorded this action after you opened it. Nothing you entered has been saved yet.",
            current_version=current,
            changes=[
                {
                    "summary": f"Now {action.get_status_display().lower()}: {action.outcome[:200]}",
                    "by": "",
                    "at": action.updated_at,
                }
            ],
        )
    action.refresh_from_db()
    _audit(
        actor,
        Operation.ALTERATION,
        "prevention_action.outcome_recorded",
        "prevention_action",
        action.pk,
        ["status", "outcome"],
    )
    return action


# --- Early help referrals ------------------------------------------------------------------------


@transaction.atomic
def referral_make(
    *,
    actor: User,
    person: Person,
    referred_to: Organisation | None,
    reason: str,
    episode: Episode | None = None,
) -> EarlyHelpReferral:
    """Refer a child (usually first time missing) to a local authority's early help service."""
    _require_planner(actor)
    if not selectors.people_visible(actor).filter(pk=person.pk).exists():
        raise NotAllowed("You cannot refer this person")
    errors: dict[str, str] = {}
    if episode is not None and not Episode.objects.filter(episode_visibility(actor), pk=episode.pk).exists():
        raise NotAllowed("You cannot refer from this episode")
    if episode is not None and episode.person_id != person.pk:
        errors["__all__"] = "The episode is not this person's"
    if referred_to is None:
        errors["referred_to"] = "Choose the local authority to refer to"
    elif (
        referred_to.kind != OrganisationKind.LOCAL_AUTHORITY
        or not selectors.referral_recipients(actor, person).filter(pk=referred_to.pk).exists()
    ):
        errors["referred_to"] = "Choose a local authority from the list"
    reason = _text(errors, "reason", reason, required="Say why early help is needed")
    _raise(errors)
    assert referred_to is not None
    already = {"__all__": f"{person.full_name} already has an early help referral in progress"}
    if EarlyHelpReferral.objects.filter(
        person=person, status__in=(ReferralStatus.MADE, ReferralStatus.ACCEPTED)
    ).exists():
        raise InvalidInput(already)
    try:
        with transaction.atomic():
            referral = EarlyHelpReferral.objects.create(
                person=person,
                episode=episode,
                referred_by=actor,
                referred_by_organisation=_org(actor),
                referred_to=referred_to,
                reason=reason,
                made_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise InvalidInput(already) from exc
    _audit(
        actor,
        Operation.COLLECTION,
        "early_help_referral.made",
        "early_help_referral",
        referral.pk,
        ["person", "episode", "referred_to", "reason"],
    )
    _disclose(actor, "early_help_referral.sent", "early_help_referral", referral.pk, {referred_to.pk})
    return referral


@transaction.atomic
def referral_change_status(
    *, actor: User, referral: EarlyHelpReferral, status: str, notes: str = ""
) -> EarlyHelpReferral:
    """The receiving authority accepts or declines; either side closes. Each change keeps its time."""
    _require_planner(actor)
    if not selectors.referrals_visible_to(actor).filter(pk=referral.pk).exists():
        raise NotAllowed("You cannot change this referral")
    receiving = actor.organisation_id == referral.referred_to_id
    referring = actor.organisation_id == referral.referred_by_organisation_id
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED) and not receiving:
        raise NotAllowed("Only the authority the referral was made to can accept or decline it")
    if status == ReferralStatus.CLOSED and not (receiving or referring):
        raise NotAllowed("Only the referring or receiving organisation can close the referral")
    if status not in REFERRAL_TRANSITIONS.get(referral.status, ()):
        raise IllegalTransition(
            f"A referral that is {referral.get_status_display().lower()} cannot become "
            f"{ReferralStatus(status).label.lower() if status in ReferralStatus.values else status}."
        )
    errors: dict[str, str] = {}
    notes = _text(errors, "notes", notes)
    if status == ReferralStatus.DECLINED and not notes:
        errors["notes"] = "Say why the referral is declined"
    _raise(errors)
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "status_changed_by": actor, f"{status}_at": now}
    if notes:
        stamp = f"{timezone.localtime(now):%d %b %Y}, {ReferralStatus(status).label.lower()}: {notes}"
        fields["outcome_notes"] = f"{referral.outcome_notes}\n{stamp}".strip()
    # Conditional on the status the user saw, so two clicks cannot both move it on.
    if not EarlyHelpReferral.objects.filter(pk=referral.pk, status=referral.status).update(**fields):
        raise IllegalTransition("Someone else has changed this referral meanwhile: reload the page.")
    referral.refresh_from_db()
    _audit(
        actor,
        Operation.ALTERATION,
        f"early_help_referral.{status}",
        "early_help_referral",
        referral.pk,
        sorted(fields),
    )
    return referral


# --- Initiatives ----------------------------------------------------------------------------------


@dataclass
class InitiativeData:
    name: str
    amount: Decimal | None
    starts_on: dt.date | None
    aims: str
    ends_on: dt.date | None = None
    provider_name: str = ""
    provider: Organisation | None = None
    district: District | None = None
    outcome_notes: str = ""


def _initiative_fields(actor: User, data: InitiativeData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = _text(errors, "name", data.name, required="Enter the initiative's name", limit=200)
    provider_name = _text(errors, "provider_name", data.provider_name, limit=200)
    if data.provider is None and not provider_name:
        errors["provider_name"] = "Enter the provider, or choose an organisation"
    if data.amount is None:
        errors["amount"] = "Enter the amount in pounds"
    elif data.amount < 0 or data.amount > MAX_AMOUNT:
        errors["amount"] = "Enter an amount between £0 and £10,000,000"
    if data.starts_on is None:
        errors["starts_on"] = "Enter the start date"
    if data.ends_on is not None and data.starts_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    force_id = selectors.force_id_of(actor.organisation)
    if data.district is not None and data.district.force_id != force_id:
        errors["district"] = "Choose one of your force's districts"
    aims = _text(errors, "aims", data.aims, required="Describe the initiative's aims")
    outcome_notes = _text(errors, "outcome_notes", data.outcome_notes)
    _raise(errors)
    return {
        "name": name,
        "provider_name": provider_name,
        "provider": data.provider,
        "district": data.district,
        "amount": data.amount,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "aims": aims,
        "outcome_notes": outcome_notes,
    }


def _require_register_keeper(actor: User) -> int:
    force_id = selectors.force_id_of(actor.organisation)
    if not actor.can(Capability.MANAGE_INITIATIVES) or force_id is None:
        raise NotAllowed("Your role cannot keep the initiatives register")
    return force_id


@transaction.atomic
def initiative_create(*, actor: User, data: InitiativeData) -> Initiative:
    force_id = _require_register_keeper(actor)
    fields = _initiative_fields(actor, data)
    now = timezone.now()
    initiative = Initiative.objects.create(
        force_id=force_id, created_at=now, created_by=actor, updated_at=now, updated_by=actor, **fields
    )
    _audit(actor, Operation.COLLECTION, "initiative.created", "initiative", initiative.pk, sorted(fields))
    return initiative


@transaction.atomic
def initiative_update(
    *, actor: User, initiative: Initiative, expected_version: int, data: InitiativeData
) -> Initiative:
    force_id = _require_register_keeper(actor)
    if initiative.force_id != force_id:
        raise NotAllowed("This initiative is on another force's register")
    fields = _initiative_fields(actor, data)
    changed = [name for name, value in fields.items() if getattr(initiative, name) != value]
    current = update_if_unchanged(
        Initiative,
        pk=initiative.pk,
        expected_version=expected_version,
        updated_at=timezone.now(),
        updated_by=actor,
        **fields,
    )
    if current is not None:
        initiative.refresh_from_db()
        by = initiative.updated_by.display_name if initiative.updated_by else ""
        raise EditConflict(
            "Someone else changed this initiative after you opened it. Nothing you entered has been saved yet.",
            current_version=current,
            changes=[{"summary": "The initiative was edited", "by": by, "at": initiative.updated_at}],
        )
    initiative.refresh_from_db()
    _audit(actor, Operation.ALTERATION, "initiative.updated", "initiative", initiative.pk, changed)
    return initiative


def plan_kind_choices(*, for_location: bool) -> list[tuple[str, str]]:
    kinds = tuple(PlanKind) if for_location else PERSON_PLAN_KINDS
    return [(k.value, k.label) for k in kinds]
