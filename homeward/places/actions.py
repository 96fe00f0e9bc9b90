from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import InvalidInput, NotAllowed
from homeward.identity.models import District, Organisation, OrganisationKind
from homeward.identity.roles import Capability
from homeward.places.models import (
    NO_LOCALITY_ASSESSMENT_CATEGORIES,
    LocalityOutcome,
    LocalityRisk,
    LocalityRiskAssessment,
    Location,
    LocationCategory,
)

if TYPE_CHECKING:
    from homeward.identity.models import User


@transaction.atomic
def location_create(
    *,
    actor: User,
    name: str,
    category: str,
    district: District | None,
    address: str = "",
    postcode: str = "",
    provider: Organisation | None = None,
    registration_ref: str = "",
) -> Location:
    if not actor.can(Capability.MANAGE_LOCATIONS):
        raise NotAllowed("Your role cannot add locations")
    assert actor.organisation is not None
    force = actor.organisation.force or actor.organisation
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the name of the place"
    if category not in LocationCategory.values:
        errors["category"] = "Choose what kind of place it is"
    if district is not None and district.force_id != force.pk:
        errors["district"] = "Choose a district of your force"
    if provider is not None and provider.force_id != force.pk:
        errors["provider"] = "Choose a provider working in your force area"
    if errors:
        raise InvalidInput(errors)
    location = Location.objects.create(
        name=name.strip(),
        category=category,
        district=district,
        address=address.strip(),
        postcode=postcode.strip().upper(),
        provider=provider,
        registration_ref=registration_ref.strip(),
        force=force,
    )
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="location.created",
        object_type="location",
        object_ids=[location.pk],
    )
    return location


# --- Locality risk assessments --------------------------------------------------------------------------

TEXT_LIMIT = 5000
# An assessment reviewed less often than every three years is no longer a review cycle.
LONGEST_REVIEW_INTERVAL = dt.timedelta(days=3 * 366)


def locality_review_days() -> int:
    """How long a locality assessment stands before it is due for review (setting, default a year)."""
    days = getattr(settings, "HOMEWARD_LOCALITY_REVIEW_DAYS", 365)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValueError("HOMEWARD_LOCALITY_REVIEW_DAYS must be a whole number of days, at least 1")
    return days


def may_assess_locality(actor: User, location: Location) -> bool:
    """Who may record a locality assessment for a premises (the caller has already checked the actor
    may see it): the provider's care staff, the council whose district it is in, the force's coordinator."""
    org = actor.organisation
    if org is None or not actor.can(Capability.ASSESS_LOCALITY):
        return False
    if location.category in NO_LOCALITY_ASSESSMENT_CATEGORIES:
        return False
    if org.kind == OrganisationKind.POLICE_FORCE:
        return location.force_id == org.pk
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return location.district is not None and location.district.council_id == org.pk
    if org.kind == OrganisationKind.CARE_PROVIDER:
        return location.provider_id == org.pk
    return False


@transaction.atomic
def locality_assessment_record(
    *,
    actor: User,
    location: Location,
    outcome: str,
    assessed_on: dt.date,
    reasons: str,
    conditions: str = "",
    risks: list[str] | None = None,
    other_risks: str = "",
    review_due: dt.date | None = None,
) -> LocalityRiskAssessment:
    """Record a new locality risk assessment; earlier ones stay as they were (the history)."""
    if not may_assess_locality(actor, location):
        raise NotAllowed("You cannot record a locality assessment for this place")
    assert actor.organisation is not None
    risks = list(dict.fromkeys(risks or []))
    reasons, conditions, other_risks = reasons.strip(), conditions.strip(), other_risks.strip()
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if outcome not in LocalityOutcome.values:
        errors["outcome"] = "Choose whether the locality is suitable"
    if assessed_on > today:
        errors["assessed_on"] = "The assessment date cannot be in the future"
    if not reasons:
        errors["reasons"] = "Enter the reasons for the outcome"
    elif len(reasons) > TEXT_LIMIT:
        errors["reasons"] = f"Reasons must be {TEXT_LIMIT} characters or fewer"
    if outcome == LocalityOutcome.SUITABLE_WITH_CONDITIONS and not conditions:
        errors["conditions"] = "Enter the conditions that make the locality suitable"
    elif conditions and outcome != LocalityOutcome.SUITABLE_WITH_CONDITIONS:
        errors["conditions"] = "Conditions go with 'suitable with conditions': choose that or remove them"
    elif len(conditions) > TEXT_LIMIT:
        errors["conditions"] = f"Conditions must be {TEXT_LIMIT} characters or fewer"
    if any(r not in LocalityRisk.values for r in risks):
        errors["risks"] = "Choose risks from the list"
    if LocalityRisk.OTHER in risks and not other_risks:
        errors["other_risks"] = "Describe the other risks"
    elif other_risks and LocalityRisk.OTHER not in risks:
        errors["other_risks"] = "Tick 'Other' as well, or remove this description"
    if review_due is None:
        try:
            review_due = assessed_on + dt.timedelta(days=locality_review_days())
        except OverflowError:
            errors["assessed_on"] = "Enter a real assessment date"
    elif review_due <= assessed_on:
        errors["review_due"] = "The next review must be after the assessment date"
    elif review_due - assessed_on > LONGEST_REVIEW_INTERVAL:
        errors["review_due"] = "The next review must be within three years of the assessment"
    if errors or review_due is None:
        raise InvalidInput(errors)
    assessment = LocalityRiskAssessment.objects.create(
        location=location,
        outcome=outcome,
        assessed_on=assessed_on,
        reasons=reasons,
        conditions=conditions,
        risks=risks,
        other_risks=other_risks,
        review_due=review_due,
        assessed_by=actor,
        organisation=actor.organisation,
    )
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="locality_assessment.recorded",
        object_type="locality_assessment",
        object_ids=[assessment.pk],
        changed_fields=["outcome", "assessed_on", "reasons", "conditions", "risks", "review_due"],
        reason=f"location {location.pk}",
    )
    return assessment
