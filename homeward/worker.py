"""Keeping background work restart-safe: a task is never lost, and never done twice.

The django-tasks database worker claims a task by marking it RUNNING. A worker killed in the middle
(power cut, OOM kill, a deploy's SIGKILL) leaves its task RUNNING for ever, and no other worker takes
it: the task would be lost. `requeue_abandoned_tasks` puts such tasks back to READY once they have been
running longer than the lease (HOMEWARD_TASK_LEASE_SECONDS; every task here takes seconds). It runs
when a worker starts (`homeward worker`) and at every clocks sweep.

A requeued task runs again, so every task is written to be safe to repeat:
- the clocks sweep recomputes from the records and escalates through a unique key (episodes.clocks);
- a notification email is claimed (pending → sending) before it is sent, so a repeat never sends it
  again; one left "sending" by a dead worker is marked failed ("delivery unknown") so the force
  phones instead of assuming it arrived (notifications.tasks).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.HOMEWARD_TASK_LEASE_SECONDS)


def requeue_abandoned_tasks(*, older_than: dt.timedelta | None = None) -> int:
    """RUNNING tasks started longer ago than the lease go back to READY. Returns how many."""
    cutoff = timezone.now() - (lease() if older_than is None else older_than)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.READY, started_at=None
    )


def prune_finished_tasks(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Successful task results older than a week: the sweep queues one a minute, so they add up.
    Failed ones are kept for someone to look at."""
    cutoff = timezone.now() - older_than
    deleted, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=cutoff
    ).delete()
    return deleted
