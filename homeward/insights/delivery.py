"""Weekly delivery of the datasets to subscribers, run by the clocks sweep (every minute).

The datasets are "as of" the last Sunday, delivered from Monday 06:00 local time. For each active
subscription without that week's copy the sweep builds the datasets exactly as the weekly page would
show them to that user (a partner gets only the rows and counts its sharing rules allow), stores the
XLSX, audits the disclosure and emails a notice with no personal data. A unique key makes it safe to
run twice; a subscriber who may no longer see the report gets nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.insights import export
from homeward.insights.access import Report, report_access, weekly_datasets_for
from homeward.insights.models import DeliveredReport, ReportSubscription
from homeward.insights.periods import local_date
from homeward.insights.weekly import WeeklyDatasets

logger = logging.getLogger(__name__)

DELIVERY_HOUR = 6  # local time on Monday
MAX_AUDITED_IDS = 10_000


def weekly_as_of_due(now: dt.datetime) -> dt.date:
    """The Sunday whose datasets are due at `now`: the last Sunday before the most recent Monday 06:00."""
    shifted = local_date(now - dt.timedelta(hours=DELIVERY_HOUR))
    return shifted - dt.timedelta(days=shifted.weekday() + 1)


def datasets_for(subscription: ReportSubscription, as_of: dt.date) -> WeeklyDatasets | None:
    """What the weekly page would show this subscriber, or None if they may no longer see it."""
    user = subscription.user
    access = report_access(user, Report.WEEKLY)
    if not access.allowed:
        return None
    district = subscription.district
    if district is not None and not access.districts.filter(pk=district.pk).exists():
        return None
    if district is None and not access.force_wide:
        return None
    return weekly_datasets_for(user, access, as_of, district)


def _xlsx_bytes(data: WeeklyDatasets) -> bytes:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        export.weekly_xlsx(data, path)
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)


def deliver_weekly_reports(*, now: dt.datetime | None = None) -> int:
    """Deliver this week's datasets to every subscriber still waiting for them. Returns how many."""
    now = now or timezone.now()
    as_of = weekly_as_of_due(now)
    waiting = (
        ReportSubscription.objects.filter(report=Report.WEEKLY, user__is_active=True)
        .exclude(deliveries__as_of=as_of)
        .select_related("user", "user__organisation", "district")
    )
    delivered = 0
    for subscription in waiting:
        data = datasets_for(subscription, as_of)
        if data is None:
            continue
        content = _xlsx_bytes(data)
        people = sorted(data.person_ids())
        try:
            with transaction.atomic():
                DeliveredReport.objects.create(
                    subscription=subscription,
                    as_of=as_of,
                    created_at=now,
                    rows=data.row_count(),
                    content=content,
                )
                audit_record(
                    actor=None,
                    operation=Operation.DISCLOSURE,
                    event_type="report.weekly.delivered",
                    object_type="person",
                    object_ids=people if len(people) <= MAX_AUDITED_IDS else [],
                    recipient_agency_id=subscription.user.organisation_id,
                    reason=f"weekly datasets as of {as_of.isoformat()} to user {subscription.user_id}; "
                    f"{data.row_count()} rows about {len(people)} people",
                )
        except IntegrityError:
            continue  # another sweep delivered it first
        delivered += 1
        if subscription.user.email:
            try:
                send_mail(
                    f"Homeward: weekly missing-person datasets as of {as_of:%d %B %Y}",
                    "Your weekly datasets are ready in Homeward (Reports → My weekly datasets).\n\n"
                    "This email deliberately contains no personal details. Do not reply to it.\n",
                    None,
                    [subscription.user.email],
                )
            except Exception as exc:  # the copy is in Homeward; a failed notice is only logged
                logger.warning("Weekly datasets notice to user %s failed (%s)", subscription.user_id, exc)
    return delivered
