"""`homeward audit verify`: recompute the audit hash chain; exit 1 if any row was altered or removed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.audit.log import audit_chain_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain end to end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        intact, checked, bad_id = audit_chain_verify()
        if not intact:
            raise CommandError(f"Audit chain broken at event {bad_id} after {checked} good events")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events"))
