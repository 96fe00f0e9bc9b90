"""`make test`'s suite runner: the whole suite on SQLite, then on PostgreSQL, then the browser tests.

Under CI=true a missing PostgreSQL or Chromium fails the run instead of being skipped (ARCHITECTURE).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import dj_database_url


def _run(label: str, args: list[str], env: dict[str, str]) -> int:
    print(f"\n=== {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)  # noqa: S603


def _postgres_reachable(url: str) -> bool:
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=cfg["HOST"],
            port=cfg["PORT"] or 5432,
            user=cfg["USER"],
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError:
        return False
    return True


def main() -> int:
    ci = os.environ.get("CI", "").lower() == "true"
    extra = sys.argv[1:]
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    failures = 0

    failures += _run("Suite on SQLite", ["-m", "not browser", *extra], env) != 0

    pg_url = os.environ.get("HOMEWARD_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/homeward")
    if _postgres_reachable(pg_url):
        failures += (
            _run(
                "Suite on PostgreSQL",
                ["-m", "not browser", *extra],
                {**env, "HOMEWARD_TEST_ON_POSTGRES": "1", "HOMEWARD_TEST_DATABASE_URL": pg_url},
            )
            != 0
        )
    elif ci:
        print(f"PostgreSQL is not reachable at {pg_url}: required under CI", file=sys.stderr)
        failures += 1
    else:
        print(f"\nSkipping the PostgreSQL run: nothing is listening at {pg_url}", flush=True)

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        failures += (
            _run(
                "Browser tests (Chromium)",
                ["-m", "browser", *extra],
                {**env, "HOMEWARD_CHROMIUM": chromium},
            )
            != 0
        )
    elif ci:
        print("Chromium is not installed: browser tests are required under CI", file=sys.stderr)
        failures += 1
    else:
        print("\nSkipping browser tests: install Debian's chromium to run them", flush=True)

    print("\nAll test runs passed." if not failures else f"\n{failures} test run(s) failed.", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
