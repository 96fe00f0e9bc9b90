"""The second factor (security baseline P1): a TOTP authenticator app, with single-use backup codes.

TOTP is RFC 6238 as authenticator apps expect it: HMAC-SHA1, 30-second steps, 6 digits, and one step
of clock drift either way. django-otp's TOTPDevice does the arithmetic, refuses a code at or before the
last one accepted (no replays) and slows repeated wrong guesses; the sign-in lockout (identity/lockout.py)
counts wrong codes as failed sign-ins too.

Backup codes are ten random codes shown once, each usable once. They are stored as an HMAC keyed with
the deployment's SECRET_KEY, so a copy of the database alone does not yield working codes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import BackupCode

if TYPE_CHECKING:
    from homeward.identity.models import User

TOTP_DIGITS = 6
TOTP_STEP_SECONDS = 30
TOTP_TOLERANCE_STEPS = 1
DEVICE_NAME = "Authenticator app"
# No 0/o, 1/l/i: the codes are read off paper.
BACKUP_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
BACKUP_CODE_LENGTH = 10


# --- TOTP ------------------------------------------------------------------------------------------


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def totp_device_pending(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (made on first use, kept across reloads of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user,
            name=DEVICE_NAME,
            confirmed=False,
            step=TOTP_STEP_SECONDS,
            digits=TOTP_DIGITS,
            tolerance=TOTP_TOLERANCE_STEPS,
        )
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, no padding."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_secret_grouped(device: TOTPDevice) -> str:
    secret = totp_secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code, drawn on the server (no script, no third party)."""
    qr = segno.make(device.config_url, error="m")
    return str(qr.svg_inline(scale=5, dark="#0b0c0c", light="#ffffff", omitsize=False))


def totp_code_at(secret_base32: str, at: float) -> str:
    """The code an authenticator app shows at Unix time `at`: for tests and the demo, never for checks."""
    from django_otp.oath import TOTP

    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    generator = TOTP(key, step=TOTP_STEP_SECONDS, t0=0, digits=TOTP_DIGITS, drift=0)
    generator.time = at
    return f"{int(generator.token()):0{TOTP_DIGITS}d}"


def totp_verify(device: TOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        accepted = bool(locked.verify_token(code))
    if accepted:
        device.refresh_from_db()
    return accepted


@transaction.atomic
def totp_enrol_confirm(*, actor: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending device with a code from the app; returns fresh backup codes, or None."""
    if device.user_id != actor.pk or device.confirmed:
        return None
    if not totp_verify(device, code):
        return None
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=actor,
        operation=Operation.AUTH,
        event_type="mfa.enrolled",
        object_type="user",
        object_ids=[actor.pk],
    )
    return backup_codes_issue(actor=actor)


# --- Backup codes ----------------------------------------------------------------------------------


def _normalise_backup_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def backup_code_hash(code: str) -> str:
    return salted_hmac(
        "homeward.identity.backup_code", _normalise_backup_code(code), algorithm="sha256"
    ).hexdigest()


def backup_code_format(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@transaction.atomic
def backup_codes_issue(*, actor: User) -> list[str]:
    """Replace the user's backup codes with new ones; the plain codes are returned once, never stored."""
    BackupCode.objects.filter(user=actor).delete()
    now = timezone.now()
    codes = [
        "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        for _ in range(settings.HOMEWARD_BACKUP_CODES)
    ]
    BackupCode.objects.bulk_create(
        BackupCode(user=actor, code_hash=backup_code_hash(code), created_at=now) for code in codes
    )
    audit_record(
        actor=actor,
        operation=Operation.AUTH,
        event_type="mfa.backup_codes_issued",
        object_type="user",
        object_ids=[actor.pk],
    )
    return [backup_code_format(code) for code in codes]


def backup_code_use(*, user: User, code: str) -> bool:
    """Spend one unused backup code. The conditional update lets only one of two racing requests win."""
    normalised = _normalise_backup_code(code)
    if len(normalised) != BACKUP_CODE_LENGTH:
        return False
    spent = BackupCode.objects.filter(
        user=user, code_hash=backup_code_hash(normalised), used_at__isnull=True
    ).update(used_at=timezone.now())
    return spent == 1


def backup_codes_left(user: User) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


def second_factor_check(*, user: User, code: str) -> str:
    """Check a code typed at the second step: "totp", "backup" (which it was), or "" if neither."""
    device = totp_device_confirmed(user)
    if device is None:
        return ""
    compact = "".join(code.split())
    if compact.isdigit() and len(compact) == TOTP_DIGITS:
        return "totp" if totp_verify(device, compact) else ""
    return "backup" if backup_code_use(user=user, code=compact) else ""


# --- Demo accounts ---------------------------------------------------------------------------------


def demo_totp_secret(*, seed: int, username: str) -> bytes:
    """A demo account's TOTP key, the same for the same seed on every machine (README lists them)."""
    return hashlib.sha256(f"homeward-demo-totp:{seed}:{username}".encode()).digest()[:20]


def demo_accounts_enrol(*, seed: int, users: list[User]) -> None:
    """Give demo accounts confirmed authenticator devices with deterministic secrets."""
    TOTPDevice.objects.filter(user__in=users).delete()
    TOTPDevice.objects.bulk_create(
        TOTPDevice(
            user=user,
            name=DEVICE_NAME,
            confirmed=True,
            key=demo_totp_secret(seed=seed, username=user.username).hex(),
            step=TOTP_STEP_SECONDS,
            digits=TOTP_DIGITS,
            tolerance=TOTP_TOLERANCE_STEPS,
        )
        for user in users
    )
