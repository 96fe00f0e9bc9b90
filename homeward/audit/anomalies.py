"""Weekly review of the audit log (P13): anomalies per force, to its supervisors.

Run by the clocks sweep (every minute); like the weekly datasets (`homeward.insights.delivery`) a
force's report is due from Monday 06:00 local time and covers the seven local days to the Sunday
before. One report per force and week (a unique key makes a second sweep a no-op). The report holds user
ids, dates and counts — never record content — and the email to each supervisor only says it is ready.

What counts as an anomaly, per user of the force (thresholds are settings, with these defaults):

- `many_records`: more than `HOMEWARD_AUDIT_ANOMALY_RECORDS_PER_DAY` (500) records consulted in one
  local day (the ids named by consultation events);
- `night_consultations`: more than `HOMEWARD_AUDIT_ANOMALY_NIGHT_EVENTS` (20) consultations between
  00:00 and 06:00 local time (Homeward has no night-shift role, so this applies to everyone);
- `failed_sign_ins`: at least `HOMEWARD_AUDIT_ANOMALY_FAILED_SIGN_INS` (10) failed sign-ins and lockouts;
- `many_exports`: more than `HOMEWARD_AUDIT_ANOMALY_EXPORTS` (20) disclosures, exports and downloads;
- `other_force_reads`: any episode of another force consulted (there should be none).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import AuditAnomalyReport, AuditEvent, Operation
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.insights.delivery import weekly_as_of_due

logger = logging.getLogger(__name__)

FAILED_SIGN_IN_EVENTS = ("sign_in.failed", "sign_in.locked_out", "sign_in.refused_locked")
EXPORT_SUFFIXES = (".exported", ".downloaded", ".printed")


def _threshold(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def week_bounds(week_ending: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight starting the Monday, and local midnight ending the Sunday."""
    start = timezone.make_aware(dt.datetime.combine(week_ending - dt.timedelta(days=6), dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(week_ending + dt.timedelta(days=1), dt.time.min))
    return start, end


def _finding(kind: str, user_id: int, count: int, detail: str) -> dict[str, Any]:
    return {"kind": kind, "user_id": user_id, "count": count, "detail": detail}


def anomalies_for_force(force: Organisation, week_ending: dt.date) -> list[dict[str, Any]]:
    """The anomalies of the force's users over the week ending `week_ending` (a Sunday)."""
    start, end = week_bounds(week_ending)
    user_ids = set(User.objects.filter(organisation__force=force).values_list("pk", flat=True))
    events = AuditEvent.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, actor_user_id__in=user_ids
    ).only("actor_user_id", "occurred_at", "operation", "event_type", "object_type", "object_ids")
    per_day: Counter[tuple[int, dt.date]] = Counter()
    night: Counter[int] = Counter()
    failed: Counter[int] = Counter()
    exports: Counter[int] = Counter()
    episodes_read: defaultdict[int, set[int]] = defaultdict(set)
    for event in events.iterator(chunk_size=2000):
        user = event.actor_user_id
        assert user is not None
        local = timezone.localtime(event.occurred_at)
        if event.operation == Operation.CONSULTATION:
            per_day[(user, local.date())] += len(event.object_ids)
            if local.hour < 6:
                night[user] += 1
            if event.object_type == "episode":
                episodes_read[user].update(int(i) for i in event.object_ids if str(i).isdigit())
        if event.event_type in FAILED_SIGN_IN_EVENTS:
            failed[user] += 1
        if event.operation == Operation.DISCLOSURE or event.event_type.endswith(EXPORT_SUFFIXES):
            exports[user] += 1

    findings: list[dict[str, Any]] = []
    limit = _threshold("HOMEWARD_AUDIT_ANOMALY_RECORDS_PER_DAY", 500)
    for (user, day), count in sorted(per_day.items()):
        if count > limit:
            findings.append(_finding("many_records", user, count, f"records consulted on {day.isoformat()}"))
    limit = _threshold("HOMEWARD_AUDIT_ANOMALY_NIGHT_EVENTS", 20)
    findings += [
        _finding("night_consultations", u, n, "consultations 00:00-06:00")
        for u, n in sorted(night.items())
        if n > limit
    ]
    limit = _threshold("HOMEWARD_AUDIT_ANOMALY_FAILED_SIGN_INS", 10)
    findings += [
        _finding("failed_sign_ins", u, n, "failed sign-ins and lockouts")
        for u, n in sorted(failed.items())
        if n >= limit
    ]
    limit = _threshold("HOMEWARD_AUDIT_ANOMALY_EXPORTS", 20)
    findings += [
        _finding("many_exports", u, n, "disclosures, exports and downloads")
        for u, n in sorted(exports.items())
        if n > limit
    ]
    if episodes_read:
        from homeward.episodes.models import Episode

        every = set().union(*episodes_read.values())
        elsewhere = set(
            Episode.objects.filter(pk__in=every).exclude(force=force).values_list("pk", flat=True)
        )
        for user, ids in sorted(episodes_read.items()):
            if ids & elsewhere:
                findings.append(
                    _finding(
                        "other_force_reads", user, len(ids & elsewhere), "episodes of another force consulted"
                    )
                )
    return findings


def supervisors_of(force: Organisation) -> list[User]:
    return list(User.objects.filter(organisation__force=force, role=Role.SUPERVISOR, is_active=True))


def deliver_anomaly_reports(*, now: dt.datetime | None = None) -> int:
    """Make this week's report for every force still without one and tell its supervisors. Returns how many."""
    now = now or timezone.now()
    week_ending = weekly_as_of_due(now)
    done = set(AuditAnomalyReport.objects.filter(week_ending=week_ending).values_list("force_id", flat=True))
    made = 0
    for force in Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).exclude(pk__in=done):
        findings = anomalies_for_force(force, week_ending)
        try:
            with transaction.atomic():
                report = AuditAnomalyReport.objects.create(
                    force=force, week_ending=week_ending, created_at=now, findings=findings
                )
                audit_record(
                    actor=None,
                    operation=Operation.ADMIN,
                    event_type="audit_anomalies.reported",
                    object_type="audit_anomaly_report",
                    object_ids=[report.pk],
                    reason=f"force {force.pk}, week ending {week_ending.isoformat()}: {len(findings)} anomalies",
                )
        except IntegrityError:
            continue  # another sweep made it first
        made += 1
        addresses = [u.email for u in supervisors_of(force) if u.email]
        if addresses:
            try:
                send_mail(
                    f"Homeward: audit review for the week ending {week_ending:%d %B %Y}",
                    f"This week's audit review found {len(findings)} anomalies. "
                    "See Homeward (/audit/anomalies/).\n\n"
                    "This email deliberately contains no personal details. Do not reply to it.\n",
                    None,
                    addresses,
                )
            except Exception as exc:  # the report is in Homeward; a failed notice is only logged
                logger.warning("Audit review notice for force %s failed (%s)", force.pk, exc)
    return made
