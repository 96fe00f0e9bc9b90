"""Audit of sign-out, and ending every session of a user who is deactivated (P10, AUTH-4).

Deactivation is caught on save, whatever made it (the admin, a command, an action), so no path can
leave a deactivated user's sessions alive.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import User


@receiver(user_logged_out)
def _audit_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            actor=user,
            operation=Operation.AUTH,
            event_type="sign_out",
            object_type="user",
            object_ids=[user.pk],
        )


def user_sessions_end(user_id: int, *, keep: str | None = None) -> int:
    """Delete every stored session signed in as this user (but `keep`, a session key); returns how many.

    Sessions are keyed by a random id, not by user, so each live one is decoded: a force's live
    sessions number in the hundreds, and this runs only when an account is deactivated.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        if session.session_key != keep and session.get_decoded().get("_auth_user_id") == str(user_id):
            session.delete()
            ended += 1
    return ended


@receiver(pre_save, sender=User)
def _remember_was_active(sender: Any, instance: User, **kwargs: Any) -> None:
    if instance.pk is None:
        instance._was_active = False
        return
    previous = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    instance._was_active = bool(previous)  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _end_sessions_on_deactivation(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if created or instance.is_active or not getattr(instance, "_was_active", False):
        return
    ended = user_sessions_end(instance.pk)
    audit_record(
        actor=None,
        operation=Operation.AUTH,
        event_type="session.ended_by_deactivation",
        object_type="user",
        object_ids=[instance.pk],
        reason=f"{ended} session(s) ended",
    )
