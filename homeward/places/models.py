from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


class LocationCategory(models.TextChoices):
    PRIVATE_HOME = "private_home", "Private home"
    FOSTER_PLACEMENT = "foster_placement", "Foster placement"
    CHILDRENS_HOME = "childrens_home", "Children's home (regulated)"
    UNREGISTERED_CHILDRENS_HOME = (
        "unregistered_home",
        "Children's home or supported accommodation (unregistered)",
    )
    SECURE_UNIT = "secure_unit", "Secure unit"
    ACUTE_HOSPITAL = "acute_hospital", "Acute hospital"
    MENTAL_HEALTH_UNIT = "mental_health_unit", "Mental health unit"
    OTHER_MEDICAL = "other_medical", "Other medical establishment"
    ADULT_CARE_HOME = "adult_care_home", "Adult care home"
    SCHOOL = "school", "School or college"
    HOSTEL = "hostel", "Hostel"
    OTHER = "other", "Other"


# Settings where a looked-after child lives in care (weekly dataset 3) and medical settings (dataset 4).
CARE_SETTING_CATEGORIES = frozenset(
    {
        LocationCategory.CHILDRENS_HOME,
        LocationCategory.UNREGISTERED_CHILDRENS_HOME,
        LocationCategory.SECURE_UNIT,
    }
)
MEDICAL_CATEGORIES = frozenset(
    {LocationCategory.ACUTE_HOSPITAL, LocationCategory.MENTAL_HEALTH_UNIT, LocationCategory.OTHER_MEDICAL}
)
# Where the carer must record the reasonable steps taken before reporting (Children Missing from Care framework).
REASONABLE_STEPS_CATEGORIES = CARE_SETTING_CATEGORIES | {
    LocationCategory.FOSTER_PLACEMENT,
    LocationCategory.ADULT_CARE_HOME,
}


class Location(models.Model):
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    category = models.CharField(max_length=32, choices=LocationCategory.choices, db_index=True)
    force = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("identity.District", null=True, blank=True, on_delete=models.PROTECT)
    provider = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    registration_ref = models.CharField("Ofsted / CQC registration", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_care_setting(self) -> bool:
        return self.category in REASONABLE_STEPS_CATEGORIES


class LocalityOutcome(models.TextChoices):
    SUITABLE = "suitable", "Suitable"
    SUITABLE_WITH_CONDITIONS = "suitable_with_conditions", "Suitable with conditions"
    UNSUITABLE = "unsuitable", "Unsuitable"


class LocalityRisk(models.TextChoices):
    """What a locality assessment looked for around the premises (Children's Homes Regulations 2015, reg. 46)."""

    CSE_HOTSPOT = "cse_hotspot", "Child sexual exploitation hotspots"
    COUNTY_LINES = "county_lines", "County lines or drug dealing activity"
    TRANSPORT_HUB = "transport_hub", "Transport hubs (stations, bus interchanges)"
    LICENSED_PREMISES = "licensed_premises", "Licensed premises, takeaways or late-night venues"
    RISKY_ADULTS = "risky_adults", "Known risky adults nearby"
    OTHER = "other", "Other"


# Private homes are families' addresses, not premises that assess their locality.
NO_LOCALITY_ASSESSMENT_CATEGORIES = frozenset({LocationCategory.PRIVATE_HOME})


class LocalityRiskAssessment(models.Model):
    """One assessment of the area around a premises. Every assessment is a new row: a review adds one,
    history is never overwritten, and the latest by date is the current one."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="locality_assessments")
    outcome = models.CharField(max_length=32, choices=LocalityOutcome.choices)
    assessed_on = models.DateField()
    reasons = models.TextField()
    conditions = models.TextField(blank=True)
    risks = models.JSONField(default=list, blank=True)
    other_risks = models.CharField(max_length=300, blank=True)
    review_due = models.DateField()
    assessed_by = models.ForeignKey("identity.User", null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["location", "-assessed_on", "-id"], name="locality_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="suitable_with_conditions") | ~models.Q(conditions=""),
                name="locality_conditions_when_conditional",
            ),
            models.CheckConstraint(
                condition=models.Q(review_due__gt=models.F("assessed_on")),
                name="locality_review_after_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location} — {self.get_outcome_display()} ({self.assessed_on:%d %b %Y})"

    def is_overdue(self, today: dt.date) -> bool:
        return self.review_due < today

    @property
    def risk_labels(self) -> list[str]:
        labels = dict(LocalityRisk.choices)
        named = [str(labels.get(code, code)) for code in self.risks if code != LocalityRisk.OTHER]
        if LocalityRisk.OTHER in self.risks:
            named.append(f"Other: {self.other_risks}" if self.other_risks else "Other")
        return named
