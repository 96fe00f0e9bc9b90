"""The 72-hour offer clock, with time under the test's control."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.returns.models import ReturnInterview
from homeward.returns.selectors import rhis_overdue_for
from homeward.returns.tasks import overdue_ids, rhi_overdue_sweep
from homeward.returns.tests.helpers import assigned, found_ruby, offered

pytestmark = pytest.mark.django_db


def test_overdue_means_not_offered_by_the_deadline(rw):
    episode, rhi = found_ruby(rw.world)
    due = episode.found_at + dt.timedelta(hours=72)
    assert rhi.offer_due_at == due
    officer = rw.world.officer
    assert rhis_overdue_for(actor=officer, now=due - dt.timedelta(minutes=1)) == []
    assert rhis_overdue_for(actor=officer, now=due) == []  # due at, not yet over
    assert rhis_overdue_for(actor=officer, now=due + dt.timedelta(minutes=1)) == [rhi]
    # Scoped: the outsider council is told of none; the worker only of their own.
    assert rhis_overdue_for(actor=rw.world.outsider, now=due + dt.timedelta(hours=1)) == []
    rhi = assigned(rw, rhi)
    assert rhis_overdue_for(actor=rw.worker, now=due + dt.timedelta(hours=1)) == [rhi]
    assert rhis_overdue_for(actor=rw.other_worker, now=due + dt.timedelta(hours=1)) == []
    # Offered: the clock has stopped, however late it now is.
    offered(rw, rhi)
    assert rhis_overdue_for(actor=officer, now=due + dt.timedelta(days=10)) == []


def test_the_sweep_returns_the_overdue_interviews(rw):
    _, late = found_ruby(rw.world)
    ReturnInterview.objects.filter(pk=late.pk).update(offer_due_at=timezone.now() - dt.timedelta(hours=1))
    assert rhi_overdue_sweep.call() == [late.pk]
    assert rhi_overdue_sweep.call() == [late.pk]  # reads only: the same answer twice
    fixed = timezone.now() - dt.timedelta(hours=2)
    assert overdue_ids(now=fixed) == []


def test_the_sweep_can_be_queued_for_the_worker(rw):
    from django_tasks_db.models import DBTaskResult

    rhi_overdue_sweep.enqueue()
    assert DBTaskResult.objects.filter(task_path="homeward.returns.tasks.rhi_overdue_sweep").count() == 1
