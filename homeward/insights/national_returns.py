"""The two national returns of SPEC §7, as fixed-layout tables.

1. `missing_persons_data_return`: the force's annual return to the UK Missing Persons Unit (NCA) for a
   financial year (1 April to 31 March), in the sections of the NCA *Missing Persons Data Report*.
2. `lac_missing_return`: the SSDA903-style missing episodes return a local authority submits to the DfE
   about its looked-after children, one row per missing incident, with a summary.

Every count is computed by the database (grouped and conditional counts); Python only lays the counts
out in fixed rows, so a category nobody fell into is a row of zeros and the layout never changes.

Common rules (as in the other reports): the year is whole local (Europe/London) days, and an episode is
in it when it was *reported* in it (local midnight starting 1 April <= reported_at < local midnight
starting the next 1 April). Age is the snapshot taken at report time (`age_at_report`, `is_child`); sex
and ethnicity are the person's values today. Durations are elapsed time from `reported_at` to
`found_at` as recorded now, so a return made again later can move an episode from "still missing"
into a duration band once the person is found.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from openpyxl import Workbook

from homeward.episodes.models import Condition, Episode, HowFound, Status, counted_q
from homeward.episodes.policy import risk_levels
from homeward.identity.models import Organisation
from homeward.insights.base import recorded_episodes
from homeward.insights.export import _cell, _text
from homeward.insights.measures import Shifted
from homeward.insights.periods import Period, add_months, local_date, local_midnight
from homeward.people.models import Ethnicity, Sex
from homeward.places.models import LocationCategory

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Table:
    """One table of a return: fixed column headers, rows in a fixed order, and its exact definition."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    definition: str

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class NationalReturn:
    key: str  # "mpdr" or "lac_return"
    title: str
    period: Period
    scope: str  # the force (MPDR) or the local authority (LAC return)
    tables: list[Table]
    # The people the return is about, at child level (LAC return only): for the audit log.
    person_ids: frozenset[int] = field(default_factory=frozenset)
    # Incidents by local calendar month, for the page's chart and its table; not one of the return's
    # tables, so it is in none of the files.
    monthly: Table | None = None

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def year_label(self) -> str:
        """ "2025/26" for 1 April 2025 to 31 March 2026; otherwise the dates."""
        p = self.period
        if (p.first.month, p.first.day, p.last.month, p.last.day) == (4, 1, 3, 31) and (
            p.last.year == p.first.year + 1
        ):
            return f"{p.first.year}/{str(p.last.year)[-2:]}"
        return str(p)

    def as_dict(self) -> dict[str, Any]:
        return {
            "return": self.key,
            "title": self.title,
            "scope": self.scope,
            "period": self.period.as_dict(),
            "tables": {
                t.key: {
                    "title": t.title,
                    "definition": t.definition,
                    "columns": list(t.columns),
                    "rows": t.as_dicts(),
                }
                for t in self.tables
            },
        }


def financial_year(start_year: int) -> Period:
    """Financial year `start_year`/`start_year + 1`: 1 April to 31 March inclusive (local days)."""
    return Period(dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31))


# --- Shared expressions ---------------------------------------------------------------------------------

AGE_COLUMNS = ("incidents", "children", "adults", "age_unknown")


def _age_counts() -> dict[str, Count]:
    """Incidents, split by the age group at report (child / adult / age unknown)."""
    return {
        "incidents": Count("id"),
        "children": Count("id", filter=Q(is_child=True)),
        "adults": Count("id", filter=Q(is_child=False)),
        "age_unknown": Count("id", filter=Q(is_child__isnull=True)),
    }


def _grouped(qs: QuerySet[Episode], expression: Any, aggregates: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """{cell value: {aggregate: count}} in one GROUP BY query."""
    rows = qs.annotate(cell=expression).order_by().values("cell").annotate(**aggregates)
    return {row["cell"]: row for row in rows}


def _row(counts: dict[Any, dict[str, Any]], key: Any, columns: tuple[str, ...]) -> list[int]:
    found = counts.get(key, {})
    return [found.get(c, 0) for c in columns]


MPDR_AGE_GROUPS = (
    ("under_12", "Under 12", None, 11),
    ("12_17", "12 to 17", 12, 17),
    ("18_24", "18 to 24", 18, 24),
    ("25_39", "25 to 39", 25, 39),
    ("40_59", "40 to 59", 40, 59),
    ("60_plus", "60 and over", 60, None),
)


def _age_group_case(groups: tuple[tuple[str, str, int | None, int | None], ...]) -> Case:
    """The key of the (key, label, lowest age, highest age) band the age at report falls in, else
    "unknown". Either bound may be open (None)."""
    whens = []
    for key, _label, low, high in groups:
        condition = Q(age_at_report__isnull=False)
        if low is not None:
            condition &= Q(age_at_report__gte=low)
        if high is not None:
            condition &= Q(age_at_report__lte=high)
        whens.append(When(condition, then=Value(key)))
    return Case(*whens, default=Value("unknown"), output_field=CharField())


def _mpdr_age_group() -> Case:
    return _age_group_case(MPDR_AGE_GROUPS)


_AGE_GROUP_ROWS = [(key, label) for key, label, _low, _high in MPDR_AGE_GROUPS] + [("unknown", "Age unknown")]

DURATION_BANDS = (
    ("up_to_8h", "8 hours or less", 8 * HOUR),
    ("8h_to_24h", "Over 8 hours, up to 24 hours", 24 * HOUR),
    ("1_to_2_days", "Over 1 day, up to 2 days", 48 * HOUR),
    ("2_to_7_days", "Over 2 days, up to 7 days", 7 * DAY),
)


def _mpdr_duration() -> Case:
    """Elapsed time from report to found, upper bounds inclusive (as "found within 24 hours" is)."""
    whens = [When(found_at__isnull=True, then=Value("still_missing"))]
    for key, _label, upper in DURATION_BANDS:
        whens.append(When(found_at__lte=Shifted(F("reported_at"), upper), then=Value(key)))
    return Case(*whens, default=Value("over_7_days"), output_field=CharField())


_DURATION_ROWS = [(key, label) for key, label, _upper in DURATION_BANDS] + [
    ("over_7_days", "Over 7 days"),
    ("still_missing", "Still missing (not found when the return was made)"),
]

REPEAT_BANDS = (("1", 1, 1), ("2", 2, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11+", 11, None))

FATAL = Q(status=Status.FOUND_DECEASED) | Q(found_record__condition=Condition.DECEASED)


# --- 1. The missing persons data return (UK Missing Persons Unit) ---------------------------------------

MPDR_DEFINITIONS = {
    "calls_incidents": (
        "Homeward holds no command-and-control call records, so *calls* are reports received: every "
        "episode reported in the year, including those decided 'not recorded as missing' but not those "
        "marked as reported in error. *Incidents* are recorded episodes (every status except not recorded, "
        "none reported in error). *Individuals* are distinct person records "
        "with an incident; in the age columns, distinct people with an incident in that age group (someone "
        "who turned 18 during the year is in both). Age group is the snapshot at report time."
    ),
    "by_month": (
        "Incidents (recorded episodes) by the local calendar month they were reported in, split by age "
        "group at report. Shown on the page with its chart; not one of the return's tables, so not in the "
        "files."
    ),
    "sex": "Incidents and distinct individuals by the person's recorded sex (today's value).",
    "age_sex": (
        "Incidents by age at report (whole years, from the date of birth or else the estimated age; "
        "unknown if neither) and the person's sex. Under 12 is 0-11, 12 to 17 is 12-17, and so on."
    ),
    "ethnicity": (
        "Incidents and distinct individuals by self-defined ethnicity (2021 census categories; 'Not "
        "stated' when not given), today's value."
    ),
    "risk": (
        "Incidents by the first risk grading (`risk_level_first`); 'Not assessed' when the episode was "
        "never graded. Split by age group at report."
    ),
    "risk_by_age": "Incidents by age group at report and first risk grading (as in the risk table).",
    "harm": (
        "Incidents by the condition recorded when the person was found (safe and well, harmed, injured, "
        "deceased); 'No found record' when none is recorded (still missing, or found without a record). "
        "'Victim of an offence' counts found records marked as such and overlaps the other rows."
    ),
    "fatal_outcomes": (
        "Incidents that ended with the person found dead: status 'found deceased', or a found record whose "
        "condition is deceased (a closed episode keeps its found record). By sex and age group at report."
    ),
    "duration": (
        "Incidents by elapsed time from the report (`reported_at`) to being found (`found_at`), each band "
        "including its upper bound: 8 hours or less; over 8 up to 24 hours; over 1 up to 2 days; over 2 up "
        "to 7 days; over 7 days; still missing = no found time when the return was made."
    ),
    "who_found": (
        "Incidents by who found the person (`how_found` on the found record); 'No found record' when none "
        "is recorded."
    ),
    "missing_from_care": (
        "Incidents of looked-after children (a child at report and looked after at report) by the kind of "
        "place they went missing from (`missing_from_category`), with distinct children."
    ),
    "repeat_missing": (
        "Individuals by the number of incidents they had in the year (1, 2, 3-5, 6-10, 11 or more), and "
        "those individuals' incidents."
    ),
}


def _cube(qs: QuerySet[Episode], dimensions: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    """Incidents for every combination of `dimensions` that occurs, in one GROUP BY query:
    {(value of each dimension, in order): incidents}. Several tables that need only additive counts are
    read off one cube by `_sums` (adding up at most a few hundred groups, never rows), so one pass over
    the episodes serves them all."""
    names = list(dimensions)
    rows = qs.annotate(**dimensions).order_by().values_list(*names).annotate(n=Count("id"))
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def _sums(cube: Counter[tuple[Any, ...]], *positions: int) -> Counter[tuple[Any, ...]]:
    """The cube added up over every dimension except those at `positions`, keyed in that order."""
    out: Counter[tuple[Any, ...]] = Counter()
    for key, n in cube.items():
        out[tuple(key[p] for p in positions)] += n
    return out


def _by_age(counts: Counter[tuple[Any, ...]], *key: Any) -> list[int]:
    """[incidents, children, adults, age unknown] from counts keyed (*key, is_child)."""
    split = [counts[(*key, flag)] for flag in (True, False, None)]
    return [sum(split), *split]


def _month_starts(period: Period) -> list[dt.date]:
    """The first local day of each calendar month the period touches (the first is the period's own first
    day)."""
    starts = [period.first]
    month = add_months(period.first.replace(day=1), 1)
    while month <= period.last:
        starts.append(month)
        month = add_months(month, 1)
    return starts


def _month_index(starts: list[dt.date]) -> Case:
    """The position in `starts` of the month an episode was reported in (local midnights, in the
    database)."""
    whens = [When(reported_at__lt=local_midnight(start), then=Value(i)) for i, start in enumerate(starts[1:])]
    return Case(*whens, default=Value(len(starts) - 1), output_field=IntegerField())


def missing_persons_data_return(
    year_start: dt.date, year_end: dt.date, *, force: Organisation | None = None
) -> NationalReturn:
    """The force's annual return to the UK Missing Persons Unit for the local days `year_start` to
    `year_end` inclusive (a financial year is 1 April to 31 March: see `financial_year`).

    Episodes are those *reported* in the period, of `force` when given (else every episode held).
    See MPDR_DEFINITIONS (shown beside each table and in docs/definitions.md) for each table.

    Seven queries, each one pass over the year's episodes: the headline counts (calls, incidents,
    individuals and the looked-after totals); a sex × ethnicity cube of incidents and individuals (each
    person is in exactly one cell, so their distinct counts add up); an age group × child × sex × risk
    cube; a found record × fatal × sex × child cube (harm, fatal outcomes, who found); a duration × month
    × child cube; missing from care by place; repeat missing from the per-person counts.
    """
    period = Period(year_start, year_end)
    # Reports marked as reported in error were never reports of anyone missing: not calls, not incidents.
    received = Episode.objects.received().filter(period.reported_q())
    if force is not None:
        # The year's range of reported_at is the index to walk. Given an indexable `force_id = ?`,
        # SQLite's planner (which has no statistics) walks every episode the force ever had through the
        # (force, status) index instead, three times slower on three years. `force_id + 0` selects the
        # same rows and leaves the planner only the reported_at index.
        force_key = ExpressionWrapper(F("force_id") + 0, output_field=BigIntegerField())
        received = received.alias(force_key=force_key).filter(force_key=force.pk)
    incidents = received.counted()
    tables: list[Table] = []

    recorded = counted_q()  # within `received`: the incidents
    in_care = Q(is_child=True, looked_after=True) & recorded
    age_qs = {
        "children": Q(is_child=True),
        "adults": Q(is_child=False),
        "age_unknown": Q(is_child__isnull=True),
    }
    head = received.aggregate(
        **{f"call_{c}": agg for c, agg in _age_counts().items()},
        incidents=Count("id", filter=recorded),
        **{c: Count("id", filter=recorded & q) for c, q in age_qs.items()},
        individuals=Count("person_id", distinct=True, filter=recorded),
        **{
            f"individual_{c}": Count("person_id", distinct=True, filter=recorded & q)
            for c, q in age_qs.items()
        },
        care_incidents=Count("id", filter=in_care),
        care_individuals=Count("person_id", distinct=True, filter=in_care),
    )
    tables.append(
        Table(
            "calls_incidents",
            "Calls, incidents and individuals",
            ("measure", "all", "children", "adults", "age_unknown"),
            [
                ("calls (reports received)", *[head[f"call_{c}"] for c in AGE_COLUMNS]),
                ("incidents (recorded episodes)", *[head[c] for c in AGE_COLUMNS]),
                ("individuals", head["individuals"], *[head[f"individual_{c}"] for c in AGE_COLUMNS[1:]]),
            ],
            MPDR_DEFINITIONS["calls_incidents"],
        )
    )

    people = {
        (row["person__sex"], row["person__ethnicity"]): row
        for row in incidents.order_by()
        .values("person__sex", "person__ethnicity")
        .annotate(incidents=Count("id"), individuals=Count("person_id", distinct=True))
    }
    by_sex: dict[str, Counter[str]] = defaultdict(Counter)
    by_ethnicity: dict[str, Counter[str]] = defaultdict(Counter)
    for (sex, ethnicity), row in people.items():
        for column in ("incidents", "individuals"):
            by_sex[sex][column] += row[column]
            by_ethnicity[ethnicity][column] += row[column]
    tables.append(
        Table(
            "sex",
            "Sex",
            ("sex", "label", "incidents", "individuals"),
            [
                (code, label, by_sex[code]["incidents"], by_sex[code]["individuals"])
                for code, label in Sex.choices
            ],
            MPDR_DEFINITIONS["sex"],
        )
    )

    # (age group, is_child, sex, first risk level)
    ages = _cube(
        incidents,
        {
            "d_age_group": _mpdr_age_group(),
            "d_is_child": F("is_child"),
            "d_sex": F("person__sex"),
            "d_risk": F("risk_level_first"),
        },
    )
    sexes = [code for code, _label in Sex.choices]
    age_sex = _sums(ages, 0, 2)
    tables.append(
        Table(
            "age_sex",
            "Age group and sex",
            ("age_group", "label", *sexes, "total"),
            [
                (key, label, *[age_sex[(key, s)] for s in sexes], _sums(ages, 0)[(key,)])
                for key, label in _AGE_GROUP_ROWS
            ],
            MPDR_DEFINITIONS["age_sex"],
        )
    )

    tables.append(
        Table(
            "ethnicity",
            "Ethnicity (self-defined)",
            ("ethnicity", "label", "incidents", "individuals"),
            [
                (code, label, by_ethnicity[code]["incidents"], by_ethnicity[code]["individuals"])
                for code, label in Ethnicity.choices
            ],
            MPDR_DEFINITIONS["ethnicity"],
        )
    )

    levels = [*risk_levels(), ("", "Not assessed")]
    by_risk = _sums(ages, 3, 1)
    tables.append(
        Table(
            "risk",
            "Risk at first grading",
            ("risk_level", "label", *AGE_COLUMNS),
            [(code or "not_assessed", label, *_by_age(by_risk, code)) for code, label in levels],
            MPDR_DEFINITIONS["risk"],
        )
    )

    level_columns = [code or "not_assessed" for code, _label in levels]
    risk_age = _sums(ages, 0, 3)
    tables.append(
        Table(
            "risk_by_age",
            "Risk at first grading by age group",
            ("age_group", "label", *level_columns, "total"),
            [
                (key, label, *[risk_age[(key, code)] for code, _l in levels], _sums(ages, 0)[(key,)])
                for key, label in _AGE_GROUP_ROWS
            ],
            MPDR_DEFINITIONS["risk_by_age"],
        )
    )

    # (condition when found, how found, victim of an offence, fatal, sex, is_child); no found record: None.
    outcomes = _cube(
        incidents,
        {
            "d_condition": F("found_record__condition"),
            "d_how": F("found_record__how_found"),
            "d_victim": F("found_record__victim_of_offence"),
            "d_fatal": Case(When(FATAL, then=Value(True)), default=Value(False), output_field=BooleanField()),
            "d_sex": F("person__sex"),
            "d_is_child": F("is_child"),
        },
    )
    by_condition = _sums(outcomes, 0, 5)
    victims = _sums(outcomes, 2, 5)
    tables.append(
        Table(
            "harm",
            "Harm: condition when found",
            ("condition", "label", *AGE_COLUMNS),
            [(code, label, *_by_age(by_condition, code)) for code, label in Condition.choices]
            + [
                ("no_found_record", "No found record", *_by_age(by_condition, None)),
                ("victim_of_offence", "Victim of an offence while missing", *_by_age(victims, True)),
            ],
            MPDR_DEFINITIONS["harm"],
        )
    )

    fatal = _sums(outcomes, 3, 4, 5)
    fatal_all = _sums(outcomes, 3, 5)
    tables.append(
        Table(
            "fatal_outcomes",
            "Fatal outcomes",
            ("sex", "label", "children", "adults", "age_unknown", "total"),
            [
                (code, label, *_by_age(fatal, True, code)[1:], _by_age(fatal, True, code)[0])
                for code, label in Sex.choices
            ]
            + [("all", "All", *_by_age(fatal_all, True)[1:], _by_age(fatal_all, True)[0])],
            MPDR_DEFINITIONS["fatal_outcomes"],
        )
    )

    # (duration band, month reported in, is_child)
    months = _month_starts(period)
    timing = _cube(
        incidents,
        {"d_duration": _mpdr_duration(), "d_month": _month_index(months), "d_is_child": F("is_child")},
    )
    by_duration = _sums(timing, 0, 2)
    tables.append(
        Table(
            "duration",
            "Duration",
            ("duration", "label", *AGE_COLUMNS),
            [(key, label, *_by_age(by_duration, key)) for key, label in _DURATION_ROWS],
            MPDR_DEFINITIONS["duration"],
        )
    )

    by_finder = _sums(outcomes, 1, 5)
    tables.append(
        Table(
            "who_found",
            "Who found them",
            ("how_found", "label", *AGE_COLUMNS),
            [(code, label, *_by_age(by_finder, code)) for code, label in HowFound.choices]
            + [("no_found_record", "No found record", *_by_age(by_finder, None))],
            MPDR_DEFINITIONS["who_found"],
        )
    )

    place_counts = {"incidents": Count("id"), "individuals": Count("person_id", distinct=True)}
    by_place = _grouped(
        incidents.filter(is_child=True, looked_after=True), F("missing_from_category"), place_counts
    )
    known = {code for code, _label in LocationCategory.choices}
    other = [k for k in by_place if k not in known]  # a category no longer offered: kept, not lost
    tables.append(
        Table(
            "missing_from_care",
            "Missing from care (looked-after children)",
            ("missing_from", "label", "incidents", "individuals"),
            [
                (code, label, *_row(by_place, code, ("incidents", "individuals")))
                for code, label in LocationCategory.choices
            ]
            + [(k, k, *_row(by_place, k, ("incidents", "individuals"))) for k in sorted(other)]
            + [("all", "All looked-after children", head["care_incidents"], head["care_individuals"])],
            MPDR_DEFINITIONS["missing_from_care"],
        )
    )

    # Each person's incidents in the year, banded: one query over the per-person counts (the database
    # wraps the grouped query in a subquery).
    per_person = incidents.order_by().values("person_id").annotate(n=Count("id"))
    bands: dict[str, Any] = {}
    for band, low, high in REPEAT_BANDS:
        in_band = Q(n__gte=low) if high is None else Q(n__gte=low, n__lte=high)
        bands[f"individuals_{band}"] = Count("person_id", filter=in_band)
        bands[f"incidents_{band}"] = Sum("n", filter=in_band)
    repeat = per_person.aggregate(**bands)
    tables.append(
        Table(
            "repeat_missing",
            "Repeat missing",
            ("incidents_in_year", "individuals", "incidents"),
            [
                (band, repeat[f"individuals_{band}"] or 0, repeat[f"incidents_{band}"] or 0)
                for band, _l, _h in REPEAT_BANDS
            ],
            MPDR_DEFINITIONS["repeat_missing"],
        )
    )

    by_month = _sums(timing, 1, 2)
    monthly = Table(
        "by_month",
        "Incidents by month",
        ("month", "label", *AGE_COLUMNS),
        [
            (start.strftime("%Y-%m"), start.strftime("%b %Y"), *_by_age(by_month, i))
            for i, start in enumerate(months)
        ],
        MPDR_DEFINITIONS["by_month"],
    )
    return NationalReturn(
        key="mpdr",
        title="Missing persons data return (UK Missing Persons Unit)",
        period=period,
        scope=force.name if force is not None else "All forces held",
        tables=tables,
        monthly=monthly,
    )


# --- 2. The looked-after children missing episodes return (DfE, SSDA903-style) --------------------------

# Homeward's own placement-type codes for the place a child went missing from. They are NOT the SSDA903
# placement codes: Homeward records where the child went missing from, not the placement held in the
# local authority's case system, so the authority maps these to its placement when it submits.
PLACEMENT_TYPES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("FOS", "Foster placement", (LocationCategory.FOSTER_PLACEMENT,)),
    ("CHR", "Children's home (regulated)", (LocationCategory.CHILDRENS_HOME,)),
    (
        "UNR",
        "Unregistered children's home or supported accommodation",
        (LocationCategory.UNREGISTERED_CHILDRENS_HOME,),
    ),
    ("SEC", "Secure unit", (LocationCategory.SECURE_UNIT,)),
    ("HOM", "Private home (e.g. placed with parents or family)", (LocationCategory.PRIVATE_HOME,)),
    (
        "HEA",
        "Hospital or other health setting",
        (
            LocationCategory.ACUTE_HOSPITAL,
            LocationCategory.MENTAL_HEALTH_UNIT,
            LocationCategory.OTHER_MEDICAL,
        ),
    ),
    (
        "OTH",
        "Other (school, hostel, adult care home, other)",
        (
            LocationCategory.SCHOOL,
            LocationCategory.HOSTEL,
            LocationCategory.ADULT_CARE_HOME,
            LocationCategory.OTHER,
        ),
    ),
)
PLACEMENT_CODE_BY_CATEGORY = {str(cat): code for code, _label, cats in PLACEMENT_TYPES for cat in cats}


def placement_code(category: str) -> str:
    return PLACEMENT_CODE_BY_CATEGORY.get(category, "OTH")


def _placement_type() -> Case:
    return Case(
        *[
            When(missing_from_category__in=[str(c) for c in cats], then=Value(code))
            for code, _l, cats in PLACEMENT_TYPES
        ],
        default=Value("OTH"),
        output_field=CharField(),
    )


LAC_AGE_GROUPS = (
    ("under_10", "Under 10", None, 9),
    ("10_15", "10 to 15", 10, 15),
    ("16_17", "16 and over", 16, None),
)


def _lac_age_group() -> Case:
    return _age_group_case(LAC_AGE_GROUPS)


# (key, label, lower bound in whole days inclusive); the upper bound is the next band's lower bound.
LAC_DURATION_BANDS = (
    ("under_1_day", "Less than 1 day", 0),
    ("1_2_days", "1 to 2 days", 1),
    ("3_7_days", "3 to 7 days", 3),
    ("8_30_days", "8 to 30 days", 8),
    ("over_30_days", "More than 30 days", 31),
)


def _lac_duration() -> Case:
    """Whole days elapsed (found_at − reported_at, rounded down), banded in the database."""
    whens = [When(found_at__isnull=True, then=Value("still_missing"))]
    for (key, _label, _low), (_next, _nl, upper) in zip(
        LAC_DURATION_BANDS, LAC_DURATION_BANDS[1:], strict=False
    ):
        whens.append(When(found_at__lt=Shifted(F("reported_at"), upper * DAY), then=Value(key)))
    return Case(*whens, default=Value(LAC_DURATION_BANDS[-1][0]), output_field=CharField())


def child_pseudonym(person_id: int) -> str:
    """A stable pseudonymous child identifier: the first 16 hex digits of HMAC-SHA256(SECRET_KEY,
    "lac-return:<person id>"). The same child gets the same identifier in every year's return; it cannot
    be turned back into the person id without the server's key. (The real SSDA903 return uses the local
    authority's own child identifier, which Homeward does not hold.)"""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"lac-return:{person_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


LAC_DEFINITIONS = {
    "incidents": (
        "One row per missing incident: a recorded episode (not 'not recorded') reported in the year of a "
        "person looked after at report whose placing authority is this local authority, unless known to be "
        "an adult at report (age unknown is kept). child_id: a stable pseudonym of the person (HMAC of the "
        "person id; the real return uses the authority's own child id). start_date: local date of the "
        "report. end_date: local date found, blank if still missing. duration_days: whole days elapsed from "
        "report to found (rounded down; blank if still missing). placement_type: Homeward's code for the "
        "place missing from (see the placement type table). age_at_start: age in whole years at report. "
        "sex: the person's sex today."
    ),
    "summary": (
        "Children with an incident: distinct people in the incident rows. Incidents per child: incidents / "
        "children, to 2 decimal places. Still missing at year end: incidents not found by local midnight "
        "ending the last day of the year (found later, or not yet)."
    ),
    "duration": (
        "Incidents by whole days elapsed from report to found: less than 1 day (under 24 hours), 1-2, "
        "3-7, 8-30, more than 30 days; still missing = no found time when the return was made."
    ),
    "placement_type": (
        "Incidents and distinct children by Homeward's placement-type code for the kind of place the child "
        "went missing from (`missing_from_category`). These are not SSDA903 placement codes."
    ),
    "age_at_start": "Incidents and distinct children by age at the start of the incident (age at report).",
    "by_month": (
        "Incidents by the local calendar month they started in (start_date). Shown on the page with its "
        "chart; not one of the return's tables, so not in the files."
    ),
    "sex": "Incidents and distinct children by the person's recorded sex (today's value).",
}


def lac_missing_return(
    year_start: dt.date, year_end: dt.date, local_authority: Organisation
) -> NationalReturn:
    """The missing episodes of `local_authority`'s looked-after children reported in the local days
    `year_start` to `year_end` inclusive, at child level and summarised. See LAC_DEFINITIONS."""
    period = Period(year_start, year_end)
    qs = (
        recorded_episodes()
        .filter(period.reported_q(), looked_after=True, placing_authority=local_authority)
        .exclude(is_child=False)
    )
    rows: list[tuple[Any, ...]] = []
    people: set[int] = set()
    months = _month_starts(period)
    per_month: Counter[tuple[int, int]] = Counter()  # the incident rows are in hand: counted as they pass
    for person_id, reported_at, found_at, category, age, sex in (
        qs.order_by("reported_at", "id")
        .values_list(
            "person_id", "reported_at", "found_at", "missing_from_category", "age_at_report", "person__sex"
        )
        .iterator()
    ):
        people.add(person_id)
        start = local_date(reported_at)
        per_month[(start.year, start.month)] += 1
        rows.append(
            (
                child_pseudonym(person_id),
                start,
                local_date(found_at) if found_at else None,
                (found_at - reported_at) // DAY if found_at else None,
                placement_code(category),
                age,
                sex,
            )
        )
    tables = [
        Table(
            "incidents",
            "Missing incidents",
            ("child_id", "start_date", "end_date", "duration_days", "placement_type", "age_at_start", "sex"),
            rows,
            LAC_DEFINITIONS["incidents"],
        )
    ]
    totals = qs.aggregate(
        children=Count("person_id", distinct=True),
        incidents=Count("id"),
        still_missing=Count("id", filter=Q(found_at__isnull=True) | Q(found_at__gte=period.end)),
    )
    per_child = round(totals["incidents"] / totals["children"], 2) if totals["children"] else None
    tables.append(
        Table(
            "summary",
            "Summary",
            ("measure", "value"),
            [
                ("children_with_an_incident", totals["children"]),
                ("incidents", totals["incidents"]),
                ("incidents_per_child", per_child),
                ("still_missing_at_year_end", totals["still_missing"]),
            ],
            LAC_DEFINITIONS["summary"],
        )
    )
    counts = {"incidents": Count("id"), "children": Count("person_id", distinct=True)}
    by_duration = _grouped(qs, _lac_duration(), {"incidents": Count("id")})
    duration_rows = [(k, label) for k, label, _low in LAC_DURATION_BANDS] + [
        ("still_missing", "Still missing")
    ]
    tables.append(
        Table(
            "duration",
            "Duration",
            ("duration", "label", "incidents"),
            [(k, label, *_row(by_duration, k, ("incidents",))) for k, label in duration_rows],
            LAC_DEFINITIONS["duration"],
        )
    )
    by_type = _grouped(qs, _placement_type(), counts)
    tables.append(
        Table(
            "placement_type",
            "Placement type missing from",
            ("placement_type", "label", "incidents", "children"),
            [
                (code, label, *_row(by_type, code, ("incidents", "children")))
                for code, label, _c in PLACEMENT_TYPES
            ],
            LAC_DEFINITIONS["placement_type"],
        )
    )
    by_age = _grouped(qs, _lac_age_group(), counts)
    age_rows = [(k, label) for k, label, _lo, _hi in LAC_AGE_GROUPS] + [("unknown", "Age unknown")]
    tables.append(
        Table(
            "age_at_start",
            "Age at the start of the incident",
            ("age_group", "label", "incidents", "children"),
            [(k, label, *_row(by_age, k, ("incidents", "children"))) for k, label in age_rows],
            LAC_DEFINITIONS["age_at_start"],
        )
    )
    by_sex = _grouped(qs, F("person__sex"), counts)
    tables.append(
        Table(
            "sex",
            "Sex",
            ("sex", "label", "incidents", "children"),
            [(code, label, *_row(by_sex, code, ("incidents", "children"))) for code, label in Sex.choices],
            LAC_DEFINITIONS["sex"],
        )
    )
    monthly = Table(
        "by_month",
        "Incidents by month",
        ("month", "label", "incidents"),
        [
            (start.strftime("%Y-%m"), start.strftime("%b %Y"), per_month[(start.year, start.month)])
            for start in months
        ],
        LAC_DEFINITIONS["by_month"],
    )
    return NationalReturn(
        key="lac_return",
        title="Looked-after children missing episodes return (DfE, SSDA903-style)",
        period=period,
        scope=local_authority.name,
        tables=tables,
        person_ids=frozenset(people),
        monthly=monthly,
    )


# --- Files -----------------------------------------------------------------------------------------------
# CSV: a zip holding one CSV per table (`01-calls_incidents.csv`, ...: the tables' own columns, in order)
# and `about.csv` (return, scope, period and each table's definition). One CSV per table keeps every
# table's fixed column headers, which a single stacked file could not. XLSX: one sheet per table, in the
# same order, then an "about" sheet. JSON: `as_dict()`.


def _about_rows(data: NationalReturn) -> list[tuple[str, str]]:
    return [
        ("return", data.title),
        ("scope", data.scope),
        ("from", data.period.first.isoformat()),
        ("to", data.period.last.isoformat()),
        *[(f"definition:{t.key}", t.definition) for t in data.tables],
    ]


def csv_name(index: int, table: Table) -> str:
    return f"{index:02d}-{table.key}.csv"


def return_csv_zip(data: NationalReturn) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, table in enumerate(data.tables, start=1):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(table.columns)
            for row in table.rows:
                writer.writerow([_text(v) for v in row])
            archive.writestr(csv_name(index, table), text.getvalue())
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(("item", "value"))
        writer.writerows(_about_rows(data))
        archive.writestr("about.csv", text.getvalue())
    return buffer.getvalue()


def return_xlsx(data: NationalReturn, path: str) -> None:
    book = Workbook(write_only=True)
    for table in data.tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
    about = book.create_sheet("about")
    for row in _about_rows(data):
        about.append(list(row))
    book.save(path)


def return_json(data: NationalReturn) -> str:
    return json.dumps(data.as_dict(), indent=2, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
