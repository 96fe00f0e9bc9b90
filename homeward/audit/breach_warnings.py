"""Warnings that a breach incident's 72 hours (DPA 2018 s.67) are running out or have run out (P14).

Run by the clocks sweep (every minute). While an incident still awaits its report to the ICO — open,
not reported, not decided unreportable — its organisation's breach responders get one email when 24
hours or less are left and one when the deadline has passed. An incident first seen already overdue
(recorded late, or the worker was down) gets only the overdue warning: "24 hours left" would be untrue.

Like the weekly audit review (`homeward.audit.anomalies`), each warning is recorded before it is sent,
with its audit event in the same transaction, and the record is what stops a second send: the
timestamp is set by an UPDATE that only matches while it is still empty, so of two sweeps running at
once exactly one wins and the other does nothing. The email names the incident by number only — no
description, people or accounts — since email leaves Homeward's control.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Literal

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import (
    BREACH_REPORTING_HOURS,
    BreachIncident,
    BreachStatus,
    IcoDecision,
    Operation,
)
from homeward.identity.models import User
from homeward.identity.roles import ROLE_CAPABILITIES, Capability

logger = logging.getLogger(__name__)

# How long before the deadline the first warning goes out.
WARN_BEFORE_DEADLINE = dt.timedelta(hours=24)

WarningKind = Literal["deadline_near", "overdue"]

# The timestamp that records each kind of warning, and its audit event.
_WARNED_FIELD: dict[WarningKind, str] = {
    "deadline_near": "deadline_near_warned_at",
    "overdue": "overdue_warned_at",
}
_EVENT_TYPE: dict[WarningKind, str] = {
    "deadline_near": "breach_incident.deadline_near_warned",
    "overdue": "breach_incident.overdue_warned",
}


def awaiting_a_warning(now: dt.datetime) -> QuerySet[BreachIncident]:
    """Incidents awaiting their report that are owed a warning now. It repeats the condition of the
    partial index `breach_awaiting_warning`, so the database reads only that index's few rows."""
    deadline_passed = now - dt.timedelta(hours=BREACH_REPORTING_HOURS)
    deadline_near = deadline_passed + WARN_BEFORE_DEADLINE
    return (
        BreachIncident.objects.filter(
            status=BreachStatus.OPEN, reported_at__isnull=True, overdue_warned_at__isnull=True
        )
        .exclude(ico_decision=IcoDecision.NOT_REPORT)
        .filter(
            Q(discovered_at__lt=deadline_passed)
            | Q(discovered_at__lte=deadline_near, deadline_near_warned_at__isnull=True)
        )
        .order_by("discovered_at", "id")
    )


def breach_responders_of(organisation_id: int) -> list[User]:
    """The active accounts of the organisation whose role may respond to breaches."""
    roles = [
        role
        for role, capabilities in ROLE_CAPABILITIES.items()
        if Capability.RESPOND_TO_BREACHES in capabilities
    ]
    return list(
        User.objects.filter(organisation_id=organisation_id, role__in=roles, is_active=True).order_by("pk")
    )


def _record_warning(
    incident: BreachIncident, kind: WarningKind, *, now: dt.datetime, recipients: int
) -> bool:
    """Record that the warning is sent, with its audit event. False if another sweep recorded it first."""
    field = _WARNED_FIELD[kind]
    with transaction.atomic():
        # Re-checks that the incident still awaits its report with the deadline read: a responder may
        # have reported it, closed it or corrected the time of discovery since.
        recorded = (
            BreachIncident.objects.filter(
                pk=incident.pk,
                discovered_at=incident.discovered_at,
                status=BreachStatus.OPEN,
                reported_at__isnull=True,
                **{f"{field}__isnull": True},
            )
            .exclude(ico_decision=IcoDecision.NOT_REPORT)
            .update(**{field: now})
        )
        if not recorded:
            return False
        audit_record(
            actor=None,
            operation=Operation.ADMIN,
            event_type=_EVENT_TYPE[kind],
            object_type="breach_incident",
            object_ids=[incident.pk],
            reason=f"deadline {incident.deadline.isoformat()}: emailed {recipients} breach responders",
        )
    return True


def _email(incident: BreachIncident, kind: WarningKind, now: dt.datetime) -> tuple[str, str]:
    deadline = timezone.localtime(incident.deadline)
    when = f"{deadline:%H:%M on %A %d %B %Y}"
    if kind == "deadline_near":
        subject = f"Homeward: breach incident {incident.pk} must be reported to the ICO within 24 hours"
        opening = f"Breach incident {incident.pk} must be reported to the ICO by {when}"
    else:
        subject = f"Homeward: breach incident {incident.pk} is overdue for its report to the ICO"
        opening = (
            f"The 72 hours to report breach incident {incident.pk} to the ICO ended at {when}. A late "
            "report must give the reasons for the delay (DPA 2018 s.67(4))"
        )
    body = (
        f"{opening}, unless it is decided that it need not be reported.\n\n"
        f"At {timezone.localtime(now):%H:%M on %d %B}: {incident.deadline_text(now)}.\n"
        f"The incident: {reverse('audit:breach_detail', args=[incident.pk])} in Homeward.\n\n"
        "This email deliberately contains no personal details. Do not reply to it.\n"
    )
    return subject, body


def send_breach_deadline_warnings(*, now: dt.datetime | None = None) -> int:
    """Warn each organisation's breach responders of incidents near or past their deadline, once per
    incident and kind. Returns how many warnings were recorded."""
    now = now or timezone.now()
    sent = 0
    for incident in awaiting_a_warning(now):
        kind: WarningKind = "overdue" if incident.is_overdue(now) else "deadline_near"
        addresses = [u.email for u in breach_responders_of(incident.organisation_id) if u.email]
        if not _record_warning(incident, kind, now=now, recipients=len(addresses)):
            continue  # another sweep warned first, or the incident no longer awaits its report
        sent += 1
        if not addresses:
            logger.warning(
                "Breach incident %s: no breach responder with an email address to warn", incident.pk
            )
            continue
        subject, body = _email(incident, kind, now)
        try:
            send_mail(subject, body, None, addresses)
        except Exception as exc:  # the deadline is on the incident's page too; a failed email is only logged
            logger.warning("Breach deadline warning for incident %s failed (%s)", incident.pk, exc)
    return sent
