"""Who may see which prevention records. The only place these rules are applied; selectors use it.

One function, `prevention_visibility(actor, record)`, gives the filter for each kind of record
("plan", "meeting", "action", "referral"). The rule, in words (docs/prevention.md):

1. Only case workers see any. The actor must be active, in an organisation, and not in a role without
   casework — analysts, auditors, administrators and the commissioner's office see no plans, meetings,
   actions or referrals (SPEC §2: aggregates, the audit log, or settings only).
2. About a person: every organisation that may see the person under the data-driven sharing rules
   (homeward.episodes.sharing.person_visibility — the force, the placing authority, councils and
   premises that see one of the person's episodes).
3. About a location: the police force of the location (its district's force), the organisation that
   runs the premises (its provider), and the council of the location's district.
4. Taking part is its own reason, whatever the subject: the organisation that keeps the plan or
   meeting; organisations named as attendees of a meeting (and so of the plan the meeting is under);
   organisations owning an action under a plan or meeting. Early-help referrals: the referring
   organisation and the organisation referred to.
5. An action is seen by whoever sees its plan or meeting, by its owner's organisation, and by its owner.
6. Return interview and voluntary workers see only the actions they own (SPEC §2: what is assigned to
   them, with the minimum data), not plans, meetings or referrals, whatever their organisation attends.

Everything else is the same 404 as a record that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.db.models import Q

from homeward.episodes.sharing import person_visibility
from homeward.identity.roles import Role

if TYPE_CHECKING:
    from homeward.identity.models import Organisation, User

NOTHING = Q(pk__in=[])

# Roles with no casework: they never see personal prevention records.
NO_CASEWORK_ROLES = frozenset({Role.ANALYST, Role.AUDITOR, Role.ADMINISTRATOR, Role.COMMISSIONER})

# Roles that see only what is assigned to them personally: an action they own, nothing else.
OWN_ACTIONS_ONLY_ROLES = frozenset({Role.RHI_WORKER, Role.VOLUNTARY_WORKER})

Record = Literal["plan", "meeting", "action", "referral"]


def casework_org(actor: User) -> Organisation | None:
    """The actor's organisation if their role does casework at all; None otherwise."""
    org = actor.organisation
    if org is None or not actor.is_active or not actor.role or actor.role in NO_CASEWORK_ROLES:
        return None
    return org


def location_rule(org: Organisation, prefix: str = "") -> Q:
    """Rule 3 on a location (reached through `prefix`, e.g. "location__")."""
    return (
        Q(**{f"{prefix}force_id": org.pk})
        | Q(**{f"{prefix}district__force_id": org.pk})
        | Q(**{f"{prefix}provider_id": org.pk})
        | Q(**{f"{prefix}district__council_id": org.pk})
    )


def prevention_visibility(actor: User, record: Record) -> Q:
    """The filter for the `record` rows `actor` may see (see the module docstring for the rule)."""
    from homeward.people.models import Person
    from homeward.prevention.models import Action, Meeting, Plan

    org = casework_org(actor)
    if org is None:
        return NOTHING
    if actor.role in OWN_ACTIONS_ONLY_ROLES:
        # Minimum data (SPEC §2): the actions given to them, not the plan or meeting around them.
        return Q(owner_id=actor.pk) if record == "action" else NOTHING
    people = Person.objects.filter(person_visibility(actor)).values("pk")
    if record == "referral":
        return Q(person_id__in=people) | Q(referred_to_id=org.pk) | Q(referred_by_organisation_id=org.pk)

    subject = Q(person_id__in=people) | (Q(location__isnull=False) & location_rule(org, "location__"))

    # Rule 4: taking part. Subqueries, not joins, so no row is listed twice.
    meetings_taken_part = Meeting.objects.filter(
        Q(organisation_id=org.pk)
        | Q(attending_organisations=org.pk)
        | Q(pk__in=Action.objects.filter(owner_organisation_id=org.pk).values("meeting_id"))
    ).values("pk")
    plans_taken_part = Plan.objects.filter(
        Q(organisation_id=org.pk)
        | Q(pk__in=Meeting.objects.filter(pk__in=meetings_taken_part).values("plan_id"))
        | Q(pk__in=Action.objects.filter(owner_organisation_id=org.pk).values("plan_id"))
    ).values("pk")

    plan_q = subject | Q(pk__in=plans_taken_part)
    if record == "plan":
        return plan_q
    visible_plans = Plan.objects.filter(plan_q).values("pk")
    meeting_q = subject | Q(pk__in=meetings_taken_part) | Q(plan_id__in=visible_plans)
    if record == "meeting":
        return meeting_q
    visible_meetings = Meeting.objects.filter(meeting_q).values("pk")
    return (
        Q(plan_id__in=visible_plans)
        | Q(meeting_id__in=visible_meetings)
        | Q(owner_organisation_id=org.pk)
        | Q(owner_id=actor.pk)
    )
