from __future__ import annotations

from django.db import models


class Operation(models.TextChoices):
    """The kinds of processing the law on law-enforcement processing says must be logged (DPA 2018 s.62)."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    AUTH = "auth"
    ADMIN = "admin"


class AuditEvent(models.Model):
    """One processing event. Append-only: actions insert, nothing updates or deletes, and the database
    refuses to (triggers from migration 0002; docs/audit.md).

    Each row carries the hash of the one before, so a removed or altered row breaks the chain
    (homeward.audit.log.audit_chain_check, `homeward audit verify`).
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor_user_id = models.BigIntegerField(null=True, db_index=True)
    actor_agency_id = models.BigIntegerField(null=True)
    acting_as = models.CharField(max_length=32, blank=True)
    operation = models.CharField(max_length=16, choices=Operation.choices)
    event_type = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_ids = models.JSONField(default=list)
    changed_fields = models.JSONField(default=list)
    recipient_agency_id = models.BigIntegerField(null=True)
    reason_text = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=16, default="success")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "event_type"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.event_type} {self.object_type} {self.object_ids}"


class AuditArchive(models.Model):
    """One archive run (AUD-9, `homeward audit archive`): the oldest events up to `archived_through_id`
    were written to a file and removed. `anchor_hash` is the hash of the last archived event, so
    `audit_chain_check` starts from it; `file_sha256` identifies the file. Counts and hashes only."""

    archived_through_id = models.BigIntegerField(unique=True)
    anchor_hash = models.CharField(max_length=64)
    count = models.PositiveIntegerField()
    file_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["archived_through_id"]

    def __str__(self) -> str:
        return f"archive through event {self.archived_through_id} ({self.count} events)"


class AuditAnomalyReport(models.Model):
    """The weekly review of one force's audit log (P13, `homeward.audit.anomalies`): user ids and counts
    only. One per force and week; the sweep that makes it emails the force's supervisors a notice."""

    force = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    week_ending = models.DateField()  # the Sunday; the report covers the seven local days up to it
    created_at = models.DateTimeField()
    findings = models.JSONField(default=list)

    class Meta:
        ordering = ["-week_ending", "force_id"]
        constraints = [
            models.UniqueConstraint(fields=["force", "week_ending"], name="audit_anomaly_report_once_a_week")
        ]

    def __str__(self) -> str:
        return f"audit anomalies, force {self.force_id}, week ending {self.week_ending}"
