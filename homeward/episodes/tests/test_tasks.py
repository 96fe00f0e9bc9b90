from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from homeward.episodes.models import Episode, EpisodeEvent, Status
from homeward.episodes.tasks import clocks_sweep
from homeward.episodes.tests.factories import assess, make_adult, make_ruby, report

pytestmark = pytest.mark.django_db


def test_sweep_moves_only_episodes_past_the_threshold(world, settings):
    settings.HOMEWARD_LONG_TERM_DAYS = 28
    old = assess(world, report(world, make_ruby(world)))
    young = assess(world, report(world, make_adult(world), from_home=False))
    Episode.objects.filter(pk=old.pk).update(reported_at=timezone.now() - dt.timedelta(days=28, minutes=1))
    assert clocks_sweep.call() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, young.status) == (Status.LONG_TERM, Status.ACTIVE)
    event = EpisodeEvent.objects.get(episode=old, kind="long_term")
    assert event.actor is None
    assert clocks_sweep.call() == 0  # idempotent


def test_clocks_command_can_queue_the_sweep_for_the_worker(world):
    from django_tasks_db.models import DBTaskResult

    call_command("clocks", "--enqueue")
    assert DBTaskResult.objects.filter(task_path="homeward.episodes.tasks.clocks_sweep").count() == 1
