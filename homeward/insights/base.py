"""What every report counts: recorded episodes (a decision not to record is not an episode), by district."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from homeward.episodes.models import Episode
from homeward.identity.models import District
from homeward.people.models import PersonMarker

# SQLite's limit on bound parameters is 32766 (999 on old builds): stay well under it there. PostgreSQL
# allows 65535; at national volume fewer, larger lists save most of the round trips.
_ID_CHUNK = {"sqlite": 900}
_ID_CHUNK_DEFAULT = 20_000


def recorded_episodes(district: District | None = None) -> QuerySet[Episode]:
    """Episodes reports count (`Episode.objects.counted()`: every status except `not_recorded`, and none
    reported in error); in `district` when given (the district the episode was reported in), else the whole
    force."""
    qs = Episode.objects.counted()
    if district is not None:
        qs = qs.filter(district=district)
    return qs


def id_chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    """The distinct ids, sorted, in lists short enough for one `__in` query each."""
    ordered = sorted(set(ids))
    size = _ID_CHUNK.get(connection.vendor, _ID_CHUNK_DEFAULT)
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


def markers_by_person(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """The person's active markers today (markers carry no history), sorted, in chunked queries."""
    out: dict[int, list[str]] = defaultdict(list)
    for chunk in id_chunks(person_ids):
        rows = (
            PersonMarker.objects.filter(person_id__in=chunk, active=True)
            .order_by("person_id", "marker")
            .values_list("person_id", "marker")
        )
        for person_id, marker in rows:
            out[person_id].append(marker)
    return dict(out)


def markers_of_people_in(episodes: QuerySet[Episode]) -> dict[int, list[str]]:
    """The active markers today of the people of `episodes`, in one query with the episodes as a
    subquery: at national volume a list of tens of thousands of ids costs more to build than to run."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = (
        PersonMarker.objects.filter(person_id__in=episodes.order_by().values("person_id"), active=True)
        .order_by("person_id", "marker")
        .values_list("person_id", "marker")
    )
    for person_id, marker in rows:
        out[person_id].append(marker)
    return dict(out)
