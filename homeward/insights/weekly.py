"""The four weekly datasets of SPEC §7, as of a local date D, force-wide or for one district.

Each is one function returning plain dataclasses; `weekly_datasets` gathers them for the exports.
Only recorded episodes count (a decision not to record is not an episode); a district filter means
"episodes reported in that district". Ages, child/adult and looked-after status are the episode's
snapshot at report time; markers are the person's active markers today (they carry no history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from homeward.episodes.models import Episode
from homeward.identity.models import District
from homeward.insights.base import markers_of_people_in, recorded_episodes
from homeward.insights.periods import AgeGroup, Period, age_group_of, last_weeks, month_to_date
from homeward.places.models import CARE_SETTING_CATEGORIES, MEDICAL_CATEGORIES

_EPISODE_FIELDS = (
    "id",
    "reference",
    "person_id",
    "person__given_name",
    "person__family_name",
    "reported_at",
    "found_at",
    "status",
    "age_at_report",
    "is_child",
    "looked_after",
    "district__name",
    "missing_from_category",
    "missing_from__name",
    "missing_from_address",
    "placing_authority__name",
    "out_of_area",
)


@dataclass
class MostFrequentRow:
    rank: int
    person_id: int
    name: str
    episodes: int  # episodes of this age group in the window
    latest_reported_at: dt.datetime
    latest_episode_id: int
    latest_reference: str
    age: int | None  # at the latest episode's report
    district: str  # of the latest episode
    looked_after: bool  # at the latest episode's report
    markers: list[str] = field(default_factory=list)


@dataclass
class EpisodeRow:
    episode_id: int
    reference: str
    person_id: int
    name: str
    reported_at: dt.datetime
    found_at: dt.datetime | None
    status: str
    age: int | None
    is_child: bool | None
    district: str
    looked_after: bool
    missing_from_category: str
    missing_from: str
    placing_authority: str
    out_of_area: bool
    markers: list[str] = field(default_factory=list)


def _episode_row(values: dict[str, Any], markers: dict[int, list[str]]) -> EpisodeRow:
    return EpisodeRow(
        episode_id=values["id"],
        reference=values["reference"],
        person_id=values["person_id"],
        name=f"{values['person__given_name']} {values['person__family_name']}",
        reported_at=values["reported_at"],
        found_at=values["found_at"],
        status=values["status"],
        age=values["age_at_report"],
        is_child=values["is_child"],
        district=values["district__name"],
        looked_after=values["looked_after"],
        missing_from_category=values["missing_from_category"],
        missing_from=values["missing_from__name"] or values["missing_from_address"] or "",
        placing_authority=values["placing_authority__name"] or "",
        out_of_area=values["out_of_area"],
        markers=markers.get(values["person_id"], []),
    )


def _episode_log(qs: QuerySet[Episode]) -> list[EpisodeRow]:
    rows = list(qs.order_by("-reported_at", "-id").values(*_EPISODE_FIELDS))
    markers = markers_of_people_in(qs)
    return [_episode_row(r, markers) for r in rows]


def most_frequently_missing(
    as_of: dt.date, weeks: int, group: AgeGroup, district: District | None = None, visible: Q | None = None
) -> list[MostFrequentRow]:
    """Dataset 1: every person with an episode of `group` reported in the last `weeks` weeks as of D.

    Each episode counts in the group of its own report-time snapshot, so someone who turned 18 inside
    the window is in the children's list with their child episodes and in the adults' list with their
    adult episodes. Ranked by episodes in the window, most first; ties: most recent episode first, then
    lower person id. Rank is the row's position (1, 2, 3 …): the tie-breaks leave no equal ranks.

    `visible` (a filter on Episode) counts only the episodes a partner may see, so neither the count
    nor the latest episode tells it about episodes its sharing rules withhold.
    """
    return most_frequently_missing_lists(as_of, (weeks,), (group,), district, visible)[(weeks, group)]


_MOST_FREQUENT_FIELDS = (
    "id",
    "reference",
    "person_id",
    "person__given_name",
    "person__family_name",
    "reported_at",
    "age_at_report",
    "is_child",
    "district__name",
    "looked_after",
)


def most_frequently_missing_lists(
    as_of: dt.date,
    weeks: tuple[int, ...],
    groups: tuple[AgeGroup, ...],
    district: District | None = None,
    visible: Q | None = None,
) -> dict[tuple[int, AgeGroup], list[MostFrequentRow]]:
    """Dataset 1 for several windows and age groups at once, as `most_frequently_missing` defines each
    list: one query reads the widest window's episodes (the windows all end on D, so each narrower one
    is a part of it) and the counting and ranking are done here, which is several times faster at
    national volume than one windowed query per list."""
    periods = {w: last_weeks(as_of, w) for w in weeks}
    widest = min(periods.values(), key=lambda p: p.start)
    scope = recorded_episodes(district)
    if visible is not None:
        scope = scope.filter(visible)
    in_window = scope.filter(widest.reported_q())
    starts = {w: p.start for w, p in periods.items()}
    # (weeks, group, person) -> [episodes, newest row]; "newest" is the latest report, then higher id.
    tally: dict[tuple[int, AgeGroup, int], list[Any]] = {}
    wanted = set(groups)
    for row in in_window.values_list(*_MOST_FREQUENT_FIELDS):
        group = age_group_of(row[7])
        if group not in wanted:
            continue
        for w, start in starts.items():
            if row[5] < start:
                continue
            entry = tally.get((w, group, row[2]))
            if entry is None:
                tally[(w, group, row[2])] = [1, row]
            else:
                entry[0] += 1
                if (row[5], row[0]) > (entry[1][5], entry[1][0]):
                    entry[1] = row
    markers = markers_of_people_in(in_window)
    out: dict[tuple[int, AgeGroup], list[MostFrequentRow]] = {(w, g): [] for w in weeks for g in groups}
    for (w, group, _person), (count, row) in tally.items():
        out[(w, group)].append(
            MostFrequentRow(
                rank=0,
                person_id=row[2],
                name=f"{row[3]} {row[4]}",
                episodes=count,
                latest_reported_at=row[5],
                latest_episode_id=row[0],
                latest_reference=row[1],
                age=row[6],
                district=row[8],
                looked_after=row[9],
                markers=markers.get(row[2], []),
            )
        )
    for listed in out.values():
        # Person id ascending breaks the remaining ties: the second sort is stable.
        listed.sort(key=lambda r: r.person_id)
        listed.sort(key=lambda r: (r.episodes, r.latest_reported_at), reverse=True)
        for rank, r in enumerate(listed, start=1):
            r.rank = rank
    return out


def first_time_missing_children(as_of: dt.date, district: District | None = None) -> list[EpisodeRow]:
    """Dataset 2: children whose first ever recorded episode (across all time and every district) was
    reported in the calendar month of D, up to D, and who were a child at that report. One row per
    child: that first episode. With a district, the first episode must have been reported there."""
    period = month_to_date(as_of)
    earlier = recorded_episodes().filter(
        Q(reported_at__lt=OuterRef("reported_at"))
        | Q(reported_at=OuterRef("reported_at"), id__lt=OuterRef("id")),
        person_id=OuterRef("person_id"),
    )
    qs = recorded_episodes(district).filter(period.reported_q(), is_child=True).filter(~Exists(earlier))
    return _episode_log(qs)


def looked_after_care_settings(
    as_of: dt.date, district: District | None = None, weeks: int = 12
) -> list[EpisodeRow]:
    """Dataset 3: episodes reported in the last 12 weeks as of D of people looked after at the report,
    not known to be adults, missing from a children's home (regulated), an unregistered children's home
    or supported accommodation, or a secure unit (places.CARE_SETTING_CATEGORIES). Newest first."""
    qs = recorded_episodes(district).filter(
        last_weeks(as_of, weeks).reported_q(),
        looked_after=True,
        missing_from_category__in=sorted(CARE_SETTING_CATEGORIES),
    )
    qs = qs.exclude(is_child=False)
    return _episode_log(qs)


def medical_settings(as_of: dt.date, district: District | None = None, weeks: int = 12) -> list[EpisodeRow]:
    """Dataset 4: episodes (any age) reported in the last 12 weeks as of D missing from an acute
    hospital, a mental health unit or another medical establishment (places.MEDICAL_CATEGORIES)."""
    qs = recorded_episodes(district).filter(
        last_weeks(as_of, weeks).reported_q(), missing_from_category__in=sorted(MEDICAL_CATEGORIES)
    )
    return _episode_log(qs)


# The lists of the weekly report, in order; the key is the JSON key, the sheet and the CSV `dataset`.
WEEKLY_LISTS = (
    "most_frequent_3w_children",
    "most_frequent_3w_adults",
    "most_frequent_3w_age_unknown",
    "most_frequent_12w_children",
    "most_frequent_12w_adults",
    "most_frequent_12w_age_unknown",
    "first_time_children_month",
    "lac_care_settings_12w",
    "hospital_12w",
)

DEFINITIONS = {
    "most_frequent": (
        "Every person with an episode reported in the 7N local days ending on D, ranked by episodes in "
        "the window (ties: most recent episode first, then person id); children and adults by each "
        "episode's age at report; age unknown is its own list."
    ),
    "first_time_children_month": (
        "Children whose first ever recorded episode was reported in the calendar month of D, up to D."
    ),
    "lac_care_settings_12w": (
        "Episodes in the last 12 weeks of looked-after children missing from regulated or unregistered "
        "children's homes, supported accommodation and secure units."
    ),
    "hospital_12w": (
        "Episodes in the last 12 weeks from acute hospitals, mental health units and other medical "
        "establishments."
    ),
}


@dataclass
class WeeklyDatasets:
    as_of: dt.date
    district: str | None
    periods: dict[str, Period]
    lists: dict[str, list[Any]]

    def person_ids(self) -> set[int]:
        return {row.person_id for rows in self.lists.values() for row in rows}

    def row_count(self) -> int:
        return sum(len(rows) for rows in self.lists.values())


def weekly_datasets(
    as_of: dt.date, district: District | None = None, visible: Q | None = None
) -> WeeklyDatasets:
    lists: dict[str, list[Any]] = {}
    suffixes = {AgeGroup.CHILD: "children", AgeGroup.ADULT: "adults", AgeGroup.UNKNOWN: "age_unknown"}
    most_frequent = most_frequently_missing_lists(as_of, (3, 12), tuple(suffixes), district, visible)
    for (weeks, group), rows in most_frequent.items():
        lists[f"most_frequent_{weeks}w_{suffixes[group]}"] = rows
    lists["first_time_children_month"] = first_time_missing_children(as_of, district)
    lists["lac_care_settings_12w"] = looked_after_care_settings(as_of, district)
    lists["hospital_12w"] = medical_settings(as_of, district)
    return WeeklyDatasets(
        as_of=as_of,
        district=district.name if district else None,
        periods={"3w": last_weeks(as_of, 3), "12w": last_weeks(as_of, 12), "month": month_to_date(as_of)},
        lists={key: lists[key] for key in WEEKLY_LISTS},
    )


def row_dict(row: Any) -> dict[str, Any]:
    return asdict(row)
