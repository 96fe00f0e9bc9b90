from __future__ import annotations

import datetime as dt

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


# --- Personal data breaches (P14, DPA 2018 s.67) ----------------------------------------------------

# s.67(1): the controller reports a breach to the Commissioner "without undue delay and, where feasible,
# not later than 72 hours after becoming aware of it".
BREACH_REPORTING_HOURS = 72


class BreachCategory(models.TextChoices):
    """The three kinds of personal data breach the ICO asks about (security's three properties)."""

    CONFIDENTIALITY = "confidentiality", "Confidentiality: seen by or disclosed to someone not entitled to it"
    INTEGRITY = "integrity", "Integrity: altered without authority"
    AVAILABILITY = "availability", "Availability: lost, destroyed or out of reach"


class IcoDecision(models.TextChoices):
    UNDECIDED = "undecided", "Not decided yet"
    REPORT = "report", "Yes: it must be reported to the ICO"
    NOT_REPORT = "not_report", "No: unlikely to result in a risk to people's rights and freedoms"


class BreachStatus(models.TextChoices):
    OPEN = "open", "Open"
    REPORTED = "reported", "Reported to the ICO"
    CLOSED = "closed", "Closed"


class BreachIncident(models.Model):
    """A personal data breach: what happened, which records and accounts, the window to examine, what was
    done about it, and the report to the ICO. Written only by homeward.audit.actions (each change is an
    audit event and a BreachIncidentChange); edits carry `version` so two responders never overwrite
    each other (docs/concurrency.md). Records and accounts are named by id only."""

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    discovered_at = models.DateTimeField()
    discovered_by = models.CharField(max_length=200)  # who noticed: often someone without an account
    description = models.TextField()
    category = models.CharField(max_length=16, choices=BreachCategory.choices)
    person_ids = models.JSONField(default=list)
    episode_ids = models.JSONField(default=list)
    suspected_user_ids = models.JSONField(default=list)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(null=True, blank=True)  # none: up to now, the breach may be ongoing
    containment = models.TextField(blank=True)
    consequences = models.TextField(blank=True)
    ico_decision = models.CharField(max_length=16, choices=IcoDecision.choices, default=IcoDecision.UNDECIDED)
    not_reported_reason = models.TextField(blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    ico_reference = models.CharField(max_length=60, blank=True)
    delay_reason = models.TextField(blank=True)  # s.67(4): a report after 72 hours gives the reasons
    closing_note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=BreachStatus.choices, default=BreachStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    opened_by = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField()
    # When the sweep emailed the responders that the deadline is near / has passed
    # (homeward.audit.breach_warnings). Not part of what a responder edits, so not versioned: setting
    # them must never make a responder's save conflict.
    deadline_near_warned_at = models.DateTimeField(null=True, blank=True)
    overdue_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        indexes = [
            # The sweep looks every minute for incidents still to be warned about; this index holds
            # only those (few) rows, so when there is nothing to do the look costs next to nothing.
            models.Index(
                fields=["discovered_at"],
                name="breach_awaiting_warning",
                condition=models.Q(
                    status=BreachStatus.OPEN, reported_at__isnull=True, overdue_warned_at__isnull=True
                )
                & ~models.Q(ico_decision=IcoDecision.NOT_REPORT),
            )
        ]

    def __str__(self) -> str:
        return f"breach incident {self.pk}"

    @property
    def deadline(self) -> dt.datetime:
        return self.discovered_at + dt.timedelta(hours=BREACH_REPORTING_HOURS)

    @property
    def awaits_report(self) -> bool:
        """Still running against the 72 hours: not reported, not decided unreportable, not closed."""
        return (
            self.status == BreachStatus.OPEN
            and self.reported_at is None
            and self.ico_decision != IcoDecision.NOT_REPORT
        )

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.awaits_report and now > self.deadline

    @property
    def reported_late(self) -> bool:
        return self.reported_at is not None and self.reported_at > self.deadline

    def deadline_text(self, now: dt.datetime) -> str:
        """'2 days 5 hours left', 'Overdue by 3 hours', or what ended the clock."""
        if self.reported_at is not None:
            return "Reported late" if self.reported_late else "Reported in time"
        if self.ico_decision == IcoDecision.NOT_REPORT:
            return "Not reportable"
        if self.status == BreachStatus.CLOSED:
            return "Closed"
        left = self.deadline - now
        text = _duration_text(abs(left))
        return f"{text} left" if left >= dt.timedelta(0) else f"Overdue by {text}"


def _duration_text(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days:  # minutes matter only in the last day
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


class BreachIncidentChange(models.Model):
    """One saved change to an incident: its history on the incident page, and what a responder whose save
    conflicted is shown (the changes made since the version they opened)."""

    incident = models.ForeignKey(BreachIncident, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()  # the incident's version after this change
    summary = models.CharField(max_length=500)
    actor = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return f"incident {self.incident_id} v{self.version}: {self.summary}"
