"""The deterministic synthetic demo world (SPEC §8): one force, its partners, people and their episodes.

How it works
- The organisations, districts, users and fixed places are written first (`_build_world`).
- People go missing through *careers*: a looked-after child placed in a children's home goes missing again
  and again while the placement lasts; a teenager at home has a run of episodes; most people have a single
  episode. A career is an arrival time, a window and a rate; its episodes follow as a renewal process
  (the next report comes some time after the person was found), so one person is never missing twice at once.
- Arrival rates are set so that each kind of career produces its share of the force's yearly episodes
  (about 10,500 for the default force), and the mix of kinds carries the published calibration (children,
  risk grades, time to be found, deaths, repeat tail). Figures are in the module constants below.
- Time runs month by month. Each month's new episodes are sorted by report time, numbered, and written with
  bulk inserts; only careers still running are kept in memory, so a long or large run streams.

Determinism: one `random.Random(seed)` drives everything, in a fixed order; timestamps are derived from
the as-of date, never from the clock. Same seed and as-of, same rows (except auto-set creation stamps on
locations and password salts). Everything is synthetic: names are random pairings of common names, phone
numbers are Ofcom drama numbers, and addresses are invented.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.demo import names, texts
from homeward.episodes.actions import CALL_HANDLER_QUESTIONS, RISK_FACTORS, SYSTEMS
from homeward.episodes.models import (
    Condition,
    Enquiry,
    EnquiryStatus,
    Episode,
    EpisodeEvent,
    EpisodeUpdate,
    FoundRecord,
    HowFound,
    InterviewOutcome,
    PreventionInterview,
    RiskAssessment,
    Sighting,
    SightingStatus,
    Status,
)
from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.people.models import (
    OfficerEthnicity,
    Person,
    PersonAddress,
    PersonAlias,
    PersonAssociate,
    PersonContact,
    PersonMarker,
    PersonPlace,
    PersonSearchKey,
    Sex,
)
from homeward.people.search import search_keys_for
from homeward.places.models import (
    CARE_SETTING_CATEGORIES,
    REASONABLE_STEPS_CATEGORIES,
    Location,
    LocationCategory,
)

BATCH_SIZE = 2000
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
T = TypeVar("T")

# --- The default force and its partners (data, not rules: nothing else in the app knows these names) -------
FORCE_NAME = "West Yorkshire Police"
# name, population (2021 census, rounded), council, relative missing rate (Bradford runs higher).
DISTRICTS: tuple[tuple[str, int, str, float], ...] = (
    ("Bradford", 546_400, "Bradford Council", 1.15),
    ("Calderdale", 206_600, "Calderdale Council", 1.0),
    ("Kirklees", 433_200, "Kirklees Council", 0.95),
    ("Leeds", 812_000, "Leeds City Council", 1.0),
    ("Wakefield", 353_300, "Wakefield Council", 0.95),
)
OUT_OF_AREA_COUNCILS = ("Manchester City Council", "Lancashire County Council")
ACUTE_TRUSTS = {
    "Leeds": "Leeds Teaching Hospitals NHS Trust",
    "Bradford": "Bradford Teaching Hospitals NHS Foundation Trust",
    "Calderdale": "Mid Yorkshire Teaching NHS Trust",
    "Kirklees": "Mid Yorkshire Teaching NHS Trust",
    "Wakefield": "Mid Yorkshire Teaching NHS Trust",
}
MENTAL_HEALTH_TRUST = "South West Yorkshire Partnership NHS Foundation Trust"
CHILDREN_PROVIDERS = (
    "Pennine Children's Homes Ltd",
    "Brightwater Residential Care Ltd",
    "Aire Valley Young People's Services",
)
SUPPORTED_PROVIDER = "Northern Lights Supported Living Ltd"
ADULT_CARE_PROVIDER = "Heatherlea Care Group"
RHI_SERVICE = "Yorkshire Return Interview Service"
CHARITIES = ("Safe Return Yorkshire", "Pennine Family Support Network")
COMMISSIONER = "Office of the Mayor of West Yorkshire (Policing and Crime)"

# Fixed health settings per district: (name, category, address area index).
HOSPITALS: dict[str, tuple[tuple[str, str], ...]] = {
    "Leeds": (
        ("Leeds Northgate Hospital", LocationCategory.ACUTE_HOSPITAL),
        ("Seacroft Park Hospital", LocationCategory.ACUTE_HOSPITAL),
        ("Beckside Mental Health Unit", LocationCategory.MENTAL_HEALTH_UNIT),
        ("Kirkstall Vale Mental Health Unit", LocationCategory.MENTAL_HEALTH_UNIT),
    ),
    "Bradford": (
        ("Bradford Westgate Hospital", LocationCategory.ACUTE_HOSPITAL),
        ("Moorview Mental Health Unit", LocationCategory.MENTAL_HEALTH_UNIT),
    ),
    "Calderdale": (
        ("Halifax Moorside Hospital", LocationCategory.ACUTE_HOSPITAL),
        ("Ovenden Mental Health Unit", LocationCategory.MENTAL_HEALTH_UNIT),
    ),
    "Kirklees": (
        ("Colne Valley Hospital", LocationCategory.ACUTE_HOSPITAL),
        ("Holme Valley Mental Health Unit", LocationCategory.MENTAL_HEALTH_UNIT),
    ),
    "Wakefield": (
        ("Wakefield Calder Hospital", LocationCategory.ACUTE_HOSPITAL),
        ("The Calder Unit", LocationCategory.MENTAL_HEALTH_UNIT),
    ),
}
# Places per 100,000 residents at scale 1 (children's homes sized so each has about four residents).
REGULATED_HOMES_PER_100K = 1.7
UNREGISTERED_HOMES_PER_100K = 0.6
ADULT_CARE_HOMES_PER_100K = 0.8
HOSTELS_PER_100K = 0.35
SCHOOLS_PER_100K = 0.8

# 2021 census ethnicity mix (%, rounded) by district, before the over-representation of some groups among
# missing people (NCA 2019/20: Black people were 14% of known-ethnicity incidents).
ETHNICITY_MIX: dict[str, dict[str, float]] = {
    "Bradford": {"W1": 57, "W2": 0.4, "W3": 0.2, "W4": 0.6, "W9": 2.5, "M1": 0.9, "M2": 0.2, "M3": 1.0, "M9": 0.6,
                 "A1": 2.2, "A2": 25.5, "A3": 1.4, "A4": 0.3, "A9": 1.0, "B1": 0.5, "B2": 0.8, "B9": 0.3,
                 "O1": 0.3, "O9": 1.0},
    "Calderdale": {"W1": 83, "W2": 0.4, "W3": 0.2, "W4": 0.1, "W9": 2.0, "M1": 0.8, "M2": 0.2, "M3": 0.8,
                   "M9": 0.4, "A1": 0.5, "A2": 8.5, "A3": 0.4, "A4": 0.3, "A9": 0.5, "B1": 0.2, "B2": 0.4,
                   "B9": 0.1, "O1": 0.2, "O9": 0.5},
    "Kirklees": {"W1": 71, "W2": 0.5, "W3": 0.2, "W4": 0.2, "W9": 2.5, "M1": 1.2, "M2": 0.2, "M3": 0.9, "M9": 0.5,
                 "A1": 4.3, "A2": 12.5, "A3": 0.2, "A4": 0.3, "A9": 0.8, "B1": 1.0, "B2": 0.9, "B9": 0.3,
                 "O1": 0.2, "O9": 0.9},
    "Leeds": {"W1": 73, "W2": 0.7, "W3": 0.2, "W4": 0.5, "W9": 4.5, "M1": 1.1, "M2": 0.4, "M3": 0.8, "M9": 0.8,
              "A1": 2.3, "A2": 3.4, "A3": 0.5, "A4": 1.0, "A9": 1.6, "B1": 0.7, "B2": 3.3, "B9": 0.7, "O1": 0.6,
              "O9": 1.5},
    "Wakefield": {"W1": 88.5, "W2": 0.3, "W3": 0.2, "W4": 0.3, "W9": 3.8, "M1": 0.5, "M2": 0.1, "M3": 0.4,
                  "M9": 0.3, "A1": 0.5, "A2": 1.5, "A3": 0.1, "A4": 0.3, "A9": 0.4, "B1": 0.2, "B2": 0.8,
                  "B9": 0.1, "O1": 0.1, "O9": 0.4},
}  # fmt: skip
OVER_REPRESENTATION = {"B": 2.0, "M": 1.8}
# WYP FOI 2022/23: 1,549 of 10,537 incidents had no self-defined ethnicity.
NOT_STATED_SHARE = 0.145

# --- Calibration (SPEC §8; domain reference §3) ---------------------------------------------------------
EPISODES_PER_YEAR = 10_500
# Hours from report to found, as (share, from, to): 46% within 8 h, 78% within 24 h, 85% within 48 h,
# about 4% over a week (NCA: 3% of children, 6% of adults), a very thin tail beyond 28 days.
DURATIONS: tuple[tuple[float, float, float], ...] = (
    (0.46, 0.25, 8),
    (0.32, 8, 24),
    (0.07, 24, 48),
    (0.113, 48, 168),
    (0.035, 168, 672),
    (0.002, 672, 8760),
)
# People with dementia are usually found within hours, close to where they were last seen.
DEMENTIA_DURATIONS: tuple[tuple[float, float, float], ...] = (
    (0.75, 0.25, 8),
    (0.17, 8, 24),
    (0.04, 24, 48),
    (0.03, 48, 168),
    (0.008, 168, 672),
    (0.002, 672, 8760),
)
# Deaths: more than 80% of people who die while missing are men (one-in-358 study).
DEATH_SEX_FACTOR: dict[str, float] = {Sex.MALE: 1.38, Sex.FEMALE: 0.35, Sex.UNKNOWN: 1.0}
REGRADE_SHARE = 0.12
REPORT_HOURS_CHILD = (6, 4, 3, 2, 1.5, 1, 1, 1.5, 2.5, 3, 3, 3, 3.5, 3.5, 4, 5, 6, 7, 8, 9, 10, 10, 9, 8)
REPORT_HOURS_ADULT = (4, 3, 2.5, 2, 1.5, 1.5, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5.5, 6, 6.5, 7, 7, 7, 6.5, 6, 5)
REPORT_HOURS_DEMENTIA = (2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 5.5, 5, 4, 3.5, 3, 2.5, 2)
# Kept to a handful: genuine duplicate records with a misspelt name (about 0.5% of people).
DUPLICATE_SHARE_OF_CAREERS = 0.012
MISSPELT_REREPORT_SHARE = 0.04


@dataclass(frozen=True)
class Archetype:
    """One way people come to go missing, with its share of the episodes and its habits."""

    key: str
    per_year: int  # episodes a year at scale 1
    child: bool
    ages: tuple[tuple[int, float], ...]  # (age at start, weight)
    female: float
    risk: tuple[float, float, float, float]  # very low, low, medium, high (first assessment)
    p_dead: float  # per episode, before the sex factor
    p_not_recorded: float
    markers: tuple[tuple[str, float, float], ...]  # (marker, chance if female, chance if male)
    career: bool = False
    rate_mean: float = 0.0  # episodes a year while the career lasts
    rate_shape: float = 1.0  # gamma shape: below 1 gives the heavy repeat tail
    rate_cap: float = 80.0
    window_mean_days: float = 0.0
    window_min_days: float = 0.0
    window_max_days: float = 0.0


def _ages(*pairs: tuple[int, float]) -> tuple[tuple[int, float], ...]:
    return pairs


TEEN_AGES = _ages((11, 2), (12, 5), (13, 9), (14, 18), (15, 25), (16, 26), (17, 15))
ARCHETYPES: tuple[Archetype, ...] = (
    # Looked-after children in children's homes: DfE 2025, 6.8 missing incidents per missing child a year.
    Archetype(
        key="lac_home", per_year=1750, child=True, ages=TEEN_AGES, female=0.45,
        risk=(0, 0.18, 0.70, 0.12), p_dead=0.0002, p_not_recorded=0.012,
        markers=(("cse", 0.28, 0.07), ("cce", 0.06, 0.22), ("mental_health", 0.15, 0.15), ("self_harm", 0.2, 0.1),
                 ("substance_misuse", 0.15, 0.15), ("learning_disability", 0.05, 0.05), ("autism", 0.04, 0.08),
                 ("trafficking", 0.02, 0.02)),
        career=True, rate_mean=14.0, rate_shape=0.9, window_mean_days=270, window_min_days=60, window_max_days=900,
    ),
    Archetype(
        key="lac_foster", per_year=700, child=True, ages=TEEN_AGES, female=0.5,
        risk=(0, 0.16, 0.70, 0.14), p_dead=0.0002, p_not_recorded=0.006,
        markers=(("cse", 0.15, 0.04), ("cce", 0.02, 0.10), ("mental_health", 0.1, 0.1), ("self_harm", 0.12, 0.08),
                 ("autism", 0.04, 0.06), ("learning_disability", 0.04, 0.04)),
        career=True, rate_mean=3.5, rate_shape=1.2, window_mean_days=300, window_min_days=30, window_max_days=900,
    ),
    Archetype(
        key="child_repeat", per_year=2550, child=True,
        ages=_ages((10, 2), (11, 3), (12, 6), (13, 11), (14, 19), (15, 24), (16, 22), (17, 13)), female=0.52,
        risk=(0, 0.15, 0.70, 0.15), p_dead=0.0002, p_not_recorded=0.003,
        markers=(("cse", 0.15, 0.04), ("cce", 0.03, 0.12), ("mental_health", 0.12, 0.12), ("self_harm", 0.15, 0.09),
                 ("autism", 0.04, 0.08), ("substance_misuse", 0.08, 0.08), ("domestic_abuse", 0.06, 0.06),
                 ("forced_marriage", 0.01, 0.0)),
        career=True, rate_mean=3.0, rate_shape=1.2, window_mean_days=220, window_min_days=20, window_max_days=720,
    ),
    Archetype(
        key="child_once", per_year=1300, child=True,
        ages=_ages((4, 0.5), (6, 0.5), (8, 1), (9, 1), (10, 2), (11, 3), (12, 6), (13, 11), (14, 18), (15, 22),
                   (16, 20), (17, 15)),
        female=0.55, risk=(0, 0.12, 0.72, 0.16), p_dead=0.0002, p_not_recorded=0.003,
        markers=(("cse", 0.04, 0.01), ("cce", 0.0, 0.03), ("mental_health", 0.06, 0.06), ("self_harm", 0.07, 0.05),
                 ("autism", 0.03, 0.07), ("learning_disability", 0.03, 0.03), ("domestic_abuse", 0.03, 0.03)),
    ),
    Archetype(
        key="adult_mh", per_year=1000, child=False,
        ages=_ages((18, 3), (20, 10), (25, 14), (30, 14), (35, 14), (40, 13), (45, 12), (50, 10), (55, 6),
                   (60, 4), (65, 2)),
        female=0.45, risk=(0.02, 0.08, 0.60, 0.30), p_dead=0.010, p_not_recorded=0.003,
        markers=(("mental_health", 0.9, 0.9), ("self_harm", 0.5, 0.4), ("substance_misuse", 0.15, 0.25),
                 ("learning_disability", 0.05, 0.05), ("autism", 0.03, 0.05), ("medical", 0.1, 0.1),
                 ("domestic_abuse", 0.08, 0.03)),
        career=True, rate_mean=3.0, rate_shape=1.0, window_mean_days=250, window_min_days=20, window_max_days=900,
    ),
    Archetype(
        key="dementia", per_year=400, child=False,
        ages=_ages((65, 5), (70, 10), (75, 20), (80, 30), (85, 25), (90, 10)),
        female=0.5, risk=(0, 0.05, 0.55, 0.40), p_dead=0.012, p_not_recorded=0.002,
        markers=(("dementia", 0.95, 0.95), ("medical", 0.5, 0.5)),
        career=True, rate_mean=2.0, rate_shape=1.5, window_mean_days=150, window_min_days=10, window_max_days=600,
    ),
    Archetype(
        key="adult_repeat", per_year=600, child=False,
        ages=_ages((18, 12), (20, 15), (25, 18), (30, 18), (35, 14), (40, 11), (45, 7), (50, 5)),
        female=0.25, risk=(0.12, 0.20, 0.60, 0.08), p_dead=0.007, p_not_recorded=0.006,
        markers=(("substance_misuse", 0.7, 0.7), ("mental_health", 0.4, 0.4), ("self_harm", 0.15, 0.15),
                 ("domestic_abuse", 0.25, 0.1)),
        career=True, rate_mean=4.0, rate_shape=1.0, window_mean_days=250, window_min_days=20, window_max_days=900,
    ),
    Archetype(
        key="adult_once", per_year=2200, child=False,
        ages=_ages((18, 12), (20, 12), (25, 12), (30, 11), (35, 11), (40, 10), (45, 10), (50, 8), (55, 6),
                   (60, 4), (65, 2), (70, 1.5), (75, 0.5)),
        female=0.35, risk=(0.10, 0.12, 0.65, 0.13), p_dead=0.005, p_not_recorded=0.003,
        markers=(("mental_health", 0.2, 0.2), ("self_harm", 0.08, 0.08), ("substance_misuse", 0.06, 0.1),
                 ("domestic_abuse", 0.15, 0.05), ("medical", 0.06, 0.06), ("learning_disability", 0.02, 0.02),
                 ("autism", 0.02, 0.02), ("forced_marriage", 0.01, 0.0), ("trafficking", 0.005, 0.005)),
    ),
)  # fmt: skip

# --- Demo accounts: one per role, readable usernames, all police users in Leeds --------------------------
# (username, role, organisation key, district, first name, last name). Organisation keys are resolved below.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str | None, str, str], ...] = (
    ("call.handler", Role.CALL_HANDLER, "force", "Leeds", "Priya", "Sharma"),
    ("officer", Role.OFFICER, "force", "Leeds", "Daniel", "Hirst"),
    ("supervisor", Role.SUPERVISOR, "force", "Leeds", "Joanne", "Ackroyd"),
    ("di", Role.DETECTIVE_INSPECTOR, "force", "Leeds", "Imran", "Akhtar"),
    ("coordinator", Role.MFH_COORDINATOR, "force", "Leeds", "Claire", "Sutcliffe"),
    ("analyst", Role.ANALYST, "force", "Leeds", "Tomasz", "Nowak"),
    ("csc.leeds", Role.CSC_MISSING_OFFICER, "council:Leeds", "Leeds", "Shanice", "Campbell"),
    ("rhi.worker", Role.RHI_WORKER, RHI_SERVICE, "Leeds", "Gemma", "Lockwood"),
    ("care.staff", Role.CARE_STAFF, CHILDREN_PROVIDERS[0], "Leeds", "Kwame", "Mensah"),
    ("health.staff", Role.HEALTH_STAFF, ACUTE_TRUSTS["Leeds"], "Leeds", "Sarah", "Naylor"),
    ("voluntary", Role.VOLUNTARY_WORKER, CHARITIES[0], "Leeds", "Harpreet", "Gill"),
    ("commissioner", Role.COMMISSIONER, COMMISSIONER, None, "Margaret", "Pickles"),
    ("auditor", Role.AUDITOR, "force", None, "Richard", "Exley"),
    ("admin", Role.ADMINISTRATOR, "force", None, "Adam", "Firth"),
)
DEMO_USERNAMES = tuple(row[0] for row in DEMO_ACCOUNTS)


@dataclass
class DemoSummary:
    counts: dict[str, int]
    calibration: dict[str, float]
    as_of: dt.date
    cutoff: dt.datetime


# --- Small helpers ---------------------------------------------------------------------------------------


def _cum(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, items: Sequence[T], cum: Sequence[float]) -> T:
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _loguniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _sample_hours(rng: random.Random, buckets: Sequence[tuple[float, float, float]]) -> float:
    u = rng.random()
    for share, lo, hi in buckets:
        if u < share:
            if lo < 1:
                # Within the first eight hours most people turn up early: skew towards the short end.
                return lo + (hi - lo) * rng.random() ** 1.4
            return _loguniform(rng, lo, hi) if hi / lo >= 3 else rng.uniform(lo, hi)
        u -= share
    lo, hi = buckets[-1][1], buckets[-1][2]
    return _loguniform(rng, lo, hi)


def _postcode(rng: random.Random, outward: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _street(rng: random.Random) -> str:
    return f"{rng.choice(names.STREET_FIRST)} {rng.choice(names.STREET_SUFFIX)}"


def _mobile(rng: random.Random) -> str:
    return f"{names.MOBILE_PREFIX}{rng.randint(0, 999):03d}"


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _bulk(model: type[models.Model], rows: list[Any]) -> int:
    if rows:
        model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


# --- The world: organisations, users, fixed places --------------------------------------------------------


@dataclass
class World:
    force: Organisation
    districts: list[District]
    district_cum: list[float]
    councils: dict[str, Organisation]  # by district name
    out_of_area: list[Organisation]
    areas: dict[str, tuple[tuple[str, str], ...]]  # district name → (area, outward code)
    places: dict[tuple[str, str], list[Location]]  # (district name, category) → locations
    call_handlers: list[User]
    officers: dict[str, list[User]]  # by district name
    supervisors: dict[str, list[User]]
    inspectors: list[User]
    demo_users: list[User]
    system_names: dict[str, str] = field(default_factory=dict)


def _org(name: str, kind: str, force: Organisation | None, slug: str) -> Organisation:
    return Organisation(name=name, kind=kind, force=force, email=f"{slug}@example.org")


def _build_world(rng: random.Random, scale: float, password_hash: str) -> World:
    force = Organisation.objects.create(
        name=FORCE_NAME, kind=OrganisationKind.POLICE_FORCE, email="missing.persons@example.org"
    )
    force.force = force
    force.save(update_fields=["force"])

    partners: dict[str, Organisation] = {}

    def add(name: str, kind: str, slug: str, in_force: bool = True) -> None:
        partners[name] = _org(name, kind, force if in_force else None, slug)

    for district_name, _pop, council, _rate in DISTRICTS:
        add(council, OrganisationKind.LOCAL_AUTHORITY, f"missing.children.{district_name.lower()}")
    for council in OUT_OF_AREA_COUNCILS:
        # Councils elsewhere in England: they place children here but work in another force's area.
        add(
            council,
            OrganisationKind.LOCAL_AUTHORITY,
            f"placements.{council.split()[0].lower()}",
            in_force=False,
        )
    for trust in sorted(set(ACUTE_TRUSTS.values())) + [MENTAL_HEALTH_TRUST]:
        add(trust, OrganisationKind.NHS_TRUST, "safeguarding." + trust.split()[0].lower())
    for provider_name in (*CHILDREN_PROVIDERS, SUPPORTED_PROVIDER, ADULT_CARE_PROVIDER):
        add(provider_name, OrganisationKind.CARE_PROVIDER, "office." + provider_name.split()[0].lower())
    add(RHI_SERVICE, OrganisationKind.RHI_SERVICE, "referrals.rhi")
    for charity in CHARITIES:
        add(charity, OrganisationKind.CHARITY, "hello." + charity.split()[0].lower())
    add(COMMISSIONER, OrganisationKind.COMMISSIONER, "policing.mayor")
    _bulk(Organisation, list(partners.values()))

    districts = [
        District(force=force, name=name, population=pop, council=partners[council])
        for name, pop, council, _rate in DISTRICTS
    ]
    _bulk(District, districts)
    district_by_name = {d.name: d for d in districts}
    district_cum = _cum([pop * rate for _name, pop, _council, rate in DISTRICTS])
    councils = {name: partners[council] for name, _pop, council, _rate in DISTRICTS}

    # Users: the demo accounts (one per role) plus a pool of police staff who did the casework.
    orgs_by_key: dict[str, Organisation] = {"force": force, **partners}
    for district_name, council_org in councils.items():
        orgs_by_key[f"council:{district_name}"] = council_org
    demo_users = [
        User(
            username=username,
            password=password_hash,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            role=role,
            organisation=orgs_by_key[org_key],
            district=district_by_name[district] if district else None,
            is_staff=role == Role.ADMINISTRATOR,
        )
        for username, role, org_key, district, first, last in DEMO_ACCOUNTS
    ]
    demo_by_name = {u.username: u for u in demo_users}
    pool: list[User] = []
    unusable = make_password(None)
    collar = iter(range(1000, 10000, 37))

    def staff(role: str, prefix: str, district: District | None) -> User:
        tradition = _pick(rng, STAFF_TRADITIONS, STAFF_TRADITIONS_CUM)
        female, male, surnames, _lang = names.TRADITIONS[tradition]
        is_female = rng.random() < 0.45
        user = User(
            username=f"{prefix}{next(collar)}",
            password=unusable,
            first_name=rng.choice(female if is_female else male),
            last_name=rng.choice(surnames),
            role=role,
            organisation=force,
            district=district,
        )
        pool.append(user)
        return user

    call_handlers = [demo_by_name["call.handler"]] + [
        staff(Role.CALL_HANDLER, "ch", district_by_name["Leeds"]) for _ in range(7)
    ]
    officers: dict[str, list[User]] = {}
    supervisors: dict[str, list[User]] = {}
    for d in districts:
        officers[d.name] = [staff(Role.OFFICER, "pc", d) for _ in range(6)]
        supervisors[d.name] = [staff(Role.SUPERVISOR, "ps", d) for _ in range(2)]
    officers["Leeds"][0] = demo_by_name["officer"]
    supervisors["Leeds"][0] = demo_by_name["supervisor"]
    pool = [u for u in pool if u.username not in ("",)]
    inspectors = [demo_by_name["di"]] + [staff(Role.DETECTIVE_INSPECTOR, "di", None) for _ in range(2)]
    # The two pool users displaced by demo accounts are simply not written.
    used = {id(u) for group in (*officers.values(), *supervisors.values()) for u in group}
    pool = [u for u in pool if u.role not in (Role.OFFICER, Role.SUPERVISOR) or id(u) in used]
    _bulk(User, demo_users + pool)

    # Fixed places: children's homes, supported accommodation, the secure unit, hospitals, care homes,
    # hostels and schools.
    places: dict[tuple[str, str], list[Location]] = {}
    used_names: set[str] = set()
    rows: list[Location] = []

    def unique_name(make: Callable[[], str]) -> str:
        for _ in range(50):
            candidate = make()
            if candidate not in used_names:
                used_names.add(candidate)
                return candidate
        candidate = f"{make()} {len(used_names)}"
        used_names.add(candidate)
        return candidate

    def place(
        district: District, category: str, name: str, provider: Organisation | None, reg: str = ""
    ) -> Location:
        area, outward = rng.choice(names.DISTRICT_AREAS[district.name])
        loc = Location(
            name=name,
            address=f"{rng.randint(1, 220)} {_street(rng)}, {area}",
            postcode=_postcode(rng, outward),
            category=category,
            force=force,
            district=district,
            provider=provider,
            registration_ref=reg,
        )
        rows.append(loc)
        places.setdefault((district.name, category), []).append(loc)
        return loc

    def house_name() -> str:
        return f"{rng.choice(names.HOUSE_NAMES)} {rng.choice(names.HOUSE_SUFFIX)}"

    children_providers = [partners[p] for p in CHILDREN_PROVIDERS]
    for d in districts:
        per_100k = d.population / 100_000
        for i in range(max(1, round(REGULATED_HOMES_PER_100K * per_100k * scale))):
            # The demo care-staff account's provider runs the first home in Leeds, so that account has residents.
            if d.name == "Leeds" and i == 0:
                provider = children_providers[0]
            else:
                provider = councils[d.name] if rng.random() < 0.3 else rng.choice(children_providers)
            place(
                d,
                LocationCategory.CHILDRENS_HOME,
                unique_name(house_name),
                provider,
                f"SC{rng.randint(100000, 999999)}",
            )
        for _ in range(max(1, round(UNREGISTERED_HOMES_PER_100K * per_100k * scale))):
            place(
                d,
                LocationCategory.UNREGISTERED_CHILDRENS_HOME,
                unique_name(lambda: f"{rng.choice(names.STREET_FIRST)} Supported Living"),
                partners[SUPPORTED_PROVIDER],
            )
        for hospital, category in HOSPITALS[d.name]:
            trust = (
                ACUTE_TRUSTS[d.name] if category == LocationCategory.ACUTE_HOSPITAL else MENTAL_HEALTH_TRUST
            )
            place(
                d,
                category,
                hospital,
                partners[trust],
                f"1-{rng.randint(10**9, 10**10 - 1)}",
            )
        for _ in range(max(1, round(ADULT_CARE_HOMES_PER_100K * per_100k * scale))):
            place(
                d,
                LocationCategory.ADULT_CARE_HOME,
                unique_name(
                    lambda: (
                        f"{rng.choice(names.HOUSE_NAMES)} {rng.choice(('Care Home', 'Nursing Home', 'Court'))}"
                    )
                ),
                partners[ADULT_CARE_PROVIDER],
                f"1-{rng.randint(10**9, 10**10 - 1)}",
            )
        for _ in range(max(1, round(HOSTELS_PER_100K * per_100k * scale))):
            place(d, LocationCategory.HOSTEL, unique_name(lambda: f"{_street(rng)} Hostel"), None)
        for _ in range(max(1, round(SCHOOLS_PER_100K * per_100k * scale))):
            place(
                d,
                LocationCategory.SCHOOL,
                unique_name(lambda: f"{rng.choice(names.HOUSE_NAMES)} {rng.choice(names.SCHOOL_SUFFIX)}"),
                None,
            )
    wakefield = district_by_name["Wakefield"]
    place(
        wakefield,
        LocationCategory.SECURE_UNIT,
        "Moorside Secure Children's Home",
        councils["Wakefield"],
        f"SC{rng.randint(100000, 999999)}",
    )
    _bulk(Location, rows)

    return World(
        force=force,
        districts=districts,
        district_cum=district_cum,
        councils=councils,
        out_of_area=[partners[c] for c in OUT_OF_AREA_COUNCILS],
        areas=names.DISTRICT_AREAS,
        places=places,
        call_handlers=call_handlers,
        officers=officers,
        supervisors=supervisors,
        inspectors=inspectors,
        demo_users=demo_users,
        system_names=dict(SYSTEMS),
    )


# Police staff names: roughly the force's workforce mix.
STAFF_TRADITIONS = ("british", "south_asian_muslim", "indian", "caribbean", "african", "east_european")
STAFF_TRADITIONS_CUM = _cum((80, 9, 4, 2, 2, 3))


# --- People ----------------------------------------------------------------------------------------------


@dataclass
class AliasSpec:
    given: str
    family: str
    nickname: bool
    supplied_by: str
    at: dt.datetime


@dataclass
class PersonSpec:
    given: str
    family: str
    dob: dt.date | None
    estimated_age: int | None
    estimated_on: dt.date | None
    sex: str
    ethnicity: str
    officer_ethnicity: str
    first_language: str
    height_cm: int | None
    build: str
    hair: str
    eyes: str
    facial_hair: str
    glasses: str
    marks: str
    home_district: District
    home: Location | None  # a private home or foster placement made for this person
    markers: list[str]
    aliases: list[AliasSpec]
    created_at: dt.datetime
    updated_at: dt.datetime
    duplicate_of: PersonSpec | None = None
    career: Career | None = None
    obj: Person | None = None
    pending: bool = False

    def age_on(self, day: dt.date) -> int | None:
        if self.dob:
            return _age_on(self.dob, day)
        if self.estimated_age is not None and self.estimated_on:
            return self.estimated_age + max(0, (day - self.estimated_on).days // 365)
        return None


@dataclass
class Placement:
    since: dt.datetime
    location: Location


@dataclass
class Plan:
    """One episode to be written: its timing is fixed when the career starts; the rest is made on the day."""

    reported_at: dt.datetime
    duration: dt.timedelta | None  # None: still missing at the cut-off
    earlier: int  # episodes this person had before this one
    dead: bool = False
    not_recorded: bool = False
    slot: int = 0  # 0: the person's record; 1: a duplicate record made under a misspelt name
    alias: AliasSpec | None = None


@dataclass
class Career:
    seq: int
    arch: Archetype
    people: list[PersonSpec]
    plans: list[Plan]
    reporter: tuple[str, str, str]  # name, relationship, phone of the family member who usually reports
    placements: list[Placement]
    placing_authority: Organisation | None
    setting: Location | None  # an institution the person lives in or is treated at
    end: dt.datetime
    pos: int = 0


# --- The simulation ------------------------------------------------------------------------------------


class Simulation:
    def __init__(
        self,
        *,
        rng: random.Random,
        world: World,
        start: dt.datetime,
        cutoff: dt.datetime,
        scale: float,
        progress: Callable[[str], None],
    ) -> None:
        self.rng = rng
        self.world = world
        self.start = start
        self.cutoff = cutoff
        self.scale = scale
        self.progress = progress
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.adult_age = settings.HOMEWARD_ADULT_AGE
        self.long_term = dt.timedelta(days=settings.HOMEWARD_LONG_TERM_DAYS)
        self.review = {code: dt.timedelta(minutes=m) for code, m in settings.HOMEWARD_REVIEW_MINUTES.items()}
        self.sign_off = dt.timedelta(minutes=settings.HOMEWARD_SIGN_OFF_MINUTES)
        self.levels = [code for code, _label in settings.HOMEWARD_RISK_LEVELS]
        self.level_rank = {code: i for i, code in enumerate(self.levels)}
        self.child_forbidden = set(settings.HOMEWARD_FORBIDDEN_CHILD_LEVELS)
        self.active: list[Career] = []
        self.seq = 0
        self.carry: dict[str, float] = {}
        self.year_counter: Counter[int] = Counter()
        self.counts: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()
        self.lac_home_last_year: Counter[int] = Counter()
        self.person_episodes: Counter[int] = Counter()
        self.hours_cum = {
            "child": _cum(REPORT_HOURS_CHILD),
            "adult": _cum(REPORT_HOURS_ADULT),
            "dementia": _cum(REPORT_HOURS_DEMENTIA),
        }
        self.ethnicity_cum: dict[str, tuple[list[str], list[float]]] = {}
        for district, mix in ETHNICITY_MIX.items():
            codes = list(mix)
            weights = [mix[c] * OVER_REPRESENTATION.get(c[0], 1.0) for c in codes]
            self.ethnicity_cum[district] = (codes, _cum(weights))
        self.age_cum = {a.key: _cum([w for _age, w in a.ages]) for a in ARCHETYPES}
        self.per_day = {a.key: self._arrivals_per_day(a) for a in ARCHETYPES}
        self.factor_keys = [key for key, _q in RISK_FACTORS]
        self.question_keys = [key for key, _q in CALL_HANDLER_QUESTIONS]
        self.system_keys = list(world.system_names)

    # -- calibration of arrival rates -------------------------------------------------------------------
    def _arrivals_per_day(self, arch: Archetype) -> float:
        """New people (or careers) a day so that this archetype yields its share of episodes."""
        per_year = arch.per_year * self.scale
        if not arch.career:
            return per_year / 365.25
        # Expected episodes per career, by simulation with a private, fixed random source (so it is the same
        # for every seed and does not disturb the main sequence).
        rng = random.Random(f"homeward-demo-calibration:{arch.key}")
        ages = [a for a, _w in arch.ages]
        buckets = DEMENTIA_DURATIONS if arch.key == "dementia" else DURATIONS
        total = 0
        n = 6000
        for _ in range(n):
            age = _pick(rng, ages, self.age_cum[arch.key]) + rng.random()
            rate, window = _career_shape(rng, arch, (self.adult_age - age) * 365.25)
            gap = 365.25 / rate
            t = rng.expovariate(1 / gap)
            while t < window:
                total += 1
                # Time missing, the hour before anything else, and about half a day lost to time-of-day.
                t += _sample_hours(rng, buckets) / 24 + 0.04 + 0.45 + rng.expovariate(1 / gap)
        return per_year / (total / n) / 365.25

    # -- time helpers --------------------------------------------------------------------------------------
    def local(self, day: dt.date, minutes: int) -> dt.datetime:
        return dt.datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=self.tz
        ).astimezone(UTC)

    def local_day(self, t: dt.datetime) -> dt.date:
        return t.astimezone(self.tz).date()

    def snap(self, t: dt.datetime, hours: str, not_before: dt.datetime) -> dt.datetime:
        """Move t to a realistic time of day on the same local date (or the next, to keep order)."""
        hour = _pick(self.rng, range(24), self.hours_cum[hours])
        minutes = hour * 60 + self.rng.randrange(60)
        day = self.local_day(t)
        candidate = self.local(day, minutes)
        if candidate < not_before:
            candidate = self.local(day + DAY, minutes)
        if candidate < not_before:
            candidate = not_before + self.rng.randrange(30, 600) * MINUTE
        return candidate

    @staticmethod
    def hours_kind(arch: Archetype) -> str:
        if arch.key == "dementia":
            return "dementia"
        return "child" if arch.child else "adult"

    # -- people ------------------------------------------------------------------------------------------
    def district_for(self) -> District:
        return _pick(self.rng, self.world.districts, self.world.district_cum)

    def make_person(self, arch: Archetype, district: District, at: dt.datetime) -> PersonSpec:
        rng = self.rng
        age = _pick(rng, [a for a, _w in arch.ages], self.age_cum[arch.key])
        if arch.ages[-1][0] - arch.ages[0][0] > 20:
            age += rng.randrange(5)  # adult bands are five years wide
        day = self.local_day(at)
        dob = day - dt.timedelta(days=365 * age + rng.randrange(365) + age // 4)
        female = rng.random() < arch.female
        sex = Sex.FEMALE if female else Sex.MALE
        codes, cum = self.ethnicity_cum[district.name]
        true_code = _pick(rng, codes, cum)
        given, family, language = self.name_for(true_code, female, dob.year)
        ethnicity = "NS" if rng.random() < NOT_STATED_SHARE else true_code
        officer = _officer_ethnicity(rng, true_code)
        estimated_age: int | None = None
        estimated_on: dt.date | None = None
        if not arch.child and rng.random() < 0.006:
            # Adults found or reported without a date of birth: an estimated age only.
            estimated_age, estimated_on, dob_value = age, day, None
        else:
            dob_value = dob
        height = _height(rng, female, age)
        old = age >= 60
        markers = [m for m, pf, pm in arch.markers if rng.random() < (pf if female else pm)]
        if arch.key == "dementia" and "dementia" not in markers:
            markers.append("dementia")
        return PersonSpec(
            given=given,
            family=family,
            dob=dob_value,
            estimated_age=estimated_age,
            estimated_on=estimated_on,
            sex=sex,
            ethnicity=ethnicity,
            officer_ethnicity=officer,
            first_language=language,
            height_cm=height,
            build=rng.choice(names.BUILDS),
            hair=rng.choice(names.OLD_HAIR)
            if old
            else f"{rng.choice(names.HAIR_STYLES)} {rng.choice(names.HAIR_COLOURS)}",
            eyes=rng.choice(names.EYES),
            facial_hair=rng.choice(names.FACIAL_HAIR) if (not female and age >= 17) else "",
            glasses="Wears glasses" if rng.random() < (0.5 if old else 0.1) else "",
            marks=rng.choice(names.MARKS) if rng.random() < 0.15 else "",
            home_district=district,
            home=None,
            markers=markers,
            aliases=[],
            created_at=at,
            updated_at=at,
        )

    def name_for(self, code: str, female: bool, birth_year: int) -> tuple[str, str, str]:
        rng = self.rng
        traditions = names.ETHNICITY_TRADITIONS[code]
        given_trad = rng.choices([t for t, _w in traditions], [w for _t, w in traditions])[0]
        family_trad = rng.choices([t for t, _w in traditions], [w for _t, w in traditions])[0]
        f_names, m_names, _surnames, languages = names.TRADITIONS[given_trad]
        if given_trad == "british" and birth_year < 1990:
            f_names, m_names = names.BRITISH_OLD_F, names.BRITISH_OLD_M
        given = rng.choice(f_names if female else m_names)
        family = rng.choice(names.TRADITIONS[family_trad][2])
        language = "English"
        if languages and rng.random() < 0.35:
            language = rng.choice(languages)
        return given, family, language

    def home_location(self, district: District, category: str = LocationCategory.PRIVATE_HOME) -> Location:
        rng = self.rng
        area, outward = rng.choice(self.world.areas[district.name])
        line = f"{rng.randint(1, 180)} {_street(rng)}"
        if category == LocationCategory.FOSTER_PLACEMENT:
            name = f"Foster placement ({rng.choice(names.BRITISH_SURNAMES)} family)"
        else:
            name = line
        return Location(
            name=name,
            address=f"{line}, {area}",
            postcode=_postcode(rng, outward),
            category=category,
            force=self.world.force,
            district=district,
        )

    def misspell(self, text: str) -> str | None:
        rng = self.rng
        variants = names.SPELLING_VARIANTS.get(text)
        if variants:
            return rng.choice(variants)
        if len(text) < 4:
            return None
        ops = []
        for i in range(1, len(text) - 1):
            if text[i] == text[i + 1]:
                ops.append(text[:i] + text[i + 1 :])  # a doubled letter written once
        for i in range(1, len(text) - 1):
            if text[i] in "aeiou" and text[i + 1] not in "aeiou":
                ops.append(text[: i + 1] + text[i + 1] + text[i + 1 :])  # a consonant doubled
        for a, b in (("ie", "ei"), ("y", "i"), ("ph", "f"), ("ck", "k"), ("ee", "ea"), ("ou", "ow")):
            if a in text[1:]:
                ops.append(text[0] + text[1:].replace(a, b, 1))
        if not ops:
            i = rng.randrange(1, len(text) - 2)
            ops.append(text[:i] + text[i + 1] + text[i] + text[i + 2 :])  # two letters swapped
        result = rng.choice(ops)
        return result if result != text else None

    # -- careers ------------------------------------------------------------------------------------------
    def spawn(self, arch: Archetype, begin: dt.datetime, end: dt.datetime) -> None:
        rng = self.rng
        at = begin + (end - begin) * rng.random()
        self.seq += 1
        district = self.district_for()
        placing: Organisation | None = None
        placements: list[Placement] = []
        setting: Location | None = None
        if arch.key == "lac_home":
            setting_cat = _pick(
                rng,
                (
                    LocationCategory.CHILDRENS_HOME,
                    LocationCategory.UNREGISTERED_CHILDRENS_HOME,
                    LocationCategory.SECURE_UNIT,
                ),
                _cum((77, 21, 2)),
            )
            home = self.facility(district, setting_cat)
            district = home.district or district
            placements.append(Placement(at, home))
            placing = self.placing_authority(district)
        elif arch.key == "lac_foster":
            placing = self.placing_authority(district)

        window_end = at
        plans: list[Plan] = []
        hours = self.hours_kind(arch)
        first_report: dt.datetime | None = None
        p_dead_base = arch.p_dead
        person = self.make_person(arch, district, at)
        p_dead = p_dead_base * DEATH_SEX_FACTOR.get(person.sex, 1.0)
        buckets = DEMENTIA_DURATIONS if arch.key == "dementia" else DURATIONS
        if arch.career:
            days_to_adult = 1e9
            if arch.child and person.dob:
                adult_on = _add_years(person.dob, self.adult_age)
                days_to_adult = (self.local(adult_on, 0) - at) / DAY
            rate, window_days = _career_shape(rng, arch, days_to_adult)
            window_end = at + window_days * DAY
            gap_mean = 365.25 / rate
            t = at + rng.expovariate(1 / gap_mean) * DAY
        else:
            t = at
            window_end = at + DAY
            gap_mean = 0.0
        earlier = 0
        # One-off reports keep their day; a career's next report cannot come before the last one ended.
        free_from = at if arch.career else begin
        while t < window_end and t < self.cutoff:
            t = self.snap(t, hours, free_from)
            if t >= self.cutoff:
                break
            dead = rng.random() < p_dead
            not_recorded = not dead and rng.random() < arch.p_not_recorded
            if dead:
                hours_missing = _loguniform(rng, 6, 480)
            elif not_recorded:
                hours_missing = rng.uniform(0.3, 1.5)
            else:
                hours_missing = _sample_hours(rng, buckets)
            duration = hours_missing * HOUR
            if first_report is None:
                first_report = t
            if t >= self.start:
                plans.append(Plan(t, duration, earlier, dead=dead, not_recorded=not_recorded))
            earlier += 1
            if dead or not arch.career:
                break
            free_from = t + duration + HOUR
            t = free_from + rng.expovariate(1 / gap_mean) * DAY
        if not plans:
            return
        assert first_report is not None
        # The record was created at the person's first report (which may precede the data window).
        person.created_at = first_report + rng.randint(2, 15) * MINUTE
        self.finalise_timing(plans)

        if arch.key == "lac_home" and rng.random() < 0.2 and len(plans) >= 3:
            # A placement move part way through: later episodes are from the new home.
            move_at = plans[len(plans) // 2].reported_at - rng.randint(2, 20) * DAY
            if move_at > placements[0].since:
                new_cat = rng.choice(
                    (LocationCategory.CHILDRENS_HOME, LocationCategory.UNREGISTERED_CHILDRENS_HOME)
                )
                placements.append(Placement(move_at, self.facility(self.district_for(), new_cat)))
        if arch.key in (
            "lac_foster",
            "child_once",
            "child_repeat",
            "adult_mh",
            "adult_once",
            "adult_repeat",
            "dementia",
        ):
            category = (
                LocationCategory.FOSTER_PLACEMENT
                if arch.key == "lac_foster"
                else LocationCategory.PRIVATE_HOME
            )
            person.home = self.home_location(district, category)
        if arch.key == "adult_mh" and rng.random() < 0.5:
            setting = self.facility(district, LocationCategory.MENTAL_HEALTH_UNIT)
        elif arch.key == "dementia" and rng.random() < 0.5:
            setting = self.facility(district, LocationCategory.ADULT_CARE_HOME)
        elif arch.key == "adult_repeat" and rng.random() < 0.5:
            setting = self.facility(district, LocationCategory.HOSTEL)

        reporter = self.family_reporter(arch, person)
        people = [person]
        self.add_aliases(person, plans, people, arch)
        person.updated_at = max(
            [person.created_at, *(a.at for a in person.aliases), min(plans[-1].reported_at, self.cutoff)]
        )
        career = Career(
            seq=self.seq,
            arch=arch,
            people=people,
            plans=plans,
            reporter=reporter,
            placements=placements,
            placing_authority=placing,
            setting=setting,
            end=window_end,
        )
        for spec in people:
            spec.career = career
        self.active.append(career)

    def finalise_timing(self, plans: list[Plan]) -> None:
        """Who is still missing at the cut-off: the last two days' reports and the long-term missing only."""
        for plan in plans:
            if plan.duration is None or plan.not_recorded:
                continue
            found = plan.reported_at + plan.duration
            if found < self.cutoff:
                continue
            age = self.cutoff - plan.reported_at
            if age <= 2 * DAY or (plan.duration >= self.long_term and age >= self.long_term):
                plan.duration = None
            else:
                plan.duration = age * self.rng.uniform(0.3, 0.95)

    def add_aliases(
        self, person: PersonSpec, plans: list[Plan], people: list[PersonSpec], arch: Archetype
    ) -> None:
        rng = self.rng
        nick = names.NICKNAMES.get(person.given)
        if nick and rng.random() < 0.3:
            person.aliases.append(
                AliasSpec(rng.choice(nick), person.family, True, "Reporting person", person.created_at)
            )
        elif arch.child and rng.random() < 0.03:
            # Known by a step-parent's surname.
            person.aliases.append(
                AliasSpec(
                    person.given,
                    rng.choice(names.BRITISH_SURNAMES),
                    False,
                    "Children's social care",
                    person.created_at,
                )
            )
        if len(plans) >= 2 and rng.random() < DUPLICATE_SHARE_OF_CAREERS:
            # A genuine duplicate: a later report under a misspelt name was not matched to the record.
            i = rng.randrange(1, len(plans))
            given = self.misspell(person.given) if rng.random() < 0.5 else None
            family = None if given else self.misspell(person.family)
            if given or family:
                dup = PersonSpec(
                    **{
                        **person.__dict__,
                        "given": given or person.given,
                        "family": family or person.family,
                        "markers": [],
                        "aliases": [],
                        "created_at": plans[i].reported_at + rng.randint(2, 15) * MINUTE,
                        "obj": None,
                        "pending": False,
                        "duplicate_of": person,
                    }
                )
                dup.updated_at = dup.created_at
                people.append(dup)
                for plan in plans[i : i + rng.randint(1, 2)]:
                    plan.slot = 1
        for plan in plans[1:]:
            if plan.slot == 0 and rng.random() < MISSPELT_REREPORT_SHARE:
                misspelt_given = self.misspell(person.given) if rng.random() < 0.5 else None
                misspelt_family = None if misspelt_given else self.misspell(person.family)
                if misspelt_given or misspelt_family:
                    alias = AliasSpec(
                        misspelt_given or person.given,
                        misspelt_family or person.family,
                        False,
                        "",
                        plan.reported_at + rng.randint(5, 40) * MINUTE,
                    )
                    plan.alias = alias
                    person.aliases.append(alias)

    def facility(self, district: District, category: str) -> Location:
        options = self.world.places.get((district.name, category))
        if not options:
            # Not every district has every kind of place (there is one secure unit): use any that exists.
            options = [
                loc for (_d, cat), locs in self.world.places.items() if cat == category for loc in locs
            ]
        return self.rng.choice(options)

    def placing_authority(self, district: District) -> Organisation:
        u = self.rng.random()
        if u < 0.65:
            return self.world.councils[district.name]
        if u < 0.88:
            others = [c for name, c in self.world.councils.items() if name != district.name]
            return self.rng.choice(others)
        return self.rng.choice(self.world.out_of_area)

    def family_reporter(self, arch: Archetype, person: PersonSpec) -> tuple[str, str, str]:
        rng = self.rng
        if arch.child:
            relation = _pick(
                rng,
                ("Mother", "Father", "Grandmother", "Stepfather", "Aunt", "Older sister"),
                _cum((60, 22, 7, 4, 4, 3)),
            )
        elif arch.key == "dementia":
            relation = rng.choice(("Son", "Daughter", "Wife", "Husband", "Daughter"))
        else:
            relation = rng.choice(
                ("Partner", "Wife", "Husband", "Mother", "Father", "Sister", "Brother", "Friend", "Flatmate")
            )
        female_rel = relation in (
            "Mother",
            "Grandmother",
            "Aunt",
            "Older sister",
            "Daughter",
            "Wife",
            "Sister",
        )
        code = person.ethnicity if person.ethnicity != "NS" else "W1"
        given, _family, _lang = self.name_for(code, female_rel, 1970)
        family = person.family if rng.random() < 0.75 else rng.choice(names.BRITISH_SURNAMES)
        return f"{given} {family}", relation, _mobile(rng)

    # -- month by month ------------------------------------------------------------------------------------
    def run(self) -> None:
        warmup_days = max(a.window_max_days for a in ARCHETYPES if a.career)
        month = self.local_day(self.start - warmup_days * DAY).replace(day=1)
        announced = False
        while self.local(month, 0) < self.cutoff:
            next_month = (month + dt.timedelta(days=32)).replace(day=1)
            begin = self.local(month, 0)
            end = min(self.local(next_month, 0), self.cutoff)
            season = 1 + 0.08 * math.cos(2 * math.pi * (month.month - 7) / 12)
            for arch in ARCHETYPES:
                lo = begin if arch.career else max(begin, self.start)
                if lo >= end:
                    continue
                days = (end - lo) / DAY
                self.carry[arch.key] = self.carry.get(arch.key, 0.0) + self.per_day[arch.key] * days * season
                n = int(self.carry[arch.key])
                self.carry[arch.key] -= n
                for _ in range(n):
                    self.spawn(arch, lo, end)
            if end > self.start:
                if not announced:
                    self.progress(f"  {len(self.active):,} repeat careers already running at the start")
                    announced = True
                written = self.emit(max(begin, self.start), end)
                self.progress(
                    f"  {month:%Y-%m}: {written:,} episodes "
                    f"(total {self.counts['episodes']:,}; {self.counts['people']:,} people)"
                )
            month = next_month

    def emit(self, begin: dt.datetime, end: dt.datetime) -> int:
        due: list[tuple[dt.datetime, int, Career, Plan]] = []
        still: list[Career] = []
        for career in self.active:
            while career.pos < len(career.plans) and career.plans[career.pos].reported_at < end:
                plan = career.plans[career.pos]
                due.append((plan.reported_at, career.seq, career, plan))
                career.pos += 1
            if career.pos < len(career.plans):
                still.append(career)
        self.active = still
        due.sort(key=lambda row: (row[0], row[1]))
        writer = ChunkWriter(self)
        for _t, _seq, career, plan in due:
            spec = career.people[plan.slot]
            if spec.obj is None and not spec.pending:
                spec.pending = True
                writer.people.append(spec)
        writer.write_people()
        for _t, _seq, career, plan in due:
            writer.episode(career, plan)
        writer.write_episodes()
        return len(due)

    # -- risk ----------------------------------------------------------------------------------------------
    def level(self, index: int, is_child: bool | None) -> str:
        """A level from the default four-step scale, mapped onto the configured scale by position."""
        n = len(self.levels)
        code = self.levels[round(index * (n - 1) / 3)] if n != 4 else self.levels[index]
        if is_child:
            rank = self.level_rank[code]
            while code in self.child_forbidden and rank < n - 1:
                rank += 1
                code = self.levels[rank]
        return code

    def review_interval(self, level: str) -> dt.timedelta:
        return self.review.get(level, 6 * HOUR)


def _career_shape(rng: random.Random, arch: Archetype, days_to_adult: float) -> tuple[float, float]:
    """A career's rate (episodes a year) and length in days. Children's careers end at 18: leaving care."""
    rate = min(arch.rate_cap, max(0.3, rng.gammavariate(arch.rate_shape, arch.rate_mean / arch.rate_shape)))
    window = min(arch.window_max_days, max(arch.window_min_days, rng.expovariate(1 / arch.window_mean_days)))
    if arch.child:
        window = max(1.0, min(window, days_to_adult))
    return rate, window


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _officer_ethnicity(rng: random.Random, code: str) -> str:
    if rng.random() < 0.08:
        return OfficerEthnicity.NOT_KNOWN
    first = code[0]
    if first == "M":
        return rng.choice(
            (OfficerEthnicity.WHITE, OfficerEthnicity.BLACK, OfficerEthnicity.ASIAN, OfficerEthnicity.OTHER)
        )
    return {"W": OfficerEthnicity.WHITE, "B": OfficerEthnicity.BLACK, "A": OfficerEthnicity.ASIAN}.get(
        first, OfficerEthnicity.OTHER
    )


def _height(rng: random.Random, female: bool, age: int) -> int:
    if age < 18:
        adult = 163 if female else 176
        base = max(110, adult - max(0, 16 - age) * (5 if female else 7))
    else:
        base = 163 if female else 176
        if age >= 70:
            base -= 4
    return int(round(rng.gauss(base, 6)))


# --- Writing one month -------------------------------------------------------------------------------------


@dataclass
class Event:
    at: dt.datetime
    kind: str
    summary: str
    actor: User | None
    bumps: bool  # state changes bump the version; appended notes do not (as in episodes.actions)


class ChunkWriter:
    """Builds one month's rows in memory and writes them with bulk inserts, parents first."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.rng = sim.rng
        self.people: list[PersonSpec] = []
        self.episodes: list[Episode] = []
        self.related: dict[type[models.Model], list[Any]] = {
            m: []
            for m in (
                RiskAssessment,
                FoundRecord,
                PreventionInterview,
                Enquiry,
                EpisodeUpdate,
                Sighting,
                EpisodeEvent,
            )
        }

    # -- people --------------------------------------------------------------------------------------------
    def write_people(self) -> None:
        sim, rng, world = self.sim, self.rng, self.sim.world
        homes: list[Location] = []
        seen: set[int] = set()
        for spec in self.people:
            # A duplicate record shares its original's home, which may already be written.
            if spec.home is not None and spec.home.pk is None and id(spec.home) not in seen:
                seen.add(id(spec.home))
                homes.append(spec.home)
        _bulk(Location, homes)
        recorder = world.call_handlers
        objs = []
        for spec in self.people:
            by = rng.choice(recorder)
            objs.append(
                Person(
                    given_name=spec.given,
                    family_name=spec.family,
                    date_of_birth=spec.dob,
                    estimated_age=spec.estimated_age,
                    estimated_age_on=spec.estimated_on,
                    sex=spec.sex,
                    ethnicity=spec.ethnicity,
                    officer_ethnicity=spec.officer_ethnicity,
                    height_cm=spec.height_cm,
                    build=spec.build,
                    hair=spec.hair,
                    eyes=spec.eyes,
                    facial_hair=spec.facial_hair,
                    glasses=spec.glasses,
                    marks=spec.marks,
                    first_language=spec.first_language,
                    home_district=spec.home_district,
                    owner=world.force,
                    force=world.force,
                    fact_sources=_fact_sources(spec, by),
                    created_at=spec.created_at,
                    updated_at=spec.updated_at,
                )
            )
        for spec, obj in zip(self.people, objs, strict=True):
            spec.obj = obj
            spec.pending = False
            self._apply_care(obj, spec)
        sim.counts["people"] += _bulk(Person, objs)

        aliases, markers, addresses, contacts, places, associates, keys = [], [], [], [], [], [], []
        for spec in self.people:
            person = spec.obj
            assert person is not None
            for alias in spec.aliases:
                aliases.append(
                    PersonAlias(
                        person=person,
                        given_name=alias.given,
                        family_name=alias.family,
                        is_nickname=alias.nickname,
                        supplied_by=alias.supplied_by or "Reporting person",
                        recorded_at=alias.at,
                        recorded_by=rng.choice(recorder),
                    )
                )
            area = _area_of(spec)
            for marker in spec.markers:
                markers.append(
                    PersonMarker(
                        person=person,
                        marker=marker,
                        detail=texts.MARKER_DETAIL.get(marker, "").format(area=area),
                        supplied_by=rng.choice(texts.MARKER_SOURCES),
                        recorded_by=rng.choice(recorder),
                        recorded_at=spec.created_at,
                    )
                )
            for address in self._addresses(spec):
                addresses.append(address)
            age = spec.age_on(sim.local_day(spec.created_at))
            if (age is None or age >= 12) and rng.random() < 0.6:
                contacts.append(
                    PersonContact(
                        person=person,
                        kind="phone",
                        value=_mobile(rng),
                        supplied_by="Reporting person",
                        recorded_at=spec.created_at,
                    )
                )
                if age is not None and age < 30 and rng.random() < 0.5:
                    contacts.append(
                        PersonContact(
                            person=person,
                            kind="social media",
                            value=f"Snapchat @{spec.given.lower()}{rng.randint(1, 99)}",
                            supplied_by="Friend",
                            recorded_at=spec.created_at,
                        )
                    )
            if spec.duplicate_of is None and {"cse", "cce"} & set(spec.markers):
                associates.append(
                    PersonAssociate(
                        person=person,
                        name=f"Male known as '{rng.choice(('Kaz', 'Zee', 'Dee', 'Smithy', 'Tiny', 'Jay', 'Bigz'))}'",
                        relationship="Older associate",
                        detail=f"Drives a dark hatchback; seen around {area}",
                        supplied_by="Police intelligence",
                        recorded_at=spec.created_at,
                    )
                )
                places.append(
                    PersonPlace(
                        person=person,
                        description=f"Takeaways and the park in {area}",
                        supplied_by="Children's social care",
                        recorded_at=spec.created_at,
                    )
                )
            aliases_pairs = [(a.given, a.family) for a in spec.aliases]
            for key in sorted(search_keys_for(spec.given, spec.family, spec.dob, aliases_pairs)):
                keys.append(PersonSearchKey(person=person, key=key))
        sim.counts["aliases"] += _bulk(PersonAlias, aliases)
        sim.counts["markers"] += _bulk(PersonMarker, markers)
        sim.counts["addresses"] += _bulk(PersonAddress, addresses)
        sim.counts["contacts"] += _bulk(PersonContact, contacts)
        sim.counts["places"] += _bulk(PersonPlace, places)
        sim.counts["associates"] += _bulk(PersonAssociate, associates)
        sim.counts["search_keys"] += _bulk(PersonSearchKey, keys)
        if any(spec.duplicate_of is not None for spec in self.people):
            sim.counts["duplicate_people"] += sum(1 for spec in self.people if spec.duplicate_of is not None)

    def _apply_care(self, obj: Person, spec: PersonSpec) -> None:
        career = spec.career
        if career is None or career.placing_authority is None:
            obj.looked_after = False
            return
        age = spec.age_on(self.sim.local_day(self.sim.cutoff))
        # Care ends at 18: a care leaver keeps the history but is no longer looked after.
        if age is not None and age < self.sim.adult_age:
            obj.looked_after = True
            obj.placing_authority = career.placing_authority
        else:
            obj.looked_after = False

    def _addresses(self, spec: PersonSpec) -> list[PersonAddress]:
        sim, rng = self.sim, self.rng
        person = spec.obj
        assert person is not None
        career = spec.career
        rows: list[PersonAddress] = []
        if career is not None and career.placements:
            for i, placement in enumerate(career.placements):
                since = sim.local_day(placement.since)
                if i + 1 < len(career.placements):
                    until: dt.date | None = sim.local_day(career.placements[i + 1].since)
                else:
                    until = sim.local_day(career.end) if career.end < sim.cutoff else None
                rows.append(
                    PersonAddress(
                        person=person,
                        location=placement.location,
                        address=f"{placement.location.name}, {placement.location.address}",
                        is_placement=True,
                        placing_authority=career.placing_authority,
                        since=since,
                        until=until,
                        supplied_by="Children's social care",
                        recorded_at=max(placement.since, spec.created_at),
                    )
                )
        if spec.home is not None:
            created = sim.local_day(spec.created_at)
            lived = rng.randint(30, 3650)
            since = created - dt.timedelta(days=lived)
            if spec.dob and since < spec.dob:
                since = spec.dob
            foster = spec.home.category == LocationCategory.FOSTER_PLACEMENT
            rows.append(
                PersonAddress(
                    person=person,
                    location=spec.home,
                    address=spec.home.address,
                    is_placement=foster,
                    placing_authority=career.placing_authority if (foster and career) else None,
                    since=min(since, created),
                    supplied_by="Children's social care" if foster else "Reporting person",
                    recorded_at=spec.created_at,
                )
            )
        elif (
            career is not None
            and career.setting is not None
            and career.setting.category
            in (
                LocationCategory.ADULT_CARE_HOME,
                LocationCategory.HOSTEL,
            )
        ):
            rows.append(
                PersonAddress(
                    person=person,
                    location=career.setting,
                    address=f"{career.setting.name}, {career.setting.address}",
                    since=sim.local_day(spec.created_at) - dt.timedelta(days=rng.randint(30, 900)),
                    supplied_by="Care provider"
                    if career.setting.category == LocationCategory.ADULT_CARE_HOME
                    else "Hostel staff",
                    recorded_at=spec.created_at,
                )
            )
        return rows

    # -- episodes ----------------------------------------------------------------------------------------
    def missing_from(self, career: Career, plan: Plan, spec: PersonSpec) -> tuple[Location | None, str, str]:
        """(location, address if no location, category)."""
        rng = self.rng
        arch = career.arch
        sim = self.sim
        if career.placements:
            current = career.placements[0]
            for placement in career.placements:
                if placement.since <= plan.reported_at:
                    current = placement
            return current.location, "", current.location.category
        u = rng.random()
        district = spec.home_district
        if career.setting is not None and u < 0.85:
            return career.setting, "", career.setting.category
        if arch.child:
            if u < 0.05:
                return sim.facility(district, LocationCategory.SCHOOL), "", LocationCategory.SCHOOL
            if arch.key == "child_once" and u < 0.09:
                area, _outward = rng.choice(sim.world.areas[district.name])
                return None, f"{area} town centre", LocationCategory.OTHER
        else:
            if arch.key in ("adult_once", "adult_mh", "adult_repeat", "dementia") and u < 0.07:
                return (
                    sim.facility(district, LocationCategory.ACUTE_HOSPITAL),
                    "",
                    LocationCategory.ACUTE_HOSPITAL,
                )
            if arch.key == "adult_once" and u < 0.11:
                return (
                    sim.facility(district, LocationCategory.MENTAL_HEALTH_UNIT),
                    "",
                    LocationCategory.MENTAL_HEALTH_UNIT,
                )
            if arch.key == "adult_once" and u < 0.13:
                return sim.facility(district, LocationCategory.HOSTEL), "", LocationCategory.HOSTEL
            if arch.key == "adult_once" and u < 0.16:
                area, _outward = rng.choice(sim.world.areas[district.name])
                return None, f"Workplace in {area}", LocationCategory.OTHER
        if spec.home is not None:
            return spec.home, "", spec.home.category
        area, _outward = rng.choice(sim.world.areas[district.name])
        return None, f"{rng.randint(1, 150)} {_street(rng)}, {area}", LocationCategory.PRIVATE_HOME

    def reporter(
        self, career: Career, plan: Plan, category: str, location: Location | None
    ) -> tuple[str, str, str]:
        rng = self.rng
        staff_relation = STAFF_REPORTERS.get(category)
        if staff_relation is None:
            if category == LocationCategory.FOSTER_PLACEMENT:
                name, _rel, phone = career.reporter
                return name, "Foster carer", phone
            return career.reporter
        given, family, _lang = self.sim.name_for(
            _pick(rng, ("W1", "A2", "B2", "W9"), _cum((80, 10, 5, 5))), rng.random() < 0.7, 1980
        )
        return (
            f"{given} {family}",
            rng.choice(staff_relation),
            f"{names.LANDLINE_PREFIX}{rng.randint(0, 999):03d}",
        )

    def episode(self, career: Career, plan: Plan) -> None:
        sim, rng, world = self.sim, self.rng, self.sim.world
        arch = career.arch
        spec = career.people[plan.slot]
        person = spec.obj
        assert person is not None
        t = plan.reported_at
        day = sim.local_day(t)
        year = day.year
        sim.year_counter[year] += 1
        reference = f"MP-{year}-{sim.year_counter[year]:06d}"
        age = spec.age_on(day)
        is_child = None if age is None else age < sim.adult_age
        location, address, category = self.missing_from(career, plan, spec)
        district = (location.district if location is not None else None) or spec.home_district
        looked_after = career.placing_authority is not None and bool(is_child)
        placing = career.placing_authority if looked_after else None
        out_of_area = bool(looked_after and placing is not None and placing.pk != district.council_id)
        reporter_name, relation, phone = self.reporter(career, plan, category, location)
        if plan.alias is not None:
            plan.alias.supplied_by = f"{reporter_name} ({relation.lower()})"
        place_name = location.name if location is not None else address
        area = (
            location.address.rsplit(", ", 1)[-1] if location is not None else address.rsplit(", ", 1)[-1]
        ).replace(" town centre", "")
        story = texts.Story(
            given=spec.given,
            female=spec.sex == Sex.FEMALE,
            age=age,
            kind=arch.key,
            place=place_name,
            area=area,
            markers=frozenset(spec.markers if spec.duplicate_of is None else ()),
            earlier_episodes=plan.earlier,
            relation=relation,
        )
        circumstances = texts.circumstances(rng, story)
        if plan.alias is not None:
            circumstances += f" Reporting person gave the name as {plan.alias.given} {plan.alias.family}."
        call_handler = rng.choice(world.call_handlers)
        officers = world.officers[district.name]
        supervisor = rng.choice(world.supervisors[district.name])
        officer = rng.choice(officers)
        lead = t - _last_seen_gap(rng, arch.key, category)
        events: list[Event] = [
            Event(t, "reported", f"Reported missing by {reporter_name}", call_handler, True)
        ]
        episode = Episode(
            reference=reference,
            person=person,
            force=world.force,
            district=district,
            reported_at=t,
            reported_by=call_handler,
            reporting_person_name=reporter_name,
            reporting_person_relationship=relation,
            reporting_person_phone=phone,
            missing_from=location,
            missing_from_address=address,
            missing_from_category=category,
            last_seen_at=lead,
            last_seen_place=_last_seen_place(rng, place_name, area),
            last_seen_with=texts.last_seen_with(rng, story),
            clothing=f"{rng.choice(names.UPPER_CLOTHES)}, {rng.choice(names.LOWER_CLOTHES)}, {rng.choice(names.SHOES)}",
            circumstances=circumstances,
            call_handler_answers=self.answers(story),
            reasonable_steps=texts.reasonable_steps(rng, story)
            if category in REASONABLE_STEPS_CATEGORIES
            else "",
            age_at_report=age,
            is_child=is_child,
            looked_after=looked_after,
            placing_authority=placing,
            out_of_area=out_of_area,
            updated_at=t,
        )
        self.episodes.append(episode)
        sim.counts["episodes"] += 1

        if plan.not_recorded:
            decided = t + rng.randint(10, 45) * MINUTE
            if decided < sim.cutoff:
                decider = call_handler if rng.random() < 0.6 else supervisor
                reason = rng.choice(texts.NOT_RECORDED_REASONS)
                episode.status = Status.NOT_RECORDED
                episode.not_recorded_reason = reason
                episode.not_recorded_by = decider
                episode.not_recorded_at = decided
                events.append(
                    Event(decided, "not_recorded", f"Not recorded as missing: {reason}", decider, True)
                )
                sim.stats["not_recorded"] += 1
            self.finish(episode, events)
            return

        found_at = None if plan.duration is None else t + plan.duration
        span_end = found_at if found_at is not None else sim.cutoff
        first_at = t + min(rng.randint(5, 40) * MINUTE, (span_end - t) * 0.6)
        if first_at >= sim.cutoff:
            episode.status = Status.REPORTED
            self.finish(episode, events)
            return

        # Risk: first grading, sometimes a regrade, and for people still missing a recent review.
        levels_index = _pick(rng, (0, 1, 2, 3), _cum(arch.risk))
        first_level = sim.level(levels_index, is_child)
        assessments: list[RiskAssessment] = []
        assessor = call_handler if rng.random() < 0.7 else officer
        self.assess(
            episode, assessments, events, first_level, first_at, assessor, supervisor, story, span_end, False
        )
        if rng.random() < REGRADE_SHARE and span_end - t > 2 * HOUR:
            at = t + HOUR + (min(span_end - t, 30 * HOUR) - HOUR) * rng.uniform(0.2, 0.8)
            if at < sim.cutoff and at > first_at:
                new_level = self.regrade(first_level, is_child)
                self.assess(
                    episode, assessments, events, new_level, at, officer, supervisor, story, span_end, True
                )
        if found_at is None:
            latest = assessments[-1]
            interval = sim.review_interval(latest.level)
            if latest.next_review_due < sim.cutoff - interval * 0.1:
                # Reviews are kept up while the person is missing; a few are running late at the cut-off.
                at = sim.cutoff - interval * rng.uniform(0.0, 1.15)
                if at > latest.assessed_at:
                    self.assess(
                        episode,
                        assessments,
                        events,
                        latest.level,
                        at,
                        officer,
                        supervisor,
                        story,
                        span_end,
                        True,
                        review=True,
                    )
        episode.risk_level_first = assessments[0].level
        episode.risk_level = assessments[-1].level
        episode.risk_level_highest = max(
            (a.level for a in assessments), key=lambda c: sim.level_rank.get(c, -1)
        )
        self.related[RiskAssessment].extend(assessments)
        sim.counts["risk_assessments"] += len(assessments)

        self.tally(episode, arch, plan, found_at, category, person)
        if found_at is None:
            self.still_missing(episode, assessments, events, story, officer, t)
        else:
            self.found(
                episode,
                career,
                plan,
                story,
                events,
                found_at,
                officer,
                supervisor,
                assessments,
                category,
                location,
            )
        self.finish(episode, events)

    def assess(
        self,
        episode: Episode,
        assessments: list[RiskAssessment],
        events: list[Event],
        level: str,
        at: dt.datetime,
        assessor: User,
        supervisor: User,
        story: texts.Story,
        span_end: dt.datetime,
        regrade: bool,
        review: bool = False,
    ) -> None:
        sim, rng = self.sim, self.rng
        signer = rng.choice(sim.world.inspectors) if (level == "high" and rng.random() < 0.3) else supervisor
        delay = rng.uniform(10, 75) * MINUTE if rng.random() < 0.92 else rng.uniform(1.5, 6) * HOUR
        signed_at: dt.datetime | None = at + delay
        open_at_cutoff = span_end >= sim.cutoff
        if signed_at is not None and signed_at >= sim.cutoff:
            signed_at = None
        if review and open_at_cutoff and rng.random() < 0.35:
            signed_at = None  # awaiting sign-off on the dashboard
        rationale = (
            f"Review: no change. {texts.risk_rationale(rng, level, story, False)}"
            if review
            else texts.risk_rationale(rng, level, story, regrade)
        )
        assessment = RiskAssessment(
            episode=episode,
            sequence=len(assessments) + 1,
            level=level,
            factors=self.factors(story),
            rationale=rationale,
            systems_checked=[
                {"system": key, "result": rng.choice(SYSTEM_RESULTS), "checked_by": assessor.get_full_name()}
                for key in sorted(
                    rng.sample(sim.system_keys, rng.randint(2, len(sim.system_keys))),
                    key=sim.system_keys.index,
                )
            ],
            assessed_by=assessor,
            assessed_at=at,
            next_review_due=at + sim.review_interval(level),
            signed_off_by=signer if signed_at else None,
            signed_off_at=signed_at,
            sign_off_note=texts.sign_off_note(rng) if signed_at else "",
        )
        previous = assessments[-1].level if assessments else ""
        assessments.append(assessment)
        label = texts.LEVEL_WORDS.get(level, level)
        if review:
            summary = f"Risk reviewed: {label}"
        elif previous and previous != level:
            summary = f"Regraded from {texts.LEVEL_WORDS.get(previous, previous)} to {label} risk"
        else:
            summary = f"Graded {label} risk"
        events.append(Event(at, "risk_assessed", summary, assessor, True))
        if signed_at:
            events.append(
                Event(
                    signed_at,
                    "risk_signed_off",
                    f"{label.capitalize()} risk assessment signed off",
                    signer,
                    True,
                )
            )

    def regrade(self, level: str, is_child: bool | None) -> str:
        rank = self.sim.level_rank.get(level, 0)
        top = len(self.sim.levels) - 1
        if rank == top:
            new = rank - 1
        elif rank == 0 or self.rng.random() < 0.6:
            new = rank + 1
        else:
            new = rank - 1
        code = self.sim.levels[max(0, min(top, new))]
        if is_child and code in self.sim.child_forbidden:
            return level
        return code

    def factors(self, story: texts.Story) -> dict[str, str]:
        rng = self.rng
        yes = set()
        m = story.markers
        if "self_harm" in m:
            yes.add("suicide_risk")
        if "cse" in m or "trafficking" in m:
            yes.add("sexual_exploitation")
        if "cce" in m:
            yes.add("criminality")
        if "dementia" in m:
            yes.update(("dementia", "age_infirmity", "medical_condition"))
        if "mental_health" in m:
            yes.update(("mental_health", "medical_condition"))
        if "substance_misuse" in m:
            yes.add("dependency")
        if "domestic_abuse" in m:
            yes.update(("domestic_violence", "family_problems"))
        if "forced_marriage" in m:
            yes.add("forced_marriage")
        if story.child:
            yes.add("age_infirmity")
        if story.earlier_episodes:
            yes.add("known_reason")
        else:
            yes.add("out_of_character")
        answers = {}
        for key in self.sim.factor_keys:
            if key in yes:
                answers[key] = "yes"
            else:
                answers[key] = "unknown" if rng.random() < 0.08 else "no"
        return answers

    def answers(self, story: texts.Story) -> dict[str, dict[str, str]]:
        rng = self.rng
        result: dict[str, dict[str, str]] = {}
        for key in self.sim.question_keys:
            if key == "why_worried":
                result[key] = {
                    "answer": "yes",
                    "detail": "Not like them to be out this late"
                    if story.child
                    else "Phone off; not heard from them",
                }
            elif key == "missing_before":
                result[key] = {"answer": "yes" if story.earlier_episodes else "no", "detail": ""}
            elif key == "out_of_character":
                result[key] = {"answer": "no" if story.earlier_episodes else "yes", "detail": ""}
            elif key == "sexual_exploitation":
                result[key] = {
                    "answer": "yes" if "cse" in story.markers else ("unknown" if story.child else "no"),
                    "detail": "",
                }
            elif key == "self_harm":
                result[key] = {"answer": "yes" if "self_harm" in story.markers else "no", "detail": ""}
            elif key == "medical_needs":
                need = bool({"medical", "dementia"} & story.markers)
                result[key] = {
                    "answer": "yes" if need else "no",
                    "detail": "Needs daily medication" if need else "",
                }
            elif key == "steps_taken":
                result[key] = {"answer": "yes", "detail": "Phoned friends and family; searched the house"}
            else:
                result[key] = {"answer": "unknown" if rng.random() < 0.1 else "no", "detail": ""}
        return result

    def still_missing(
        self,
        episode: Episode,
        assessments: list[RiskAssessment],
        events: list[Event],
        story: texts.Story,
        officer: User,
        t: dt.datetime,
    ) -> None:
        sim, rng = self.sim, self.rng
        cutoff = sim.cutoff
        latest = assessments[-1]
        episode.next_review_due = latest.next_review_due
        episode.sign_off_due = None if latest.signed_off_at else latest.assessed_at + sim.sign_off
        if cutoff - t >= sim.long_term:
            episode.status = Status.LONG_TERM
            events.append(Event(t + sim.long_term, "long_term", "Now long-term missing", None, True))
        else:
            episode.status = Status.ACTIVE
        sim.stats["open"] += 1
        first = assessments[0].assessed_at
        span = (cutoff - first).total_seconds()
        for _ in range(rng.randint(2, 4)):
            at = first + dt.timedelta(seconds=span * rng.uniform(0.05, 0.9))
            status = _pick(
                rng, (EnquiryStatus.OPEN, EnquiryStatus.IN_PROGRESS, EnquiryStatus.DONE), _cum((4, 3, 3))
            )
            description = rng.choice(texts.ENQUIRIES).format(area=story.area)
            owner = rng.choice(sim.world.officers[episode.district.name])
            self.related[Enquiry].append(
                Enquiry(
                    episode=episode,
                    description=description,
                    owner=owner,
                    status=status,
                    due_at=at + rng.randint(2, 12) * HOUR,
                    result="No trace." if status == EnquiryStatus.DONE else "",
                    created_by=officer,
                    created_at=at,
                    updated_at=at,
                )
            )
            events.append(Event(at, "enquiry_added", f"Action added: {description}", officer, False))
        for _ in range(rng.randint(1, 3)):
            at = first + dt.timedelta(seconds=span * rng.uniform(0.1, 0.95))
            text = rng.choice(texts.UPDATES).format(
                area=story.area, relation=episode.reporting_person_relationship.lower()
            )
            self.related[EpisodeUpdate].append(
                EpisodeUpdate(episode=episode, text=text, author=officer, created_at=at)
            )
            events.append(Event(at, "update", f"Update: {text[:200]}", officer, False))
        if rng.random() < 0.3:
            at = first + dt.timedelta(seconds=span * rng.uniform(0.2, 0.9))
            place = rng.choice(texts.SIGHTING_PLACES).format(area=story.area)
            self.related[Sighting].append(
                Sighting(
                    episode=episode,
                    seen_at=at - rng.randint(10, 90) * MINUTE,
                    place=place,
                    reported_by="Member of the public",
                    details="Matches the description; was walking alone.",
                    status=rng.choice((SightingStatus.UNVERIFIED, SightingStatus.DISCOUNTED)),
                    recorded_by=officer,
                    recorded_at=at,
                )
            )
            events.append(Event(at, "sighting", f"Sighting at {place}", officer, False))

    def found(
        self,
        episode: Episode,
        career: Career,
        plan: Plan,
        story: texts.Story,
        events: list[Event],
        found_at: dt.datetime,
        officer: User,
        supervisor: User,
        assessments: list[RiskAssessment],
        category: str,
        location: Location | None,
    ) -> None:
        sim, rng = self.sim, self.rng
        cutoff = sim.cutoff
        arch = career.arch
        recorded_at = min(found_at + rng.randint(5, 90) * MINUTE, max(found_at, cutoff - MINUTE))
        how: str
        if plan.dead:
            how = rng.choice((HowFound.POLICE, HowFound.POLICE, HowFound.OTHER, HowFound.FAMILY))
            condition = Condition.DECEASED
            found_place = rng.choice(
                (
                    "Woodland near the reservoir",
                    "Canal towpath",
                    "Riverbank",
                    "A property in " + story.area,
                    "Moorland",
                )
            )
            where, with_whom = "Not known", "Alone"
        else:
            how = _how_found(rng, arch.key, story.child)
            u = rng.random()
            condition = (
                Condition.SAFE_WELL if u < 0.963 else (Condition.HARMED if u < 0.985 else Condition.INJURED)
            )
            found_place, where, with_whom = texts.found_story(rng, story, how)
        returned_home = found_place.startswith("Returned") and location is not None
        indicators: list[str] = []
        if {"cse", "cce"} & story.markers and rng.random() < 0.5:
            indicators = sorted(
                rng.sample(texts.EXPLOITATION_INDICATORS, rng.randint(1, 3)),
                key=texts.EXPLOITATION_INDICATORS.index,
            )
        found_category = (
            category
            if returned_home
            else (LocationCategory.ACUTE_HOSPITAL if how == HowFound.HOSPITAL else LocationCategory.OTHER)
        )
        self.related[FoundRecord].append(
            FoundRecord(
                episode=episode,
                found_at=found_at,
                found_place=found_place,
                found_location=location if returned_home else None,
                found_location_category=found_category,
                how_found=how,
                condition=condition,
                harm_details=(
                    rng.choice(("Cuts and bruises", "Assaulted while missing", "Intoxicated; minor injuries"))
                    if condition in (Condition.HARMED, Condition.INJURED)
                    else ""
                ),
                victim_of_offence=condition == Condition.HARMED or rng.random() < 0.01,
                suspect_of_offence=rng.random() < (0.08 if "cce" in story.markers else 0.02),
                exploitation_indicators=indicators,
                where_been=where,
                with_whom=with_whom,
                withhold_whereabouts=(not story.child and not plan.dead and rng.random() < 0.02),
                recorded_by=officer,
                recorded_at=recorded_at,
            )
        )
        sim.counts["found_records"] += 1
        episode.found_at = found_at
        episode.next_review_due = None
        episode.sign_off_due = None
        if plan.dead:
            events.append(Event(recorded_at, "found", "Found deceased", officer, True))
            closed_at = recorded_at + rng.uniform(1, 7) * DAY
            if closed_at < cutoff:
                episode.status = Status.CLOSED
                episode.closed_at = closed_at
                episode.closed_by = supervisor
                episode.closure_note = "Found deceased. Family informed; file passed to the coroner."
                events.append(Event(closed_at, "closed", "Episode closed", supervisor, True))
            else:
                episode.status = Status.FOUND_DECEASED
            return
        events.append(
            Event(recorded_at, "found", f"Found: {dict(Condition.choices)[condition].lower()}", officer, True)
        )
        high = episode.risk_level == "high" or episode.risk_level_highest == "high"
        conducted_at = recorded_at + _loguniform(rng, 0.3, 30 if high else 72) * HOUR
        u = rng.random()
        outcome = (
            InterviewOutcome.COMPLETED if u < 0.86 else (InterviewOutcome.DECLINED if u < 0.93 else None)
        )
        interviewed = outcome is not None and conducted_at < cutoff
        if interviewed:
            assert outcome is not None
            body = texts.interview_texts(rng, story)
            declined = outcome == InterviewOutcome.DECLINED
            self.related[PreventionInterview].append(
                PreventionInterview(
                    episode=episode,
                    outcome=outcome,
                    conducted_at=conducted_at,
                    conducted_by=officer,
                    face_to_face=rng.random() < 0.9,
                    push_factors="" if declined else body["push_factors"],
                    pull_factors="" if declined else body["pull_factors"],
                    disclosures="" if declined else body["disclosures"],
                    harm="" if declined else body["harm"],
                    support_needed=body["support_needed"],
                    referrals=body["referrals"],
                    carer_account=texts.carer_account(rng, story) if declined else "",
                    recorded_at=min(
                        conducted_at + rng.randint(5, 120) * MINUTE, max(conducted_at, cutoff - MINUTE)
                    ),
                )
            )
            sim.counts["prevention_interviews"] += 1
            events.append(
                Event(
                    conducted_at,
                    "prevention_interview",
                    f"Prevention interview {outcome.label.lower()}",
                    officer,
                    True,
                )
            )
        basis = conducted_at if interviewed else recorded_at + rng.uniform(12, 72) * HOUR
        signed = [a.signed_off_at for a in assessments if a.signed_off_at]
        closed_at = max([basis, *signed]) + rng.uniform(1, 36) * HOUR
        if closed_at < cutoff and (interviewed or outcome is None):
            episode.status = Status.CLOSED
            episode.closed_at = closed_at
            episode.closed_by = supervisor
            episode.closure_note = rng.choice(texts.CLOSURE_NOTES)
            if not interviewed:
                episode.prevention_not_done_reason = rng.choice(texts.NOT_DONE_REASONS)
            for a in assessments:
                if a.signed_off_at is None:
                    # Every assessment on a closed episode has been signed off.
                    a.signed_off_by = supervisor
                    a.signed_off_at = min(closed_at - MINUTE, a.assessed_at + HOUR)
                    events.append(
                        Event(
                            a.signed_off_at, "risk_signed_off", "Risk assessment signed off", supervisor, True
                        )
                    )
            events.append(Event(closed_at, "closed", "Episode closed", supervisor, True))
        else:
            episode.status = Status.FOUND

    def tally(
        self,
        episode: Episode,
        arch: Archetype,
        plan: Plan,
        found_at: dt.datetime | None,
        category: str,
        person: Person,
    ) -> None:
        sim, stats = self.sim, self.sim.stats
        stats["graded"] += 1
        stats[f"first:{episode.risk_level_first}"] += 1
        if episode.is_child:
            stats["child"] += 1
        if episode.is_child is None:
            stats["age_unknown"] += 1
        # SPEC §7: the denominator leaves out open episodes reported less than 24 hours before the end.
        if found_at is not None or sim.cutoff - episode.reported_at >= DAY:
            stats["duration_base"] += 1
            if found_at is not None:
                hours = (found_at - episode.reported_at) / HOUR
                stats["within_8h"] += hours <= 8
                stats["within_24h"] += hours <= 24
                stats["within_48h"] += hours <= 48
        if plan.dead and found_at is not None:
            stats["dead"] += 1
        if (
            episode.is_child
            and episode.looked_after
            and category in CARE_SETTING_CATEGORIES
            and sim.cutoff - episode.reported_at <= 365 * DAY
        ):
            self.sim.lac_home_last_year[person.pk] += 1

    def finish(self, episode: Episode, events: list[Event]) -> None:
        events.sort(key=lambda e: e.at)
        version = 0
        rows = self.related[EpisodeEvent]
        for event in events:
            if event.bumps:
                version += 1
            rows.append(
                EpisodeEvent(
                    episode=episode,
                    version=max(version, 1),
                    kind=event.kind,
                    summary=event.summary[:500],
                    actor=event.actor,
                    at=event.at,
                )
            )
        episode.version = max(version, 1)
        episode.updated_at = events[-1].at

    def write_episodes(self) -> None:
        sim = self.sim
        _bulk(Episode, self.episodes)
        for model, rows in self.related.items():
            n = _bulk(model, rows)
            if model is EpisodeEvent:
                sim.counts["episode_events"] += n
            elif model in (Enquiry, EpisodeUpdate, Sighting):
                sim.counts[model._meta.model_name or model.__name__] += n
        for episode in self.episodes:
            sim.person_episodes[episode.person_id] += 1


# Who rings in when someone goes missing from an institution.
STAFF_REPORTERS: dict[str, tuple[str, ...]] = {
    LocationCategory.CHILDRENS_HOME: (
        "Residential support worker",
        "Registered manager",
        "Night support worker",
    ),
    LocationCategory.UNREGISTERED_CHILDRENS_HOME: ("Support worker", "Project manager"),
    LocationCategory.SECURE_UNIT: ("Unit manager", "Care officer"),
    LocationCategory.ACUTE_HOSPITAL: ("Nurse in charge", "Ward manager", "Hospital security"),
    LocationCategory.MENTAL_HEALTH_UNIT: ("Nurse in charge", "Ward manager"),
    LocationCategory.ADULT_CARE_HOME: ("Care home manager", "Senior carer"),
    LocationCategory.HOSTEL: ("Hostel support worker", "Hostel manager"),
    LocationCategory.SCHOOL: ("Designated safeguarding lead", "Head of year"),
}
SYSTEM_RESULTS = (
    "No trace",
    "Nothing of note",
    "Previous missing reports found",
    "Known to services",
    "Warning markers",
)


def _area_of(spec: PersonSpec) -> str:
    if spec.home is not None:
        return spec.home.address.rsplit(", ", 1)[-1]
    return spec.home_district.name


def _fact_sources(spec: PersonSpec, by: User) -> dict[str, dict[str, Any]]:
    at = spec.created_at.isoformat()
    facts = ["sex", "height_cm", "build", "hair", "eyes"]
    facts.insert(0, "date_of_birth" if spec.dob else "estimated_age")
    if spec.ethnicity != "NS":
        facts.append("ethnicity")
    if spec.officer_ethnicity != OfficerEthnicity.NOT_KNOWN:
        facts.append("officer_ethnicity")
    return {fact: {"by": "Reporting person", "recorded_by": by.pk, "at": at} for fact in facts}


def _last_seen_gap(rng: random.Random, kind: str, category: str) -> dt.timedelta:
    if kind == "dementia" or category in (
        LocationCategory.ACUTE_HOSPITAL,
        LocationCategory.MENTAL_HEALTH_UNIT,
    ):
        return rng.uniform(0.25, 2.5) * HOUR
    if category in CARE_SETTING_CATEGORIES or category == LocationCategory.FOSTER_PLACEMENT:
        return rng.uniform(0.5, 5) * HOUR
    if kind.startswith("child") or kind.startswith("lac"):
        return rng.uniform(1, 10) * HOUR
    return rng.uniform(2, 30) * HOUR


def _last_seen_place(rng: random.Random, place: str, area: str) -> str:
    return rng.choice(
        (
            f"Leaving {place}",
            f"At {place}",
            f"On foot near {place}",
            f"Bus stop in {area}",
            f"Shops in {area}",
        )
    )


# NCA: 1 in 4 children and 1 in 5 adults return of their own accord; police find 34% of children and more
# than half of located adults. Children's homes staff find many of their own residents.
HOW_FOUND: dict[str, tuple[tuple[str, ...], list[float]]] = {
    "lac": (
        (
            HowFound.OWN_ACCORD,
            HowFound.CARE_STAFF,
            HowFound.POLICE,
            HowFound.FAMILY,
            HowFound.FRIENDS,
            HowFound.OTHER,
        ),
        _cum((35, 22, 32, 6, 3, 2)),
    ),
    "dementia": (
        (HowFound.POLICE, HowFound.FAMILY, HowFound.OTHER, HowFound.CARE_STAFF, HowFound.HOSPITAL),
        _cum((58, 15, 15, 8, 4)),
    ),
    "child": (
        (HowFound.OWN_ACCORD, HowFound.POLICE, HowFound.FAMILY, HowFound.FRIENDS, HowFound.OTHER),
        _cum((26, 36, 28, 5, 5)),
    ),
    "adult": (
        (
            HowFound.OWN_ACCORD,
            HowFound.POLICE,
            HowFound.FAMILY,
            HowFound.FRIENDS,
            HowFound.HOSPITAL,
            HowFound.OTHER,
        ),
        _cum((20, 52, 14, 5, 6, 3)),
    ),
}


def _how_found(rng: random.Random, kind: str, child: bool) -> str:
    if kind in ("lac_home", "lac_foster"):
        group = "lac"
    elif kind == "dementia":
        group = "dementia"
    else:
        group = "child" if child else "adult"
    options, cum = HOW_FOUND[group]
    return _pick(rng, options, cum)


# --- Entry point -----------------------------------------------------------------------------------------


def demo_load(
    *,
    seed: int,
    years: int,
    as_of: dt.date,
    scale: float = 1.0,
    progress: Callable[[str], None] = lambda _line: None,
) -> DemoSummary:
    """Load the whole demo world into an empty database, in one transaction."""
    if years < 1:
        raise ValueError("years must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    tz = ZoneInfo(settings.TIME_ZONE)
    # The data stops at the start of the as-of day (local midnight): with as-of = today nothing is in the future.
    cutoff = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=tz).astimezone(UTC)
    try:
        first_day = as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February
        first_day = as_of.replace(year=as_of.year - years, day=28)
    start = dt.datetime(first_day.year, first_day.month, first_day.day, tzinfo=tz).astimezone(UTC)
    rng = random.Random(seed)
    with transaction.atomic():
        progress("Organisations, users and places…")
        world = _build_world(rng, scale, make_password(settings.HOMEWARD_DEMO_PASSWORD))
        sim = Simulation(rng=rng, world=world, start=start, cutoff=cutoff, scale=scale, progress=progress)
        progress(f"People and episodes from {first_day} to {as_of} (scale {scale:g})…")
        sim.run()
        audit_record(
            actor=None,
            operation=Operation.COLLECTION,
            event_type="demo.loaded",
            object_type="demo",
            object_ids=[],
            reason=f"seed={seed} years={years}",
        )
    counts = dict(sim.counts)
    counts["organisations"] = Organisation.objects.count()
    counts["users"] = User.objects.count()
    counts["locations"] = Location.objects.count()
    return DemoSummary(counts=counts, calibration=_calibration(sim), as_of=as_of, cutoff=cutoff)


def _calibration(sim: Simulation) -> dict[str, float]:
    s = sim.stats
    graded = max(1, s["graded"])
    base = max(1, s["duration_base"])
    people = sim.person_episodes
    lac = sim.lac_home_last_year
    return {
        "episodes": float(sim.counts["episodes"]),
        "people": float(len(people)),
        "child_share": s["child"] / graded,
        "risk_high": s["first:high"] / graded,
        "risk_medium": s["first:medium"] / graded,
        "risk_low": s["first:low"] / graded,
        "risk_very_low": s["first:very_low"] / graded,
        "found_within_8h": s["within_8h"] / base,
        "found_within_24h": s["within_24h"] / base,
        "found_within_48h": s["within_48h"] / base,
        "found_dead": s["dead"] / graded,
        "repeat_people": float(sum(1 for n in people.values() if n >= 2)),
        "people_10_plus": float(sum(1 for n in people.values() if n >= 10)),
        "lac_care_setting_episodes_per_child": (sum(lac.values()) / len(lac)) if lac else 0.0,
        "open": float(s["open"]),
        "not_recorded": float(s["not_recorded"]),
    }
