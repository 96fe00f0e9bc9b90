"""Background work for episodes, run by the database-backed worker (`homeward db_worker`).

Issue 2 keeps one clock here: open episodes pass to long-term missing after HOMEWARD_LONG_TERM_DAYS.
The other clocks of SPEC §4 (review, sign-off, MPU at 72 h, interviews) are shown on every page and
dashboard already; escalating them is issue 3's work.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from homeward.episodes.actions import episode_mark_long_term
from homeward.episodes.models import Episode, Status
from homeward.errors import DomainError


def long_term_due() -> list[Episode]:
    cutoff = timezone.now() - dt.timedelta(days=settings.HOMEWARD_LONG_TERM_DAYS)
    return list(Episode.objects.filter(status=Status.ACTIVE, reported_at__lte=cutoff).order_by("reported_at"))


@task()
def clocks_sweep() -> int:
    """Move every episode past the threshold to long-term missing. Idempotent: safe to run twice."""
    moved = 0
    for episode in long_term_due():
        try:
            episode_mark_long_term(actor=None, episode=episode, expected_version=episode.version)
        except DomainError:
            # Someone changed it meanwhile (found, regraded): the next sweep looks again.
            continue
        moved += 1
    return moved
