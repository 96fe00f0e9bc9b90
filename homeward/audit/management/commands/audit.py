"""`homeward audit verify|archive|verify-archive`.

`verify` recomputes the audit hash chain (from the latest archive anchor) and exits 1 if any row was
altered or removed. Run it nightly and after every restore (AUD-7): a cron line or systemd timer calling
`homeward audit verify` and alerting on a non-zero exit.

`archive --before DATE --out FILE` moves the events older than DATE to a JSON-lines file, verified, and
removes them (P12, AUD-9; `homeward.audit.retention`). `verify-archive FILE` checks such a file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.audit.log import audit_chain_check
from homeward.audit.retention import ArchiveError, archive_before, verify_archive_file


class Command(BaseCommand):
    help = "Audit log tools: `verify` the hash chain, `archive` old events, `verify-archive` a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "archive", "verify-archive"])
        parser.add_argument("file", nargs="?", help="verify-archive: the archive file")
        parser.add_argument("--before", type=dt.date.fromisoformat, help="archive: cut-off date YYYY-MM-DD")
        parser.add_argument("--out", type=Path, help="archive: the file to write (must not exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "archive":
            self._archive(options["before"], options["out"])
        elif options["action"] == "verify-archive":
            self._verify_archive(options["file"])
        else:
            self._verify()

    def _verify(self) -> None:
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

    def _archive(self, before: dt.date | None, out: Path | None) -> None:
        if before is None or out is None:
            raise CommandError("archive needs --before YYYY-MM-DD and --out FILE")
        try:
            result = archive_before(before, out)
        except ArchiveError as error:
            raise CommandError(f"Not archived: {error}") from error
        if not result.count:
            self.stdout.write(f"No audit events before {before.isoformat()}: nothing archived")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Archived {result.count} events ({result.first_id}..{result.last_id}) to {out}; "
                f"sha256 {result.sha256}; anchor {result.anchor_hash}"
            )
        )

    def _verify_archive(self, file: str | None) -> None:
        if not file:
            raise CommandError("verify-archive needs the archive FILE")
        result = verify_archive_file(Path(file))
        if not result.intact:
            raise CommandError(f"Audit archive {file} fails: {result.problem}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit archive intact: {result.count} events ({result.first_id}..{result.last_id}); "
                f"sha256 {result.sha256}"
            )
        )
