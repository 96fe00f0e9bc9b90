"""The family contact log of an episode (SPEC §3): who was contacted, how, and whether they were
signposted to support. Append-only: a correction is a new entry naming the one it corrects."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    VISIT = "visit", "Visit in person"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    OTHER = "other", "Other"


class ContactDirection(models.TextChoices):
    OUTBOUND = "outbound", "We contacted them"
    INBOUND = "inbound", "They contacted us"


class SupportService(models.TextChoices):
    MISSING_PEOPLE = "missing_people", "Missing People charity (116 000)"
    FAMILY_SUPPORT = "family_support", "Local family support service"
    EARLY_HELP = "early_help", "Early help"
    VICTIM_SUPPORT = "victim_support", "Victim Support"
    NSPCC = "nspcc", "NSPCC helpline"
    CHILDLINE = "childline", "Childline (0800 1111)"
    OTHER = "other", "Other"


class FamilyContact(models.Model):
    # Set by the selectors: the fields the viewer may see (identity.sharing_rules, "family_contact").
    shown_fields: frozenset[str]

    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="family_contacts")
    contacted_at = models.DateTimeField()
    contact_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    method = models.CharField(max_length=16, choices=ContactMethod.choices)
    direction = models.CharField(max_length=16, choices=ContactDirection.choices)
    summary = models.TextField()
    signposted = models.BooleanField(default=False)
    signposted_to = models.JSONField(default=list, blank=True)
    signposted_other = models.CharField(max_length=200, blank=True)
    signposted_at = models.DateTimeField(null=True, blank=True)
    # The entry this one corrects, on the same episode. The corrected entry stays as it was.
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["episode", "-contacted_at"], name="family_contact_log")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signposted=False) | models.Q(signposted_at__isnull=False),
                name="family_contact_signposted_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(signposted=True) | models.Q(signposted_at__isnull=True),
                name="family_contact_no_time_unless_signposted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} with {self.contact_name}, {self.contacted_at:%d %b %Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: a saved entry is never changed; a correction is a new entry (see actions).
        if not self._state.adding:
            raise ValueError("Family contact entries cannot be changed: record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Family contact entries cannot be deleted")

    @property
    def service_labels(self) -> list[str]:
        labels = dict(SupportService.choices)
        named = [str(labels.get(code, code)) for code in self.signposted_to if code != SupportService.OTHER]
        if SupportService.OTHER in self.signposted_to:
            named.append(self.signposted_other or "Other")
        return named
