"""System check holding audit retention to the baseline (P12, AUD-9): at least one year online."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from homeward.audit.retention import MINIMUM_RETENTION_DAYS, retention_days


@register("security")
def audit_retention_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    days = retention_days()
    if days < MINIMUM_RETENTION_DAYS:
        return [
            Error(
                f"HOMEWARD_AUDIT_RETENTION_DAYS is {days}; it must be at least {MINIMUM_RETENTION_DAYS}",
                hint="P12/AUD-9: audit events stay online for at least one year",
                id="homeward.E301",
            )
        ]
    return []
