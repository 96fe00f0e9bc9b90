"""`homeward grant_application_role NAME`: give the application's PostgreSQL role what it needs, and no
more (docs/security.md). Run as the tables' owner, after `homeward migrate`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from homeward.security.database_roles import grant_application_role


class Command(BaseCommand):
    help = "Grant the application's database role its privileges (PostgreSQL; run as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The role the web server and worker connect as, e.g. homeward_app")
        parser.add_argument(
            "--create", action="store_true", help="Create the role (NOLOGIN) if it does not exist"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Database roles are a PostgreSQL matter; this database is " + connection.vendor
            )
        grant_application_role(connection, options["role"], create=options["create"])
        self.stdout.write(f"Granted {options['role']} the application's privileges.")
