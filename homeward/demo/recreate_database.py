"""`python -m homeward.demo.recreate_database URL`: drop and create the PostgreSQL database in URL (for
the national benchmark's scratch database; refuses any database not named as a benchmark one)."""

from __future__ import annotations

import sys

import dj_database_url
import psycopg
from psycopg import sql


def recreate(url: str) -> None:
    cfg = dj_database_url.parse(url)
    name = str(cfg["NAME"])
    if "national" not in name and "bench" not in name:
        raise SystemExit(
            f"refusing to drop {name!r}: only a benchmark database (its name has 'national' or 'bench')"
        )
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    recreate(sys.argv[1])
