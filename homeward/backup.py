"""Backup → restore → verify drill for the embedded SQLite database (security baseline REL-4).

`backup_sqlite` copies a live database with SQLite's online backup API, which is safe while the server
writes (WAL mode). `backup_drill` then opens the copy read-only on its own — the "restore" —
recomputes the audit hash chain on it and compares the row count of every table with the
source, timing the whole run as the recovery-time (RTO) figure. `homeward backup_drill` runs it;
docs/operations.md "Backup and restore" has the runbook for both databases and the recorded figure.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from homeward.audit.log import GENESIS_HASH, ChainCheck, event_digest
from homeward.audit.models import AuditEvent


def table_row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table of one SQLite database (SQLite's own bookkeeping tables left out)."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    # The names come from sqlite_master itself, quoted as identifiers, never from input.
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def backup_sqlite(src_path: str | Path, dest_path: str | Path) -> dict[str, int]:
    """Copy the database at `src_path` to a new single file at `dest_path`; return the source's row counts.

    The counts and the copy come from one read transaction, so they describe the same snapshot even
    while the server keeps writing: a difference found later is damage, not a race.
    """
    dest = Path(dest_path)
    if dest.exists():
        raise FileExistsError(dest)
    src = sqlite3.connect(src_path, isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout = 20000")
        src.execute("BEGIN")
        counts = table_row_counts(src)
        copy = sqlite3.connect(dest, isolation_level=None)
        try:
            src.backup(copy)
            # One self-contained file, with no -wal/-shm beside it to lose when it is moved.
            copy.execute("PRAGMA journal_mode = DELETE")
        except BaseException:
            copy.close()
            dest.unlink(missing_ok=True)  # never leave a half-written copy that looks like a backup
            raise
        copy.close()
        src.execute("COMMIT")
    finally:
        src.close()
    return counts


def audit_events_in(copy: sqlite3.Connection) -> Iterator[AuditEvent]:
    """Every audit event in a copied database, oldest first, as model instances.

    `homeward.audit.log.audit_chain_check` reads the default database only, so the copy is read with
    plain sqlite3 — but with the ORM's own SQL and value converters (the copy is SQLite like the source),
    so each event is built exactly as the ORM would build it and hashes the same way.
    """
    names = [f.attname for f in AuditEvent._meta.concrete_fields]
    compiler = AuditEvent.objects.order_by("id").values_list(*names).query.get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    cursor = copy.execute(sql.replace("%s", "?"), params)
    while rows := cursor.fetchmany(2000):
        for values in compiler.results_iter(results=[rows]):
            yield AuditEvent.from_db(DEFAULT_DB_ALIAS, names, values)


def restored_chain_check(copy: sqlite3.Connection) -> ChainCheck:
    """The audit hash chain recomputed on the copy: the same walk and hash as `audit_chain_check`."""
    total = copy.execute("SELECT COUNT(*) FROM audit_auditevent").fetchone()[0]
    prev = GENESIS_HASH
    checked = 0
    for event in audit_events_in(copy):
        if event.prev_hash != prev:
            return ChainCheck(
                total,
                checked,
                event.pk,
                "its link to the previous event does not match (an event before it was removed or altered)",
                expected_prev_hash=prev,
                found_prev_hash=event.prev_hash,
            )
        if event_digest(event) != event.hash:
            return ChainCheck(total, checked, event.pk, "its contents no longer match its hash (altered)")
        prev = event.hash
        checked += 1
    return ChainCheck(total, checked)


@dataclass(frozen=True)
class DrillReport:
    backup_path: Path
    chain: ChainCheck
    source_counts: dict[str, int]
    copy_counts: dict[str, int]
    seconds: float
    differences: dict[str, tuple[int | None, int | None]] = field(init=False)

    def __post_init__(self) -> None:
        tables = sorted(set(self.source_counts) | set(self.copy_counts))
        diff = {
            t: (self.source_counts.get(t), self.copy_counts.get(t))
            for t in tables
            if self.source_counts.get(t) != self.copy_counts.get(t)
        }
        object.__setattr__(self, "differences", diff)

    @property
    def ok(self) -> bool:
        return self.chain.intact and not self.differences


def backup_drill(*, src_path: str | Path, backup_dir: Path) -> DrillReport:
    """Back up, restore (open the copy), verify the audit chain and the row counts; time it all."""
    started = time.perf_counter()
    backup_dir.mkdir(parents=True, exist_ok=True)
    dest = backup_dir / f"{timezone.now():%Y%m%dT%H%M%S%fZ}.sqlite3"
    source_counts = backup_sqlite(src_path, dest)
    # "Restore": open the copy on its own, read-only, as a recovering server would open it.
    copy = sqlite3.connect(f"{dest.resolve().as_uri()}?mode=ro", uri=True)
    try:
        chain = restored_chain_check(copy)
        copy_counts = table_row_counts(copy)
    finally:
        copy.close()
    return DrillReport(dest, chain, source_counts, copy_counts, time.perf_counter() - started)
