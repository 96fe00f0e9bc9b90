"""System checks holding the sign-in policy to the security baseline (AUTH-1).

Each number may be made stricter through the environment, never looser than the baseline allows:
`homeward check` (and so every start-up and the test suite) fails on a value outside its range.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

# setting: (lowest allowed, highest allowed, the baseline's rule)
POLICY_RANGES: dict[str, tuple[int, int, str]] = {
    "HOMEWARD_PASSWORD_MIN_LENGTH": (12, 64, "P2: at least 12 characters"),
    "HOMEWARD_PASSWORD_MAX_LENGTH": (64, 4096, "P2: allow at least 64 characters"),
    "HOMEWARD_LOCKOUT_FAILURES": (3, 5, "P6: lock after at most 5 failures"),
    "HOMEWARD_LOCKOUT_WINDOW_MINUTES": (10, 1440, "P6: count failures over at least 10 minutes"),
    "HOMEWARD_LOCKOUT_MINUTES": (10, 1440, "P6: lock for at least 10 minutes"),
    "HOMEWARD_SESSION_IDLE_MINUTES": (1, 30, "P7: idle sessions end within 30 minutes"),
    "HOMEWARD_SESSION_ABSOLUTE_HOURS": (1, 12, "P8: sessions end within 12 hours"),
    "HOMEWARD_STEP_UP_MINUTES": (1, 30, "P9: step-up proves the factors within 15-30 minutes"),
    "HOMEWARD_INACTIVE_ACCOUNT_DAYS": (1, 90, "P11: disable accounts unused for 90 days"),
    "HOMEWARD_BACKUP_CODES": (5, 20, "P1: a handful of single-use backup codes"),
    "HOMEWARD_PASSWORD_MAX_AGE_DAYS": (0, 3650, "P4: 0 (no forced rotation) or a number of days"),
}


@register("security")
def sign_in_policy_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    for name, (low, high, rule) in POLICY_RANGES.items():
        value = getattr(settings, name, None)
        if not isinstance(value, int) or not low <= value <= high:
            errors.append(
                Error(
                    f"{name} is {value!r}; it must be between {low} and {high}",
                    hint=rule,
                    id="homeward.E101",
                )
            )
    if settings.HOMEWARD_PASSWORD_MAX_LENGTH < settings.HOMEWARD_PASSWORD_MIN_LENGTH:
        errors.append(Error("HOMEWARD_PASSWORD_MAX_LENGTH is below the minimum length", id="homeward.E102"))
    if settings.SESSION_COOKIE_AGE > settings.HOMEWARD_SESSION_ABSOLUTE_HOURS * 3600:
        errors.append(
            Error("SESSION_COOKIE_AGE outlives the absolute session limit", hint="P8", id="homeward.E104")
        )
    return errors
