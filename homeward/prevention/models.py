"""Prevention (SPEC §1, §3, §6): trigger and prevention plans, multi-agency meetings, their actions,
early-help referrals, and the register of funded initiatives.

A plan or meeting is about one subject: a person (a persistent or high-risk person's trigger plan) or a
location (a children's home's problem-solving record). Who may see them is decided in one place,
homeward.prevention.visibility.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class PlanKind(models.TextChoices):
    TRIGGER_PLAN = "trigger_plan", "Trigger plan"
    PREVENTION_PLAN = "prevention_plan", "Prevention plan"
    PROBLEM_SOLVING = "problem_solving", "Location problem-solving record"


# The kinds a plan about a person may be; a location may have any kind.
PERSON_PLAN_KINDS = (PlanKind.TRIGGER_PLAN, PlanKind.PREVENTION_PLAN)


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


_ONE_SUBJECT = models.Q(person__isnull=False, location__isnull=True) | models.Q(
    person__isnull=True, location__isnull=False
)


class Plan(models.Model):
    # Set by the selectors: the fields the viewer may see (identity.sharing_rules, "plan").
    shown_fields: frozenset[str]

    kind = models.CharField(max_length=20, choices=PlanKind.choices)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="prevention_plans"
    )
    location = models.ForeignKey(
        "places.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="prevention_plans"
    )
    # The agency that keeps the plan (the creator's organisation).
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    concerns = models.TextField("Triggers and concerns")
    approach = models.TextField("Agreed approach and goals", blank=True)
    review_on = models.DateField("Review date", null=True, blank=True)
    outcome = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="prevention_plan_one_subject"),
            # A problem-solving record is about premises, never about one person.
            models.CheckConstraint(
                condition=~models.Q(kind="problem_solving") | models.Q(location__isnull=False),
                name="prevention_problem_solving_is_for_a_location",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="prevention_plan_closed_has_time",
            ),
            # One open plan of each kind per subject: a double submit cannot open two.
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(status="open", person__isnull=False),
                name="prevention_one_open_plan_per_person_kind",
            ),
            models.UniqueConstraint(
                fields=["location", "kind"],
                condition=models.Q(status="open", location__isnull=False),
                name="prevention_one_open_plan_per_location_kind",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.subject}"

    @property
    def subject(self) -> object:
        return self.person if self.person_id else self.location

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN


class PlanEvent(models.Model):
    """The plan's own history, numbered by the version each change produced (as EpisodeEvent):
    on an edit conflict the events after the version the user loaded say what changed meanwhile."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["plan", "version"])]


class Meeting(models.Model):
    """A multi-agency meeting about a person or a location, optionally under a plan."""

    # Set by the selectors: the fields the viewer may see (identity.sharing_rules, "meeting").
    shown_fields: frozenset[str]

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="prevention_meetings"
    )
    location = models.ForeignKey(
        "places.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prevention_meetings",
    )
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField("Date and time of the meeting")
    chair = models.CharField(max_length=200)
    attending_organisations = models.ManyToManyField(
        "identity.Organisation", related_name="prevention_meetings_attended", blank=True
    )
    other_attendees = models.TextField("Attendees by name and role", blank=True)
    summary = models.TextField("Discussion and decisions", blank=True)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_at", "-id"]
        constraints = [models.CheckConstraint(condition=_ONE_SUBJECT, name="prevention_meeting_one_subject")]
        indexes = [models.Index(fields=["held_at"])]

    def __str__(self) -> str:
        return f"Meeting on {timezone.localtime(self.held_at):%d %b %Y} about {self.subject}"

    @property
    def subject(self) -> object:
        return self.person if self.person_id else self.location


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Action(models.Model):
    """Something an agency agreed to do, with an owner and a due date, under a plan or a meeting."""

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The owner's organisation when the action was given: people move on, the commitment stays the agency's.
    owner_organisation = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("Due date")
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    outcome = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False) | models.Q(meeting__isnull=False),
                name="prevention_action_belongs_somewhere",
            )
        ]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Open and past its due date (local calendar days)."""
        return self.status == ActionStatus.OPEN and self.due_on < (today or timezone.localdate())


class ReferralStatus(models.TextChoices):
    MADE = "made", "Made"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"


# Allowed changes: who may make them is decided in actions.
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.MADE: (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.CLOSED),
    ReferralStatus.ACCEPTED: (ReferralStatus.CLOSED,),
    ReferralStatus.DECLINED: (),
    ReferralStatus.CLOSED: (),
}


class EarlyHelpReferral(models.Model):
    """A referral to a local authority's early help service (a first-time missing child, SPEC §6)."""

    # Set by the selectors: the fields the viewer may see (identity.sharing_rules, "referral").
    shown_fields: frozenset[str]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="early_help_referrals")
    episode = models.ForeignKey(
        "episodes.Episode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="early_help_referrals",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_by_organisation = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    referred_to = models.ForeignKey(
        "identity.Organisation", on_delete=models.PROTECT, related_name="early_help_referrals_received"
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.MADE)
    made_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-made_at", "-id"]
        constraints = [
            # One referral in progress per person: a double submit cannot send two.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["made", "accepted"]),
                name="prevention_one_open_referral_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["referred_to", "status"]),
            models.Index(fields=["referred_by_organisation", "made_at"]),
        ]

    def __str__(self) -> str:
        return f"Early help referral for {self.person} ({self.get_status_display()})"

    @property
    def changed_at(self) -> dt.datetime | None:
        """When it reached its current status."""
        times = {
            ReferralStatus.ACCEPTED: self.accepted_at,
            ReferralStatus.DECLINED: self.declined_at,
            ReferralStatus.CLOSED: self.closed_at,
        }
        return times.get(ReferralStatus(self.status), self.made_at)


class Initiative(models.Model):
    """A funded project (e.g. a community safety fund grant). Not personal data."""

    name = models.CharField(max_length=200)
    provider_name = models.CharField("Provider", max_length=200, blank=True)
    provider = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The force whose register it is on; no district means force-wide.
    force = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("identity.District", null=True, blank=True, on_delete=models.PROTECT)
    amount = models.DecimalField("Amount (£)", max_digits=12, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    aims = models.TextField()
    outcome_notes = models.TextField(blank=True)
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
        ordering = ["-starts_on", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="initiative_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="initiative_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def provider_label(self) -> str:
        return str(self.provider) if self.provider_id else self.provider_name
