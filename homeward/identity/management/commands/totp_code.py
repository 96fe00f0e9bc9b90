"""`homeward totp_code USERNAME`: the code a demo account's authenticator app would show now.

For trying the demo without a phone. Refused in production, where only the person holding the app
should ever see a code.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.identity.mfa import totp_code_at, totp_device_confirmed, totp_secret_base32
from homeward.identity.models import User
from homeward.identity.signin import now_seconds


class Command(BaseCommand):
    help = "Print the current sign-in code of an account's authenticator (not in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Not available in production")
        user = User.objects.filter(username=options["username"]).first()
        device = totp_device_confirmed(user) if user is not None else None
        if device is None:
            raise CommandError("No such account with an authenticator set up")
        now = now_seconds()
        remaining = 30 - int(now) % 30
        self.stdout.write(f"{totp_code_at(totp_secret_base32(device), now)}  (changes in {remaining} s)")
