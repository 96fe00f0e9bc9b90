"""Repeat, persistent and first-time missing, with hand-worked cases at the window edges."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.episodes.models import Episode, Status
from homeward.episodes.patterns import pattern_for, patterns_for
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report

pytestmark = pytest.mark.django_db


def history(world, person, days_ago: list[float], *, statuses=None):
    """Episodes for `person` reported `days_ago` days before now, oldest first; the last stays open."""
    episodes = []
    for i, days in enumerate(sorted(days_ago, reverse=True)):
        episode = report(
            world,
            person,
            from_home=person.looked_after,
            reasonable_steps="Searched the home" if person.looked_after else "",
        )
        Episode.objects.filter(pk=episode.pk).update(reported_at=timezone.now() - dt.timedelta(days=days))
        episode.refresh_from_db()
        if i < len(days_ago) - 1:
            episode = find(world, assess(world, episode))
            Episode.objects.filter(pk=episode.pk).update(status=(statuses or {}).get(i, Status.CLOSED))
        episodes.append(episode)
    return episodes


def test_first_ever_episode_of_a_child_prompts_early_help(world):
    (episode,) = history(world, make_ruby(world), [0])
    p = pattern_for(episode)
    assert p.first_time_child and not p.repeat and not p.persistent
    assert p.prompts == ["First time missing: refer to early help."]


def test_an_adults_first_episode_prompts_nothing(world):
    (episode,) = history(world, make_adult(world), [0])
    assert pattern_for(episode).prompts == []


def test_repeat_window_is_365_days(world):
    *_, inside = history(world, make_ruby(world), [364.9, 0])
    assert pattern_for(inside).repeat and pattern_for(inside).episodes_in_repeat_window == 1


def test_an_episode_more_than_365_days_ago_is_not_a_repeat_but_is_not_first_time(world):
    *_, latest = history(world, make_ruby(world), [365.1, 0])
    p = pattern_for(latest)
    assert not p.repeat and not p.first_time_child


def test_persistent_at_three_in_ninety_days_including_this_one(world):
    *_, third = history(world, make_ruby(world), [89.9, 30, 0])
    p = pattern_for(third)
    assert p.persistent and p.episodes_in_persistent_window == 3
    assert "trigger plan" in p.prompts[0]


def test_three_episodes_over_more_than_ninety_days_are_not_persistent(world):
    *_, third = history(world, make_ruby(world), [90.1, 30, 0])
    assert not pattern_for(third).persistent


def test_decisions_not_to_record_do_not_count(world):
    *_, latest = history(world, make_ruby(world), [60, 30, 0], statuses={0: Status.NOT_RECORDED})
    p = pattern_for(latest)
    assert p.episodes_in_persistent_window == 2 and not p.persistent


def test_flags_are_judged_at_report_time_not_now(world):
    first, second, third = history(world, make_ruby(world), [50, 40, 0])
    assert pattern_for(first).first_time_child and not pattern_for(first).persistent
    patterns = patterns_for([first, second, third])
    assert [patterns[e.pk].episodes_in_persistent_window for e in (first, second, third)] == [1, 2, 3]


def test_thresholds_come_from_settings(world, settings):
    settings.HOMEWARD_PERSISTENT_EPISODES = 2
    settings.HOMEWARD_PERSISTENT_WINDOW_DAYS = 10
    *_, latest = history(world, make_ruby(world), [9, 0])
    assert pattern_for(latest).persistent


def test_pages_show_the_patterns_and_prompts(client, world):
    *_, latest = history(world, make_ruby(world), [60, 30, 0])
    client.force_login(world.supervisor)
    page = client.get(f"/episodes/{latest.pk}/").content.decode()
    assert 'data-pattern="persistent"' in page and "multi-agency meeting" in page
    assert 'data-pattern="persistent"' in client.get("/dashboard/rows/").content.decode()
    assert 'data-pattern="persistent"' in client.get(f"/people/{latest.person_id}/").content.decode()
    (first,) = history(world, make_adult(world, "Lily", "Nowak"), [0])
    Episode.objects.filter(pk=first.pk).update(is_child=True)
    assert "refer to early help" in client.get(f"/episodes/{first.pk}/").content.decode()


def test_partners_patterns_count_only_what_they_may_see(client, world):
    ruby = make_ruby(world)
    # Three earlier episodes from her family home (not Oak House), then one from Oak House.
    *earlier, latest = history(world, ruby, [80, 60, 40, 0])
    Episode.objects.filter(pk__in=[e.pk for e in earlier]).update(
        missing_from=world.family_home, premises_provider=None, district=world.south
    )
    assert pattern_for(latest).persistent  # the force sees four in ninety days
    client.force_login(world.care_staff)  # Oak House's provider sees only the Oak House episode
    page = client.get(f"/episodes/{latest.pk}/").content.decode()
    assert 'data-pattern="persistent"' not in page
