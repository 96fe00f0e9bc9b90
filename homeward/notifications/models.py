"""Notifications: an episode shared with a partner organisation, and whether it has been delivered and read.

One row per (episode, recipient organisation, event). The row is itself the disclosure record that
SPEC §3 asks for ("each has status and time"); the email it triggers carries no personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Reason(models.TextChoices):
    """Why an organisation is told. The most specific reason wins when several apply."""

    CHILD_MISSING_CSC = "child_missing_csc", "Children's social care for the area"
    OUT_OF_AREA_PLACING_AUTHORITY = (
        "out_of_area_placing_authority",
        "Placing authority (out-of-area placement)",
    )
    OUT_OF_AREA_HOST_AUTHORITY = "out_of_area_host_authority", "Host authority (out-of-area placement)"
    MISSING_FROM_PROVIDER = "missing_from_provider", "Runs the premises they went missing from"
    CHILD_HOME_AUTHORITY = "child_home_authority", "Children's social care where the child lives"


# The same reasons as the recipient reads them in its inbox.
REASON_FOR_RECIPIENT: dict[str, str] = {
    Reason.CHILD_MISSING_CSC: "A child missing in your area",
    Reason.OUT_OF_AREA_PLACING_AUTHORITY: "A child you placed out of area",
    Reason.OUT_OF_AREA_HOST_AUTHORITY: "A child placed in your area by another authority",
    Reason.MISSING_FROM_PROVIDER: "Missing from premises you run",
}


class Event(models.TextChoices):
    REPORTED = "reported", "Missing"
    FOUND = "found", "Found"
    NOT_RECORDED = "not_recorded", "Not recorded as missing"
    RECORDED_ON_APPEAL = "recorded_on_appeal", "Recorded as missing on appeal"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    READ = "read", "Read"
    FAILED = "failed", "Email failed"


# Everything but READ counts towards the inbox's unread number: a failed email is still news in Homeward.
UNREAD_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED)


class Notification(models.Model):
    # Goes with its episode (retention, erasure); the audit log keeps the fact of the disclosure.
    episode = models.ForeignKey("episodes.Episode", on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="notifications"
    )
    reason = models.CharField(max_length=40, choices=Reason.choices)
    event = models.CharField(max_length=24, choices=Event.choices)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    created_at = models.DateTimeField()
    # Who set it off: the officer whose action shared the episode (None for the system clock).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed the email (status "sending"); a claim older than the task lease was abandoned.
    claimed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The addresses chosen when the episode was shared, one a line (a quoted address may hold a comma):
    # fixed at the moment of disclosure, not whoever happens to work there when the worker runs.
    email_to = models.TextField(blank=True)
    # Why the email failed, for the force to follow up by phone. Never holds personal data.
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "recipient", "event"], name="notification_once_per_org_and_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "status"], name="notification_unread"),
            models.Index(fields=["recipient", "created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.episode_id} → {self.recipient_id} ({self.event})"

    @property
    def is_read(self) -> bool:
        return self.status == DeliveryStatus.READ

    @property
    def reason_for_recipient(self) -> str:
        return REASON_FOR_RECIPIENT.get(self.reason, self.get_reason_display())

    @property
    def email_addresses(self) -> list[str]:
        return [address for address in self.email_to.splitlines() if address]
