"""Accounts: an organisation's administrator creates them, changes roles, deactivates and re-enables them
and resets the second factor; accounts unused for long are disabled automatically (P9, P10, P11, AUD-6).

Every change is one action that writes an `admin` audit event in its own transaction. Changes made by an
administrator carry the account's version as they saw it, so two administrators editing one account
cannot overwrite each other (docs/concurrency.md); the automatic sweep and the `mfa_reset` command move
the version on too, so an administrator's open page learns of their change.

Deactivation ends every session the user has (homeward.identity.signals does that on save, whatever
path saved it), and API tokens of an inactive user stop working (homeward.identity.api_tokens).
Step-up before the sensitive changes is the views' job (require_recent_authentication): it is about the
session, which actions do not see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import DomainError, EditConflict, InvalidInput, NotAllowed
from homeward.identity.models import BackupCode, User
from homeward.identity.roles import Capability, Role, roles_for_organisation_kind
from homeward.identity.signals import user_sessions_end
from homeward.versioning import update_if_unchanged

USERNAME_MAX = 150
NAME_MAX = 150
MIN_REASON = 5


# --- Rules every administrator's action shares -------------------------------------------------------


def _require_administrator_of(actor: User, user: User | None = None) -> None:
    if not actor.can(Capability.MANAGE_ACCOUNTS):
        raise NotAllowed("Only an administrator can manage accounts")
    if user is not None and user.organisation_id != actor.organisation_id:
        # Views find accounts through selectors.account_for (404 for another organisation's); this is
        # the rule itself, for any other caller.
        raise NotAllowed("You can only manage the accounts of your own organisation")


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role or "no role"


def _claim(user: User, expected_version: int | None, **fields: Any) -> None:
    """Write `fields` and move the version on, if nobody changed the account since `expected_version`.

    Always the action's first write, so a racing change waits for it and then conflicts. None (the
    sweep, the command) writes whatever the version, still moving it on.
    """
    if expected_version is None:
        User.objects.filter(pk=user.pk).update(version=F("version") + 1, **fields)
    else:
        current = update_if_unchanged(User, pk=user.pk, expected_version=expected_version, **fields)
        if current is not None:
            now = User.objects.get(pk=user.pk)
            state = "active" if now.is_active else "deactivated"
            raise EditConflict(
                "Someone else changed this account after you opened it: it is now "
                f"{_role_label(now.role)}, {state}. Nothing has been saved: check, then submit again.",
                current_version=current,
                changes=[],
            )
    user.refresh_from_db(fields=["version", *fields])


def _reason(reason: str, *, required: bool) -> str:
    reason = " ".join(reason.split())
    if required and len(reason) < MIN_REASON:
        raise InvalidInput(
            {"reason": f"Say why (at least {MIN_REASON} characters): it goes in the audit log"}
        )
    return reason


# --- Creating an account -----------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    password: str,
) -> User:
    """A new account in the administrator's own organisation, with an initial password they choose.

    The password must pass the password policy (identity/passwords.py, settings.AUTH_PASSWORD_VALIDATORS);
    the administrator gives it to the person by another channel. The person sets up their authenticator
    app at their first sign-in, as everyone does, and can change the password under "Your sign-in".
    """
    _require_administrator_of(actor)
    assert actor.organisation is not None
    username = username.strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Enter a username"
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "That username is taken: choose another"
    if role not in roles_for_organisation_kind(actor.organisation.kind):
        errors["role"] = _role_not_for(actor, role)
    candidate = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        organisation=actor.organisation,
        role=role,
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise InvalidInput(errors)
    candidate.set_password(password)
    candidate.save()
    audit_record(
        actor=actor,
        operation=Operation.ADMIN,
        event_type="account.created",
        object_type="user",
        object_ids=[candidate.pk],
        changed_fields=["username", "first_name", "last_name", "email", "role", "password"],
        reason=f"role {_role_label(role)}",
    )
    return candidate


def _role_not_for(actor: User, role: str) -> str:
    assert actor.organisation is not None
    kind = actor.organisation.get_kind_display().lower()
    if role not in Role.values:
        return "Choose a role from the list"
    return f"{_role_label(role)} is not a role in a {kind}: choose one from the list"


# --- Changing an account -----------------------------------------------------------------------------


@transaction.atomic
def user_role_change(*, actor: User, user: User, role: str, expected_version: int, reason: str = "") -> User:
    """Give the account another role valid for its organisation (AUD-6 "role change").

    It takes effect at the person's next request: capabilities are read from the account every time.
    """
    _require_administrator_of(actor, user)
    if user.pk == actor.pk:
        raise InvalidInput(
            {"role": "You cannot change your own role: ask another administrator of your organisation"}
        )
    assert user.organisation is not None
    if role not in roles_for_organisation_kind(user.organisation.kind):
        raise InvalidInput({"role": _role_not_for(actor, role)})
    if role == user.role:
        raise InvalidInput({"role": f"The account is already {_role_label(role)}: choose another role"})
    why = _reason(reason, required=False)
    old = user.role
    _claim(user, expected_version, role=role)
    audit_record(
        actor=actor,
        operation=Operation.ADMIN,
        event_type="account.role_changed",
        object_type="user",
        object_ids=[user.pk],
        changed_fields=["role"],
        reason=f"from {_role_label(old)} to {_role_label(role)}" + (f": {why}" if why else ""),
    )
    return user


@transaction.atomic
def user_deactivate(
    *, actor: User | None, user: User, reason: str, expected_version: int | None = None
) -> User:
    """Disable the account and end its sessions. Deactivating an inactive account changes nothing.

    `actor` None is the unused-account sweep; an administrator passes the version they saw.
    """
    if actor is not None:
        _require_administrator_of(actor, user)
        if user.pk == actor.pk:
            raise DomainError("You cannot deactivate your own account: ask another administrator")
        reason = _reason(reason, required=True)
        if not user.is_active:
            raise DomainError("This account is already deactivated")
    elif not user.is_active:
        return user
    _claim(user, expected_version)
    # A save, not an update, so homeward.identity.signals ends every session of the account.
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


@transaction.atomic
def user_reactivate(*, actor: User, user: User, expected_version: int, reason: str = "") -> User:
    """Re-enable a deactivated account; the unused-account sweep counts its 90 days afresh from now."""
    _require_administrator_of(actor, user)
    if user.is_active:
        raise DomainError("This account is already active")
    why = _reason(reason, required=False)
    _claim(user, expected_version, is_active=True, reactivated_at=timezone.now())
    audit_record(
        actor=actor,
        operation=Operation.ADMIN,
        event_type="account.reactivated",
        object_type="user",
        object_ids=[user.pk],
        changed_fields=["is_active"],
        reason=why,
    )
    return user


@transaction.atomic
def user_mfa_reset(
    *, actor: User | None, user: User, reason: str, expected_version: int | None = None
) -> int:
    """A lost phone and lost backup codes: remove the authenticator and the codes and end every session;
    the person sets up a new app after their password at their next sign-in. Returns the sessions ended.

    `actor` None is the `homeward mfa_reset` command, run by whoever keeps the server.
    """
    reason = _reason(reason, required=True)
    if actor is not None:
        _require_administrator_of(actor, user)
        if user.pk == actor.pk:
            raise DomainError(
                "You cannot reset your own authenticator here: use “Your sign-in” to move to a new phone"
            )
    _claim(user, expected_version)
    TOTPDevice.objects.filter(user=user).delete()
    BackupCode.objects.filter(user=user).delete()
    ended = user_sessions_end(user.pk)
    audit_record(
        actor=actor,
        operation=Operation.ADMIN,
        event_type="mfa.reset",
        object_type="user",
        object_ids=[user.pk],
        changed_fields=["authenticator", "backup_codes"],
        reason=f"{reason} ({ended} session(s) ended)",
    )
    return ended


# --- Unused accounts (P11) ---------------------------------------------------------------------------


def accounts_inactive(*, now: dt.datetime | None = None) -> list[User]:
    """Active accounts with no sign-in for HOMEWARD_INACTIVE_ACCOUNT_DAYS (or, never signed in, created
    that long ago), unless an administrator re-enabled them within that time."""
    now = timezone.now() if now is None else now
    cutoff = now - dt.timedelta(days=settings.HOMEWARD_INACTIVE_ACCOUNT_DAYS)
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(reactivated_at__gte=cutoff)
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
