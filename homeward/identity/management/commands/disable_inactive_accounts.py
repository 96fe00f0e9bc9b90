"""`homeward disable_inactive_accounts`: disable accounts with no sign-in for 90 days (P11).

The clocks sweep does this every run; the command is for running it by hand, or with --dry-run to see
which accounts would go.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from homeward.identity.accounts import accounts_disable_inactive, accounts_inactive


class Command(BaseCommand):
    help = "Disable accounts with no sign-in for HOMEWARD_INACTIVE_ACCOUNT_DAYS days (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list the accounts, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.HOMEWARD_INACTIVE_ACCOUNT_DAYS
        if options["dry_run"]:
            for user in accounts_inactive():
                self.stdout.write(f"{user.username}\t{user.last_login or 'never signed in'}")
            return
        self.stdout.write(
            f"Disabled {accounts_disable_inactive()} account(s) with no sign-in for {days} days."
        )
