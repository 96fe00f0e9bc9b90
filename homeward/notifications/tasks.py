"""Background work for notifications, run by the database-backed worker (`homeward db_worker`).

The email says only that something is waiting in Homeward and gives the episode reference: no name,
no description, no circumstances. Email is not a secure channel, so personal data stays in the system
and is seen only by someone who signs in (and whose organisation may see the episode).
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django_tasks import task

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

    Safe to run twice: only a pending notification is emailed, so a retried task never sends again,
    and one already read in Homeward needs no email.
    """
    notification = Notification.objects.select_related("episode").filter(pk=notification_id).first()
    if notification is None or notification.status != DeliveryStatus.PENDING:
        return "skipped"
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
            Notification.objects.filter(pk=notification_id, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.FAILED, email_error=f"{type(exc).__name__}: {exc}"[:300]
            )
            return "failed"
    # With no address the notification is delivered to the inbox alone. Someone may have read it
    # while the email was going out: "read" is never turned back into "sent".
    Notification.objects.filter(pk=notification_id).update(
        sent_at=timezone.now(),
        status=Case(
            When(status=DeliveryStatus.PENDING, then=Value(DeliveryStatus.SENT)), default=F("status")
        ),
    )
    return "sent"
