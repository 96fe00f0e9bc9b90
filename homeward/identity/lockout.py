"""Locking out repeated failed sign-ins (security baseline P6, AUTH-2).

A failure (wrong password, or a wrong code at the second step) counts against the username typed and
against the client address. HOMEWARD_LOCKOUT_FAILURES failures within HOMEWARD_LOCKOUT_WINDOW_MINUTES
lock that username, or that address, for HOMEWARD_LOCKOUT_MINUTES from the failure that tripped it;
while locked, no password or code is even checked. With 5 failures per 10-minute lock a username can be
guessed at most 30 times an hour however many addresses an attacker has (P6 asks for well under 100).

Unknown usernames are counted and locked exactly like real ones, and the messages are the same, so
neither the lockout nor its wording says whether an account exists. A successful sign-in (both factors)
clears the username's count; the address's count is left to expire, so one valid account cannot be
used to reset an address that is guessing others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import SignInThrottle, ThrottleKind

if TYPE_CHECKING:
    from homeward.identity.models import User

FAILED_MESSAGE = "Enter a correct username and password, or a correct code."
LOCKED_MESSAGE = (
    "Signing in is paused after too many failed attempts. Wait {minutes} minutes, then try again. "
    "If you did not make these attempts, tell your system administrator."
)


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=settings.HOMEWARD_LOCKOUT_MINUTES)


def username_key(username: str) -> str:
    return salted_hmac(
        "homeward.identity.lockout", username.strip().casefold(), algorithm="sha256"
    ).hexdigest()


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [(ThrottleKind.USERNAME.value, username_key(username))]
    if address:
        keys.append((ThrottleKind.ADDRESS.value, address[:64]))
    return keys


def sign_in_locked(*, username: str, address: str | None) -> bool:
    now = timezone.now()
    for kind, key in _keys(username, address):
        if SignInThrottle.objects.filter(kind=kind, key=key, locked_until__gt=now).exists():
            return True
    return False


@dataclass(frozen=True)
class FailureOutcome:
    locked: bool
    newly_locked: list[str]


@transaction.atomic
def sign_in_failed(*, username: str, address: str | None, user: User | None, stage: str) -> FailureOutcome:
    """Count one failure against the username and the address; lock either that reaches the limit.

    `user` is the account the username names, if any: it is only used as the audit actor (so the
    account's own log shows the attempts), never in what the person at the keyboard is told.
    """
    now = timezone.now()
    window = dt.timedelta(minutes=settings.HOMEWARD_LOCKOUT_WINDOW_MINUTES)
    lock_for = dt.timedelta(minutes=settings.HOMEWARD_LOCKOUT_MINUTES)
    newly_locked: list[str] = []
    locked = False
    for kind, key in _keys(username, address):
        row, _created = SignInThrottle.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"window_started_at": now}
        )
        if row.locked_until is not None and row.locked_until > now:
            locked = True
            continue
        if row.window_started_at <= now - window or (
            row.locked_until is not None and row.locked_until <= now
        ):
            row.failures = 0
            row.window_started_at = now
            row.locked_until = None
        row.failures += 1
        if row.failures >= settings.HOMEWARD_LOCKOUT_FAILURES:
            row.locked_until = now + lock_for
            row.failures = 0
            newly_locked.append(kind)
            locked = True
        row.save()
    audit_record(
        actor=user,
        operation=Operation.AUTH,
        event_type="sign_in.failed",
        object_type="user" if user is not None else "",
        object_ids=[user.pk] if user is not None else [],
        reason=stage if user is not None else f"{stage}; no such account",
        outcome="denied",
    )
    if newly_locked:
        audit_record(
            actor=user,
            operation=Operation.AUTH,
            event_type="sign_in.locked_out",
            object_type="user" if user is not None else "",
            object_ids=[user.pk] if user is not None else [],
            reason="locked: " + ", ".join(newly_locked),
            outcome="denied",
        )
        if user is not None and user.email and ThrottleKind.USERNAME.value in newly_locked:
            _tell_the_account_holder(user)
    return FailureOutcome(locked=locked, newly_locked=newly_locked)


def _tell_the_account_holder(user: User) -> None:
    """P6 (MoJ practice): the account holder hears that their account was locked."""
    minutes = settings.HOMEWARD_LOCKOUT_MINUTES
    transaction.on_commit(
        lambda: send_mail(
            "Homeward: signing in to your account was paused",
            (
                f"There were {settings.HOMEWARD_LOCKOUT_FAILURES} failed attempts to sign in to your "
                f"Homeward account ({user.username}), so signing in is paused for {minutes} minutes.\n\n"
                "If this was not you, tell your system administrator."
            ),
            None,
            [user.email],
            fail_silently=True,
        )
    )


def sign_in_refused_while_locked(*, user: User | None) -> None:
    audit_record(
        actor=user,
        operation=Operation.AUTH,
        event_type="sign_in.refused_locked",
        object_type="user" if user is not None else "",
        object_ids=[user.pk] if user is not None else [],
        outcome="denied",
    )


def sign_in_succeeded_reset(*, username: str) -> None:
    SignInThrottle.objects.filter(kind=ThrottleKind.USERNAME, key=username_key(username)).delete()
