"""Philomena and Herbert pre-registration profiles (SPEC §3 "Protocol profile").

Part 1 is written in advance and kept current by whoever holds the form — a care provider, a hospital,
a local authority, or the family — never by the police (domain research §2). Part 2 is written when the
person goes missing and handed to the police, who start their own report from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Scheme(models.TextChoices):
    PHILOMENA = "philomena", "Philomena Protocol (child in care)"
    HERBERT = "herbert", "Herbert Protocol (dementia or vulnerable adult)"


# Part 1: the sections of the national templates, in the order the form shows them.
PART1_FIELDS: tuple[str, ...] = (
    "description",
    "associates",
    "places_frequented",
    "significant_places",
    "missing_history",
    "medical",
    "financial",
    "social_media",
    "phones",
    "transport",
    "routines",
    "locator",
)


class ProtocolProfile(models.Model):
    # Set by the selectors: the fields the viewer may see (identity.sharing_rules, "profile").
    shown_fields: frozenset[str]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="protocol_profiles")
    scheme = models.CharField(max_length=16, choices=Scheme.choices)
    # Who holds and updates the form. No organisation means the family holds it (holder_name says who).
    holder = models.ForeignKey(
        "identity.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_protocol_profiles",
    )
    holder_name = models.CharField(max_length=200, blank=True)

    description = models.TextField(
        "Description, mobility and communication aids",
        blank=True,
        help_text="What the police record may not say: how they usually dress, accent, walking aids, hearing aids",
    )
    associates = models.TextField("Friends and associates", blank=True)
    places_frequented = models.TextField("Places frequented", blank=True)
    significant_places = models.TextField(
        "Significant places", blank=True, help_text="Old school, former workplaces, place of worship, walks"
    )
    missing_history = models.TextField("Previous missing history", blank=True)
    medical = models.TextField("Medical conditions, medication and GP", blank=True)
    financial = models.TextField(
        "Financial information", blank=True, help_text="Bank cards, how they get money"
    )
    social_media = models.TextField("Social media accounts and email", blank=True)
    phones = models.TextField("Phone numbers and handsets", blank=True)
    transport = models.TextField("Transport", blank=True, help_text="Bus passes, bikes, routes they know")
    routines = models.TextField("Daily and weekly routines", blank=True)
    locator = models.TextField(
        "GPS or locator", blank=True, help_text="Device type and the monitoring centre's phone number"
    )
    # The photo the holder chose; when empty the person's most recent photo is shown instead.
    photo = models.ForeignKey(
        "people.PersonPhoto", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    last_reviewed_on = models.DateField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    closed_reason = models.CharField(max_length=300, blank=True)

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # One current form per person, so the police never have to choose between two.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(active=True), name="one_active_profile_per_person"
            )
        ]
        indexes = [models.Index(fields=["holder", "active"])]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} profile for {self.person}"

    def part1_sections(self, *, only_filled: bool = False) -> list[tuple[str, str]]:
        """(label, text) for each part 1 section the reader may see, in form order. A profile that did
        not come through a selector (no `shown_fields`) shows none: restriction fails closed."""
        shown: frozenset[str] = getattr(self, "shown_fields", frozenset())
        sections = [(part1_label(name), getattr(self, name)) for name in PART1_FIELDS if name in shown]
        return [s for s in sections if s[1]] if only_filled else sections

    @property
    def holder_label(self) -> str:
        if self.holder_id:
            return str(self.holder)
        return f"Family: {self.holder_name}" if self.holder_name else "Family"


def part1_label(name: str) -> str:
    return str(getattr(ProtocolProfile._meta.get_field(name), "verbose_name", name))


def part1_help(name: str) -> str:
    return str(getattr(ProtocolProfile._meta.get_field(name), "help_text", ""))


class ProfileEvent(models.Model):
    """The profile's own history, numbered by the version each change produced (as EpisodeEvent)."""

    profile = models.ForeignKey(ProtocolProfile, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["profile", "version"])]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to the police"
    LINKED = "linked", "Police report recorded"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_REPORT_STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED)


class ProfileMissingReport(models.Model):
    """Part 2: written by the holder when the person goes missing, then picked up by the police."""

    # Set by the selectors: the fields the viewer may see (identity.sharing_rules, "profile_report").
    shown_fields: frozenset[str]

    profile = models.ForeignKey(ProtocolProfile, on_delete=models.PROTECT, related_name="missing_reports")
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # The holder at the time: the profile may move on later, the report stays theirs.
    reporting_org = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    missing_from = models.ForeignKey("places.Location", null=True, blank=True, on_delete=models.PROTECT)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_place = models.CharField(max_length=300, blank=True)
    last_seen_with = models.CharField(max_length=300, blank=True)
    clothing = models.TextField(blank=True)
    circumstances = models.TextField(blank=True)
    reasonable_steps = models.TextField(blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_relationship = models.CharField(max_length=100, blank=True)
    reporter_phone = models.CharField(max_length=40, blank=True)

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    episode = models.ForeignKey(
        "episodes.Episode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="protocol_reports",
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One report in progress per profile: a double submit cannot send the police two.
            models.UniqueConstraint(
                fields=["profile"],
                condition=models.Q(status__in=["draft", "submitted"]),
                name="one_open_missing_report_per_profile",
            )
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"Part 2 for {self.profile.person} ({self.get_status_display()})"
