"""Return home interviews (SPEC §1 "Provision", §3, §4): one independent interview offered on every
child's return, and what it finds flowing back into the person's record and the next risk assessment."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class RhiStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ASSIGNED = "assigned", "Assigned to a worker"
    OFFERED = "offered", "Offered"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    NOT_POSSIBLE = "not_possible", "Not possible"


# Still waiting for an offer: the 72-hour clock runs on these.
AWAITING_OFFER = (RhiStatus.REFERRED, RhiStatus.ASSIGNED)
FINISHED = (RhiStatus.COMPLETED, RhiStatus.DECLINED, RhiStatus.NOT_POSSIBLE)


class RhiOutcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined by the child"
    NOT_POSSIBLE = "not_possible", "Not possible"


# The findings of a completed interview, in the order of the Missing People good-practice template.
FINDING_FIELDS = (
    "push_factors",
    "pull_factors",
    "where_went",
    "with_whom",
    "how_travelled",
    "disclosures",
    "harm",
    "support_needed",
    "referrals",
    "child_voice",
)


class ReturnInterview(models.Model):
    # Set by the selectors: the fields the viewer may see (identity.sharing_rules, "return_interview").
    shown_fields: frozenset[str]

    episode = models.OneToOneField(
        "episodes.Episode", on_delete=models.PROTECT, related_name="return_interview"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="return_interviews")
    status = models.CharField(max_length=16, choices=RhiStatus.choices, default=RhiStatus.REFERRED)

    referred_at = models.DateTimeField()
    # Null only when the force has no RHI service and the child has no council to fall back on:
    # the referral is still recorded so the gap shows instead of vanishing.
    referred_to = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    offer_due_at = models.DateTimeField(db_index=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_note = models.CharField(max_length=300, blank=True)

    outcome = models.CharField(max_length=16, choices=RhiOutcome.choices, blank=True)
    # When the interview took place, was declined or was found not possible.
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    carer_account = models.TextField(blank=True)
    not_possible_reason = models.TextField(blank=True)
    push_factors = models.TextField(blank=True)
    pull_factors = models.TextField(blank=True)
    where_went = models.TextField(blank=True)
    with_whom = models.TextField(blank=True)
    how_travelled = models.TextField(blank=True)
    disclosures = models.TextField(blank=True)
    harm = models.TextField(blank=True)
    support_needed = models.TextField(blank=True)
    referrals = models.TextField(blank=True)
    child_voice = models.TextField(blank=True)

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["offer_due_at", "id"]
        indexes = [
            models.Index(fields=["status", "offer_due_at"]),
            models.Index(fields=["person", "completed_at"]),
            models.Index(fields=["referred_to", "status"]),
        ]

    def __str__(self) -> str:
        return f"Return interview {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    def offer_overdue(self, now: dt.datetime) -> bool:
        return self.status in AWAITING_OFFER and self.offer_due_at < now

    @property
    def offered_in_time(self) -> bool | None:
        if self.offered_at is None:
            return None
        return self.offered_at <= self.offer_due_at


class ReturnInterviewEvent(models.Model):
    """The interview's own history, numbered by the version each change produced.

    When a save conflicts, the events after the version the worker loaded are what changed meanwhile.
    """

    rhi = models.ForeignKey(ReturnInterview, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["rhi", "version"])]


class FindingKind(models.TextChoices):
    ASSOCIATE = "associate", "Associate"
    PLACE = "place", "Place frequented"
    MARKER = "marker", "Vulnerability marker"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a decision"
    ACCEPTED = "accepted", "Added to the record"
    REJECTED = "rejected", "Not added"


class FindingProposal(models.Model):
    """Something an interview found that belongs on the person's record.

    The RHI service does not edit police records: it proposes, and the person's owning agency accepts
    (the fact is then added with the interview named as its source) or rejects.
    """

    rhi = models.ForeignKey(ReturnInterview, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=16, choices=FindingKind.choices)
    # The associate's name, the place's description, or the marker code.
    value = models.CharField(max_length=300)
    # The associate's relationship, or what the marker rests on.
    detail = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def value_label(self) -> str:
        if self.kind == FindingKind.MARKER:
            from homeward.people.models import MarkerType

            return dict(MarkerType.choices).get(self.value, self.value)
        return self.value
