"""`homeward mfa_reset USERNAME`: a person lost their phone and their backup codes.

Removes their authenticator and backup codes and ends their sessions; at their next sign-in they set up
a new app (after the password). Audited. Check who is asking before running it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.models import BackupCode, User
from homeward.identity.signals import user_sessions_end


class Command(BaseCommand):
    help = "Remove a user's authenticator and backup codes so they set up a new one at next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why (recorded in the audit log)")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No such account")
        TOTPDevice.objects.filter(user=user).delete()
        BackupCode.objects.filter(user=user).delete()
        ended = user_sessions_end(user.pk)
        audit_record(
            actor=None,
            operation=Operation.ADMIN,
            event_type="mfa.reset",
            object_type="user",
            object_ids=[user.pk],
            reason=f"{options['reason']} ({ended} session(s) ended)",
        )
        self.stdout.write(f"{user.username} will set up a new authenticator app at their next sign-in.")
