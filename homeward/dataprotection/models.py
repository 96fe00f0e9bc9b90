"""Retention review decisions. Erasure itself leaves its mark on the person (Person.erased_at) and in the
audit log; this table says who decided what about a person's record at each review, and when to look again.

Reasons are codes, never free text, for an erasure: an erasure row must not repeat what it erased.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Decision(models.TextChoices):
    RETAIN = "retain", "Retain and review again later"
    ERASE = "erase", "Erase"


class EraseReason(models.TextChoices):
    SCHEDULE = "schedule", "The retention period has passed and there is no reason to keep it"
    REQUEST = "request", "An erasure request from the person was upheld"
    IN_ERROR = "in_error", "The record was made in error"


class RetentionReview(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="retention_reviews")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    # Retain: why the record is still needed (free text is allowed, the person stays identified anyway).
    reason = models.TextField(blank=True)
    # Erase: a code only.
    erase_reason = models.CharField(max_length=16, choices=EraseReason.choices, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="erase") | models.Q(next_review_on__isnull=False),
                name="retain_has_next_review",
            )
        ]
