"""REL-6: every model change has its migration (`makemigrations --check`), on whichever database runs the suite.

A model edited without `homeward makemigrations` works in a developer's freshly migrated test database
only by luck, and is missing from every real database the next deploy migrates.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:  # --check exits 1 when a migration would be written
        pytest.fail(
            f"makemigrations --check found changes without a migration (exit {missing.code}):\n{out.getvalue()}"
        )
    assert "No changes detected" in out.getvalue()
