"""The clocks of SPEC §4, what is overdue now, and escalating it to the right manager.

Five clocks run out and escalate:

- risk review: an open episode past its next review time (set from the risk level);
- supervisor sign-off: the latest assessment not signed off within HOMEWARD_SIGN_OFF_MINUTES;
- missing persons unit: still missing HOMEWARD_MPU_NOTIFY_HOURS after the report and the UK Missing
  Persons Unit not yet told;
- prevention interview: found, and no prevention interview HOMEWARD_PREVENTION_INTERVIEW_HOURS after
  (…_HIGH_RISK_HOURS if the last grading was high);
- return home interview: not offered by the referral's offer-due time (72 h after return).

Overdue is computed live from the records, so a dashboard shows an item on its next poll (every
HOMEWARD_DASHBOARD_POLL_SECONDS) whatever the sweep interval. The sweep (`escalate_overdue_clocks`, run
by the worker) writes the escalation itself: one ClockAlert per episode, clock and missed due time, to
the manager in the organisation that owns the work (see POLICE_ESCALATION below), and resolves alerts whose clock is
satisfied. The unique key makes the sweep idempotent, so a retried or repeated task escalates once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.episodes.models import (
    OPEN_STATUSES,
    Clock,
    ClockAlert,
    Episode,
    PreventionInterview,
    Status,
)
from homeward.identity.models import User
from homeward.identity.roles import Role

# Who an overdue clock goes to (SPEC §4: "overdue items escalate to the supervisor"): the police clocks
# to the force's supervisors (sergeants and duty inspectors); a late RHI offer to the manager of the
# return interview service (its children's social care missing officer), or, where the referral has no
# service or the service no manager, to the force's supervisors, so that it always reaches someone.
POLICE_ESCALATION = Role.SUPERVISOR
SERVICE_ESCALATION = Role.CSC_MISSING_OFFICER

Key = tuple[int, str, dt.datetime]


@dataclass(frozen=True)
class Overdue:
    episode_id: int
    clock: str
    due_at: dt.datetime
    organisation_id: int
    role: str = POLICE_ESCALATION

    @property
    def key(self) -> Key:
        return (self.episode_id, self.clock, self.due_at)

    @property
    def label(self) -> str:
        return Clock(self.clock).label


def mpu_due(episode: Episode) -> dt.datetime:
    return episode.reported_at + dt.timedelta(hours=settings.HOMEWARD_MPU_NOTIFY_HOURS)


def prevention_interview_due(episode: Episode) -> dt.datetime | None:
    if episode.found_at is None:
        return None
    hours = (
        settings.HOMEWARD_PREVENTION_INTERVIEW_HIGH_RISK_HOURS
        if episode.risk_level == "high"
        else settings.HOMEWARD_PREVENTION_INTERVIEW_HOURS
    )
    return episode.found_at + dt.timedelta(hours=hours)


def overdue_clocks(*, now: dt.datetime, episodes: QuerySet[Episode] | None = None) -> list[Overdue]:
    """Everything overdue at `now`, for the given episodes (default: all), oldest due first."""
    from homeward.returns.models import AWAITING_OFFER, ReturnInterview

    base = episodes if episodes is not None else Episode.objects.all()
    found: list[Overdue] = []

    # Open episodes are few (tens at force scale): one query, then each clock in Python.
    mpu_cutoff = now - dt.timedelta(hours=settings.HOMEWARD_MPU_NOTIFY_HOURS)
    for episode in base.filter(status__in=OPEN_STATUSES).only(
        "pk", "force_id", "reported_at", "next_review_due", "sign_off_due", "mpu_notified_at"
    ):
        if episode.next_review_due is not None and episode.next_review_due < now:
            found.append(Overdue(episode.pk, Clock.REVIEW, episode.next_review_due, episode.force_id))
        # Signing off clears sign_off_due and a new assessment sets it, so it is due only while pending.
        if episode.sign_off_due is not None and episode.sign_off_due < now:
            found.append(Overdue(episode.pk, Clock.SIGN_OFF, episode.sign_off_due, episode.force_id))
        if episode.mpu_notified_at is None and episode.reported_at < mpu_cutoff:
            found.append(Overdue(episode.pk, Clock.MPU, mpu_due(episode), episode.force_id))

    # Found but not interviewed: the earlier (high-risk) deadline bounds the query, the exact one filters.
    earliest = now - dt.timedelta(
        hours=min(
            settings.HOMEWARD_PREVENTION_INTERVIEW_HOURS,
            settings.HOMEWARD_PREVENTION_INTERVIEW_HIGH_RISK_HOURS,
        )
    )
    for episode in (
        # A report in error needs no prevention interview: there was no one missing to interview.
        base.filter(status=Status.FOUND, found_at__lt=earliest, reported_in_error_at__isnull=True)
        .exclude(Exists(PreventionInterview.objects.filter(episode=OuterRef("pk"))))
        .only("pk", "force_id", "found_at", "risk_level")
    ):
        due = prevention_interview_due(episode)
        if due is not None and due < now:
            found.append(Overdue(episode.pk, Clock.PREVENTION_INTERVIEW, due, episode.force_id))

    # Late offers are few too: find them by the (status, offer_due_at) index, then keep the episodes
    # in `base` with one lookup by id (joining `base` in made the planner scan every interview).
    late_offers = list(
        ReturnInterview.objects.filter(status__in=AWAITING_OFFER, offer_due_at__lt=now).values_list(
            "episode_id", "episode__force_id", "referred_to_id", "offer_due_at"
        )
    )
    if episodes is not None and late_offers:
        kept = set(base.filter(pk__in=[e for e, _, _, _ in late_offers]).values_list("pk", flat=True))
        late_offers = [row for row in late_offers if row[0] in kept]
    managed = set(
        User.objects.filter(
            is_active=True,
            role=SERVICE_ESCALATION,
            organisation_id__in={service for _, _, service, _ in late_offers if service},
        ).values_list("organisation_id", flat=True)
    )
    for episode_id, episode_force_id, service_id, offer_due in late_offers:
        if service_id is not None and service_id in managed:
            found.append(Overdue(episode_id, Clock.RHI_OFFER, offer_due, service_id, SERVICE_ESCALATION))
        else:
            assert episode_force_id is not None  # every episode belongs to a force
            found.append(Overdue(episode_id, Clock.RHI_OFFER, offer_due, episode_force_id))

    found.sort(key=lambda o: (o.due_at, o.episode_id, o.clock))
    return found


@dataclass
class SweepResult:
    escalated: int
    resolved: int


def escalate_overdue_clocks(*, now: dt.datetime) -> SweepResult:
    """Escalate what is newly overdue and resolve what no longer is. Idempotent."""
    overdue = overdue_clocks(now=now)
    current = {o.key: o for o in overdue}
    existing = set(
        ClockAlert.objects.filter(
            episode_id__in={o.episode_id for o in overdue}, clock__in={o.clock for o in overdue}
        ).values_list("episode_id", "clock", "due_at")
    )
    escalated = 0
    for item in overdue:
        if item.key in existing:
            continue
        if _escalate(item, now):
            escalated += 1
    resolved = _resolve_cleared(current.keys(), now)
    return SweepResult(escalated=escalated, resolved=resolved)


def _escalate(item: Overdue, now: dt.datetime) -> bool:
    """One alert and its audit event, together or not at all. False if another sweep got there first."""
    try:
        with transaction.atomic():
            alert = ClockAlert.objects.create(
                episode_id=item.episode_id,
                clock=item.clock,
                due_at=item.due_at,
                escalated_at=now,
                organisation_id=item.organisation_id,
                role=item.role,
            )
            audit_record(
                actor=None,
                operation=Operation.COLLECTION,
                event_type="clock.escalated",
                object_type="episode",
                object_ids=[item.episode_id],
                changed_fields=[item.clock],
                recipient_agency_id=item.organisation_id,
                reason=f"{item.label} overdue since {item.due_at.isoformat()}; alert {alert.pk}",
            )
    except IntegrityError:
        if ClockAlert.objects.filter(
            episode_id=item.episode_id, clock=item.clock, due_at=item.due_at
        ).exists():
            return False  # another sweep got there first
        raise
    return True


def _resolve_cleared(still_overdue: Iterable[Key], now: dt.datetime) -> int:
    keys = set(still_overdue)
    cleared = [
        a.pk
        # Only alerts made by this sweep's time: one a later, overlapping sweep has just made is its own.
        for a in ClockAlert.objects.filter(resolved_at__isnull=True, escalated_at__lte=now).only(
            "pk", "episode_id", "clock", "due_at"
        )
        if (a.episode_id, a.clock, a.due_at) not in keys
    ]
    if not cleared:
        return 0
    with transaction.atomic():
        count = ClockAlert.objects.filter(pk__in=cleared, resolved_at__isnull=True).update(resolved_at=now)
        audit_record(
            actor=None,
            operation=Operation.ALTERATION,
            event_type="clock.resolved",
            object_type="clock_alert",
            object_ids=cleared,
            changed_fields=["resolved_at"],
        )
    return count
