"""The worker is restart-safe: a task a stopped worker left running is not lost, and nothing is done twice.

These run the real worker (`homeward worker`, django-tasks' db_worker) as a separate process against
the test database, as `make run` does.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from homeward.audit.models import AuditEvent
from homeward.episodes.models import Clock, ClockAlert, Episode
from homeward.episodes.tasks import clocks_sweep
from homeward.episodes.tests.factories import assess, make_ruby, report
from homeward.notifications import tasks as notification_tasks
from homeward.notifications.models import DeliveryStatus, Notification

pytestmark = pytest.mark.django_db(transaction=True)


def _worker_env() -> dict[str, str]:
    """Point a child process at this test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMEWARD_TEST_", "DATABASE_URL"))}
    cfg = connection.settings_dict
    if connection.vendor == "sqlite":
        env["HOMEWARD_SQLITE_PATH"] = str(cfg["NAME"])
    else:
        auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{cfg['HOST']}:{cfg['PORT'] or 5432}/{cfg['NAME']}"
    env["HOMEWARD_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    return env


def run_worker() -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "homeward.cli", "worker", "--batch", "--lease-seconds", "0"],
        env=_worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def overdue_episode(world) -> Episode:
    episode = assess(world, report(world, make_ruby(world)))
    Episode.objects.filter(pk=episode.pk).update(sign_off_due=timezone.now() - dt.timedelta(minutes=5))
    return episode


def test_a_sweep_left_running_by_a_killed_worker_runs_once_after_restart(world):
    episode = overdue_episode(world)
    result = clocks_sweep.enqueue()
    # The worker claimed the task and was killed before doing anything (kill -9 mid-task).
    claimed = DBTaskResult.objects.get(pk=result.id)
    claimed.claim("killed-worker")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING

    finished = run_worker()
    assert finished.returncode == 0, finished.stderr
    assert "Requeued 1 task" in finished.stdout
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert ClockAlert.objects.filter(episode=episode, clock=Clock.SIGN_OFF).count() == 1

    # The same sweep queued again and run by a second restart does nothing twice.
    clocks_sweep.enqueue()
    assert run_worker().returncode == 0
    assert ClockAlert.objects.filter(episode=episode, clock=Clock.SIGN_OFF).count() == 1
    assert AuditEvent.objects.filter(event_type="clock.escalated").count() == 1
    assert not DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def test_an_email_claimed_by_a_killed_worker_is_never_sent_twice_and_is_flagged(world):
    episode = report(world, make_ruby(world))
    notification = Notification.objects.filter(episode=episode).first()
    assert notification is not None
    # A retry of a task whose email already went finds it claimed, and sends nothing.
    Notification.objects.filter(pk=notification.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert notification_tasks.send_notification_email.call(notification.pk) == "skipped"
    # The sweep then says delivery is unknown, so the force phones rather than assume.
    assert notification_tasks.mark_abandoned_sends_failed(older_than=dt.timedelta(minutes=10)) == 1
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.FAILED
    assert "Delivery unknown" in notification.email_error


def test_old_successful_results_are_pruned_and_failures_kept(world):
    from homeward.worker import prune_finished_tasks

    old = timezone.now() - dt.timedelta(days=8)
    done = clocks_sweep.enqueue()
    failed = clocks_sweep.enqueue()
    recent = clocks_sweep.enqueue()
    DBTaskResult.objects.filter(pk=done.id).update(status=TaskResultStatus.SUCCESSFUL, finished_at=old)
    DBTaskResult.objects.filter(pk=failed.id).update(status=TaskResultStatus.FAILED, finished_at=old)
    DBTaskResult.objects.filter(pk=recent.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
    )
    assert prune_finished_tasks() == 1
    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {failed.id, recent.id}
