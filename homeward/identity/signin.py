"""What a signed-in session records, and the rules read from it (security baseline P1, P7-P9).

Signing in takes two steps. The password step logs the user in to Django and stamps the session with
the sign-in time; until the second factor (a TOTP code or a backup code) stamps it as verified, the
session reaches only the second-factor pages and sign-out (homeward.identity.middleware). Times are
Unix seconds, so they survive the session serialiser and compare without time zones.

- SIGNED_IN_AT: when the password was accepted at sign-in; the absolute limit (P8) runs from here.
- PASSWORD_AT / SECOND_FACTOR_AT: when each factor was last proved; step-up (P9) looks at both.
- LAST_SEEN_AT: the last request the person made; the idle limit (P7) runs from here.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

SIGNED_IN_AT = "homeward_signed_in_at"
PASSWORD_AT = "homeward_password_at"  # noqa: S105 (a session key name)
SECOND_FACTOR_AT = "homeward_second_factor_at"
LAST_SEEN_AT = "homeward_last_seen_at"


def now_seconds() -> float:
    # time.time(), not the database clock: time-machine moves it in tests.
    return time.time()


def session_mark_password(session: SessionBase, *, at: float | None = None) -> None:
    """The password step of sign-in passed: a new sign-in starts, with no second factor yet."""
    at = now_seconds() if at is None else at
    session[SIGNED_IN_AT] = at
    session[PASSWORD_AT] = at
    session[LAST_SEEN_AT] = at
    session.pop(SECOND_FACTOR_AT, None)


def session_mark_second_factor(session: SessionBase, *, at: float | None = None) -> None:
    at = now_seconds() if at is None else at
    session[SECOND_FACTOR_AT] = at
    session[LAST_SEEN_AT] = at


def session_mark_reauthenticated(session: SessionBase, *, at: float | None = None) -> None:
    """Step-up: password and code proved again (the sign-in time, and so the absolute limit, stay)."""
    at = now_seconds() if at is None else at
    session[PASSWORD_AT] = at
    session[SECOND_FACTOR_AT] = at
    session[LAST_SEEN_AT] = at


def session_mark_signed_in(session: SessionBase, *, at: float | None = None) -> None:
    """Both factors at once. Only for code that has already proved both (and the test helper that
    stands in for doing so: homeward.conftest)."""
    at = now_seconds() if at is None else at
    session_mark_password(session, at=at)
    session_mark_second_factor(session, at=at)


def session_second_factor_verified(session: SessionBase | dict[str, Any]) -> bool:
    return isinstance(session.get(SECOND_FACTOR_AT), int | float)


def session_expiry_reason(session: SessionBase | dict[str, Any], *, now: float | None = None) -> str:
    """Why this signed-in session may not be used any more ("" while it may).

    A session without a sign-in time was not made by Homeward's sign-in (or predates it): it is ended.
    """
    now = now_seconds() if now is None else now
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if not isinstance(signed_in_at, int | float) or not isinstance(last_seen_at, int | float):
        return "no sign-in time"
    if now - signed_in_at > settings.HOMEWARD_SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute limit"
    if now - last_seen_at > settings.HOMEWARD_SESSION_IDLE_MINUTES * 60:
        return "idle limit"
    return ""


def session_recently_authenticated(
    session: SessionBase | dict[str, Any], *, now: float | None = None
) -> bool:
    """Password and second factor both proved within the step-up window (P9)."""
    now = now_seconds() if now is None else now
    window = settings.HOMEWARD_STEP_UP_MINUTES * 60
    password_at = session.get(PASSWORD_AT)
    second_at = session.get(SECOND_FACTOR_AT)
    return (
        isinstance(password_at, int | float)
        and isinstance(second_at, int | float)
        and now - password_at <= window
        and now - second_at <= window
    )
