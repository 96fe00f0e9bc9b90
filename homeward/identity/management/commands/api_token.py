"""`homeward api_token USERNAME --name NAME`: issue an API token and print it, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.errors import DomainError
from homeward.identity.api_tokens import api_token_issue, api_token_revoke
from homeward.identity.models import User


class Command(BaseCommand):
    help = (
        "Issue an API token acting as USERNAME (printed once; only its hash is stored), "
        "or with --revoke, revoke that user's active tokens of that name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--name", help="What the token is for, e.g. the system that will hold it")
        group.add_argument("--revoke", metavar="NAME", help="Revoke the user's active tokens with this name")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user called {options['username']!r}")
        try:
            if options["revoke"]:
                tokens = list(user.api_tokens.filter(name=options["revoke"], revoked_at__isnull=True))
                if not tokens:
                    raise CommandError(f"{user.username} has no active token called {options['revoke']!r}")
                for token in tokens:
                    api_token_revoke(actor=user, token=token)
                self.stdout.write(f"Revoked {len(tokens)} token(s).")
                return
            token, plaintext = api_token_issue(actor=user, name=options["name"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token {token.name!r} for {user.username} (acting with their role and organisation). "
            "It is shown only now: store it as a secret."
        )
        self.stdout.write(plaintext)
