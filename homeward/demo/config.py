"""The demo world's data: the default force and partners, and the figures the generator is calibrated on.

Nothing else in the application reads these: forces, districts and partners are rows in the database once
loaded. The calibration figures come from SPEC §8 and the domain reference §3 (NCA, DfE, WYP FOI, the
Thames Valley grading study, the one-in-358 fatality study).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeward.identity.roles import Role
from homeward.people.models import Sex
from homeward.places.models import LocationCategory

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
SECURE_UNIT = "Moorside Secure Children's Home"
SECURE_UNIT_DISTRICT = "Wakefield"
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
EPISODES_PER_YEAR = 10_500  # the default force (WYP FOI: 10,537 in 2022/23)
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
# More people go missing in summer: the monthly arrival rate swings this much either side of the mean.
SEASONAL_SWING = 0.08
REPORT_HOURS_CHILD = (6, 4, 3, 2, 1.5, 1, 1, 1.5, 2.5, 3, 3, 3, 3.5, 3.5, 4, 5, 6, 7, 8, 9, 10, 10, 9, 8)
REPORT_HOURS_ADULT = (4, 3, 2.5, 2, 1.5, 1.5, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5.5, 6, 6.5, 7, 7, 7, 6.5, 6, 5)
REPORT_HOURS_DEMENTIA = (2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 5.5, 5, 4, 3.5, 3, 2.5, 2)
# Kept to a handful: genuine duplicate records with a misspelt name (about 0.5% of people).
DUPLICATE_SHARE_OF_CAREERS = 0.025
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
        career=True, rate_mean=15.0, rate_shape=0.9, window_mean_days=270, window_min_days=60, window_max_days=900,
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
        female=0.45, risk=(0.02, 0.08, 0.60, 0.30), p_dead=0.011, p_not_recorded=0.003,
        markers=(("mental_health", 0.9, 0.9), ("self_harm", 0.5, 0.4), ("substance_misuse", 0.15, 0.25),
                 ("learning_disability", 0.05, 0.05), ("autism", 0.03, 0.05), ("medical", 0.1, 0.1),
                 ("domestic_abuse", 0.08, 0.03)),
        career=True, rate_mean=3.0, rate_shape=1.0, window_mean_days=250, window_min_days=20, window_max_days=900,
    ),
    Archetype(
        key="dementia", per_year=400, child=False,
        ages=_ages((65, 5), (70, 10), (75, 20), (80, 30), (85, 25), (90, 10)),
        female=0.5, risk=(0, 0.05, 0.55, 0.40), p_dead=0.014, p_not_recorded=0.002,
        markers=(("dementia", 0.95, 0.95), ("medical", 0.5, 0.5)),
        career=True, rate_mean=2.0, rate_shape=1.5, window_mean_days=150, window_min_days=10, window_max_days=600,
    ),
    Archetype(
        key="adult_repeat", per_year=600, child=False,
        ages=_ages((18, 12), (20, 15), (25, 18), (30, 18), (35, 14), (40, 11), (45, 7), (50, 5)),
        female=0.25, risk=(0.12, 0.20, 0.60, 0.08), p_dead=0.008, p_not_recorded=0.006,
        markers=(("substance_misuse", 0.7, 0.7), ("mental_health", 0.4, 0.4), ("self_harm", 0.15, 0.15),
                 ("domestic_abuse", 0.25, 0.1)),
        career=True, rate_mean=4.0, rate_shape=1.0, window_mean_days=250, window_min_days=20, window_max_days=900,
    ),
    Archetype(
        key="adult_once", per_year=2200, child=False,
        ages=_ages((18, 12), (20, 12), (25, 12), (30, 11), (35, 11), (40, 10), (45, 10), (50, 8), (55, 6),
                   (60, 4), (65, 2), (70, 1.5), (75, 0.5)),
        female=0.35, risk=(0.10, 0.12, 0.65, 0.13), p_dead=0.0055, p_not_recorded=0.003,
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

# --- What episodes set off in partner agencies (homeward.demo.safeguarding) -----------------------------
# Return interview workers per 100,000 residents at scale 1, by district (at least one per district; the
# demo rhi.worker is one of Leeds's).
RHI_WORKERS_PER_100K = 0.6
# The demo rhi.worker works full time; colleagues are part-time: twice their share of the district's work.
RHI_DEMO_WORKER_WEIGHT = 2.0
# Domain reference: only 42% of return interviews happened within 72 hours of the return. Here that is
# the share offered by the time the offer was due, among interviews whose clock has run out.
RHI_OFFERED_IN_TIME = 0.42
# Share of decisions not to record that the premises' provider appeals (SPEC §3 escalation).
NOT_RECORDED_APPEAL_RATE = 0.25
# Found not possible before any offer (moved away, could not be reached, missing again).
RHI_NOT_POSSIBLE_BEFORE_OFFER = 0.06
# Once offered: completed, declined by the child, not possible after all.
RHI_OUTCOMES_AFTER_OFFER = (0.68, 0.24, 0.08)
# Completed interviews recorded this recently may still have findings waiting for the police to decide.
RHI_PROPOSALS_PENDING_DAYS = 10
RHI_PROPOSAL_SHARE = 0.15
