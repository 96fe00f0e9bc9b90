"""Demo prevention records, written after the bulk demo load from what it loaded (synthetic data only).

Deterministic for a seed and a `now`: every choice comes from random.Random(seed) over rows read in a
fixed order. Written with bulk_create and no per-row audit events, like the rest of the demo load.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from homeward.episodes.models import Episode, Status
from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.people.models import Person
from homeward.places.models import Location, LocationCategory
from homeward.prevention.models import (
    Action,
    ActionStatus,
    EarlyHelpReferral,
    Initiative,
    Meeting,
    Plan,
    PlanEvent,
    PlanKind,
    ReferralStatus,
)

PLAN_SHARE = 0.85  # of persistent people who have a trigger plan
PLAN_CAP = 60
REFERRAL_SHARE = 0.8  # of first-time missing children referred to early help
INITIATIVES = 8

CONCERNS = (
    "Goes missing after contact with family at weekends; seen with older males in the city centre.",
    "Missing overnight from placement on Friday and Saturday nights; returns intoxicated.",
    "Associating with peers linked to county lines activity; new phone and clothes unexplained.",
    "Leaves school at lunchtime and does not return; episodes follow arguments with carers.",
    "Returns with unexplained injuries; refuses to say where she has been.",
    "Travels by train to another city; believed to be meeting an adult met online.",
)
APPROACHES = (
    "Carers to ring her phone and known friends before reporting; key worker to arrange weekly "
    "one-to-one sessions; police to carry out disruption visits at the known address.",
    "Agreed curfew with staff; return interviews by the same worker; CSE screening tool updated monthly.",
    "School to alert carers by 13:30 if absent; youth worker referral; trigger plan shared with "
    "the out-of-hours team.",
    "Exploitation team to review; safety plan agreed with him; staff to note new items and money.",
)
MEETING_OUTCOMES = (
    "Trigger plan agreed by all agencies; exploitation screening to be repeated; review in six weeks.",
    "Agreed to request a strategy meeting; placement stability to be reviewed by the social worker.",
    "Information shared on associates; police to issue child abduction warning notices.",
    "Episodes have reduced; agencies agreed to keep the plan open until the next review.",
)
ACTIONS = (
    "Complete the exploitation screening tool and share it with the group",
    "Arrange a return home interview with the same worker as last time",
    "Visit the address in the city centre where she was found",
    "Review the placement plan with the child and carers",
    "Refer to the youth service for positive activities",
    "Share the trigger plan with the out-of-hours team",
    "Check school attendance and report any absence the same day",
    "Request a strategy discussion with children's social care",
)
ACTION_OUTCOMES = (
    "Done and shared with the group.",
    "Completed; no new concerns identified.",
    "Visit made; occupants spoken to and advised.",
    "Referral accepted; first session booked.",
)
HOME_CONCERNS = (
    "Several residents go missing together late in the evening; staff report being unable to stop "
    "them leaving; taxis seen collecting residents.",
    "Highest number of missing episodes in the district; repeated reports for short absences that "
    "could be managed by staff first.",
)
HOME_APPROACHES = (
    "Agree a reasonable-steps protocol with the home manager; neighbourhood team to visit weekly; "
    "taxi firms asked to report pick-ups of young people from the address.",
    "Staff training on the Philomena Protocol; monthly review of episodes with the home manager.",
)
REFERRAL_REASONS = (
    "First time missing. Left home after an argument with a parent; family asked for support.",
    "First time missing. Difficulties at school and friendship breakdown; parent worried.",
    "First time missing. Found with older peers; family would welcome early help.",
)
REFERRAL_NOTES = (
    "Family support worker allocated.",
    "Family declined support.",
    "Support completed; family report things are settled.",
)
INITIATIVE_NAMES = (
    ("Safe Return mentoring", "Mentoring for children who go missing repeatedly"),
    ("Night-time economy safe spaces", "Safe spaces for young people in town centres at night"),
    ("Children's home liaison officers", "Named officers for each children's home"),
    ("Exploitation awareness in schools", "Sessions on grooming and county lines for year 8 and 9"),
    ("Herbert Protocol promotion", "Registering people living with dementia on the Herbert Protocol"),
    ("Family support after a first episode", "Rapid family support after a child first goes missing"),
    ("Taxi driver safeguarding training", "Training taxi drivers to spot and report exploitation"),
    ("Detached youth work", "Outreach youth workers where young people gather"),
    ("Return interview capacity grant", "Extra return interview sessions at weekends"),
)


def _pick_user(rng: random.Random, users: list[User]) -> User | None:
    return rng.choice(users) if users else None


@transaction.atomic
def add_demo_records(*, seed: int, now: dt.datetime) -> dict[str, int]:
    """Trigger plans and meetings for persistent people, early-help referrals for first-time missing
    children, problem-solving records for the busiest children's homes, and an initiatives register."""
    counts = {
        "trigger plans": 0,
        "problem-solving records": 0,
        "multi-agency meetings": 0,
        "prevention actions": 0,
        "early help referrals": 0,
        "initiatives": 0,
    }
    if Plan.objects.exists() or Initiative.objects.exists() or EarlyHelpReferral.objects.exists():
        return counts  # already there: a second run must not duplicate them
    rng = random.Random(f"homeward-demo-prevention:{seed}")
    today = timezone.localdate(now)

    users = list(User.objects.filter(is_active=True).exclude(organisation=None).order_by("pk"))
    by_role_org: dict[tuple[str, int], list[User]] = defaultdict(list)
    supervisors_by_district: dict[int | None, list[User]] = defaultdict(list)
    for u in users:
        by_role_org[(u.role, u.organisation_id or 0)].append(u)
        if u.role == Role.SUPERVISOR:
            supervisors_by_district[u.district_id].append(u)
    coordinators = [u for u in users if u.role == Role.MFH_COORDINATOR]
    councils = {d.pk: d.council_id for d in District.objects.all()}

    plans: list[Plan] = []
    meetings: list[Meeting] = []
    attendees: list[set[int]] = []
    plan_actions: list[list[tuple[str, User, dt.date]]] = []

    def planner(force_id: int, district_id: int | None) -> User | None:
        pool = [u for u in coordinators if u.organisation_id == force_id] or supervisors_by_district.get(
            district_id, []
        )
        return _pick_user(rng, pool)

    def owners(org_ids: list[int | None], force_id: int, district_id: int | None) -> list[User]:
        pool: list[User] = [u for u in coordinators if u.organisation_id == force_id]
        pool += supervisors_by_district.get(district_id, [])[:2]
        for org_id in org_ids:
            if org_id:
                pool += by_role_org.get((Role.CSC_MISSING_OFFICER, org_id), [])[:2]
                pool += by_role_org.get((Role.CARE_STAFF, org_id), [])[:2]
        return pool

    def add(
        plan: Plan, meeting_orgs: set[int], owner_pool: list[User], chair: str, texts: tuple[str, ...]
    ) -> None:
        plans.append(plan)
        held = plan.created_at + dt.timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 6))
        held = held.replace(minute=0, second=0, microsecond=0)
        done = held < now
        meetings.append(
            Meeting(
                person_id=plan.person_id,
                location_id=plan.location_id,
                organisation_id=plan.organisation_id,
                held_at=held,
                chair=chair,
                other_attendees="",
                summary=rng.choice(texts) if done else "",
                outcome=rng.choice(MEETING_OUTCOMES) if done else "",
                created_at=min(held, now - dt.timedelta(minutes=5)) if done else plan.created_at,
                created_by=plan.created_by,
                updated_at=min(held, now - dt.timedelta(minutes=5)) if done else plan.created_at,
            )
        )
        attendees.append(meeting_orgs)
        wanted = rng.randint(2, 4)
        chosen: list[tuple[str, User, dt.date]] = []
        for description in rng.sample(ACTIONS, wanted):
            owner = _pick_user(rng, owner_pool)
            if owner is None:
                continue
            due = timezone.localdate(held) + dt.timedelta(days=rng.randint(7, 35))
            chosen.append((description, owner, due))
        plan_actions.append(chosen)

    # --- Trigger plans for people persistent now ---------------------------------------------------
    window = dt.timedelta(days=settings.HOMEWARD_PERSISTENT_WINDOW_DAYS)
    persistent = list(
        Episode.objects.exclude(status=Status.NOT_RECORDED)
        .filter(reported_at__gte=now - window, reported_at__lt=now)
        .values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.HOMEWARD_PERSISTENT_EPISODES)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    chosen_people = [p for p in persistent if rng.random() < PLAN_SHARE][:PLAN_CAP]
    people = Person.objects.in_bulk(chosen_people)
    latest: dict[int, Episode] = {}
    for e in (
        Episode.objects.filter(person_id__in=chosen_people)
        .exclude(status=Status.NOT_RECORDED)
        .select_related("missing_from")
        .order_by("person_id", "reported_at", "pk")
    ):
        latest[e.person_id] = e
    for person_id in chosen_people:
        person, episode = people[person_id], latest.get(person_id)
        if episode is None:
            continue
        by = planner(person.force_id, episode.district_id)
        if by is None:
            continue
        created = min(episode.reported_at + dt.timedelta(days=rng.randint(1, 4)), now - dt.timedelta(hours=2))
        provider = episode.missing_from.provider_id if episode.missing_from is not None else None
        council = person.placing_authority_id or councils.get(person.home_district_id or episode.district_id)
        orgs = {person.force_id} | {o for o in (council, provider) if o}
        add(
            Plan(
                kind=PlanKind.TRIGGER_PLAN,
                person_id=person_id,
                organisation_id=person.force_id,
                concerns=rng.choice(CONCERNS),
                approach=rng.choice(APPROACHES),
                review_on=timezone.localdate(created) + dt.timedelta(days=rng.choice((28, 42, 56))),
                created_at=created,
                created_by=by,
                updated_at=created,
                updated_by=by,
            ),
            orgs,
            owners([council, provider], person.force_id, episode.district_id),
            by.get_full_name(),
            CONCERNS,
        )
    counts["trigger plans"] = len(plans)

    # --- Problem-solving records for the busiest children's homes ---------------------------------
    homes = list(
        Episode.objects.filter(
            missing_from__category__in=(
                LocationCategory.CHILDRENS_HOME,
                LocationCategory.UNREGISTERED_CHILDRENS_HOME,
            ),
            reported_at__gte=now - dt.timedelta(days=365),
            reported_at__lt=now,
        )
        .values("missing_from_id")
        .annotate(n=Count("id"))
        .order_by("-n", "missing_from_id")
        .values_list("missing_from_id", flat=True)[: rng.randint(3, 5)]
    )
    locations = Location.objects.in_bulk(homes)
    for location_id in homes:
        location = locations[location_id]
        by = planner(location.force_id, location.district_id)
        if by is None:
            continue
        created = now - dt.timedelta(days=rng.randint(20, 80), hours=rng.randint(0, 8))
        council = councils.get(location.district_id) if location.district_id else None
        orgs = {location.force_id} | {o for o in (council, location.provider_id) if o}
        add(
            Plan(
                kind=PlanKind.PROBLEM_SOLVING,
                location_id=location_id,
                organisation_id=location.force_id,
                concerns=rng.choice(HOME_CONCERNS),
                approach=rng.choice(HOME_APPROACHES),
                review_on=timezone.localdate(created) + dt.timedelta(days=90),
                created_at=created,
                created_by=by,
                updated_at=created,
                updated_by=by,
            ),
            orgs,
            owners([council, location.provider_id], location.force_id, location.district_id),
            by.get_full_name(),
            HOME_CONCERNS,
        )
    counts["problem-solving records"] = len(plans) - counts["trigger plans"]

    Plan.objects.bulk_create(plans)
    PlanEvent.objects.bulk_create(
        [
            PlanEvent(
                plan=p,
                version=1,
                kind="opened",
                summary=f"{p.get_kind_display()} opened",
                actor=p.created_by,
                at=p.created_at,
            )
            for p in plans
        ]
    )
    for plan, meeting in zip(plans, meetings, strict=True):
        meeting.plan = plan
    Meeting.objects.bulk_create(meetings)
    Through = Meeting.attending_organisations.through
    Through.objects.bulk_create(
        [
            Through(meeting_id=m.pk, organisation_id=org_id)
            for m, orgs in zip(meetings, attendees, strict=True)
            for org_id in sorted(orgs)
        ]
    )
    actions: list[Action] = []
    for meeting, chosen in zip(meetings, plan_actions, strict=True):
        for description, owner, due in chosen:
            created = meeting.held_at if meeting.held_at < now else meeting.created_at
            status, outcome, completed = ActionStatus.OPEN, "", None
            if due < today and rng.random() < 0.7:
                status, outcome = ActionStatus.DONE, rng.choice(ACTION_OUTCOMES)
                completed = min(
                    timezone.make_aware(dt.datetime.combine(due, dt.time(11)))
                    - dt.timedelta(days=rng.randint(0, 5)),
                    now - dt.timedelta(hours=1),
                )
                completed = max(completed, created)
            actions.append(
                Action(
                    plan=meeting.plan,
                    meeting=meeting,
                    description=description,
                    owner=owner,
                    owner_organisation_id=cast(
                        int, owner.organisation_id
                    ),  # users were read with an organisation
                    due_on=due,
                    status=status,
                    outcome=outcome,
                    completed_at=completed,
                    created_at=created,
                    created_by=meeting.created_by,
                    updated_at=completed or created,
                )
            )
    Action.objects.bulk_create(actions)
    counts["multi-agency meetings"] = len(meetings)
    counts["prevention actions"] = len(actions)

    # --- Early help referrals for first-time missing children -------------------------------------
    since = now - window
    firsts = dict(
        Episode.objects.exclude(status=Status.NOT_RECORDED)
        .values("person_id")
        .annotate(first=Min("reported_at"))
        .filter(first__gte=since, first__lt=now)
        .values_list("person_id", "first")
    )
    first_episodes = [
        e
        for e in Episode.objects.filter(person_id__in=list(firsts), is_child=True)
        .exclude(status=Status.NOT_RECORDED)
        .select_related("person", "district")
        .order_by("reported_at", "pk")
        if e.reported_at == firsts[e.person_id]
    ]
    referrals: list[EarlyHelpReferral] = []
    seen: set[int] = set()
    for e in first_episodes:
        if e.person_id in seen or rng.random() >= REFERRAL_SHARE:
            continue
        seen.add(e.person_id)
        to = councils.get(e.person.home_district_id) if e.person.home_district_id else None
        to = to or e.district.council_id
        by = _pick_user(rng, supervisors_by_district.get(e.district_id, []) or coordinators)
        if to is None or by is None or by.organisation_id is None:
            continue
        made = min(
            e.reported_at + dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6)),
            now - dt.timedelta(hours=1),
        )
        referral = EarlyHelpReferral(
            person_id=e.person_id,
            episode=e,
            referred_by=by,
            referred_by_organisation_id=by.organisation_id,
            referred_to_id=to,
            reason=rng.choice(REFERRAL_REASONS),
            made_at=made,
        )
        age_days = (now - made).days
        roll = rng.random()
        if age_days >= 3:
            referral.status = ReferralStatus.ACCEPTED if roll < 0.75 else ReferralStatus.DECLINED
            changed = made + dt.timedelta(days=rng.randint(1, min(age_days, 5)) - 1, hours=rng.randint(1, 8))
            changed = min(changed, now - dt.timedelta(minutes=30))
            if referral.status == ReferralStatus.ACCEPTED:
                referral.accepted_at = changed
                referral.outcome_notes = REFERRAL_NOTES[0]
                if age_days >= 45 and rng.random() < 0.5:
                    referral.status = ReferralStatus.CLOSED
                    referral.closed_at = min(
                        changed + dt.timedelta(days=rng.randint(30, 40)), now - dt.timedelta(minutes=5)
                    )
                    referral.outcome_notes += "\n" + REFERRAL_NOTES[2]
            else:
                referral.declined_at = changed
                referral.outcome_notes = REFERRAL_NOTES[1]
        referrals.append(referral)
    EarlyHelpReferral.objects.bulk_create(referrals)
    counts["early help referrals"] = len(referrals)

    # --- Initiatives register --------------------------------------------------------------------
    forces = list(Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("pk"))
    initiatives: list[Initiative] = []
    for force in forces:
        districts = list(District.objects.filter(force=force).order_by("name"))
        charities = list(
            Organisation.objects.filter(force=force, kind=OrganisationKind.CHARITY).order_by("name")
        )
        keeper = _pick_user(
            rng,
            [u for u in users if u.role == Role.COMMISSIONER and u.organisation.force_id == force.pk],  # type: ignore[union-attr]
        ) or _pick_user(rng, [u for u in coordinators if u.organisation_id == force.pk])
        for name, aims in rng.sample(INITIATIVE_NAMES, min(INITIATIVES, len(INITIATIVE_NAMES))):
            starts = today - dt.timedelta(days=rng.randint(30, 700))
            ends = starts + dt.timedelta(days=rng.choice((182, 365, 547, 730)))
            funded_by = rng.choice(charities) if charities and rng.random() < 0.6 else None
            district = rng.choice(districts) if districts and rng.random() < 0.75 else None
            ended = ends < today
            initiatives.append(
                Initiative(
                    name=f"{name}{f' — {district.name}' if district else ''}",
                    provider=funded_by,
                    provider_name=""
                    if funded_by
                    else rng.choice(
                        (
                            "Community Safety Partnership",
                            "Local youth trust",
                            "County football club foundation",
                        )
                    ),
                    force=force,
                    district=district,
                    amount=Decimal(rng.randrange(5_000, 60_001, 500)),
                    starts_on=starts,
                    ends_on=ends,
                    aims=f"{aims}. Funded from the community safety fund.",
                    outcome_notes=(
                        "Evaluation reported fewer repeat episodes among those supported." if ended else ""
                    ),
                    created_at=now - dt.timedelta(days=max(1, (today - starts).days)),
                    created_by=keeper,
                    updated_at=now - dt.timedelta(days=1),
                    updated_by=keeper,
                )
            )
    Initiative.objects.bulk_create(initiatives)
    counts["initiatives"] = len(initiatives)
    return counts
