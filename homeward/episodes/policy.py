"""The configurable rules of risk grading and the lifecycle, read from settings (SPEC §3–4)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from homeward.episodes.models import Status


def risk_levels() -> list[tuple[str, str]]:
    return [(code, label) for code, label in settings.HOMEWARD_RISK_LEVELS]


def risk_label(code: str) -> str:
    return dict(risk_levels()).get(code, code or "Not assessed")


def risk_rank(code: str) -> int:
    """Position on the scale, lowest first; -1 for none."""
    codes = [c for c, _ in risk_levels()]
    return codes.index(code) if code in codes else -1


def levels_allowed(*, is_child: bool | None) -> list[tuple[str, str]]:
    # An unknown age may be a child's, so the child rule applies unless the person is known to be an adult.
    forbidden = set(settings.HOMEWARD_FORBIDDEN_CHILD_LEVELS) if is_child is not False else set()
    return [(c, label) for c, label in risk_levels() if c not in forbidden]


def review_interval(level: str) -> dt.timedelta:
    return dt.timedelta(minutes=settings.HOMEWARD_REVIEW_MINUTES[level])


def sign_off_interval() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HOMEWARD_SIGN_OFF_MINUTES)


# Each lifecycle action, the statuses it may start from, and where it leads.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "assess_risk": (frozenset({Status.REPORTED, Status.ACTIVE, Status.LONG_TERM}), None),
    "mark_found": (frozenset({Status.ACTIVE, Status.LONG_TERM}), Status.FOUND),
    "mark_long_term": (frozenset({Status.ACTIVE}), Status.LONG_TERM),
    "record_prevention_interview": (frozenset({Status.FOUND}), None),
    "close": (frozenset({Status.FOUND, Status.FOUND_DECEASED}), Status.CLOSED),
    "decide_not_recorded": (frozenset({Status.REPORTED}), Status.NOT_RECORDED),
    "overturn_not_recorded": (frozenset({Status.NOT_RECORDED}), Status.REPORTED),
}

# Why a transition is refused, in words a user can act on.
REFUSALS: dict[tuple[str, str], str] = {
    ("mark_found", Status.REPORTED): "Record the first risk assessment before recording the person as found.",
    ("close", Status.ACTIVE): "The person is still missing: record them as found before closing the episode.",
    (
        "close",
        Status.REPORTED,
    ): "The person is still missing: record them as found before closing the episode.",
    ("decide_not_recorded", Status.ACTIVE): (
        "A risk assessment has been recorded, so this report is already recorded as a missing episode."
    ),
}
