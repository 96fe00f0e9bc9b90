"""`homeward mfa_reset USERNAME`: a person lost their phone and their backup codes.

Removes their authenticator and backup codes and ends their sessions; at their next sign-in they set up
a new app (after the password). Audited. Check who is asking before running it. An organisation's
administrator does the same from the account's page (identity.accounts.user_mfa_reset).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.errors import DomainError
from homeward.identity.accounts import user_mfa_reset
from homeward.identity.models import User


class Command(BaseCommand):
    help = "Remove a user's authenticator and backup codes so they set up a new one at next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why (recorded in the audit log)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No such account")
        try:
            user_mfa_reset(actor=None, user=user, reason=options["reason"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{user.username} will set up a new authenticator app at their next sign-in.")
