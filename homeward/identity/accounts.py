"""Deactivating accounts: by an administrator, and automatically after long disuse (P10, P11).

Deactivation ends every session the user has (homeward.identity.signals does that on save, whatever
path saved it), and API tokens of an inactive user stop working (homeward.identity.api_tokens).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import User


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User, reason: str) -> User:
    """Disable the account and end its sessions. Deactivating an inactive account changes nothing."""
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        operation=Operation.ADMIN,
        event_type="account.deactivated",
        object_type="user",
        object_ids=[user.pk],
        changed_fields=["is_active"],
        reason=reason,
    )
    return user


def accounts_inactive(*, now: dt.datetime | None = None) -> list[User]:
    """Active accounts with no sign-in for HOMEWARD_INACTIVE_ACCOUNT_DAYS (or, never signed in, created
    that long ago)."""
    now = timezone.now() if now is None else now
    cutoff = now - dt.timedelta(days=settings.HOMEWARD_INACTIVE_ACCOUNT_DAYS)
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .order_by("pk")
    )


def accounts_disable_inactive(*, now: dt.datetime | None = None) -> int:
    """Disable every account unused for too long (run by the clocks sweep); returns how many.

    An administrator reviews and re-enables any that are still needed.
    """
    disabled = 0
    for user in accounts_inactive(now=now):
        user_deactivate(
            actor=None,
            user=user,
            reason=f"no sign-in for {settings.HOMEWARD_INACTIVE_ACCOUNT_DAYS} days",
        )
        disabled += 1
    return disabled
