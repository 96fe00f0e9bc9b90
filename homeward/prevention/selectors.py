"""Reads of prevention records, scoped by homeward.prevention.visibility and logged as consultations.

"Not yours" and "not there" are the same 404. The initiatives register is not personal data, so its
reads are not logged. `chronology_entries_for` is scoped but not logged (the chronology logs its page).

Which parts of a plan, meeting or referral each reader sees is `homeward.identity.sharing_rules`
(record types "plan", "meeting", "referral"): the records returned here carry `shown_fields`. The
organisations a record belongs to see all of it — a plan's keeper and the agencies at its meetings, a
meeting's keeper and attendees, a referral's two ends. A reader whose level shows only "own_actions"
sees the actions given to its own organisation, not every agency's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeward.audit.log import audit_consultation
from homeward.chronology.entries import ChronologyEntry, shown_or_withheld
from homeward.episodes.models import Episode
from homeward.episodes.patterns import Pattern, pattern_for
from homeward.episodes.sharing import episode_visibility
from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Capability
from homeward.identity.sharing_rules import shown_fields_for
from homeward.people.models import Person, PersonAddress
from homeward.places.models import Location
from homeward.prevention.models import (
    Action,
    ActionStatus,
    EarlyHelpReferral,
    Initiative,
    Meeting,
    Plan,
    PlanStatus,
    ReferralStatus,
)
from homeward.prevention.visibility import (
    NO_CASEWORK_ROLES,
    OWN_ACTIONS_ONLY_ROLES,
    casework_org,
    location_rule,
    prevention_visibility,
)

LIST_LIMIT = 200


# --- Who may do what --------------------------------------------------------------------------------


def sees_prevention(actor: User) -> bool:
    """Whether any prevention record could be shown to the actor (menus, lists; rows are scoped)."""
    return casework_org(actor) is not None


def may_plan(actor: User) -> bool:
    return casework_org(actor) is not None and actor.can(Capability.PLAN_PREVENTION)


def force_id_of(org: Organisation | None) -> int | None:
    if org is None:
        return None
    return org.pk if org.kind == OrganisationKind.POLICE_FORCE else org.force_id


def _log(actor: User, event_type: str, object_type: str, ids: list[int]) -> None:
    if ids:
        audit_consultation(actor=actor, event_type=event_type, object_type=object_type, object_ids=ids)


# --- Querysets ------------------------------------------------------------------------------------


def people_visible(actor: User) -> QuerySet[Person]:
    """People the actor may start plans, meetings and referrals for (the person sharing rules)."""
    from homeward.people.selectors import people_visible_to

    if casework_org(actor) is None:
        return Person.objects.none()
    return people_visible_to(actor)


def plans_visible_to(actor: User) -> QuerySet[Plan]:
    return Plan.objects.filter(prevention_visibility(actor, "plan"))


def meetings_visible_to(actor: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(prevention_visibility(actor, "meeting"))


def actions_visible_to(actor: User) -> QuerySet[Action]:
    return Action.objects.filter(prevention_visibility(actor, "action"))


def referrals_visible_to(actor: User) -> QuerySet[EarlyHelpReferral]:
    return EarlyHelpReferral.objects.filter(prevention_visibility(actor, "referral"))


def _plan_related(qs: QuerySet[Plan]) -> QuerySet[Plan]:
    return qs.select_related(
        "person", "location", "location__district", "organisation", "created_by", "closed_by"
    )


def _action_related(qs: QuerySet[Action]) -> QuerySet[Action]:
    return qs.select_related(
        "owner", "owner_organisation", "plan", "plan__person", "plan__location", "meeting"
    )


# --- Which parts a reader sees ---------------------------------------------------------------------


def _person_force_id(record: Plan | Meeting) -> int | None:
    return record.person.force_id if record.person_id and record.person is not None else None


def with_plan_fields(actor: User, plans: list[Plan]) -> list[Plan]:
    """Attach the fields of each plan the actor may see: all of it for the keeper and the agencies
    that attended a meeting under it."""
    attended: dict[int, set[int]] = {}
    rows = Meeting.attending_organisations.through.objects.filter(
        meeting__plan_id__in=[p.pk for p in plans]
    ).values_list("meeting__plan_id", "organisation_id")
    for plan_id, org_id in rows:
        attended.setdefault(plan_id, set()).add(org_id)
    for plan in plans:
        plan.shown_fields = shown_fields_for(
            actor,
            "plan",
            force_id=_person_force_id(plan),
            owner_ids=[plan.organisation_id, *attended.get(plan.pk, ())],
        )
    return plans


def with_meeting_fields(actor: User, meetings: list[Meeting]) -> list[Meeting]:
    """Attach the fields of each meeting the actor may see: all of it for the keeper and attendees."""
    attended: dict[int, set[int]] = {}
    rows = Meeting.attending_organisations.through.objects.filter(
        meeting_id__in=[m.pk for m in meetings]
    ).values_list("meeting_id", "organisation_id")
    for meeting_id, org_id in rows:
        attended.setdefault(meeting_id, set()).add(org_id)
    for meeting in meetings:
        meeting.shown_fields = shown_fields_for(
            actor,
            "meeting",
            force_id=_person_force_id(meeting),
            owner_ids=[meeting.organisation_id, *attended.get(meeting.pk, ())],
        )
    return meetings


def with_referral_fields(actor: User, referrals: list[EarlyHelpReferral]) -> list[EarlyHelpReferral]:
    """Attach the fields of each referral the actor may see: all of it for who made and who got it."""
    for referral in referrals:
        referral.shown_fields = shown_fields_for(
            actor,
            "referral",
            force_id=referral.person.force_id,
            owner_ids=[referral.referred_by_organisation_id, referral.referred_to_id],
        )
    return referrals


def is_own_action(actor: User, action: Action) -> bool:
    return action.owner_id == actor.pk or action.owner_organisation_id == actor.organisation_id


def actions_shown(actor: User, shown_fields: frozenset[str], actions: list[Action]) -> list[Action]:
    """Every agency's actions, or only the actor's organisation's, as its level allows."""
    if "actions" in shown_fields:
        return actions
    if "own_actions" in shown_fields:
        return [a for a in actions if is_own_action(actor, a)]
    return []


# --- Plans ----------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    plan: Plan
    open_actions: int
    overdue_actions: int


def _action_counts(plan_ids: list[int], today: dt.date) -> tuple[Counter[int], Counter[int]]:
    """Open and overdue actions per plan, counting actions of the plan's meetings too."""
    open_count: Counter[int] = Counter()
    overdue: Counter[int] = Counter()
    rows = Action.objects.filter(
        Q(plan_id__in=plan_ids) | Q(meeting__plan_id__in=plan_ids), status=ActionStatus.OPEN
    ).values_list("plan_id", "meeting__plan_id", "due_on")
    for plan_id, meeting_plan_id, due_on in rows:
        key = plan_id or meeting_plan_id
        open_count[key] += 1
        if due_on < today:
            overdue[key] += 1
    return open_count, overdue


def plans_open_for(*, actor: User, limit: int = LIST_LIMIT) -> list[PlanRow]:
    """Open plans the actor may see, the most overdue first, then the soonest review."""
    today = timezone.localdate()
    plans = list(
        _plan_related(plans_visible_to(actor).filter(status=PlanStatus.OPEN)).order_by("-created_at")[:limit]
    )
    open_count, overdue = _action_counts([p.pk for p in plans], today)
    with_plan_fields(actor, plans)
    rows = [PlanRow(plan=p, open_actions=open_count[p.pk], overdue_actions=overdue[p.pk]) for p in plans]
    rows.sort(key=lambda r: (-r.overdue_actions, r.plan.review_on or dt.date.max))
    _log(actor, "prevention_plan.listed", "prevention_plan", [r.plan.pk for r in rows])
    return rows


def plan_for(*, actor: User, pk: int, log: bool = True) -> Plan:
    plan = _plan_related(plans_visible_to(actor)).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan")
    if log:
        _log(actor, "prevention_plan.viewed", "prevention_plan", [plan.pk])
    return with_plan_fields(actor, [plan])[0]


@dataclass
class PlanPage:
    actions: list[Action]
    meetings: list[Meeting]
    events: list[object]
    overdue: int


def plan_page_for(*, actor: User, plan: Plan) -> PlanPage:
    """The plan's actions (its own and its meetings') and meetings, and its history, as far as the
    plan's `shown_fields` allow; the plan came from plan_for."""
    today = timezone.localdate()
    shown = plan.shown_fields
    actions = actions_shown(
        actor,
        shown,
        list(
            _action_related(actions_visible_to(actor))
            .filter(Q(plan=plan) | Q(meeting__plan=plan))
            .order_by("status", "due_on", "id")
        ),
    )
    meetings = (
        list(meetings_visible_to(actor).filter(plan=plan).prefetch_related("attending_organisations"))
        if "meetings" in shown
        else []
    )
    return PlanPage(
        actions=actions,
        meetings=meetings,
        events=list(plan.events.select_related("actor")[:50]) if "events" in shown else [],
        overdue=sum(1 for a in actions if a.is_overdue(today)),
    )


# --- Meetings -------------------------------------------------------------------------------------


def meeting_for(*, actor: User, pk: int, log: bool = True) -> Meeting:
    meeting = (
        meetings_visible_to(actor)
        .select_related("plan", "person", "location", "organisation", "created_by")
        .prefetch_related("attending_organisations")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting")
    if log:
        _log(actor, "prevention_meeting.viewed", "prevention_meeting", [meeting.pk])
    return with_meeting_fields(actor, [meeting])[0]


def meeting_actions_for(*, actor: User, meeting: Meeting) -> list[Action]:
    """The meeting's actions as its `shown_fields` allow; the meeting came from meeting_for."""
    return actions_shown(
        actor,
        meeting.shown_fields,
        list(_action_related(actions_visible_to(actor)).filter(meeting=meeting).order_by("status", "due_on")),
    )


# --- Actions --------------------------------------------------------------------------------------


def action_for(*, actor: User, pk: int, log: bool = True) -> Action:
    action = _action_related(actions_visible_to(actor)).filter(pk=pk).first()
    if action is None:
        raise Http404("No such action")
    if log:
        _log(actor, "prevention_action.viewed", "prevention_action", [action.pk])
    return action


def actions_mine(*, actor: User, include_finished: bool = False) -> list[Action]:
    """The actor's own actions: open ones first, overdue at the top (they are sorted by due date)."""
    qs = _action_related(Action.objects.filter(owner=actor)).select_related(
        "meeting__person", "meeting__location"
    )
    if not include_finished:
        qs = qs.filter(status=ActionStatus.OPEN)
    actions = list(qs.order_by("status", "due_on", "id")[:LIST_LIMIT])
    _log(actor, "prevention_action.listed", "prevention_action", [a.pk for a in actions])
    return actions


def may_record_outcome(actor: User, action: Action) -> bool:
    """The owner, or anyone who keeps plans and may see the action (the caller has scoped it)."""
    return (action.owner_id == actor.pk and actor.is_active) or may_plan(actor)


# --- Early help referrals ------------------------------------------------------------------------


def _referral_related(qs: QuerySet[EarlyHelpReferral]) -> QuerySet[EarlyHelpReferral]:
    return qs.select_related("person", "episode", "referred_by", "referred_by_organisation", "referred_to")


def referral_for(*, actor: User, pk: int, log: bool = True) -> EarlyHelpReferral:
    referral = _referral_related(referrals_visible_to(actor)).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral")
    if log:
        _log(actor, "early_help_referral.viewed", "early_help_referral", [referral.pk])
    return with_referral_fields(actor, [referral])[0]


def referrals_for(*, actor: User, direction: str = "all") -> list[EarlyHelpReferral]:
    """Referrals made to or by the actor's organisation (direction "to", "by" or "all")."""
    org = casework_org(actor)
    if org is None:
        return []
    mine = {"to": Q(referred_to_id=org.pk), "by": Q(referred_by_organisation_id=org.pk)}.get(
        direction, Q(referred_to_id=org.pk) | Q(referred_by_organisation_id=org.pk)
    )
    referrals = list(_referral_related(referrals_visible_to(actor).filter(mine))[:LIST_LIMIT])
    _log(actor, "early_help_referral.listed", "early_help_referral", [r.pk for r in referrals])
    return with_referral_fields(actor, referrals)


def referral_recipients(actor: User, person: Person | None = None) -> QuerySet[Organisation]:
    """Local authorities a referral may go to: those in the actor's force area, and the person's
    placing authority (which may be elsewhere in England)."""
    force_id = force_id_of(casework_org(actor))
    q = Q(force_id=force_id) if force_id else Q(pk__in=[])
    if person is not None and person.placing_authority_id:
        q |= Q(pk=person.placing_authority_id)
    if actor.organisation_id:
        q |= Q(pk=actor.organisation_id)
    return Organisation.objects.filter(q, kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name")


def default_recipient(person: Person, episode: Episode | None) -> int | None:
    """Early help is the council of where the child lives; else where they went missing."""
    if person.home_district_id and person.home_district and person.home_district.council_id:
        return person.home_district.council_id
    if episode is not None and episode.district.council_id:
        return episode.district.council_id
    return None


# --- Subjects and choices for new records ----------------------------------------------------------


def person_for_planning(*, actor: User, pk: int) -> Person:
    """A person the actor may see, to start a plan, meeting or referral for (logged as a view)."""
    from homeward.people.selectors import person_for

    if casework_org(actor) is None:
        raise Http404("No such person")
    return person_for(actor=actor, pk=pk)


def locations_for_planning(actor: User) -> QuerySet[Location]:
    org = casework_org(actor)
    if org is None:
        return Location.objects.none()
    return Location.objects.filter(location_rule(org)).exclude(category="private_home")


def location_for_planning(*, actor: User, pk: int) -> Location:
    location = locations_for_planning(actor).select_related("district", "provider").filter(pk=pk).first()
    if location is None:
        raise Http404("No such location")
    return location


def episode_for_referral(*, actor: User, pk: int) -> Episode:
    episode = (
        Episode.objects.filter(episode_visibility(actor))
        .select_related("person", "person__home_district", "district")
        .filter(pk=pk)
        .first()
    )
    if episode is None or casework_org(actor) is None:
        raise Http404("No such episode")
    _log(actor, "episode.viewed", "episode", [episode.pk])
    return episode


def involved_organisations(
    actor: User, *, person: Person | None = None, location: Location | None = None, plan: Plan | None = None
) -> set[int]:
    """The agencies around a subject: the actor's, the force, the person's placing and home
    authorities, the premises' provider and council, and whoever attended the plan's meetings."""
    ids: set[int] = set()
    org = casework_org(actor)
    if org is not None:
        ids.add(org.pk)
        if force_id_of(org):
            ids.add(force_id_of(org))  # type: ignore[arg-type]
    if plan is not None:
        person = person or plan.person
        location = location or plan.location
        ids.add(plan.organisation_id)
        ids.update(
            Meeting.objects.filter(plan=plan).values_list("attending_organisations", flat=True).distinct()
        )
    if person is not None:
        ids.add(person.force_id)
        if person.placing_authority_id:
            ids.add(person.placing_authority_id)
        if person.home_district_id:
            council = District.objects.filter(pk=person.home_district_id).values_list("council_id", flat=True)
            ids.update(c for c in council if c)
        # Whoever runs where they live now, and the premises they went missing from in the last year.
        ids.update(
            PersonAddress.objects.filter(person=person, until=None)
            .exclude(location__provider=None)
            .values_list("location__provider_id", flat=True)
        )
        # Only episodes the actor may see: the dropdown must not reveal where else she went missing from.
        ids.update(
            Episode.objects.filter(episode_visibility(actor))
            .filter(person=person, reported_at__gte=timezone.now() - dt.timedelta(days=365))
            .exclude(premises_provider=None)
            .values_list("premises_provider_id", flat=True)
        )
    if location is not None:
        ids.add(location.force_id)
        if location.provider_id:
            ids.add(location.provider_id)
        if location.district_id:
            council = District.objects.filter(pk=location.district_id).values_list("council_id", flat=True)
            ids.update(c for c in council if c)
    ids.discard(None)  # type: ignore[arg-type]
    return ids


def owner_choices(actor: User, **subject: object) -> QuerySet[User]:
    """Who may be given an action: case workers of the agencies around the subject."""
    orgs = involved_organisations(actor, **subject)  # type: ignore[arg-type]
    return (
        User.objects.filter(is_active=True, organisation_id__in=orgs)
        .exclude(role__in=NO_CASEWORK_ROLES | OWN_ACTIONS_ONLY_ROLES)
        .exclude(role="")
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name", "pk")
    )


def attendee_choices(actor: User, person: Person | None = None) -> QuerySet[Organisation]:
    """Agencies that may be named at a meeting: every partner in the actor's force area (and the
    person's placing authority, which may be elsewhere)."""
    org = casework_org(actor)
    force_id = force_id_of(org)
    q = Q(pk=org.pk) if org is not None else Q(pk__in=[])
    if force_id:
        q |= Q(force_id=force_id) | Q(pk=force_id)
    if person is not None and person.placing_authority_id:
        q |= Q(pk=person.placing_authority_id)
    return Organisation.objects.filter(q).exclude(kind=OrganisationKind.COMMISSIONER).order_by("name")


# --- Panels ---------------------------------------------------------------------------------------


@dataclass
class PersonPanel:
    plans: list[Plan] = field(default_factory=list)
    next_meeting: Meeting | None = None
    referrals: list[EarlyHelpReferral] = field(default_factory=list)
    prompt: str = ""
    may_plan: bool = False


def _latest_pattern(actor: User, person: Person) -> tuple[Episode | None, Pattern | None]:
    latest = (
        Episode.objects.counted()
        .filter(episode_visibility(actor), person=person)
        .order_by("-reported_at")
        .first()
    )
    return latest, (pattern_for(latest, actor=actor) if latest is not None else None)


def person_panel_for(*, actor: User, person: Person) -> PersonPanel:
    """Open plans, the next meeting, early-help referrals, and the prompt for a persistent or
    high-risk person with no open plan. Logged when it shows records."""
    if casework_org(actor) is None:
        return PersonPanel()
    now = timezone.now()
    plans = with_plan_fields(
        actor,
        list(
            plans_visible_to(actor)
            .filter(person=person, status=PlanStatus.OPEN)
            .select_related("organisation", "person")
            .order_by("-created_at")
        ),
    )
    next_meeting = (
        meetings_visible_to(actor)
        .filter(person=person, held_at__gte=now)
        .select_related("person")
        .order_by("held_at")
        .first()
    )
    if next_meeting is not None:
        with_meeting_fields(actor, [next_meeting])
    referrals = with_referral_fields(
        actor, list(_referral_related(referrals_visible_to(actor).filter(person=person))[:5])
    )
    prompt = ""
    if not plans:
        latest, pattern = _latest_pattern(actor, person)
        if pattern is not None and pattern.persistent:
            prompt = (
                f"Persistently missing: {pattern.episodes_in_persistent_window} episodes in "
                "the persistence window. Agree a trigger plan and hold a multi-agency meeting."
            )
        elif latest is not None and latest.risk_level_highest == "high":
            prompt = "High risk when last missing: consider a trigger plan and a multi-agency meeting."
    _log(actor, "prevention_plan.viewed", "prevention_plan", [p.pk for p in plans])
    if next_meeting is not None:
        _log(actor, "prevention_meeting.viewed", "prevention_meeting", [next_meeting.pk])
    _log(actor, "early_help_referral.viewed", "early_help_referral", [r.pk for r in referrals])
    return PersonPanel(
        plans=plans, next_meeting=next_meeting, referrals=referrals, prompt=prompt, may_plan=may_plan(actor)
    )


@dataclass
class EpisodePanel:
    first_time_child: bool = False
    referrals: list[EarlyHelpReferral] = field(default_factory=list)
    may_plan: bool = False


def episode_panel_for(*, actor: User, episode: Episode) -> EpisodePanel:
    if casework_org(actor) is None:
        return EpisodePanel()
    referrals = with_referral_fields(
        actor, list(_referral_related(referrals_visible_to(actor).filter(episode=episode)))
    )
    _log(actor, "early_help_referral.viewed", "early_help_referral", [r.pk for r in referrals])
    return EpisodePanel(
        first_time_child=pattern_for(episode, actor=actor).first_time_child,
        referrals=referrals,
        may_plan=may_plan(actor),
    )


@dataclass
class LocationPanel:
    plans: list[Plan] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    may_start: bool = False


def location_panel_for(*, actor: User, location: Location) -> LocationPanel:
    if casework_org(actor) is None:
        return LocationPanel()
    plans = with_plan_fields(
        actor, list(plans_visible_to(actor).filter(location=location).select_related("organisation")[:20])
    )
    meetings = with_meeting_fields(actor, list(meetings_visible_to(actor).filter(location=location)[:10]))
    _log(actor, "prevention_plan.viewed", "prevention_plan", [p.pk for p in plans])
    _log(actor, "prevention_meeting.viewed", "prevention_meeting", [m.pk for m in meetings])
    may_start = may_plan(actor) and locations_for_planning(actor).filter(pk=location.pk).exists()
    return LocationPanel(plans=plans, meetings=meetings, may_start=may_start)


# --- Chronology -----------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone())


def chronology_entries_for(*, actor: User, person: Person) -> list[ChronologyEntry]:
    """Plans opened and closed, meetings held, actions due and done, early-help referrals made and
    changed, for one person — scoped to what the actor may see, not logged (the chronology logs).
    A line whose summary is a field the record's `shown_fields` lack says so instead."""
    if casework_org(actor) is None:
        return []
    entries: list[ChronologyEntry] = []
    now = timezone.now()
    plans = with_plan_fields(
        actor, list(plans_visible_to(actor).filter(person=person).select_related("organisation", "person"))
    )
    for plan in plans:
        url = reverse("prevention:plan_detail", args=[plan.pk])
        record = f"prevention.plan:{plan.pk}"
        org = str(plan.organisation)
        opened = ChronologyEntry(
            plan.created_at, f"{plan.get_kind_display()} opened", plan.concerns[:200], org, record, url
        )
        entries.append(shown_or_withheld(opened, "concerns" in plan.shown_fields))
        if plan.closed_at is not None:
            closed = ChronologyEntry(
                plan.closed_at, f"{plan.get_kind_display()} closed", plan.outcome[:200], org, record, url
            )
            entries.append(shown_or_withheld(closed, "outcome" in plan.shown_fields or not plan.outcome))
    meetings = with_meeting_fields(
        actor,
        list(
            meetings_visible_to(actor)
            .filter(person=person, held_at__lte=now)
            .select_related("organisation", "person")
        ),
    )
    for meeting in meetings:
        meeting_shown = meeting.shown_fields
        said = (meeting.outcome if "outcome" in meeting_shown else "") or (
            meeting.summary if "summary" in meeting_shown else ""
        )
        held = ChronologyEntry(
            meeting.held_at,
            "Multi-agency meeting held",
            (said or f"Chaired by {meeting.chair}")[:200],
            str(meeting.organisation),
            f"prevention.meeting:{meeting.pk}",
            reverse("prevention:meeting_detail", args=[meeting.pk]),
        )
        # Withheld only when there is something to withhold; otherwise the chair is all there is.
        entries.append(shown_or_withheld(held, bool(said) or not (meeting.outcome or meeting.summary)))
    # An action's description shows where its plan or meeting shows every agency's actions, and to
    # the organisation the action was given to.
    shows_all_actions = {("plan", p.pk) for p in plans if "actions" in p.shown_fields}
    shows_all_actions |= {
        ("meeting", m.pk)
        for m in with_meeting_fields(
            actor, list(meetings_visible_to(actor).filter(person=person).select_related("person"))
        )
        if "actions" in m.shown_fields
    }
    actions = (
        actions_visible_to(actor)
        .filter(Q(plan__person=person) | Q(meeting__person=person))
        .select_related("owner_organisation")
    )
    for action in actions:
        url = (
            reverse("prevention:plan_detail", args=[action.plan_id])
            if action.plan_id
            else reverse("prevention:meeting_detail", args=[action.meeting_id])
        )
        record = f"prevention.action:{action.pk}"
        org = str(action.owner_organisation)
        parent = ("plan", action.plan_id) if action.plan_id else ("meeting", action.meeting_id)
        shown = is_own_action(actor, action) or parent in shows_all_actions
        if action.status == ActionStatus.OPEN:
            due = ChronologyEntry(
                _day_start(action.due_on), "Action due", action.description, org, record, url
            )
            entries.append(shown_or_withheld(due, shown))
        elif action.completed_at is not None:
            label = "Action done" if action.status == ActionStatus.DONE else "Action cancelled"
            done = ChronologyEntry(action.completed_at, label, action.description, org, record, url)
            entries.append(shown_or_withheld(done, shown))
    referrals = with_referral_fields(
        actor,
        list(
            referrals_visible_to(actor)
            .filter(person=person)
            .select_related("referred_to", "referred_by_organisation", "person")
        ),
    )
    for referral in referrals:
        url = reverse("prevention:referral_detail", args=[referral.pk])
        record = f"prevention.earlyhelpreferral:{referral.pk}"
        entries.append(
            ChronologyEntry(
                referral.made_at,
                "Early help referral made",
                f"To {referral.referred_to}",
                str(referral.referred_by_organisation),
                record,
                url,
            )
        )
        for status, at in (
            (ReferralStatus.ACCEPTED, referral.accepted_at),
            (ReferralStatus.DECLINED, referral.declined_at),
            (ReferralStatus.CLOSED, referral.closed_at),
        ):
            if at is not None:
                notes = referral.outcome_notes[:200] if status != ReferralStatus.ACCEPTED else ""
                changed = ChronologyEntry(
                    at,
                    f"Early help referral {status.label.lower()}",
                    notes,
                    str(referral.referred_to),
                    record,
                    url,
                )
                entries.append(
                    shown_or_withheld(changed, not notes or "outcome_notes" in referral.shown_fields)
                )
    entries.sort(key=lambda e: e.at)
    return entries


# --- Initiatives (not personal data: not logged) --------------------------------------------------


def initiatives_for(
    *, actor: User, district_id: int | None = None, active_on: dt.date | None = None
) -> QuerySet[Initiative]:
    """The register of the actor's force (every force's for someone outside any force)."""
    qs = Initiative.objects.select_related("district", "provider")
    force_id = force_id_of(actor.organisation)
    if force_id:
        qs = qs.filter(force_id=force_id)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if active_on is not None:
        qs = qs.filter(starts_on__lte=active_on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=active_on))
    return qs


def initiative_for(*, actor: User, pk: int) -> Initiative:
    initiative = initiatives_for(actor=actor).filter(pk=pk).first()
    if initiative is None:
        raise Http404("No such initiative")
    return initiative


def districts_for(actor: User) -> QuerySet[District]:
    force_id = force_id_of(actor.organisation)
    return District.objects.filter(force_id=force_id) if force_id else District.objects.all()


def has_open_actions(user: User) -> bool:
    """For the menu: whether the user owns an open action. A yes/no, not a consultation."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Action.objects.filter(owner_id=user.pk, status=ActionStatus.OPEN).exists()
