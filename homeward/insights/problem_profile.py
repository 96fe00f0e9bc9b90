"""The problem profile (SPEC §7): where, when and who, for a period of local days, force-wide or one district.

One function per section, each aggregated by the database (GROUP BY and conditional counts; at most a few
hundred grouped rows come back, never the episodes). Only recorded episodes reported in the period count
(base.recorded_episodes, Period.reported_q); a district means the district the episode was reported in.

Every section is a list of rows (dicts keyed by the section's columns). Private homes are never named:
every episode from a private home is counted in one row, "Private homes". The ethnicity table is
suppressed for everyone: counts from 1 to SUPPRESS_BELOW - 1 become None, and so does every rate or
ratio built on them; the column names hidden in a row are listed in its "suppressed" key.
`suppress_small_counts` does the same to every section (the commissioner's office).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from openpyxl import Workbook

from homeward.episodes.models import Episode, FoundRecord
from homeward.identity.models import District
from homeward.insights.access import SUPPRESS_BELOW
from homeward.insights.base import recorded_episodes
from homeward.insights.measures import AGE_BANDS, _age_band, high_risk_level
from homeward.insights.periods import Period, local_zone
from homeward.people.models import Ethnicity, MarkerType, PersonMarker
from homeward.places.models import LocationCategory
from homeward.returns.models import ReturnInterview, RhiOutcome

TOP_LOCATIONS = 10
# A premises is a repeat location when, in the period, its episodes came from at least this many
# different people, or it had at least this many episodes.
REPEAT_MIN_PEOPLE = 3
REPEAT_MIN_EPISODES = 5
PRIVATE_HOMES = "Private homes"
NOT_ON_REGISTER = "Other places (no premises on record)"

# Local hours of the report, in bands of four hours.
HOUR_BANDS: tuple[tuple[str, int, int], ...] = (
    ("00:00-03:59", 0, 3),
    ("04:00-07:59", 4, 7),
    ("08:00-11:59", 8, 11),
    ("12:00-15:59", 12, 15),
    ("16:00-19:59", 16, 19),
    ("20:00-23:59", 20, 23),
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Push/pull factors: a completed interview "mentions" a term when its text contains one of the term's
# keywords at the start of a word (after lower-casing and turning punctuation into spaces). Keyword
# matching only: "not about school" still mentions school.
FACTOR_TERMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "family_conflict",
        "Family conflict",
        ("family conflict", "conflict at home", "family breakdown", "argument", "arguing", "row with"),
    ),
    ("exploitation", "Exploitation", ("exploit", "groom", "county lines", "trafficking")),
    ("friends", "Friends", ("friend",)),
    ("boyfriend_girlfriend", "Boyfriend or girlfriend", ("boyfriend", "girlfriend")),
    ("drugs_alcohol", "Drugs or alcohol", ("drug", "cannabis", "cocaine", "alcohol", "drunk")),
    ("school", "School", ("school", "college", "exclu", "bully", "bullied")),
    ("placement", "Placement", ("placement", "foster", "carer", "children's home", "care home")),
    ("mental_health", "Mental health", ("mental health", "anxiety", "anxious", "depress", "self-harm")),
)
_PUNCTUATION = ",.;:!?()/\"'-_&+"


def _in_period(period: Period, district: District | None) -> QuerySet[Episode]:
    return recorded_episodes(district).filter(period.reported_q())


def _is_private_home() -> Q:
    """Private homes by the episode's category at report or the linked location's category."""
    private = LocationCategory.PRIVATE_HOME
    return Q(missing_from_category=private) | Q(missing_from__category=private)


def _category_label(value: str) -> str:
    try:
        return str(LocationCategory(value).label)
    except ValueError:
        return value or "not recorded"


# --- Locations -------------------------------------------------------------------------------------------


def _premises_counts(period: Period, district: District | None) -> QuerySet[Any]:
    return (
        _in_period(period, district)
        .filter(missing_from__isnull=False)
        .exclude(_is_private_home())
        .order_by()
        .values("missing_from_id", "missing_from__name", "missing_from__category")
        .annotate(episodes=Count("id"), people=Count("person_id", distinct=True))
    )


def _premises_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "location": row["missing_from__name"],
        "category": _category_label(row["missing_from__category"]),
        "episodes": row["episodes"],
        "people": row["people"],
    }


def top_locations(
    period: Period, district: District | None = None, limit: int = TOP_LOCATIONS
) -> list[dict[str, Any]]:
    """The `limit` premises (a location on record that is not a private home) with most episodes reported
    in the period, most first (ties by name); then one row "Private homes" for every episode from a
    private home (by the episode's category or its location's), never named; then one row for episodes
    from anywhere else with no location on record. Each row: episodes and distinct people."""
    premises = _premises_counts(period, district).order_by("-episodes", "missing_from__name")[:limit]
    rows = [_premises_row(r) for r in premises]
    rest = _in_period(period, district).aggregate(
        private=Count("id", filter=_is_private_home()),
        private_people=Count("person_id", distinct=True, filter=_is_private_home()),
        other=Count("id", filter=Q(missing_from__isnull=True) & ~_is_private_home()),
        other_people=Count(
            "person_id", distinct=True, filter=Q(missing_from__isnull=True) & ~_is_private_home()
        ),
    )
    rows.append(
        {
            "location": PRIVATE_HOMES,
            "category": _category_label(LocationCategory.PRIVATE_HOME),
            "episodes": rest["private"],
            "people": rest["private_people"],
        }
    )
    rows.append(
        {
            "location": NOT_ON_REGISTER,
            "category": "",
            "episodes": rest["other"],
            "people": rest["other_people"],
        }
    )
    return rows


def repeat_locations(period: Period, district: District | None = None) -> list[dict[str, Any]]:
    """Premises (not private homes) where, in the period, episodes came from at least REPEAT_MIN_PEOPLE (3)
    different people, or that had at least REPEAT_MIN_EPISODES (5) episodes; most episodes first."""
    qs = (
        _premises_counts(period, district)
        .filter(Q(people__gte=REPEAT_MIN_PEOPLE) | Q(episodes__gte=REPEAT_MIN_EPISODES))
        .order_by("-episodes", "missing_from__name")
    )
    return [_premises_row(r) for r in qs]


# --- Time of day and day of week -------------------------------------------------------------------------


def _band(hour: int) -> str:
    return next(label for label, low, high in HOUR_BANDS if low <= hour <= high)


def time_of_day(period: Period, district: District | None = None) -> list[dict[str, Any]]:
    """Episodes by the local (Europe/London) hour and day of the week of the report, in four-hour bands:
    one row per band with a count for each day (Monday first) and a total. Local wall-clock time, so a
    report at 00:30 is in the first band whether that night was GMT or BST."""
    zone = local_zone()
    counts = (
        _in_period(period, district)
        .annotate(
            hour=ExtractHour("reported_at", tzinfo=zone),
            weekday=ExtractIsoWeekDay("reported_at", tzinfo=zone),
        )
        .order_by()
        .values("hour", "weekday")
        .annotate(n=Count("id"))
    )
    grid = {label: dict.fromkeys(DAYS, 0) for label, _, _ in HOUR_BANDS}
    for row in counts:
        grid[_band(row["hour"])][DAYS[row["weekday"] - 1]] += row["n"]
    return [{"hours": label, **days, "total": sum(days.values())} for label, days in grid.items()]


# --- Who ---------------------------------------------------------------------------------------------------


def age_and_sex(period: Period, district: District | None = None) -> list[dict[str, Any]]:
    """Episodes and distinct people by age band at report (as the quarterly MI: 0-9 … 75+, unknown) and sex
    (today's record). Every band and sex is listed, zero included."""
    counts = {
        (r["band"], r["person__sex"]): r
        for r in _in_period(period, district)
        .annotate(band=_age_band())
        .order_by()
        .values("band", "person__sex")
        .annotate(episodes=Count("id"), people=Count("person_id", distinct=True))
    }
    sexes = ("female", "male", "unknown")
    rows = []
    for band in [label for label, _, _ in AGE_BANDS] + ["unknown"]:
        for sex in sexes:
            cell = counts.get((band, sex), {})
            rows.append(
                {
                    "age_band": band,
                    "sex": sex,
                    "episodes": cell.get("episodes", 0),
                    "people": cell.get("people", 0),
                }
            )
    return rows


def markers(period: Period, district: District | None = None) -> list[dict[str, Any]]:
    """For each marker type, the distinct people with an episode reported in the period who carry it
    (active markers today: markers have no history), most first; and the share of all those people."""
    people = _in_period(period, district).values("person_id")
    total = people.order_by().distinct().count()
    counts = dict(
        PersonMarker.objects.filter(active=True, person_id__in=people)
        .order_by()
        .values("marker")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("marker", "n")
    )
    rows = [
        {
            "marker": str(label),
            "people": counts.get(code, 0),
            "of_people": total,
            "share": counts.get(code, 0) / total if total else None,
        }
        for code, label in MarkerType.choices
    ]
    return sorted(rows, key=lambda r: (-r["people"], r["marker"]))


# --- Interviews ------------------------------------------------------------------------------------------


def _interviews(period: Period, district: District | None) -> QuerySet[ReturnInterview]:
    """Return home interviews of recorded episodes reported in the period (in the district)."""
    return ReturnInterview.objects.filter(episode__in=_in_period(period, district))


def _normalise_keyword(keyword: str) -> str:
    return " " + _normalise_text(keyword)


def _normalise_text(text: str) -> str:
    """Lower case, punctuation turned into spaces: a keyword at a word start is then " keyword"."""
    text = text.lower()
    for mark in _PUNCTUATION:
        text = text.replace(mark, " ")
    return text


def push_pull_factors(period: Period, district: District | None = None) -> list[dict[str, Any]]:
    """Completed return home interviews (outcome completed) of episodes in the period, counted per term of
    FACTOR_TERMS: interviews whose push factors mention it, whose pull factors mention it, and either.
    Keyword matching on free text (see FACTOR_TERMS), not a coded field; `of_interviews` is every
    completed interview, so one interview may count under several terms.

    The texts are matched here rather than in SQL: the database fetches only the two columns of the
    period's completed interviews, and a quarter's text is small, whereas the SQL form (nested REPLACE
    and LIKE per keyword and column) took half a second at force scale.
    """
    texts = [
        (" " + _normalise_text(push), " " + _normalise_text(pull))
        for push, pull in _interviews(period, district)
        .filter(outcome=RhiOutcome.COMPLETED)
        .values_list("push_factors", "pull_factors")
        .iterator(chunk_size=2000)
    ]
    rows = []
    for _key, label, keywords in FACTOR_TERMS:
        needles = [_normalise_keyword(k) for k in keywords]
        push = [any(n in p for n in needles) for p, _ in texts]
        pull = [any(n in q for n in needles) for _, q in texts]
        rows.append(
            {
                "term": label,
                "keywords": "; ".join(keywords),
                "push": sum(push),
                "pull": sum(pull),
                "either": sum(a or b for a, b in zip(push, pull, strict=True)),
                "of_interviews": len(texts),
            }
        )
    return rows


# --- Found, out of area -------------------------------------------------------------------------------------


def found_locations(period: Period, district: District | None = None) -> list[dict[str, Any]]:
    """Episodes reported in the period with a found record, by the category of where they were found
    (found_location_category), most first. Episodes not (yet) found are not counted."""
    rows = (
        FoundRecord.objects.filter(episode__in=_in_period(period, district))
        .order_by()
        .values("found_location_category")
        .annotate(episodes=Count("id"))
    )
    out = [
        {"found_at": _category_label(r["found_location_category"]), "episodes": r["episodes"]} for r in rows
    ]
    return sorted(out, key=lambda r: (-r["episodes"], r["found_at"]))


def out_of_area(period: Period, district: District | None = None) -> list[dict[str, Any]]:
    """Episodes reported in the period of people placed out of area (out_of_area at report), by the placing
    authority ("not recorded" when none), with distinct people; most episodes first."""
    rows = (
        _in_period(period, district)
        .filter(out_of_area=True)
        .order_by()
        .values("placing_authority__name")
        .annotate(episodes=Count("id"), people=Count("person_id", distinct=True))
    )
    out = [
        {
            "placing_authority": r["placing_authority__name"] or "not recorded",
            "episodes": r["episodes"],
            "people": r["people"],
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: (-r["episodes"], r["placing_authority"]))


# --- Disproportionality by ethnicity ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rate:
    numerator: str
    denominator: str
    name: str


# The three rates compared with the whole: (numerator column, denominator column, rate name).
ETHNICITY_RATES = (
    _Rate("high_first", "graded", "high_share"),
    _Rate("offered_in_time", "rhis_due", "offer_rate"),
    _Rate("completed", "outcomes", "completed_rate"),
    _Rate("declined", "outcomes", "declined_rate"),
)
ETHNICITY_COUNTS = (
    "episodes",
    "graded",
    "high_first",
    "rhis",
    "rhis_due",
    "offered_in_time",
    "outcomes",
    "completed",
    "declined",
    "not_possible",
)
ALL_GROUPS = "All ethnicities"


def is_small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < SUPPRESS_BELOW


def ethnicity(
    period: Period, district: District | None = None, *, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Disproportionality by self-defined ethnicity (the person's record today), a row per group with any
    episode, after a first row for all groups:

    - high_share = high_first / graded: of episodes graded at all, those whose first grade was high;
    - offer_rate = offered_in_time / rhis_due: of return home interviews (RHIs) of the episodes, those
      offered by their deadline (offered_at <= offer_due_at), leaving out those not yet offered whose
      deadline is still ahead (as the performance measure);
    - completed_rate, declined_rate = completed / outcomes, declined / outcomes: of RHIs with an outcome
      recorded (completed, declined or not possible);

    each with the all-groups rate beside it (`overall_…`) and `…_ratio` = the group's rate / the overall
    rate (None when either has no value or the overall rate is 0). Counts from 1 to 4 are suppressed for
    everyone (None, named in "suppressed"), with every rate and ratio built on them.
    """
    now = now or timezone.now()
    high = high_risk_level()
    episode_counts = {
        "episodes": Count("id"),
        "graded": Count("id", filter=~Q(risk_level_first="")),
        "high_first": Count("id", filter=Q(risk_level_first=high)),
    }
    not_due = Q(offered_at__isnull=True, offer_due_at__gt=now)
    with_outcome = Q(outcome__in=[o.value for o in RhiOutcome])
    rhi_counts = {
        "rhis": Count("id"),
        "rhis_due": Count("id", filter=~not_due),
        "offered_in_time": Count("id", filter=Q(offered_at__isnull=False, offered_at__lte=F("offer_due_at"))),
        "outcomes": Count("id", filter=with_outcome),
        "completed": Count("id", filter=Q(outcome=RhiOutcome.COMPLETED)),
        "declined": Count("id", filter=Q(outcome=RhiOutcome.DECLINED)),
        "not_possible": Count("id", filter=Q(outcome=RhiOutcome.NOT_POSSIBLE)),
    }
    episodes_qs = _in_period(period, district)
    rhis_qs = _interviews(period, district)
    groups: dict[str, dict[str, int]] = {}
    for row in episodes_qs.order_by().values("person__ethnicity").annotate(**episode_counts):
        groups[row.pop("person__ethnicity")] = dict.fromkeys(ETHNICITY_COUNTS, 0) | row
    for row in rhis_qs.order_by().values("episode__person__ethnicity").annotate(**rhi_counts):
        code = row.pop("episode__person__ethnicity")
        groups.setdefault(code, dict.fromkeys(ETHNICITY_COUNTS, 0)).update(row)
    overall = dict.fromkeys(ETHNICITY_COUNTS, 0)
    for counts in groups.values():
        for key in ETHNICITY_COUNTS:
            overall[key] += counts[key]
    order = [code for code, _ in Ethnicity.choices]
    rows = [_ethnicity_row(ALL_GROUPS, "", overall, overall)]
    for code in sorted(groups, key=lambda c: order.index(c) if c in order else len(order)):
        label = dict(Ethnicity.choices).get(code, code)
        rows.append(_ethnicity_row(str(label), code, groups[code], overall))
    # The overall rates stand beside every group: hidden everywhere when built on a small overall count.
    hidden_overall = sorted(
        column
        for rate in ETHNICITY_RATES
        if is_small(overall[rate.numerator]) or is_small(overall[rate.denominator])
        for column in (f"overall_{rate.name}", f"{rate.name}_ratio")
    )
    return [
        suppress_row({**row, "suppressed": hidden_overall}, ETHNICITY_COUNTS, ETHNICITY_DERIVED)
        for row in rows
    ]


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _ethnicity_row(label: str, code: str, counts: dict[str, int], overall: dict[str, int]) -> dict[str, Any]:
    row: dict[str, Any] = {"ethnicity": label, "code": code, **{k: counts[k] for k in ETHNICITY_COUNTS}}
    for rate in ETHNICITY_RATES:
        mine = _rate(counts[rate.numerator], counts[rate.denominator])
        whole = _rate(overall[rate.numerator], overall[rate.denominator])
        row[rate.name] = mine
        row[f"overall_{rate.name}"] = whole
        row[f"{rate.name}_ratio"] = mine / whole if mine is not None and whole else None
    return row


# Columns computed from counts: hidden when a count they are built on is hidden.
ETHNICITY_DERIVED: dict[str, tuple[str, ...]] = {}
for _r in ETHNICITY_RATES:
    ETHNICITY_DERIVED[_r.name] = (_r.numerator, _r.denominator)
    ETHNICITY_DERIVED[f"{_r.name}_ratio"] = (_r.numerator, _r.denominator)


# --- Suppression ---------------------------------------------------------------------------------------------


def suppress_row(
    row: dict[str, Any], counts: tuple[str, ...], derived: dict[str, tuple[str, ...]] | None = None
) -> dict[str, Any]:
    """A copy of `row` with counts from 1 to 4 set to None, and every derived column built on one of them;
    the hidden column names are added to row["suppressed"]."""
    out = dict(row)
    hidden = set(out.get("suppressed", ()))
    small = {key for key in counts if is_small(out.get(key))}
    hidden |= small
    for column, sources in (derived or {}).items():
        if small & set(sources):
            hidden.add(column)
    for key in hidden:
        out[key] = None
    out["suppressed"] = sorted(hidden)
    return out


# --- The sections --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    definition: str
    columns: tuple[str, ...]
    counts: tuple[str, ...]  # the count columns (suppressed for the commissioner)
    derived: dict[str, tuple[str, ...]]
    compute: Callable[..., list[dict[str, Any]]]


SECTIONS = (
    Section(
        "top_locations",
        "Top locations",
        (
            f"The {TOP_LOCATIONS} premises (a place on record that is not a private home) with most episodes "
            "reported in the period; every episode from a private home in one row, never named; and episodes "
            "from elsewhere with no place on record. Episodes and distinct people."
        ),
        ("location", "category", "episodes", "people"),
        ("episodes", "people"),
        {},
        top_locations,
    ),
    Section(
        "repeat_locations",
        "Repeat locations",
        (
            f"Premises (not private homes) where episodes in the period came from at least {REPEAT_MIN_PEOPLE} "
            f"different people, or that had at least {REPEAT_MIN_EPISODES} episodes."
        ),
        ("location", "category", "episodes", "people"),
        ("episodes", "people"),
        {},
        repeat_locations,
    ),
    Section(
        "time_of_day",
        "Time of day and day of week",
        (
            "Episodes by the local (UK) time and day of the report, in four-hour bands: wall-clock time, "
            "so GMT and BST nights fall in the same band."
        ),
        ("hours", *DAYS, "total"),
        (*DAYS, "total"),
        {},
        time_of_day,
    ),
    Section(
        "age_sex",
        "Age and sex",
        "Episodes and distinct people by age band at report and sex (as recorded today).",
        ("age_band", "sex", "episodes", "people"),
        ("episodes", "people"),
        {},
        age_and_sex,
    ),
    Section(
        "markers",
        "Markers",
        (
            "Of the distinct people with an episode in the period, those with each marker active on their "
            "record today (markers carry no history), and the share."
        ),
        ("marker", "people", "of_people", "share"),
        ("people", "of_people"),
        {"share": ("people", "of_people")},
        markers,
    ),
    Section(
        "push_pull",
        "Push and pull factors",
        (
            "Completed return home interviews of episodes in the period whose push factors, pull factors or "
            "either mention a term, by keyword matching on the free text (a keyword at the start of a word, "
            "ignoring case and punctuation). One interview can mention several terms; a mention may be a "
            "denial."
        ),
        ("term", "keywords", "push", "pull", "either", "of_interviews"),
        ("push", "pull", "either", "of_interviews"),
        {},
        push_pull_factors,
    ),
    Section(
        "found_locations",
        "Found locations",
        "Episodes in the period with a found record, by the category of the place where they were found.",
        ("found_at", "episodes"),
        ("episodes",),
        {},
        found_locations,
    ),
    Section(
        "out_of_area",
        "Out-of-area placements",
        "Episodes in the period of people placed out of area at report, by the placing authority.",
        ("placing_authority", "episodes", "people"),
        ("episodes", "people"),
        {},
        out_of_area,
    ),
    Section(
        "ethnicity",
        "Disproportionality by ethnicity",
        (
            "By self-defined ethnicity: the share of graded episodes first graded high; the share of return "
            "home interviews offered by their 72-hour deadline (not yet offered and not yet due left out); "
            "the shares of interviews with an outcome that were completed and declined. Each beside the "
            "rate for all groups, with the ratio (group ÷ all; above 1 is more often). Counts from 1 to 4 "
            "are shown as “fewer than 5” for everyone, with any rate built on them."
        ),
        (
            "ethnicity",
            "episodes",
            "graded",
            "high_first",
            "high_share",
            "overall_high_share",
            "high_share_ratio",
            "rhis",
            "rhis_due",
            "offered_in_time",
            "offer_rate",
            "overall_offer_rate",
            "offer_rate_ratio",
            "outcomes",
            "completed",
            "completed_rate",
            "overall_completed_rate",
            "completed_rate_ratio",
            "declined",
            "declined_rate",
            "overall_declined_rate",
            "declined_rate_ratio",
            "not_possible",
        ),
        ETHNICITY_COUNTS,
        ETHNICITY_DERIVED,
        ethnicity,
    ),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)


def problem_profile(
    period: Period, district: District | None = None, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Every section for the period: {"period", "district", "sections": {key: rows}}."""
    sections = {}
    for section in SECTIONS:
        if section.key == "ethnicity":
            sections[section.key] = ethnicity(period, district, now=now)
        else:
            sections[section.key] = section.compute(period, district)
    return {
        "period": period.as_dict(),
        "district": district.name if district else None,
        "sections": sections,
    }


def suppress_small_counts(profile: dict[str, Any]) -> dict[str, Any]:
    """A copy with counts from 1 to 4 hidden in every section (for the commissioner's office)."""
    sections = {
        s.key: [suppress_row(row, s.counts, s.derived) for row in profile["sections"][s.key]]
        for s in SECTIONS
    }
    return {**profile, "sections": sections}


# --- Files ---------------------------------------------------------------------------------------------------

CSV_COLUMNS = ["section", *dict.fromkeys(c for s in SECTIONS for c in s.columns), "from", "to", "district"]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def profile_rows(profile: dict[str, Any]) -> list[list[Any]]:
    """One table: each row tagged with its section key; columns are the union of the sections' columns
    (a section leaves the others empty); suppressed values are empty."""
    period, district = profile["period"], profile["district"] or ""
    out = []
    for section in SECTIONS:
        for row in profile["sections"][section.key]:
            values = [row.get(c) if c in section.columns else None for c in CSV_COLUMNS[1:-3]]
            out.append([section.key, *values, period["from"], period["to"], district])
    return out


def profile_csv(profile: dict[str, Any], out: Any) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in profile_rows(profile):
        writer.writerow(["" if v is None else v for v in row])


def profile_xlsx(profile: dict[str, Any], path: str) -> None:
    """A sheet per section (its own columns) and an `about` sheet with the period and definitions."""
    book = Workbook(write_only=True)
    for section in SECTIONS:
        sheet = book.create_sheet(section.key[:31])
        sheet.append(list(section.columns))
        for row in profile["sections"][section.key]:
            sheet.append([row.get(c) for c in section.columns])
    about = book.create_sheet("about")
    about.append(["from", profile["period"]["from"]])
    about.append(["to", profile["period"]["to"]])
    about.append(["district", profile["district"] or "all districts"])
    for section in SECTIONS:
        about.append([section.key, section.definition])
    book.save(path)


def profile_json(profile: dict[str, Any]) -> str:
    definitions = {s.key: s.definition for s in SECTIONS}
    return json.dumps({**profile, "definitions": definitions}, indent=2, ensure_ascii=False) + "\n"
