"""Issuing, revoking and checking API tokens (see homeward.identity.tokens for how they are stored)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import InvalidInput, NotAllowed
from homeward.identity.tokens import ApiToken

if TYPE_CHECKING:
    from homeward.identity.models import User

# Recognisable in logs and by secret scanners; the rest is 256 bits from the OS's random source.
TOKEN_PREFIX = "hw_"  # noqa: S105 (a public marker, not a secret)
# Recording every request would turn each read into a write; once a minute says "in use" well enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token acting as `actor`. The plaintext is returned here and never stored or shown again."""
    if not actor.is_active:
        raise NotAllowed("Inactive accounts cannot be given API tokens")
    name = name.strip()
    if not name:
        raise InvalidInput({"name": "Say what the token is for"})
    if len(name) > 100:
        raise InvalidInput({"name": "The name must be 100 characters or fewer"})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        token_hash=token_hash(plaintext),
        prefix=plaintext[:10],
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        operation=Operation.ADMIN,
        event_type="api_token.issued",
        object_type="api_token",
        object_ids=[token.pk],
        changed_fields=["name"],
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token working. Revoking twice keeps the first time."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise NotAllowed("You can only revoke your own API tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            operation=Operation.ADMIN,
            event_type="api_token.revoked",
            object_type="api_token",
            object_ids=[token.pk],
            changed_fields=["revoked_at"],
        )
    return token


def api_token_user(plaintext: str) -> User | None:
    """The active user a presented token acts for, or None for an unknown, revoked or disabled one."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=token_hash(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests write at most once per interval between them.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user
