"""`homeward backup_drill`: back up the database, restore the copy, verify it, and time the restore (REL-4).

SQLite: an online copy to var/backups/, opened read-only. PostgreSQL: `pg_dump -Fc` to var/backups/,
`pg_restore` into `<database>_restore_drill`, which is dropped afterwards. Either way the audit chain is
verified and every table's row count compared on the copy (homeward/backup.py). Exits non-zero if the
chain is broken, any count differs, or the dump or restore fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from homeward.backup import DrillReport, RestoreError, backup_drill, pg_backup_drill


class Command(BaseCommand):
    help = (
        "Back up the database to var/backups/, restore the copy (SQLite: open it; PostgreSQL: pg_restore into "
        "a scratch database, dropped afterwards), verify its audit chain and row counts, and print the RTO."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="Where to write the copy (default var/backups/ under HOMEWARD_VAR_DIR).",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="PostgreSQL only: parallel pg_restore jobs (pg_restore --jobs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backup_dir = options["dir"] or Path(settings.VAR_DIR) / "backups"
        if connection.vendor == "postgresql":
            try:
                report = pg_backup_drill(backup_dir=backup_dir, jobs=options["jobs"])
            except RestoreError as error:
                raise CommandError(f"Backup drill failed: {error}") from error
            restored = f"Restored into database {report.restored_into} (dropped afterwards)"
        elif connection.vendor == "sqlite":
            report = backup_drill(src_path=connection.settings_dict["NAME"], backup_dir=backup_dir)
            restored = "Restored: the copy opened read-only on its own"
        else:  # pragma: no cover - settings accept only SQLite and PostgreSQL
            raise CommandError(f"No backup drill for {connection.vendor}")
        self._print(report, restored)
        if not report.ok:
            raise CommandError(
                f"Backup drill failed: the copy of {report.backup_path} is not a faithful restore"
            )
        self.stdout.write(self.style.SUCCESS("Backup drill passed"))

    def _print(self, report: DrillReport, restored: str) -> None:
        size = report.backup_path.stat().st_size
        self.stdout.write(
            f"Backup written: {report.backup_path} ({size} bytes) in {report.backup_seconds:.3f} s"
        )
        self.stdout.write(restored)
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
        self.stdout.write(
            f"Restore to verified (RTO): {report.seconds:.3f} s"
            f" (of which verifying the copy: {report.verify_seconds:.3f} s)"
        )
