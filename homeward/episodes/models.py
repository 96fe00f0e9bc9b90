"""Episodes: one missing incident each, from report to closure (SPEC §3–4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    REPORTED = "reported", "Reported"
    ACTIVE = "active", "Active"
    LONG_TERM = "long_term", "Long-term missing"
    FOUND = "found", "Found"
    FOUND_DECEASED = "found_deceased", "Found deceased"
    CLOSED = "closed", "Closed"
    NOT_RECORDED = "not_recorded", "Not recorded as missing"


# Still missing: what the dashboard shows and the clocks watch.
OPEN_STATUSES = (Status.REPORTED, Status.ACTIVE, Status.LONG_TERM)


def counted_q(prefix: str = "") -> Q:
    """The condition for an episode that counts (see `EpisodeQuerySet.counted`), for use in aggregates'
    `filter=` and through a relation (`counted_q("episode__")` on return interviews)."""
    return ~Q(**{f"{prefix}status": Status.NOT_RECORDED}) & Q(
        **{f"{prefix}reported_in_error_at__isnull": True}
    )


class EpisodeQuerySet(models.QuerySet["Episode"]):
    """The one place that says which episodes count (docs/definitions.md, "Episodes counted").

    Every count, list or prompt about how often someone went missing — repeat counts, patterns and their
    prompts, the history fed into the next risk grading, dashboards, weekly lists, measures and national
    returns — starts from `counted()`, so a report marked as reported in error (against the wrong person,
    or one that should never have been made) drops out of all of them at once. The rows stay: the episode
    page shows them with a banner, and the person's episode list and chronology show them marked, because
    the record of what was reported (and corrected) is part of the audit trail.
    """

    def received(self) -> EpisodeQuerySet:
        """Reports received, decisions not to record included (the MPDR's "calls"); none reported in
        error, which were never reports about this person at all."""
        return self.filter(reported_in_error_at__isnull=True)

    def counted(self) -> EpisodeQuerySet:
        """Episodes that count: reports received that were recorded as missing (every status except
        `not_recorded`, since a decision not to record is not an episode)."""
        return self.filter(counted_q())


class Episode(models.Model):
    # Not a column: set by the selectors to the fields the reader's organisation may see
    # (homeward/identity/sharing_rules.py). Pages, API and downloads show only these.
    shown_fields: frozenset[str]

    reference = models.CharField(max_length=20, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="episodes")
    force = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("identity.District", on_delete=models.PROTECT)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REPORTED, db_index=True)

    reported_at = models.DateTimeField(db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporting_person_name = models.CharField(max_length=200)
    reporting_person_relationship = models.CharField(max_length=100)
    reporting_person_phone = models.CharField(max_length=40, blank=True)

    missing_from = models.ForeignKey("places.Location", null=True, blank=True, on_delete=models.PROTECT)
    missing_from_address = models.CharField(max_length=300, blank=True)
    missing_from_category = models.CharField(max_length=32)
    last_seen_at = models.DateTimeField()
    last_seen_place = models.CharField(max_length=300)
    last_seen_with = models.CharField(max_length=300, blank=True)
    clothing = models.TextField(blank=True)
    circumstances = models.TextField()
    call_handler_answers = models.JSONField(default=dict, blank=True)
    reasonable_steps = models.TextField(blank=True)

    # Snapshot at report time: later changes to the person do not rewrite history.
    age_at_report = models.PositiveSmallIntegerField(null=True, blank=True)
    is_child = models.BooleanField(null=True)
    looked_after = models.BooleanField(default=False)
    placing_authority = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    out_of_area = models.BooleanField(default=False)

    # Kept in step by actions so lists and reports need no joins.
    risk_level = models.CharField(max_length=16, blank=True)
    risk_level_first = models.CharField(max_length=16, blank=True)
    risk_level_highest = models.CharField(max_length=16, blank=True)
    next_review_due = models.DateTimeField(null=True, blank=True)
    sign_off_due = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closure_note = models.TextField(blank=True)
    prevention_not_done_reason = models.TextField(blank=True)
    not_recorded_reason = models.TextField(blank=True)
    not_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    not_recorded_at = models.DateTimeField(null=True, blank=True)
    # The UK Missing Persons Unit must be told of anyone still missing after 72 hours (SPEC §3-4).
    mpu_notified_at = models.DateTimeField(null=True, blank=True)
    mpu_notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mpu_reference = models.CharField(max_length=60, blank=True)
    # The premises' provider at report time: a later change of operator must not move who sees the
    # episode (the "missing from premises" sharing basis reads this, not the location's provider today).
    premises_provider = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Reported in error (dataprotection.actions.episode_mark_reported_in_error): against the wrong person,
    # or a report that should never have been made. Kept for the audit trail; no report or measure counts it.
    reported_in_error_at = models.DateTimeField(null=True, blank=True)
    reported_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_in_error_reason = models.TextField(blank=True)

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            # One open episode per person: two simultaneous reports cannot both succeed.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["reported", "active", "long_term"]),
                name="one_open_episode_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["status", "district"]),
            models.Index(fields=["person", "reported_at"]),
            # A force's open episodes (dashboards, clocks) and a force's episodes of given people
            # (patterns): without these SQLite's planner walks the whole force through force_id.
            models.Index(fields=["force", "status"]),
            models.Index(fields=["force", "person", "reported_at"]),
            models.Index(fields=["missing_from", "reported_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_reported_in_error(self) -> bool:
        return self.reported_in_error_at is not None

    @property
    def is_counted(self) -> bool:
        """In Python, what `Episode.objects.counted()` selects in the database."""
        return self.status != Status.NOT_RECORDED and self.reported_in_error_at is None


class EpisodeEvent(models.Model):
    """The episode's own history: one row per change, numbered by the version it produced.

    When a save conflicts, the events after the version the user loaded are what changed meanwhile.
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["episode", "version"])]


class RiskAssessment(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="risk_assessments")
    sequence = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=16)
    factors = models.JSONField(default=dict, blank=True)
    rationale = models.TextField()
    systems_checked = models.JSONField(default=list, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField()
    next_review_due = models.DateTimeField()
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-sequence"]
        constraints = [models.UniqueConstraint(fields=["episode", "sequence"], name="risk_sequence_unique")]


class EnquiryStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Enquiry(models.Model):
    """An action or line of enquiry with an owner."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="enquiries")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=EnquiryStatus.choices, default=EnquiryStatus.OPEN)
    due_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


class EpisodeUpdate(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]


class SightingStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    CONFIRMED = "confirmed", "Confirmed"
    DISCOUNTED = "discounted", "Discounted"


class Sighting(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sightings")
    seen_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    reported_by = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=SightingStatus.choices, default=SightingStatus.UNVERIFIED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]


class HowFound(models.TextChoices):
    OWN_ACCORD = "own_accord", "Returned of own accord"
    POLICE = "police", "Found by police"
    FAMILY = "family", "Found by family"
    FRIENDS = "friends", "Found by friends"
    CARE_STAFF = "care_staff", "Found by care staff"
    HOSPITAL = "hospital", "Found by hospital"
    OTHER = "other", "Other"


class Condition(models.TextChoices):
    SAFE_WELL = "safe_well", "Safe and well"
    HARMED = "harmed", "Harmed"
    INJURED = "injured", "Injured"
    DECEASED = "deceased", "Deceased"


class FoundRecord(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="found_record")
    found_at = models.DateTimeField()
    found_place = models.CharField(max_length=300)
    found_location = models.ForeignKey("places.Location", null=True, blank=True, on_delete=models.SET_NULL)
    found_location_category = models.CharField(max_length=32)
    how_found = models.CharField(max_length=16, choices=HowFound.choices)
    condition = models.CharField(max_length=16, choices=Condition.choices)
    harm_details = models.TextField(blank=True)
    victim_of_offence = models.BooleanField(default=False)
    suspect_of_offence = models.BooleanField(default=False)
    exploitation_indicators = models.JSONField(default=list, blank=True)
    where_been = models.TextField(blank=True)
    with_whom = models.CharField(max_length=300, blank=True)
    # Adults may ask that their whereabouts are not passed on (Article 8).
    withhold_whereabouts = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()


class InterviewOutcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"


class PreventionInterview(models.Model):
    """Police prevention interview / safe and well check after every return."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="prevention_interview")
    outcome = models.CharField(max_length=16, choices=InterviewOutcome.choices)
    conducted_at = models.DateTimeField()
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    face_to_face = models.BooleanField(default=True)
    push_factors = models.TextField(blank=True)
    pull_factors = models.TextField(blank=True)
    disclosures = models.TextField(blank=True)
    harm = models.TextField(blank=True)
    support_needed = models.TextField(blank=True)
    referrals = models.TextField(blank=True)
    carer_account = models.TextField(blank=True)
    recorded_at = models.DateTimeField()


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Awaiting a senior officer"
    UPHELD = "upheld", "Decision upheld"
    OVERTURNED = "overturned", "Overturned: recorded as missing"


class Escalation(models.Model):
    """A carer's appeal against a police decision not to record a report as missing (Children Missing
    from Care framework). A senior officer upholds it or overturns it, with reasons; times are kept."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="escalations")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_name = models.CharField(max_length=200)
    raised_at = models.DateTimeField()
    grounds = models.TextField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=EscalationStatus.choices, default=EscalationStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=models.Q(status="open"), name="one_open_escalation_per_episode"
            )
        ]


class Clock(models.TextChoices):
    """The clocks of SPEC §4 that escalate when they run out."""

    REVIEW = "review", "Risk review"
    SIGN_OFF = "sign_off", "Supervisor sign-off"
    MPU = "mpu", "Missing persons unit notification"
    PREVENTION_INTERVIEW = "prevention_interview", "Prevention interview"
    RHI_OFFER = "rhi_offer", "Return home interview offer"


class ClockAlert(models.Model):
    """An overdue clock escalated to a manager (episodes.clocks).

    One row per episode, clock and missed due time: a sweep that runs twice, or a task the worker
    retries after a restart, escalates once. A new due time (a later review, say) is a new row.
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="clock_alerts")
    clock = models.CharField(max_length=24, choices=Clock.choices)
    due_at = models.DateTimeField()
    escalated_at = models.DateTimeField()
    # Escalated to this role in this organisation (the force's supervisors, the RHI service's manager).
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the sweep once the clock is no longer overdue (reviewed, signed off, notified, done).
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "clock", "due_at"], name="one_alert_per_missed_clock")
        ]
        indexes = [models.Index(fields=["organisation", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} overdue on {self.episode_id}"
