"""Demo locality risk assessments, added after the bulk demo load (the lead calls `add_demo_records`).

Every children's home, unregistered home / supported accommodation and secure unit gets a history of
one to three assessments about a year apart, mostly suitable or suitable with conditions, a few now
overdue for review. Each is recorded by a care staff user of the provider if it has one, else by the
force's missing from home coordinator. Deterministic for a seed; bulk-created, with one audit event
for the load rather than one per row (as the bulk demo load does).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import OrganisationKind, User
from homeward.identity.roles import Role
from homeward.places.actions import locality_review_days
from homeward.places.models import (
    LocalityOutcome,
    LocalityRisk,
    LocalityRiskAssessment,
    Location,
    LocationCategory,
)

DEMO_CATEGORIES = (
    LocationCategory.CHILDRENS_HOME,
    LocationCategory.UNREGISTERED_CHILDRENS_HOME,
    LocationCategory.SECURE_UNIT,
)
# Outcome of the current assessment: mostly suitable, a third with conditions, a few unsuitable.
OUTCOME_WEIGHTS = (
    (LocalityOutcome.SUITABLE, 0.55),
    (LocalityOutcome.SUITABLE_WITH_CONDITIONS, 0.38),
    (LocalityOutcome.UNSUITABLE, 0.07),
)
# Share of premises whose latest assessment is now past its review date.
OVERDUE_SHARE = 0.12

_REASONS = {
    LocalityRisk.CSE_HOTSPOT: "Police intelligence names a park and a takeaway within a mile as places "
    "where young people have been groomed.",
    LocalityRisk.COUNTY_LINES: "Known drug-dealing activity on the estate; two recent arrests for "
    "supplying from a flat nearby.",
    LocalityRisk.TRANSPORT_HUB: "A railway station ten minutes' walk away with direct trains to other cities.",
    LocalityRisk.LICENSED_PREMISES: "Several late-night bars and an off-licence on the high street.",
    LocalityRisk.RISKY_ADULTS: "An adult known to police for harbouring children lives in the next street.",
    LocalityRisk.OTHER: "An unlit canal towpath runs behind the garden.",
}
_CONDITIONS = (
    "Staff accompany residents at night and after school until the next review.",
    "Shared safety plan with the neighbourhood policing team; curfew agreed with each resident.",
    "Residents are not placed here with a history of county lines involvement.",
    "Monthly intelligence briefing from the force's exploitation team; taxi to and from school.",
)


def _pick_outcome(rng: random.Random) -> str:
    roll, acc = rng.random(), 0.0
    for outcome, weight in OUTCOME_WEIGHTS:
        acc += weight
        if roll < acc:
            return outcome
    return OUTCOME_WEIGHTS[-1][0]


@transaction.atomic
def add_demo_records(*, seed: int, now: dt.datetime) -> dict[str, int]:
    rng = random.Random(f"homeward-demo-locality:{seed}")
    today = timezone.localdate(now)
    review_days = locality_review_days()
    locations = list(
        Location.objects.filter(category__in=DEMO_CATEGORIES)
        .select_related("provider", "force")
        .order_by("force_id", "name", "pk")
    )
    care_staff: dict[int, User] = {}
    for user in User.objects.filter(role=Role.CARE_STAFF, is_active=True).order_by("pk"):
        if user.organisation_id is not None:
            care_staff.setdefault(user.organisation_id, user)
    coordinators: dict[int, User] = {}
    for user in User.objects.filter(
        role=Role.MFH_COORDINATOR, is_active=True, organisation__kind=OrganisationKind.POLICE_FORCE
    ).order_by("pk"):
        assert user.organisation_id is not None
        coordinators.setdefault(user.organisation_id, user)
    rows: list[LocalityRiskAssessment] = []
    overdue = 0
    for location in locations:
        provider = location.provider
        assessor = (
            care_staff.get(provider.pk)
            if provider is not None and provider.kind == OrganisationKind.CARE_PROVIDER
            else None
        ) or coordinators.get(location.force_id)
        if assessor is None or assessor.organisation is None:
            continue
        is_overdue = rng.random() < OVERDUE_SHARE
        age = (
            rng.randint(review_days + 5, review_days + 120)
            if is_overdue
            else rng.randint(1, max(2, review_days - 20))
        )
        assessed_on = today - dt.timedelta(days=age)
        count = rng.randint(1, 3)
        history: list[LocalityRiskAssessment] = []
        for index in range(count):
            outcome = _pick_outcome(rng)
            if index > 0 and outcome == LocalityOutcome.UNSUITABLE:
                # A home found unsuitable before did not stay open unchanged: earlier ones had conditions.
                outcome = LocalityOutcome.SUITABLE_WITH_CONDITIONS
            risks = rng.sample(list(LocalityRisk.values), rng.randint(0, 3))
            reasons = " ".join(_REASONS[LocalityRisk(r)] for r in risks) or (
                "A quiet residential area; no exploitation intelligence within a mile; bus stop outside."
            )
            if outcome == LocalityOutcome.UNSUITABLE:
                reasons += " The risks cannot be managed by the home's measures."
            history.append(
                LocalityRiskAssessment(
                    location=location,
                    outcome=outcome,
                    assessed_on=assessed_on,
                    reasons=reasons,
                    conditions=rng.choice(_CONDITIONS)
                    if outcome == LocalityOutcome.SUITABLE_WITH_CONDITIONS
                    else "",
                    risks=sorted(risks),
                    other_risks="Canal towpath behind the garden" if LocalityRisk.OTHER in risks else "",
                    review_due=assessed_on + dt.timedelta(days=review_days),
                    assessed_by=assessor,
                    organisation=assessor.organisation,
                    recorded_at=timezone.make_aware(
                        dt.datetime.combine(assessed_on, dt.time(10 + rng.randint(0, 6), rng.randint(0, 59)))
                    ),
                )
            )
            # The one before was about a year earlier (reviews are rarely exactly on the day).
            assessed_on -= dt.timedelta(days=rng.randint(review_days - 40, review_days + 30))
        overdue += int(is_overdue)
        rows.extend(reversed(history))
    LocalityRiskAssessment.objects.bulk_create(rows, batch_size=500)
    audit_record(
        actor=None,
        operation=Operation.COLLECTION,
        event_type="demo.locality_assessments_loaded",
        object_type="locality_assessment",
        reason=f"seed={seed} rows={len(rows)}",
    )
    return {"locality risk assessments": len(rows), "premises overdue for locality review": overdue}
