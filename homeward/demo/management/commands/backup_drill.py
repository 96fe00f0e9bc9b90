"""`homeward backup_drill`: back up the SQLite database, open the copy, verify it, and time it (REL-4).

Exits non-zero if the copy's audit chain is broken or any table's row count differs from the source.
On PostgreSQL it points at the pg_dump/pg_restore runbook in docs/operations.md instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from homeward.backup import backup_drill

POSTGRES_RUNBOOK = (
    "The backup drill runs on the embedded SQLite database only. On PostgreSQL use the pg_dump/pg_restore "
    'runbook in docs/operations.md "Backup and restore", then `homeward audit verify` on the restored database.'
)


class Command(BaseCommand):
    help = (
        "Back up the SQLite database to var/backups/, open the copy, verify its audit chain and row counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="Where to write the copy (default var/backups/ under HOMEWARD_VAR_DIR).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(POSTGRES_RUNBOOK)
        backup_dir = options["dir"] or Path(settings.VAR_DIR) / "backups"
        report = backup_drill(src_path=connection.settings_dict["NAME"], backup_dir=backup_dir)
        self.stdout.write(f"Backup written: {report.backup_path} ({report.backup_path.stat().st_size} bytes)")
        chain = report.chain
        if chain.intact:
            self.stdout.write(f"Audit chain on the copy: intact, {chain.checked} events")
        else:
            self.stdout.write(
                f"Audit chain on the copy: BROKEN at event {chain.bad_id} after {chain.checked} good events"
                f" of {chain.total}: {chain.problem}"
            )
        if report.differences:
            for table, (source, copy) in report.differences.items():
                self.stdout.write(f"Row count differs: {table}: source {source}, copy {copy}")
        else:
            rows = sum(report.source_counts.values())
            self.stdout.write(f"Row counts: {len(report.source_counts)} tables, all equal ({rows} rows)")
        self.stdout.write(f"Drill time (RTO): {report.seconds:.3f} s")
        if not report.ok:
            raise CommandError(
                f"Backup drill failed: the copy at {report.backup_path} is not a faithful restore"
            )
        self.stdout.write(self.style.SUCCESS("Backup drill passed"))
