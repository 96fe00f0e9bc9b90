"""People: the missing person's record. Every fact keeps who supplied it and when."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Not known"


class Ethnicity(models.TextChoices):
    """Self-defined ethnicity: the 2021 census categories for England and Wales, plus 'not stated'."""

    WHITE_BRITISH = "W1", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "W2", "White: Irish"
    WHITE_GYPSY = "W3", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "W4", "White: Roma"
    WHITE_OTHER = "W9", "White: any other White background"
    MIXED_WHITE_CARIBBEAN = "M1", "Mixed: White and Black Caribbean"
    MIXED_WHITE_AFRICAN = "M2", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "M3", "Mixed: White and Asian"
    MIXED_OTHER = "M9", "Mixed: any other Mixed or multiple background"
    ASIAN_INDIAN = "A1", "Asian: Indian"
    ASIAN_PAKISTANI = "A2", "Asian: Pakistani"
    ASIAN_BANGLADESHI = "A3", "Asian: Bangladeshi"
    ASIAN_CHINESE = "A4", "Asian: Chinese"
    ASIAN_OTHER = "A9", "Asian: any other Asian background"
    BLACK_CARIBBEAN = "B1", "Black: Caribbean"
    BLACK_AFRICAN = "B2", "Black: African"
    BLACK_OTHER = "B9", "Black: any other Black, Black British or Caribbean background"
    OTHER_ARAB = "O1", "Other: Arab"
    OTHER_ANY = "O9", "Other: any other ethnic group"
    NOT_STATED = "NS", "Not stated"


class OfficerEthnicity(models.TextChoices):
    WHITE = "W", "White"
    BLACK = "B", "Black"
    ASIAN = "A", "Asian"
    OTHER = "O", "Other"
    NOT_KNOWN = "X", "Not known"


class MarkerType(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation / county lines"
    TRAFFICKING = "trafficking", "Trafficking"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SELF_HARM = "self_harm", "Self-harm / suicide"
    DEMENTIA = "dementia", "Dementia"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    AUTISM = "autism", "Autism"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage / honour-based abuse"
    MEDICAL = "medical", "Medical needs"


class Person(models.Model):
    # Not a column: set by the selectors to the fields the reader's organisation may see
    # (homeward/identity/sharing_rules.py). Pages, API and downloads show only these.
    shown_fields: frozenset[str]

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    # When the date of birth is unknown: an estimated age, and the day the estimate was made.
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    estimated_age_on = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=60, blank=True)
    ethnicity = models.CharField(max_length=2, choices=Ethnicity.choices, default=Ethnicity.NOT_STATED)
    officer_ethnicity = models.CharField(
        max_length=1, choices=OfficerEthnicity.choices, default=OfficerEthnicity.NOT_KNOWN
    )
    height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    build = models.CharField(max_length=60, blank=True)
    hair = models.CharField(max_length=100, blank=True)
    eyes = models.CharField(max_length=60, blank=True)
    facial_hair = models.CharField(max_length=100, blank=True)
    glasses = models.CharField(max_length=100, blank=True)
    marks = models.TextField("Marks, scars and tattoos", blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    looked_after = models.BooleanField(default=False)
    placing_authority = models.ForeignKey(
        "identity.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placed_people",
    )
    home_district = models.ForeignKey("identity.District", null=True, blank=True, on_delete=models.SET_NULL)
    # The organisation that created the record; the force it belongs to scopes who may see it.
    owner = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="owned_people")
    force = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    # Who supplied each scalar fact and when: {"field": {"by": "...", "recorded_by": id, "at": iso}}.
    fact_sources = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # A record merged into another (people.actions.merge_person_records) is a tombstone: it stays so old
    # links and audit ids still resolve, but owns nothing; every row that pointed at it now points here.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Erased under the retention schedule (dataprotection.actions.person_erase): a tombstone keeping only
    # the non-identifying facts statistics need; every name, date of birth and free text is gone.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["family_name", "given_name"]), models.Index(fields=["date_of_birth"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")), name="person_not_merged_into_itself"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth:
            dob = self.date_of_birth
            return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        if self.estimated_age is not None and self.estimated_age_on:
            return self.estimated_age + max(0, (day - self.estimated_age_on).days // 365)
        return None


class _Supplied(models.Model):
    """Provenance every collected fact carries (APP: record who supplied it and when)."""

    supplied_by = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        abstract = True


class PersonAlias(_Supplied):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    is_nickname = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class PersonMarker(_Supplied):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="markers")
    marker = models.CharField(max_length=32, choices=MarkerType.choices)
    detail = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "marker"], name="marker_once_per_person")]


class PersonPhoto(_Supplied):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="photos/%Y/%m/")
    content_type = models.CharField(max_length=40)
    taken_on = models.DateField()
    caption = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-taken_on", "-id"]


class PersonAssociate(_Supplied):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="associates")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True)
    detail = models.CharField(max_length=300, blank=True)


class PersonPlace(_Supplied):
    """A place the person frequents."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="places")
    description = models.CharField(max_length=300)
    location = models.ForeignKey("places.Location", null=True, blank=True, on_delete=models.SET_NULL)


class PersonContact(_Supplied):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=30)  # phone, social media, email…
    value = models.CharField(max_length=200)


class PersonAddress(_Supplied):
    """Addresses and placements over time; the open one (no `until`) is current."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    location = models.ForeignKey("places.Location", null=True, blank=True, on_delete=models.SET_NULL)
    address = models.CharField(max_length=300, blank=True)
    is_placement = models.BooleanField(default=False)
    placing_authority = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-since"]


class PersonSearchKey(models.Model):
    """Blocking keys for find-before-create: phonetic name codes paired with each other or with birth dates.

    Built by people.search.search_keys_for(person); looked up by exact key, so the index does the work.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key"])]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="search_key_once")]
