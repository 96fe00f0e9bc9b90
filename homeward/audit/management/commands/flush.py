"""Django's `flush`, able to empty the audit table outside production.

The test suite flushes the database after every transactional test, and the append-only triggers would
refuse. In production (`HOMEWARD_PRODUCTION=true`) the guard stays on, so `flush` fails at the audit
table: the log is only ever purged by the retention job (AUD-9).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import flush

from homeward.audit.guard import audit_maintenance


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            super().handle(**options)
            return
        with audit_maintenance(using=options["database"]):
            super().handle(**options)
