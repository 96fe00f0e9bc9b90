"""Writes a user makes to notifications. (Creating them is services.py's job, inside episode actions.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import NotAllowed
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.notifications.models import UNREAD_STATUSES, DeliveryStatus, Notification


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark a notification read for the whole organisation (the inbox is the team's, not one person's).

    Marking one already read changes nothing and keeps who read it first. The update is conditional,
    so two colleagues clicking at once record one reader, not the last writer.
    """
    if not actor.can(Capability.VIEW_CASES) or notification.recipient_id != actor.organisation_id:
        raise NotAllowed("Only the organisation it was sent to can mark this notification read")
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, status__in=UNREAD_STATUSES).update(
        status=DeliveryStatus.READ, read_at=now, read_by=actor
    )
    notification.refresh_from_db()
    if updated:
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            event_type="notification.read",
            object_type="notification",
            object_ids=[notification.pk],
            changed_fields=["status", "read_at", "read_by"],
        )
    return notification
