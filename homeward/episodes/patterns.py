"""Repeat, persistent and first-time missing (SPEC §6), with the thresholds from settings.

All three are judged at an episode's report time from the person's other counted episodes
(`Episode.objects.counted()`: decisions not to record are not episodes, and reports marked as reported in
error count nowhere), so a flag never changes because of what happened later — except a correction:
- repeat: another episode reported in the HOMEWARD_REPEAT_WINDOW_DAYS (365) days before it;
- persistent: at least HOMEWARD_PERSISTENT_EPISODES (3) episodes, this one included, reported in the
  HOMEWARD_PERSISTENT_WINDOW_DAYS (90) days up to it — prompts a trigger plan and a multi-agency meeting;
- first-time child: a child with no earlier episode at all — prompts an early-help referral.

An episode reported in error has no pattern at all: it prompts nothing (it was never this person going
missing), and it counts in no other episode's pattern.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from homeward.episodes.models import Episode
from homeward.episodes.sharing import episode_visibility

if TYPE_CHECKING:
    from homeward.identity.models import User


@dataclass(frozen=True)
class Pattern:
    repeat: bool
    episodes_in_repeat_window: int  # earlier episodes in the repeat window
    persistent: bool
    episodes_in_persistent_window: int  # including this one
    first_time_child: bool

    @property
    def prompts(self) -> list[str]:
        prompts = []
        if self.persistent:
            prompts.append("Persistently missing: agree a trigger plan and hold a multi-agency meeting.")
        if self.first_time_child:
            prompts.append("First time missing: refer to early help.")
        return prompts


# What an episode reported in error shows: no flags, no prompts.
NO_PATTERN = Pattern(
    repeat=False,
    episodes_in_repeat_window=0,
    persistent=False,
    episodes_in_persistent_window=0,
    first_time_child=False,
)


def _pattern(times: list[dt.datetime], at: dt.datetime, is_child: bool | None) -> Pattern:
    """`times` are the person's counted episodes' report times, sorted; `at` is this episode's."""
    repeat_from = at - dt.timedelta(days=settings.HOMEWARD_REPEAT_WINDOW_DAYS)
    persistent_from = at - dt.timedelta(days=settings.HOMEWARD_PERSISTENT_WINDOW_DAYS)
    before = bisect_left(times, at)  # episodes strictly earlier
    up_to = bisect_right(times, at)  # … and this one
    in_repeat = before - bisect_left(times, repeat_from)
    in_persistent = up_to - bisect_left(times, persistent_from)
    return Pattern(
        repeat=in_repeat > 0,
        episodes_in_repeat_window=in_repeat,
        persistent=in_persistent >= settings.HOMEWARD_PERSISTENT_EPISODES,
        episodes_in_persistent_window=in_persistent,
        first_time_child=bool(is_child) and before == 0,
    )


def patterns_for(episodes: Iterable[Episode], *, actor: User | None = None) -> dict[int, Pattern]:
    """Patterns for many episodes in one query (dashboards, lists).

    With an `actor`, only the episodes that actor may see are counted: a partner must not learn from a
    "persistent" flag about episodes the sharing rules keep from it.
    """
    episodes = list(episodes)
    person_ids = {e.person_id for e in episodes}
    times: dict[int, list[dt.datetime]] = defaultdict(list)
    counted = Episode.objects.counted()
    if actor is not None:
        counted = counted.filter(episode_visibility(actor))
    rows = (
        counted.filter(person_id__in=person_ids)
        .order_by("reported_at")
        .values_list("person_id", "reported_at")
    )
    for person_id, reported_at in rows:
        times[person_id].append(reported_at)
    return {
        e.pk: NO_PATTERN
        if e.is_reported_in_error
        else _pattern(times[e.person_id], e.reported_at, e.is_child)
        for e in episodes
    }


def pattern_for(episode: Episode, *, actor: User | None = None) -> Pattern:
    return patterns_for([episode], actor=actor)[episode.pk]
