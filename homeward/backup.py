"""Backup → restore → verify drill (security baseline REL-4), on SQLite and on PostgreSQL.

A backup is only a backup once it has been restored and checked, so the drill does all three and times
the restore: the recovery-time (RTO) figure in docs/operations.md "Backup and restore".

- **SQLite**: `backup_sqlite` copies the live database with SQLite's online backup API, which is safe
  while the server writes (WAL mode). The "restore" is opening that copy on its own, read-only.
- **PostgreSQL**: `pg_dump_snapshot` dumps the database (`pg_dump -Fc`) from a snapshot it also counts
  the rows in; `pg_restore_into` restores the dump into a scratch database named after the source with
  `_restore_drill` added, which is dropped afterwards.

Either way the copy is then read through a second Django database alias, so the audit hash chain is
recomputed by the very code `homeward audit verify` runs (`homeward.audit.log.audit_chain_check`, archive
anchor included), and the row count of every table is compared with the source's. `homeward
backup_drill` runs it.
"""

from __future__ import annotations

import copy
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone
from psycopg import sql

from homeward.audit.log import ChainCheck, audit_chain_check

# The alias the copy is opened under while it is checked; it exists only for the length of a drill.
RESTORED_ALIAS = "restore_drill"
RESTORED_DATABASE_SUFFIX = "_restore_drill"
# PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
POSTGRES_NAME_LIMIT = 63

_SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
)
# The server quotes each name itself (quote_ident), so the COUNT below never splices raw text.
_POSTGRES_TABLES = """
SELECT CASE WHEN schemaname = 'public' THEN tablename ELSE schemaname || '.' || tablename END,
       quote_ident(schemaname) || '.' || quote_ident(tablename)
FROM pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1
"""


class RestoreError(Exception):
    """pg_dump or pg_restore failed; the message carries what it printed."""


def table_row_counts(cursor: Any, vendor: str) -> dict[str, int]:
    """Rows in every table of one database (the database's own catalogue left out), by any DB-API cursor."""
    if vendor == "postgresql":
        cursor.execute(_POSTGRES_TABLES)
        tables = [(name, quoted) for name, quoted in cursor.fetchall()]
    else:
        cursor.execute(_SQLITE_TABLES)
        tables = [(name, '"' + name.replace('"', '""') + '"') for (name,) in cursor.fetchall()]
    counts = {}
    for name, quoted in tables:
        # The names come from the catalogue itself, quoted as identifiers, never from input.
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
        counts[name] = cursor.fetchone()[0]
    return counts


@contextmanager
def database_alias(
    alias: str, *, like: str = DEFAULT_DB_ALIAS, **changes: Any
) -> Iterator[BaseDatabaseWrapper]:
    """A Django connection under `alias`, configured like `like` with `changes`, gone again afterwards.

    The drill reads the copy through the ORM, not through hand-written SQL, so that what it verifies is
    exactly what `homeward audit verify` would verify if the copy were the live database. The connection
    is this thread's only and is never added to the settings: nothing else can reach the copy by it.
    """
    if alias in connections.settings:
        raise RuntimeError(f"database alias {alias!r} is configured in the settings already")
    config = {**copy.deepcopy(connections[like].settings_dict), **changes}
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


def restored_copy_check(alias: str) -> tuple[ChainCheck, dict[str, int]]:
    """The audit chain and the row counts of the database open under `alias`."""
    chain = audit_chain_check(using=alias)
    with connections[alias].cursor() as cursor:
        counts = table_row_counts(cursor, connections[alias].vendor)
    return chain, counts


@dataclass(frozen=True)
class DrillReport:
    backup_path: Path
    restored_into: str  # the copy file, or the scratch database it was restored into (dropped since)
    chain: ChainCheck
    source_counts: dict[str, int]
    copy_counts: dict[str, int]
    backup_seconds: float
    seconds: float  # the RTO: from the start of the restore until the copy is verified
    verify_seconds: float  # the part of the RTO spent checking the chain and the counts
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


def _backup_path(backup_dir: Path, suffix: str) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    return backup_dir / f"{timezone.now():%Y%m%dT%H%M%S%fZ}{suffix}"


# --- SQLite ------------------------------------------------------------------------------------------


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
        counts = table_row_counts(src.cursor(), "sqlite")
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


def backup_drill(*, src_path: str | Path, backup_dir: Path) -> DrillReport:
    """SQLite: back up, restore (open the copy read-only), verify the audit chain and the row counts."""
    started = time.perf_counter()
    dest = _backup_path(backup_dir, ".sqlite3")
    source_counts = backup_sqlite(src_path, dest)
    restore_started = time.perf_counter()
    # Opened read-only and without the live database's start-up PRAGMAs, which would turn the copy
    # into a WAL database with files beside it, as a recovering server would open it to look first.
    options = {
        k: v
        for k, v in connections[DEFAULT_DB_ALIAS].settings_dict.get("OPTIONS", {}).items()
        if k not in ("init_command", "transaction_mode")
    }
    with database_alias(RESTORED_ALIAS, NAME=f"{dest.resolve().as_uri()}?mode=ro", OPTIONS=options):
        verify_started = time.perf_counter()
        chain, copy_counts = restored_copy_check(RESTORED_ALIAS)
    finished = time.perf_counter()
    return DrillReport(
        dest,
        str(dest),
        chain,
        source_counts,
        copy_counts,
        restore_started - started,
        finished - restore_started,
        finished - verify_started,
    )


# --- PostgreSQL --------------------------------------------------------------------------------------


def restored_database_name(source: str) -> str:
    """`<source>_restore_drill`, shortened to fit PostgreSQL's 63-byte names; never the source itself."""
    room = POSTGRES_NAME_LIMIT - len(RESTORED_DATABASE_SUFFIX)
    name = source.encode()[:room].decode(errors="ignore") + RESTORED_DATABASE_SUFFIX
    if name == source:
        # A source already named like a scratch copy would otherwise be dropped by the drill.
        raise ValueError(f"refusing to drill {source!r}: its scratch copy would have the same name")
    return name


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RestoreError(f"{name} was not found on PATH (install the PostgreSQL client tools)")
    return path


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for pg_dump/pg_restore, so the password never appears on a command line."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    if sslmode := settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _pg_connect(settings_dict: dict[str, Any], *, dbname: str | None = None) -> psycopg.Connection[Any]:
    params = {
        "dbname": dbname or settings_dict["NAME"],
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "sslmode": settings_dict.get("OPTIONS", {}).get("sslmode"),
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RestoreError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()}")


def pg_reads_every_row(cursor: Any) -> bool:
    """Whether the connected role escapes row-level security: a superuser, or a role with BYPASSRLS.

    The tenant tables' policies are forced (homeward.security.row_security), so they bind even the
    tables' owner: any other role would dump, and count, only part of the data — pg_dump refuses, and
    the drill refuses first, with the reason.
    """
    cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


def pg_dump_snapshot(settings_dict: dict[str, Any], dest: Path) -> dict[str, int]:
    """`pg_dump -Fc` the database to `dest` and return its row counts, both from one snapshot.

    A repeatable-read transaction counts the rows and exports its snapshot; pg_dump dumps from that same
    snapshot while the transaction stays open. So, as on SQLite, the counts describe exactly what was
    dumped even while the server keeps writing: a difference found later is damage, not a race.
    """
    if dest.exists():
        raise FileExistsError(dest)
    with _pg_connect(settings_dict) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cursor:
            if not pg_reads_every_row(cursor):
                raise RestoreError(
                    f"the role {settings_dict.get('USER') or '(default)'} cannot read every row past row-level "
                    "security: run the drill as a superuser or a role with BYPASSRLS (and CREATEDB)"
                )
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            snapshot = row[0]
            counts = table_row_counts(cursor, "postgresql")
            try:
                _run(
                    [
                        _pg_tool("pg_dump"),
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={dest}",
                        f"--dbname={settings_dict['NAME']}",
                    ],
                    _pg_environment(settings_dict),
                )
            except BaseException:
                dest.unlink(missing_ok=True)  # never leave a half-written dump that looks like a backup
                raise
    return counts


def pg_restore_into(dump: Path, database: str, settings_dict: dict[str, Any], *, jobs: int = 1) -> None:
    """Restore a `pg_dump -Fc` file into the (new, empty) database `database`; stop at the first error."""
    _run(
        [
            _pg_tool("pg_restore"),
            "--exit-on-error",
            f"--jobs={jobs}",
            f"--dbname={database}",
            str(dump),
        ],
        _pg_environment(settings_dict),
    )


def _drop_database(admin: psycopg.Connection[Any], name: str) -> None:
    # FORCE: a drill that died half-way may have left a connection to its scratch copy open.
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pg_backup_drill(*, backup_dir: Path, using: str = DEFAULT_DB_ALIAS, jobs: int = 1) -> DrillReport:
    """PostgreSQL: dump, restore into `<database>_restore_drill`, verify the chain and the row counts there.

    The RTO runs from creating the scratch database until its checks are done; the scratch database is
    dropped afterwards whatever happened, and the dump is kept in `backup_dir` (it is a real backup).
    """
    settings_dict = connections[using].settings_dict
    scratch = restored_database_name(settings_dict["NAME"])
    started = time.perf_counter()
    dest = _backup_path(backup_dir, ".dump")
    source_counts = pg_dump_snapshot(settings_dict, dest)
    restore_started = time.perf_counter()
    with _pg_connect(settings_dict) as admin:
        _drop_database(admin, scratch)  # left by a drill that was killed before it could clean up
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(scratch)))
        try:
            pg_restore_into(dest, scratch, settings_dict, jobs=jobs)
            verify_started = time.perf_counter()
            with database_alias(RESTORED_ALIAS, like=using, NAME=scratch):
                chain, copy_counts = restored_copy_check(RESTORED_ALIAS)
            finished = time.perf_counter()
        finally:
            _drop_database(admin, scratch)
    return DrillReport(
        dest,
        scratch,
        chain,
        source_counts,
        copy_counts,
        restore_started - started,
        finished - restore_started,
        finished - verify_started,
    )
