from __future__ import annotations

from django.db import models


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
