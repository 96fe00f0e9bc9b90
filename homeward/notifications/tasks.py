"""Background work for notifications, run by the database-backed worker (`homeward db_worker`).

The email says only that something is waiting in Homeward and gives the episode reference: no name,
no description, no circumstances. Email is not a secure channel, so personal data stays in the system
and is seen only by someone who signs in (and whose organisation may see the episode).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django_tasks import task

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.notifications.models import DeliveryStatus, Event, Notification

logger = logging.getLogger(__name__)


def email_subject(reference: str) -> str:
    return f"Homeward: missing episode {reference} shared with your organisation"


def email_body(reference: str, event: str) -> str:
    first = (
        f"A missing episode has been shared with your organisation in Homeward: {reference}; sign in to see it."
        if event == Event.REPORTED
        else f"There is an update on a missing episode shared with your organisation in Homeward: "
        f"{reference}; sign in to see it."
    )
    return f"{first}\n\nThis email deliberately contains no personal details. Do not reply to it.\n"


@task()
def send_notification_email(notification_id: int) -> str:
    """Email the recipient organisation, then record the outcome. Returns it: sent, failed or skipped.

    Safe to run twice, and never sends twice: the notification is claimed (pending → sending) before
    the email goes, so a retried task finds it claimed and skips it. One already read in Homeward
    needs no email. A worker that stops between claiming and recording leaves it "sending";
    `mark_abandoned_sends_failed` later says so, rather than guess that it arrived.
    """
    claimed = Notification.objects.filter(pk=notification_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("episode").get(pk=notification_id)
    addresses = notification.email_addresses
    if addresses:
        try:
            send_mail(
                email_subject(notification.episode.reference),
                email_body(notification.episode.reference, notification.event),
                None,
                addresses,
            )
        except Exception as exc:
            # Any transport error (refused, timed out, bad configuration) is recorded, not raised:
            # the force sees "Email failed" on the episode and can phone instead.
            logger.warning("Notification %s: email failed (%s)", notification_id, type(exc).__name__)
            Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.FAILED, email_error=f"{type(exc).__name__}: {exc}"[:300]
            )
            return "failed"
    # With no address the notification is delivered to the inbox alone. Someone may have read it
    # while the email was going out: "read" is never turned back into "sent".
    Notification.objects.filter(pk=notification_id).update(
        sent_at=timezone.now(),
        status=Case(
            When(status=DeliveryStatus.SENDING, then=Value(DeliveryStatus.SENT)), default=F("status")
        ),
    )
    return "sent"


def mark_abandoned_sends_failed(*, older_than: dt.timedelta) -> int:
    """Notifications left "sending" by a stopped worker: the email may or may not have gone."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        stuck = list(
            Notification.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff).values_list(
                "pk", flat=True
            )
        )
        if not stuck:
            return 0
        count = Notification.objects.filter(pk__in=stuck, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED,
            email_error="Delivery unknown: the worker stopped while sending. Phone the recipient to be sure.",
        )
        audit_record(
            actor=None,
            operation=Operation.ALTERATION,
            event_type="notification.delivery_unknown",
            object_type="notification",
            object_ids=stuck,
            changed_fields=["status", "email_error"],
        )
    return count
