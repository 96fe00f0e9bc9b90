"""`homeward demo --national`: synthetic data at national volume, in bulk, for the reports' benchmark.

England and Wales record about 330,000 missing incidents a year (domain-research.md), about 60% of
them children, many the same children again and again. This loads `years` of that into an empty
database — 43 forces with four districts each, their councils, care homes and hospitals, people with
their markers, episodes with the snapshot fields the reports read, prevention interviews and return
home interviews — fast enough for ten years (3.3 million episodes, about 1.5 million people) to load
in minutes: rows are generated person by person in chunks and written with PostgreSQL's COPY (plain
INSERTs elsewhere), so memory stays flat however many years are asked for.

It is not the casework demo (`homeward demo`): no users, risk-assessment history, actions, updates,
notifications or search keys are made, and no audit event per record — one audit event records the
load. Pages that need those records work but show little for these people.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.demo import names
from homeward.demo.generator import Table
from homeward.episodes.models import Episode, InterviewOutcome, PreventionInterview, Status
from homeward.identity.models import District, Organisation, OrganisationKind
from homeward.people.models import Ethnicity, MarkerType, Person, PersonMarker, Sex
from homeward.places.models import Location, LocationCategory
from homeward.returns.models import ReturnInterview, RhiOutcome, RhiStatus

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

FORCES = 43
DISTRICTS_PER_FORCE = 4
EPISODES_PER_YEAR = 330_000
# People generated between writes: bounds memory (a chunk's rows) whatever the number of years.
CHUNK_PEOPLE = 20_000


class CopyTable(Table):
    """Rows for one model written with COPY ... FROM STDIN (PostgreSQL): generator.Table's interface
    (values by attribute name, the rest the field's default, ids reserved here), but each flush streams
    its rows instead of binding parameters row by row, and values go in as given (psycopg adapts them;
    JSON defaults are written as JSON text)."""

    def __init__(self, model: type[models.Model]) -> None:
        super().__init__(model)
        fields = list(model._meta.concrete_fields)
        self.index = {name: i for i, name in enumerate(self.attnames)}
        self.defaults = [None if f.primary_key else _copy_value(f, f.get_default()) for f in fields]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        self.sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        self.copy_rows: list[list[Any]] = []

    def add(self, values: dict[str, Any]) -> int:
        row = list(self.defaults)
        pk = values.get("id") or self.next_id
        self.next_id = max(self.next_id, pk + 1)
        row[0] = pk
        for name, value in values.items():
            row[self.index[name]] = value  # KeyError on a misspelt field, never a silent drop
        self.copy_rows.append(row)
        return int(pk)

    def flush(self) -> None:
        if not self.copy_rows:
            return
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            for row in self.copy_rows:
                copy.write_row(row)
        self.written += len(self.copy_rows)
        self.copy_rows = []


def _copy_value(f: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    return value


def _table(model: type[models.Model]) -> CopyTable | Table:
    return CopyTable(model) if connection.vendor == "postgresql" else Table(model)


# --- Who goes missing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archetype:
    key: str
    weight: float
    child: bool
    mean_episodes: float  # of the geometric count (at least 1)
    span_days: tuple[int, int]  # the stretch of life over which the episodes fall
    settings: tuple[tuple[str, float], ...]  # where they go missing from, weighted
    looked_after: bool = False
    markers: tuple[tuple[str, float], ...] = ()


ARCHETYPES = (
    Archetype("adult_once", 0.44, False, 1.1, (1, 60), (("private_home", 80), ("hostel", 8), ("other", 12))),
    Archetype(
        "adult_repeat",
        0.06,
        False,
        5.0,
        (30, 900),
        (("mental_health_unit", 40), ("acute_hospital", 15), ("adult_care_home", 20), ("private_home", 25)),
        markers=(("mental_health", 0.55), ("dementia", 0.15), ("self_harm", 0.25)),
    ),
    Archetype(
        "child_once",
        0.30,
        True,
        1.3,
        (1, 120),
        (("private_home", 90), ("school", 5), ("other", 5)),
    ),
    Archetype(
        "child_repeat",
        0.10,
        True,
        4.0,
        (20, 500),
        (("private_home", 92), ("school", 4), ("other", 4)),
        markers=(("cse", 0.1), ("cce", 0.1)),
    ),
    Archetype(
        "child_looked_after",
        0.06,
        True,
        9.0,
        (20, 700),
        (("childrens_home", 75), ("unregistered_home", 18), ("secure_unit", 2), ("foster_placement", 5)),
        looked_after=True,
        markers=(("cse", 0.3), ("cce", 0.25), ("substance_misuse", 0.15)),
    ),
    Archetype(
        "child_fostered",
        0.04,
        True,
        4.0,
        (20, 400),
        (("foster_placement", 90), ("childrens_home", 10)),
        looked_after=True,
        markers=(("cse", 0.1),),
    ),
)
# Reports by local hour: few in the small hours, most in the evening.
HOUR_WEIGHTS = (3, 2, 2, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 5, 6, 6, 7, 8, 9, 9, 9, 8, 6, 4)
ETHNICITIES = (
    (Ethnicity.WHITE_BRITISH, 74),
    (Ethnicity.WHITE_OTHER, 6),
    (Ethnicity.MIXED_WHITE_CARIBBEAN, 2),
    (Ethnicity.MIXED_OTHER, 2),
    (Ethnicity.ASIAN_PAKISTANI, 3),
    (Ethnicity.ASIAN_INDIAN, 2),
    (Ethnicity.ASIAN_OTHER, 1),
    (Ethnicity.BLACK_AFRICAN, 3),
    (Ethnicity.BLACK_CARIBBEAN, 2),
    (Ethnicity.OTHER_ANY, 1),
    (Ethnicity.NOT_STATED, 4),
)
REPORTERS = ("Mother", "Father", "Carer", "Care home staff", "Ward nurse", "Partner", "Friend")
CIRCUMSTANCES = (
    "Did not return home at the agreed time.",
    "Left after an argument and has not been in contact.",
    "Walked out of the ward without telling staff.",
    "Failed to return to the placement by curfew.",
    "Not seen since leaving for school.",
)


@dataclass(frozen=True)
class NationalSummary:
    years: int
    forces: int
    districts: int
    people: int
    episodes: int
    rows: dict[str, int]
    seconds: float
    peak_memory_mb: float


@dataclass
class _Place:
    pk: int
    category: str


@dataclass
class _Area:
    district_id: int
    force_id: int
    council_id: int
    places: dict[str, list[_Place]] = field(default_factory=dict)


def _cum(weights: tuple[float, ...]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _chooser(rng: random.Random, items: tuple[tuple[Any, float], ...]) -> Callable[[], Any]:
    values = [v for v, _ in items]
    cum = _cum(tuple(w for _, w in items))
    return lambda: rng.choices(values, cum_weights=cum)[0]


def _geometric(rng: random.Random, mean: float) -> int:
    """A count of at least 1 with the given mean: 1 + geometric with p = 1/mean."""
    if mean <= 1:
        return 1
    p = 1 / mean
    return 1 + int(math.log(1 - rng.random()) / math.log(1 - p))


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


# --- The load ----------------------------------------------------------------------------------------


def national_load(
    *,
    seed: int,
    years: int,
    now: dt.datetime,
    episodes_per_year: int = EPISODES_PER_YEAR,
    progress: Callable[[str], None] | None = None,
) -> NationalSummary:
    """Load `years` of national-volume data ending at `now` into an empty database (the caller checks)."""
    import time

    started = time.perf_counter()
    rng = random.Random(seed)
    say = progress or (lambda _msg: None)
    with transaction.atomic():
        areas = _organisations(rng, now)
    target = episodes_per_year * years
    start = now - dt.timedelta(days=365 * years)
    tables = {m: _table(m) for m in (Person, PersonMarker, Episode, PreventionInterview, ReturnInterview)}
    people = episodes = 0
    rhi_services = list(
        Organisation.objects.filter(kind=OrganisationKind.RHI_SERVICE).values_list("force_id", "pk")
    )
    rhi_for_force = dict(rhi_services)
    while episodes < target:
        with transaction.atomic():
            for _ in range(CHUNK_PEOPLE):
                episodes += _person(rng, tables, areas, rhi_for_force, start, now, target - episodes)
                people += 1
                if episodes >= target:
                    break
            for table in tables.values():
                table.flush()
        say(f"  {people:,} people, {episodes:,} episodes")
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(tables)):
                cursor.execute(sql)
        audit_record(
            actor=None,
            operation=Operation.COLLECTION,
            event_type="demo.national_loaded",
            object_type="demo",
            object_ids=[],
            reason=f"national demo: {years} years, {people} people, {episodes} episodes, seed {seed}",
        )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        _order_episodes_by_report_time()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return NationalSummary(
        years=years,
        forces=len({a.force_id for a in areas}),
        districts=len(areas),
        people=people,
        episodes=episodes,
        rows={m.__name__: t.written for m, t in tables.items()},
        seconds=time.perf_counter() - started,
        peak_memory_mb=peak_kb / 1024,
    )


def _order_episodes_by_report_time() -> None:
    """Rows were written person by person, so one period's episodes and interviews lie all over their
    tables; a live system appends them as they happen. This gives the tables the order a live system's
    would have: CLUSTER on the report-time index for episodes; for the prevention and return interviews
    (no index on their episode's report time) the rows are rewritten in that order and the table
    compacted. Then VACUUM ANALYZE gives the planner statistics and index-only scans."""
    qn = connection.ops.quote_name
    episodes = qn(Episode._meta.db_table)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Episode._meta.db_table)
        index = next(
            name for name, c in constraints.items() if c["index"] and c["columns"] == ["reported_at"]
        )
        cursor.execute(f"CLUSTER {episodes} USING {qn(index)}")
        for model in (PreventionInterview, ReturnInterview):
            table = qn(model._meta.db_table)
            # Only table names from the models' metadata are interpolated.
            cursor.execute(
                f"CREATE TEMPORARY TABLE hw_ordered AS SELECT t.* FROM {table} t "  # noqa: S608
                f"JOIN {episodes} e ON e.id = t.episode_id ORDER BY e.reported_at, t.id"
            )
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute(f"INSERT INTO {table} SELECT * FROM hw_ordered")  # noqa: S608
            cursor.execute("DROP TABLE hw_ordered")
            cursor.execute(f"VACUUM FULL {table}")
        cursor.execute("VACUUM ANALYZE")


PLACES_PER_DISTRICT = (
    (LocationCategory.CHILDRENS_HOME, 6),
    (LocationCategory.UNREGISTERED_CHILDRENS_HOME, 2),
    (LocationCategory.SECURE_UNIT, 1),
    (LocationCategory.ACUTE_HOSPITAL, 1),
    (LocationCategory.MENTAL_HEALTH_UNIT, 1),
    (LocationCategory.ADULT_CARE_HOME, 2),
    (LocationCategory.HOSTEL, 1),
    (LocationCategory.SCHOOL, 2),
)


def _organisations(rng: random.Random, now: dt.datetime) -> list[_Area]:
    areas: list[_Area] = []
    for f in range(1, FORCES + 1):
        force = Organisation.objects.create(
            name=f"Force {f:02d} (national demo)", kind=OrganisationKind.POLICE_FORCE
        )
        force.force = force
        force.save(update_fields=["force"])
        Organisation.objects.create(
            name=f"Force {f:02d} return interview service", kind=OrganisationKind.RHI_SERVICE, force=force
        )
        for d in range(1, DISTRICTS_PER_FORCE + 1):
            council = Organisation.objects.create(
                name=f"Council {f:02d}-{d} (national demo)",
                kind=OrganisationKind.LOCAL_AUTHORITY,
                force=force,
            )
            district = District.objects.create(
                force=force,
                name=f"District {f:02d}-{d}",
                population=rng.randint(150_000, 450_000),
                council=council,
            )
            area = _Area(district.pk, force.pk, council.pk)
            for category, count in PLACES_PER_DISTRICT:
                for n in range(1, count + 1):
                    loc = Location.objects.create(
                        name=f"{category.label} {f:02d}-{d}-{n}",
                        category=category,
                        force=force,
                        district=district,
                        address=f"{n} Demo Road, District {f:02d}-{d}",
                    )
                    area.places.setdefault(category, []).append(_Place(loc.pk, category))
            areas.append(area)
    return areas


_NAME_POOLS = {
    ("female", True): names.BRITISH_YOUNG_F,
    ("male", True): names.BRITISH_YOUNG_M,
    ("female", False): names.BRITISH_ELDER_F,
    ("male", False): names.BRITISH_ELDER_M,
}
_SURNAMES = names.BRITISH_SURNAMES


def _person(
    rng: random.Random,
    tables: dict[Any, CopyTable | Table],
    areas: list[_Area],
    rhi_for_force: dict[int, int],
    start: dt.datetime,
    now: dt.datetime,
    budget: int,
) -> int:
    """One person and their episodes, at most `budget` of them; returns the number written."""
    arch = rng.choices(ARCHETYPES, cum_weights=_ARCH_CUM)[0]
    area = rng.choice(areas)
    first = start + dt.timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
    span = dt.timedelta(days=rng.uniform(*arch.span_days))
    count = min(_geometric(rng, arch.mean_episodes), 120, budget)
    # Report times: the first, then the rest spread over the span, in order.
    times = sorted([first] + [first + span * rng.random() for _ in range(count - 1)])
    sex = Sex.FEMALE if rng.random() < (0.55 if arch.child else 0.42) else Sex.MALE
    if arch.child:
        age_first = rng.choices((10, 11, 12, 13, 14, 15, 16, 17), weights=(2, 4, 7, 12, 18, 22, 22, 13))[0]
    else:
        age_first = rng.randint(18, 88)
    first_day = first.date()
    dob: dt.date | None = first_day - dt.timedelta(days=int(365.25 * age_first) + rng.randint(0, 364))
    if rng.random() < 0.02:
        dob = None
    pool = _NAME_POOLS[(sex.value, arch.child)]
    setting = _chooser(rng, arch.settings)
    person = tables[Person]
    person_id = person.add(
        {
            "given_name": rng.choice(pool),
            "family_name": rng.choice(_SURNAMES),
            "date_of_birth": dob,
            "sex": sex,
            "ethnicity": rng.choices(_ETHNICITY_CODES, cum_weights=_ETHNICITY_CUM)[0],
            "looked_after": arch.looked_after,
            "placing_authority_id": area.council_id if arch.looked_after else None,
            "home_district_id": area.district_id,
            "owner_id": area.force_id,
            "force_id": area.force_id,
            "created_at": first,
            "updated_at": first,
        }
    )
    for marker, chance in arch.markers:
        if rng.random() < chance:
            tables[PersonMarker].add(
                {"person_id": person_id, "marker": MarkerType(marker), "recorded_at": first, "active": True}
            )
    written = 0
    free_from = start
    for planned in times:
        reported = max(planned, free_from)
        # Move to a plausible hour of the day (keeps the day).
        reported = reported.replace(
            hour=rng.choices(range(24), weights=HOUR_WEIGHTS)[0], minute=rng.randint(0, 59)
        )
        if reported < free_from:
            reported = free_from + dt.timedelta(minutes=rng.randint(30, 600))
        if reported >= now:
            break
        ended = _episode(rng, tables, area, arch, person_id, dob, setting(), reported, now, rhi_for_force)
        written += 1
        if ended is None:  # still missing: nothing after it
            break
        free_from = ended + HOUR
    return written


_ARCH_CUM = _cum(tuple(a.weight for a in ARCHETYPES))
_ETHNICITY_CODES = [code for code, _ in ETHNICITIES]
_ETHNICITY_CUM = _cum(tuple(float(w) for _, w in ETHNICITIES))


def _duration(rng: random.Random) -> dt.timedelta:
    """Time missing: most are back within hours, a few are gone for weeks (long-term missing)."""
    r = rng.random()
    if r < 0.80:
        hours = rng.lognormvariate(math.log(6), 0.8)
        return dt.timedelta(hours=min(hours, 23.9))
    if r < 0.995:
        return dt.timedelta(hours=rng.uniform(24, 24 * 6))
    return dt.timedelta(days=rng.uniform(7, 120))


def _episode(
    rng: random.Random,
    tables: dict[Any, CopyTable | Table],
    area: _Area,
    arch: Archetype,
    person_id: int,
    dob: dt.date | None,
    category: str,
    reported: dt.datetime,
    now: dt.datetime,
    rhi_for_force: dict[int, int],
) -> dt.datetime | None:
    """One episode (and its interviews); returns when it ended (found, or the decision not to record
    it), or None while the person is still missing."""
    age = _age_on(dob, reported.date()) if dob else None
    is_child = None if age is None else age < 18
    child_now = bool(is_child)
    looked_after = arch.looked_after and child_now
    places = area.places.get(category)
    place = rng.choice(places) if places else None
    not_recorded = rng.random() < 0.02
    duration = _duration(rng)
    found: dt.datetime | None = reported + duration
    assert found is not None
    if not_recorded:
        status, found = Status.NOT_RECORDED, None
    elif found > now:
        status = Status.LONG_TERM if now - reported > dt.timedelta(days=7) else Status.ACTIVE
        found = None
    elif rng.random() < 0.0005:
        status = Status.FOUND_DECEASED
    else:
        status = Status.CLOSED if now - found > 3 * DAY or rng.random() < 0.6 else Status.FOUND
    if child_now:
        first_level = rng.choices(("low", "medium", "high"), weights=(40, 48, 12))[0]
    else:
        first_level = rng.choices(("very_low", "low", "medium", "high"), weights=(8, 35, 45, 12))[0]
    highest = first_level
    if first_level != "high" and rng.random() < 0.08:
        highest = "high" if first_level == "medium" else "medium"
    out_of_area = looked_after and rng.random() < 0.3
    episode = tables[Episode]
    episode_id = episode.reserve()
    episode.add(
        {
            "id": episode_id,
            "reference": f"NAT-{episode_id:08d}",
            "person_id": person_id,
            "force_id": area.force_id,
            "district_id": area.district_id,
            "status": status,
            "reported_at": reported,
            "reporting_person_name": "Synthetic reporter",
            "reporting_person_relationship": rng.choice(REPORTERS),
            "missing_from_id": place.pk if place else None,
            "missing_from_address": "" if place else "A private address",
            "missing_from_category": category,
            "last_seen_at": reported - dt.timedelta(minutes=rng.randint(30, 360)),
            "last_seen_place": "Near where they live",
            "circumstances": rng.choice(CIRCUMSTANCES),
            "age_at_report": age,
            "is_child": is_child,
            "looked_after": looked_after,
            "placing_authority_id": area.council_id if looked_after else None,
            "out_of_area": out_of_area,
            "risk_level": "" if not_recorded else highest,
            "risk_level_first": "" if not_recorded else first_level,
            "risk_level_highest": "" if not_recorded else highest,
            "found_at": found,
            "closed_at": found + 2 * DAY if status == Status.CLOSED and found else None,
            "not_recorded_reason": "No concern for safety: a late return." if not_recorded else "",
            "not_recorded_at": reported + HOUR if not_recorded else None,
            "updated_at": found or reported,
        }
    )
    if status in (Status.ACTIVE, Status.LONG_TERM):
        return None
    if found is None or status == Status.FOUND_DECEASED:
        return found or reported + HOUR
    if rng.random() < 0.9:
        done = rng.random() < 0.85
        tables[PreventionInterview].add(
            {
                "episode_id": episode_id,
                "outcome": InterviewOutcome.COMPLETED if done else InterviewOutcome.DECLINED,
                "conducted_at": found + dt.timedelta(hours=rng.uniform(0.5, 30)),
                "recorded_at": found + dt.timedelta(hours=rng.uniform(1, 36)),
            }
        )
    if child_now:
        due = found + 72 * HOUR
        offered = found + dt.timedelta(hours=rng.lognormvariate(math.log(30), 0.7))
        offered_at: dt.datetime | None = None
        completed_at: dt.datetime | None = None
        outcome = ""
        if offered <= now:
            offered_at = offered
            outcome = rng.choices(
                (RhiOutcome.COMPLETED, RhiOutcome.DECLINED, RhiOutcome.NOT_POSSIBLE), weights=(65, 25, 10)
            )[0]
            completed_at = offered + dt.timedelta(hours=rng.uniform(2, 96))
            if completed_at > now:
                outcome, completed_at = "", None
        tables[ReturnInterview].add(
            {
                "episode_id": episode_id,
                "person_id": person_id,
                "status": RhiStatus(outcome)
                if outcome
                else (RhiStatus.OFFERED if offered_at else RhiStatus.REFERRED),
                "referred_at": found,
                "referred_to_id": rhi_for_force.get(area.force_id),
                "offer_due_at": due,
                "offered_at": offered_at,
                "outcome": outcome,
                "completed_at": completed_at,
                "outcome_recorded_at": completed_at,
                "updated_at": completed_at or offered_at or found,
            }
        )
    return found
