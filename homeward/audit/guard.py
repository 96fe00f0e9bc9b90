"""The database guard that keeps audit_auditevent append-only (migration 0002) and its one way round.

UPDATE is refused always. DELETE and TRUNCATE are refused unless audit maintenance is on for the
connection: `audit_maintenance()` turns it on for `flush` outside production (tests empty the database
between transactional tests) and for a retention purge, which must log its own erasure event (AUD-9).
On PostgreSQL the switch is a session setting; on SQLite, a function Homeward registers on each
connection it opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

_FLAG = "_homeward_audit_maintenance"


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created receiver: give SQLite connections the function the DELETE trigger asks."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        "homeward_audit_maintenance", 0, lambda: int(getattr(connection, _FLAG, False))
    )


@contextmanager
def audit_maintenance(using: str = "default") -> Iterator[None]:
    """Allow DELETE/TRUNCATE of audit rows on this connection until the block ends. Never UPDATE."""
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET homeward.audit_maintenance = 'on'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET homeward.audit_maintenance")
    else:
        setattr(connection, _FLAG, True)
        try:
            yield
        finally:
            setattr(connection, _FLAG, False)
