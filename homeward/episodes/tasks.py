"""Background work for episodes, run by the database-backed worker (`homeward db_worker`).

The sweep moves open episodes to long-term missing after HOMEWARD_LONG_TERM_DAYS, then escalates every
overdue clock of SPEC §4 (episodes.clocks). Both steps are idempotent, so the worker may run the task
twice (a retry after a restart, two sweeps queued close together) without doing anything twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from homeward.episodes.actions import episode_mark_long_term
from homeward.episodes.clocks import escalate_overdue_clocks
from homeward.episodes.models import Episode, Status
from homeward.errors import DomainError
from homeward.notifications.tasks import mark_abandoned_sends_failed
from homeward.worker import lease, prune_finished_tasks, requeue_abandoned_tasks


def long_term_due() -> list[Episode]:
    cutoff = timezone.now() - dt.timedelta(days=settings.HOMEWARD_LONG_TERM_DAYS)
    return list(Episode.objects.filter(status=Status.ACTIVE, reported_at__lte=cutoff).order_by("reported_at"))


@task()
def clocks_sweep() -> int:
    """Long-term moves, then escalations. Returns how many episodes became long-term missing."""
    requeue_abandoned_tasks()
    prune_finished_tasks()
    mark_abandoned_sends_failed(older_than=lease())
    moved = mark_long_term_due()
    escalate_overdue_clocks(now=timezone.now())
    # Monday morning: the weekly datasets to their subscribers (a no-op once delivered).
    from homeward.insights.delivery import deliver_weekly_reports

    deliver_weekly_reports(now=timezone.now())
    # Monday morning too: each force's weekly audit review to its supervisors (P13; once a week).
    from homeward.audit.anomalies import deliver_anomaly_reports

    deliver_anomaly_reports(now=timezone.now())
    # Breach incidents nearing or past their 72 hours to the ICO: their responders are emailed (P14;
    # once per incident and warning).
    from homeward.audit.breach_warnings import send_breach_deadline_warnings

    send_breach_deadline_warnings(now=timezone.now())
    # Accounts unused for 90 days are disabled (security baseline P11).
    from homeward.identity.accounts import accounts_disable_inactive

    accounts_disable_inactive(now=timezone.now())
    # API idempotency keys older than 24 h (security baseline REL-2).
    from homeward.idempotency.keys import prune_idempotency_keys

    prune_idempotency_keys(now=timezone.now())
    return moved


def mark_long_term_due() -> int:
    moved = 0
    for episode in long_term_due():
        try:
            episode_mark_long_term(actor=None, episode=episode, expected_version=episode.version)
        except DomainError:
            # Someone changed it meanwhile (found, regraded): the next sweep looks again.
            continue
        moved += 1
    return moved
