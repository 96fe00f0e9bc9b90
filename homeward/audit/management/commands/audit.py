"""`homeward audit verify`: recompute the audit hash chain; exit 1 if any row was altered or removed.

Run it nightly and after every restore (AUD-7): a cron line or systemd timer calling
`homeward audit verify` and alerting on a non-zero exit.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.audit.log import audit_chain_check


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain end to end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_check()
        if not result.intact:
            self.stdout.write(f"Audit events: {result.total}; intact before the break: {result.checked}")
            self.stdout.write(f"First broken link: event {result.bad_id}: {result.problem}")
            if result.found_prev_hash:
                self.stdout.write(f"  expected previous hash {result.expected_prev_hash}")
                self.stdout.write(f"  found previous hash    {result.found_prev_hash}")
            raise CommandError(
                f"Audit chain broken at event {result.bad_id} after {result.checked} good events"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events"))
