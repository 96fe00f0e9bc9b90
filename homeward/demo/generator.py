"""The deterministic synthetic demo world (SPEC §8): one force, its partners, people and their episodes.

How it works
- Organisations, districts and users are written first with the ORM (a few dozen rows); then the fixed
  places (children's homes, hospitals, care homes, hostels, schools).
- People go missing through *careers*: a looked-after child in a children's home goes missing again and
  again while the placement lasts; a teenager at home has a run of episodes; most people have one episode.
  A career has a start, a length and a rate; its episodes follow as a renewal process (the next report
  comes some time after the person was found), so nobody is ever missing twice at once. Children's
  careers end at 18.
- Arrival rates are set so each kind of career yields its share of the force's yearly episodes, and the
  mix of kinds carries the published calibration (config.py).
- Time runs month by month. Each month's episodes are sorted by report time, numbered, and written; only
  careers still running are kept in memory, so long or large runs stream.

Speed: rows are written with `executemany` from tuples, with ids assigned here, not through model
instances (the ORM's per-field preparation was three quarters of the run time). That needs an empty
database, which `homeward demo` insists on; PostgreSQL's id sequences are reset at the end.

Determinism: one `random.Random(seed)` drives everything in a fixed order, and every timestamp is derived
from the as-of date, never the clock. Same seed and as-of, same rows on either database (password salts
and the times of the audit events written at load time — the load itself, the demo accounts' enrolment —
apart). The records' own audit events (homeward/demo/audit_trail.py: a collection event for each person
and episode, and a sprinkling of consultations) carry the times they would have happened.

References are numbered per year in report order ("MP-2025-000123"). Episodes reported later through the
application take "MP-<year>-<row id>"; a row id is always above any year's count, so the two never clash.

Everything is synthetic: names are random pairings of common names, phone numbers are Ofcom drama numbers,
addresses are invented.
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
from django.core.management.color import no_style
from django.db import connection, models, transaction

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.demo import config, names, safeguarding, texts
from homeward.demo.audit_trail import AuditTrail
from homeward.demo.config import Archetype
from homeward.episodes.actions import CALL_HANDLER_QUESTIONS, RISK_FACTORS, SYSTEMS
from homeward.episodes.models import (
    Condition,
    Enquiry,
    EnquiryStatus,
    Episode,
    EpisodeEvent,
    EpisodeUpdate,
    Escalation,
    FoundRecord,
    HowFound,
    InterviewOutcome,
    PreventionInterview,
    RiskAssessment,
    Sighting,
    SightingStatus,
    Status,
)
from homeward.identity.mfa import demo_accounts_enrol
from homeward.identity.models import District, Organisation, OrganisationKind, User
from homeward.identity.roles import Capability, Role, role_can
from homeward.notifications.models import Notification
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
from homeward.returns.models import FindingProposal, ReturnInterview, ReturnInterviewEvent, RhiStatus

BATCH_SIZE = 2000
UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
T = TypeVar("T")

DEMO_ACCOUNTS = config.DEMO_ACCOUNTS
DEMO_USERNAMES = config.DEMO_USERNAMES


@dataclass
class DemoSummary:
    counts: dict[str, int]
    calibration: dict[str, float]
    as_of: dt.date
    cutoff: dt.datetime


# --- Small helpers ---------------------------------------------------------------------------------------


def _cum(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
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
                return lo + (hi - lo) * float(rng.random() ** 1.4)
            return _loguniform(rng, lo, hi) if hi / lo >= 3 else rng.uniform(lo, hi)
        u -= share
    return _loguniform(rng, buckets[-1][1], buckets[-1][2])


def _postcode(rng: random.Random, outward: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _street(rng: random.Random) -> str:
    return f"{rng.choice(names.STREET_FIRST)} {rng.choice(names.STREET_SUFFIX)}"


def _mobile(rng: random.Random) -> str:
    return f"{names.MOBILE_PREFIX}{rng.randint(0, 999):03d}"


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Table:
    """Rows for one model, kept as tuples in column order and written with executemany.

    Values are given by attribute name (`person_id`, not `person`); anything left out takes the field's
    default. Dates, datetimes and JSON are adapted for the database in use, as the ORM would.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in fields]
        self.known = frozenset(self.attnames)
        self.defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.prepare: list[Callable[[Any], Any] | None] = [_preparer(f) for f in fields]
        qn = connection.ops.quote_name
        # Only quoted table and column names from the model's metadata are interpolated; values are parameters.
        columns = ", ".join(qn(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        last = model._default_manager.aggregate(m=models.Max("pk"))["m"]
        self.next_id = (last or 0) + 1
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def reserve(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, values: dict[str, Any]) -> int:
        if not self.known.issuperset(values):
            # A misspelt or removed field would otherwise be dropped without a word.
            unknown = sorted(set(values) - self.known)
            raise ValueError(f"{self.model.__name__} has no field(s) {', '.join(unknown)}")
        if "id" not in values:
            values["id"] = self.reserve()
        row = []
        for attname, default, prepare in zip(self.attnames, self.defaults, self.prepare, strict=True):
            value = values.get(attname, default)
            row.append(prepare(value) if (prepare is not None and value is not None) else value)
        self.rows.append(tuple(row))
        return int(values["id"])

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            for i in range(0, len(self.rows), BATCH_SIZE):
                cursor.executemany(self.sql, self.rows[i : i + BATCH_SIZE])
        self.written += len(self.rows)
        self.rows = []


def _preparer(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(f, models.DateTimeField):
        tz = connection.timezone if settings.USE_TZ else None
        if connection.vendor == "sqlite" and tz is not None:
            return _sqlite_datetime(tz)
        return connection.ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(f, models.JSONField):
        return lambda value: f.get_db_prep_save(value, connection)
    return None


def _sqlite_datetime(tz: dt.tzinfo) -> Callable[[dt.datetime], Any]:
    """SQLite's adapt_datetimefield_value without its per-call lookups (a third of a million calls a
    year of data): an aware time becomes the naive text of the database's time zone, exactly as there."""
    fallback = connection.ops.adapt_datetimefield_value

    def adapt(value: dt.datetime) -> Any:
        if value.utcoffset() is None:
            return fallback(value)
        return str(value.astimezone(tz).replace(tzinfo=None))

    return adapt


TABLE_LABELS = {
    "Location": "locations",
    "Person": "people",
    "PersonAlias": "aliases",
    "PersonMarker": "markers",
    "PersonAddress": "addresses and placements",
    "PersonContact": "contact details",
    "PersonPlace": "places frequented",
    "PersonAssociate": "associates",
    "PersonSearchKey": "search keys",
    "Episode": "episodes",
    "EpisodeEvent": "episode history events",
    "RiskAssessment": "risk assessments",
    "FoundRecord": "found records",
    "PreventionInterview": "prevention interviews",
    "Enquiry": "enquiries",
    "EpisodeUpdate": "episode updates",
    "Sighting": "sightings",
    "Notification": "notifications",
    "Escalation": "appeals against decisions not to record",
    "ReturnInterview": "return interviews",
    "ReturnInterviewEvent": "return interview history",
    "FindingProposal": "finding proposals",
}
TABLE_MODELS: tuple[type[models.Model], ...] = (
    Location,
    Person,
    PersonAlias,
    PersonMarker,
    PersonAddress,
    PersonContact,
    PersonPlace,
    PersonAssociate,
    PersonSearchKey,
    Episode,
    EpisodeEvent,
    RiskAssessment,
    FoundRecord,
    PreventionInterview,
    Enquiry,
    EpisodeUpdate,
    Sighting,
    Notification,
    Escalation,
    ReturnInterview,
    ReturnInterviewEvent,
    FindingProposal,
)


# --- The world: organisations, users, fixed places --------------------------------------------------------


@dataclass
class Place:
    """A location, before or after it is written (pk set)."""

    name: str
    address: str
    postcode: str
    category: str
    district: District
    provider_id: int | None = None
    registration_ref: str = ""
    pk: int | None = None

    @property
    def area(self) -> str:
        """The neighbourhood or town: '12 Oak Road, Armley, Leeds' → 'Armley'."""
        parts = self.address.split(", ")
        return parts[1] if len(parts) > 1 else parts[0]


@dataclass
class World:
    force: Organisation
    districts: list[District]
    district_cum: list[float]
    councils: dict[str, Organisation]  # by district name
    out_of_area: list[Organisation]
    places: dict[tuple[str, str], list[Place]]  # (district name, category) → places
    call_handlers: list[User]
    officers: dict[str, list[User]]  # by district name
    supervisors: dict[str, list[User]]
    inspectors: list[User]
    # Partner agencies' staff (_partner_staff): who may mark a notification read, by organisation id,
    # and the force's return interview service with its workers by district.
    readers: dict[int, list[User]] = field(default_factory=dict)
    rhi_service: Organisation | None = None
    rhi_workers: dict[str, list[User]] = field(default_factory=dict)
    rhi_workers_all: list[User] = field(default_factory=list)
    demo_rhi_worker_id: int | None = None
    council_ids: frozenset[int] = frozenset()
    organisation_names: dict[int, str] = field(default_factory=dict)


# Police staff names: roughly the force's workforce mix.
STAFF_TRADITIONS = ("british", "south_asian_muslim", "indian", "caribbean", "african", "east_european")
STAFF_TRADITIONS_CUM = _cum((80, 9, 4, 2, 2, 3))


def _build_world(
    rng: random.Random, scale: float, password_hash: str, tables: dict[str, Table], at: dt.datetime
) -> World:
    force = Organisation.objects.create(
        name=config.FORCE_NAME, kind=OrganisationKind.POLICE_FORCE, email="missing.persons@example.org"
    )
    force.force = force
    force.save(update_fields=["force"])

    partners: dict[str, Organisation] = {}

    def add(name: str, kind: str, slug: str, in_force: bool = True) -> None:
        partners[name] = Organisation(
            name=name, kind=kind, force=force if in_force else None, email=f"{slug}@example.org"
        )

    for district_name, _pop, council_name, _rate in config.DISTRICTS:
        add(council_name, OrganisationKind.LOCAL_AUTHORITY, f"missing.children.{district_name.lower()}")
    for council_name in config.OUT_OF_AREA_COUNCILS:
        # Councils elsewhere in England place children here but work in another force's area.
        add(
            council_name,
            OrganisationKind.LOCAL_AUTHORITY,
            f"placements.{council_name.split()[0].lower()}",
            False,
        )
    for trust in sorted(set(config.ACUTE_TRUSTS.values())) + [config.MENTAL_HEALTH_TRUST]:
        add(trust, OrganisationKind.NHS_TRUST, "safeguarding." + trust.split()[0].lower())
    for provider_name in (*config.CHILDREN_PROVIDERS, config.SUPPORTED_PROVIDER, config.ADULT_CARE_PROVIDER):
        add(provider_name, OrganisationKind.CARE_PROVIDER, "office." + provider_name.split()[0].lower())
    add(config.RHI_SERVICE, OrganisationKind.RHI_SERVICE, "referrals.rhi")
    for charity in config.CHARITIES:
        add(charity, OrganisationKind.CHARITY, "hello." + charity.split()[0].lower())
    add(config.COMMISSIONER, OrganisationKind.COMMISSIONER, "policing.mayor")
    Organisation.objects.bulk_create(list(partners.values()))

    districts = [
        District(force=force, name=name, population=pop, council=partners[council_name])
        for name, pop, council_name, _rate in config.DISTRICTS
    ]
    District.objects.bulk_create(districts)
    district_by_name = {d.name: d for d in districts}
    councils = {name: partners[council_name] for name, _pop, council_name, _rate in config.DISTRICTS}

    # Users: the demo accounts (one per role) and a pool of police staff who did the casework.
    orgs_by_key: dict[str, Organisation] = {"force": force, **partners}
    for district_name, council_org in councils.items():
        orgs_by_key[f"council:{district_name}"] = council_org
    demo_users = {
        username: User(
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
        for username, role, org_key, district, first, last in config.DEMO_ACCOUNTS
    }
    pool: list[User] = []
    unusable = make_password(None)
    collar = iter(range(1003, 10000, 37))

    def staff(role: str, prefix: str, district: District | None) -> User:
        tradition = _pick(rng, STAFF_TRADITIONS, STAFF_TRADITIONS_CUM)
        female, male, surnames, _languages = names.TRADITIONS[tradition]
        user = User(
            username=f"{prefix}{next(collar)}",
            password=unusable,
            first_name=rng.choice(female if rng.random() < 0.45 else male),
            last_name=rng.choice(surnames),
            role=role,
            organisation=force,
            district=district,
        )
        pool.append(user)
        return user

    leeds = district_by_name["Leeds"]
    call_handlers = [demo_users["call.handler"]] + [staff(Role.CALL_HANDLER, "ch", leeds) for _ in range(7)]
    officers: dict[str, list[User]] = {}
    supervisors: dict[str, list[User]] = {}
    for d in districts:
        # In Leeds the demo officer and supervisor are part of the team, so their accounts have casework.
        own = d.name == "Leeds"
        officers[d.name] = ([demo_users["officer"]] if own else []) + [
            staff(Role.OFFICER, "pc", d) for _ in range(5 if own else 6)
        ]
        supervisors[d.name] = ([demo_users["supervisor"]] if own else []) + [
            staff(Role.SUPERVISOR, "ps", d) for _ in range(1 if own else 2)
        ]
    inspectors = [demo_users["di"]] + [staff(Role.DETECTIVE_INSPECTOR, "di", None) for _ in range(2)]
    User.objects.bulk_create(list(demo_users.values()) + pool)

    # Fixed places.
    places: dict[tuple[str, str], list[Place]] = {}
    used_names: set[str] = set()

    def unique(make: Callable[[], str]) -> str:
        candidate = make()
        for _ in range(50):
            if candidate not in used_names:
                break
            candidate = make()
        else:
            candidate = f"{candidate} {len(used_names)}"
        used_names.add(candidate)
        return candidate

    def place(
        district: District, category: str, name: str, provider: Organisation | None, reg: str = ""
    ) -> None:
        area, outward = rng.choice(names.DISTRICT_AREAS[district.name])
        p = Place(
            name=name,
            address=f"{rng.randint(1, 220)} {_street(rng)}, {area}",
            postcode=_postcode(rng, outward),
            category=category,
            district=district,
            provider_id=provider.pk if provider else None,
            registration_ref=reg,
        )
        places.setdefault((district.name, category), []).append(p)

    def ofsted() -> str:
        return f"SC{rng.randint(100000, 999999)}"

    def cqc() -> str:
        return f"1-{rng.randint(10**9, 10**10 - 1)}"

    children_providers = [partners[p] for p in config.CHILDREN_PROVIDERS]
    for d in districts:
        per_100k = d.population / 100_000

        def count(rate: float, d_per_100k: float = per_100k) -> int:
            return max(1, round(rate * d_per_100k * scale))

        for i in range(count(config.REGULATED_HOMES_PER_100K)):
            # The demo care-staff account's provider runs the first home in Leeds, so it has residents.
            if d.name == "Leeds" and i == 0:
                provider = children_providers[0]
            else:
                provider = councils[d.name] if rng.random() < 0.3 else rng.choice(children_providers)
            home_name = unique(lambda: f"{rng.choice(names.HOUSE_NAMES)} {rng.choice(names.HOUSE_SUFFIX)}")
            place(d, LocationCategory.CHILDRENS_HOME, home_name, provider, ofsted())
        for _ in range(count(config.UNREGISTERED_HOMES_PER_100K)):
            home_name = unique(lambda: f"{rng.choice(names.STREET_FIRST)} Supported Living")
            place(
                d,
                LocationCategory.UNREGISTERED_CHILDRENS_HOME,
                home_name,
                partners[config.SUPPORTED_PROVIDER],
            )
        for hospital, category in config.HOSPITALS[d.name]:
            acute = category == LocationCategory.ACUTE_HOSPITAL
            trust = config.ACUTE_TRUSTS[d.name] if acute else config.MENTAL_HEALTH_TRUST
            used_names.add(hospital)
            place(d, category, hospital, partners[trust], cqc())
        for _ in range(count(config.ADULT_CARE_HOMES_PER_100K)):
            home_name = unique(
                lambda: (
                    f"{rng.choice(names.HOUSE_NAMES)} {rng.choice(('Care Home', 'Nursing Home', 'Court'))}"
                )
            )
            place(d, LocationCategory.ADULT_CARE_HOME, home_name, partners[config.ADULT_CARE_PROVIDER], cqc())
        for _ in range(count(config.HOSTELS_PER_100K)):
            place(d, LocationCategory.HOSTEL, unique(lambda: f"{_street(rng)} Hostel"), None)
        for _ in range(count(config.SCHOOLS_PER_100K)):
            school = unique(lambda: f"{rng.choice(names.HOUSE_NAMES)} {rng.choice(names.SCHOOL_SUFFIX)}")
            place(d, LocationCategory.SCHOOL, school, None)
    secure_district = district_by_name[config.SECURE_UNIT_DISTRICT]
    place(
        secure_district,
        LocationCategory.SECURE_UNIT,
        config.SECURE_UNIT,
        councils[secure_district.name],
        ofsted(),
    )
    for group in places.values():
        for p in group:
            p.pk = _add_place(tables, p, force, at)

    weights = [pop * rate for _name, pop, _council, rate in config.DISTRICTS]
    return World(
        force=force,
        districts=districts,
        district_cum=_cum(weights),
        councils=councils,
        out_of_area=[partners[c] for c in config.OUT_OF_AREA_COUNCILS],
        places=places,
        call_handlers=call_handlers,
        officers=officers,
        supervisors=supervisors,
        inspectors=inspectors,
    )


def _add_place(tables: dict[str, Table], p: Place, force: Organisation, at: dt.datetime) -> int:
    return tables["Location"].add(
        {
            "name": p.name,
            "address": p.address,
            "postcode": p.postcode,
            "category": p.category,
            "force_id": force.pk,
            "district_id": p.district.pk,
            "provider_id": p.provider_id,
            "registration_ref": p.registration_ref,
            "created_at": at,
        }
    )


# Partner staff who read notifications, by the kind of organisation: (role, username prefix, how many).
PARTNER_READERS: dict[str, tuple[str, str, int]] = {
    OrganisationKind.LOCAL_AUTHORITY: (Role.CSC_MISSING_OFFICER, "csc", 2),
    OrganisationKind.CARE_PROVIDER: (Role.CARE_STAFF, "care", 2),
    OrganisationKind.NHS_TRUST: (Role.HEALTH_STAFF, "nhs", 2),
}


def _partner_staff(rng: random.Random, world: World, scale: float) -> None:
    """Staff of the partner agencies: who reads their notifications, and the return interview workers.

    Drawn from the partner random source after the police world is built, so adding them changed no
    seed's people or episodes. A council elsewhere in England has one missing officer who deals with
    this force; the return interview service has workers in every district, as many as the volume needs
    (the demo rhi.worker is one of Leeds's).
    """
    orgs = list(Organisation.objects.exclude(pk=world.force.pk).order_by("pk"))
    existing = list(User.objects.filter(organisation__in=orgs).order_by("pk"))
    in_force_councils = {d.council_id for d in world.districts}
    council_district = {d.council_id: d for d in world.districts}
    unusable = make_password(None)
    number = iter(range(2011, 10000, 41))
    new: list[User] = []

    def make(role: str, prefix: str, org: Organisation, district: District | None) -> None:
        tradition = _pick(rng, STAFF_TRADITIONS, STAFF_TRADITIONS_CUM)
        female, male, surnames, _languages = names.TRADITIONS[tradition]
        new.append(
            User(
                username=f"{prefix}{next(number)}",
                password=unusable,
                first_name=rng.choice(female if rng.random() < 0.7 else male),
                last_name=rng.choice(surnames),
                role=role,
                organisation=org,
                district=district,
            )
        )

    def have(org: Organisation, role: str, district: District | None = None) -> int:
        return sum(
            1
            for u in existing
            if u.organisation_id == org.pk
            and u.role == role
            and (district is None or u.district_id == district.pk)
        )

    services = sorted(
        (o for o in orgs if o.kind == OrganisationKind.RHI_SERVICE and o.force_id == world.force.pk),
        key=lambda o: (o.name, o.pk),
    )
    service = services[0] if services else None
    for org in orgs:
        reader = PARTNER_READERS.get(org.kind)
        if reader is None:
            continue
        role, prefix, wanted = reader
        if org.kind == OrganisationKind.LOCAL_AUTHORITY and org.pk not in in_force_councils:
            wanted = 1
        for _ in range(wanted - have(org, role)):
            make(role, prefix, org, council_district.get(org.pk))
    if service is not None:
        for d in world.districts:
            wanted = max(1, round(d.population / 100_000 * config.RHI_WORKERS_PER_100K * scale))
            for _ in range(wanted - have(service, Role.RHI_WORKER, d)):
                make(Role.RHI_WORKER, "rhi", service, d)
        # The service's manager allocates referrals and is told when an offer is late (episodes.clocks).
        if not have(service, Role.CSC_MISSING_OFFICER):
            make(Role.CSC_MISSING_OFFICER, "rhi.manager", service, None)
    User.objects.bulk_create(new)

    staff = existing + new
    world.organisation_names = {o.pk: o.name for o in orgs}
    world.council_ids = frozenset(o.pk for o in orgs if o.kind == OrganisationKind.LOCAL_AUTHORITY)
    world.readers = {}
    for user in staff:
        if user.organisation_id is not None and role_can(user.role, Capability.VIEW_CASES):
            world.readers.setdefault(user.organisation_id, []).append(user)
    world.rhi_service = service
    workers = [
        u
        for u in staff
        if service is not None and u.organisation_id == service.pk and u.role == Role.RHI_WORKER
    ]
    world.rhi_workers_all = workers
    world.demo_rhi_worker_id = next((u.pk for u in workers if u.username == "rhi.worker"), None)
    world.rhi_workers = {}
    for d in world.districts:
        world.rhi_workers[d.name] = [u for u in workers if u.district_id == d.pk]


# --- People and careers ----------------------------------------------------------------------------------


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
    home: Place | None  # a private home or foster placement made for this person
    markers: list[str]
    aliases: list[AliasSpec]
    created_at: dt.datetime
    updated_at: dt.datetime
    duplicate_of: PersonSpec | None = None
    career: Career | None = None
    pk: int | None = None

    def age_on(self, day: dt.date) -> int | None:
        if self.dob:
            return _age_on(self.dob, day)
        if self.estimated_age is not None and self.estimated_on:
            return self.estimated_age + max(0, (day - self.estimated_on).days // 365)
        return None


@dataclass
class Placement:
    since: dt.datetime
    place: Place


@dataclass
class Plan:
    """One episode: its timing is fixed when the career starts; the rest is made on the day."""

    reported_at: dt.datetime
    duration: dt.timedelta | None  # None: still missing at the cut-off
    earlier: int  # episodes this person had before this one
    dead: bool = False
    not_recorded: bool = False
    slot: int = 0  # 0: the person's record; 1: a duplicate record made under a misspelt name
    given_as: tuple[str, str] | None = None  # the misspelt name a caller gave
    reporter: tuple[str, str, str] | None = None  # chosen early when the caller supplies an alias


@dataclass
class Career:
    seq: int
    arch: Archetype
    people: list[PersonSpec]
    plans: list[Plan]
    reporter: tuple[str, str, str]  # name, relationship, phone of the family member who usually reports
    placements: list[Placement]
    placing_authority: Organisation | None
    setting: Place | None  # an institution the person lives in or is treated at
    end: dt.datetime
    pos: int = 0


def _career_shape(rng: random.Random, arch: Archetype, days_to_adult: float) -> tuple[float, float]:
    """A career's rate (episodes a year) and length in days. Children's careers end at 18 (leaving care)."""
    rate = min(arch.rate_cap, max(0.3, rng.gammavariate(arch.rate_shape, arch.rate_mean / arch.rate_shape)))
    window = min(arch.window_max_days, max(arch.window_min_days, rng.expovariate(1 / arch.window_mean_days)))
    if arch.child:
        window = max(1.0, min(window, days_to_adult))
    return rate, window


class Simulation:
    def __init__(
        self,
        *,
        rng: random.Random,
        world: World,
        tables: dict[str, Table],
        start: dt.datetime,
        cutoff: dt.datetime,
        scale: float,
        progress: Callable[[str], None],
        aftermath: safeguarding.Aftermath,
        trail: AuditTrail,
    ) -> None:
        self.rng = rng
        self.world = world
        self.aftermath = aftermath
        self.trail = trail
        self.tables = tables
        self.start = start
        self.cutoff = cutoff
        self.scale = scale
        self.progress = progress
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.adult_age: int = settings.HOMEWARD_ADULT_AGE
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
        self.lac_care_last_year: Counter[int] = Counter()
        self.person_episodes: Counter[int] = Counter()
        self.hours_cum = {
            "child": _cum(config.REPORT_HOURS_CHILD),
            "adult": _cum(config.REPORT_HOURS_ADULT),
            "dementia": _cum(config.REPORT_HOURS_DEMENTIA),
        }
        self.ethnicity_cum: dict[str, tuple[list[str], list[float]]] = {}
        for district, mix in config.ETHNICITY_MIX.items():
            codes = list(mix)
            weights = [mix[c] * config.OVER_REPRESENTATION.get(c[0], 1.0) for c in codes]
            self.ethnicity_cum[district] = (codes, _cum(weights))
        self.age_cum = {a.key: _cum([w for _age, w in a.ages]) for a in config.ARCHETYPES}
        self.per_day = {a.key: self._arrivals_per_day(a) for a in config.ARCHETYPES}
        self.factor_keys = [key for key, _q in RISK_FACTORS]
        self.question_keys = [key for key, _q in CALL_HANDLER_QUESTIONS]
        self.system_keys = [key for key, _label in SYSTEMS]

    # -- calibration of arrival rates ------------------------------------------------------------------
    def _arrivals_per_day(self, arch: Archetype) -> float:
        """New people (or careers) a day so that this archetype yields its share of the episodes."""
        per_year = arch.per_year * self.scale
        if not arch.career:
            return per_year / 365.25
        # Episodes per career, by simulating the same process with a private fixed random source (the same
        # for every seed, and leaving the main sequence alone).
        rng = random.Random(f"homeward-demo-calibration:{arch.key}")
        ages = [a for a, _w in arch.ages]
        buckets = config.DEMENTIA_DURATIONS if arch.key == "dementia" else config.DURATIONS
        total, n = 0, 6000
        for _ in range(n):
            age = _pick(rng, ages, self.age_cum[arch.key]) + rng.random()
            rate, window = _career_shape(rng, arch, (self.adult_age - age) * 365.25)
            gap = 365.25 / rate
            t = rng.expovariate(1 / gap)
            while t < window:
                total += 1
                # Time missing, the hour after, and about half a day lost to the time-of-day draw.
                t += _sample_hours(rng, buckets) / 24 + 0.04 + 0.45 + rng.expovariate(1 / gap)
        return per_year / (total / n) / 365.25

    # -- time ------------------------------------------------------------------------------------------
    def local(self, day: dt.date, minutes: int = 0) -> dt.datetime:
        return dt.datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=self.tz
        ).astimezone(UTC)

    def local_day(self, t: dt.datetime) -> dt.date:
        return t.astimezone(self.tz).date()

    def snap(self, t: dt.datetime, hours: str, not_before: dt.datetime) -> dt.datetime:
        """Move t to a realistic time of day on its local date (or the next, to keep order)."""
        hour = _pick(self.rng, range(24), self.hours_cum[hours])
        minutes = hour * 60 + self.rng.randrange(60)
        day = self.local_day(t)
        candidate = self.local(day, minutes)
        if candidate < not_before:
            candidate = self.local(day + DAY, minutes)
        if candidate < not_before:
            candidate = not_before + self.rng.randrange(30, 600) * MINUTE
        return candidate

    # -- people ------------------------------------------------------------------------------------------
    def district_for(self) -> District:
        return _pick(self.rng, self.world.districts, self.world.district_cum)

    def make_person(self, arch: Archetype, district: District, at: dt.datetime) -> PersonSpec:
        rng = self.rng
        age = _pick(rng, [a for a, _w in arch.ages], self.age_cum[arch.key])
        if not arch.child:
            age += rng.randrange(5)  # adult ages are given in five-year bands
        day = self.local_day(at)
        dob = day - dt.timedelta(days=365 * age + age // 4 + rng.randrange(365))
        female = rng.random() < arch.female
        codes, cum = self.ethnicity_cum[district.name]
        true_code = _pick(rng, codes, cum)
        given, family, language = self.name_for(true_code, female, dob.year)
        ethnicity = "NS" if rng.random() < config.NOT_STATED_SHARE else true_code
        officer = _officer_ethnicity(rng, true_code)
        dob_value: dt.date | None = dob
        estimated_age: int | None = None
        estimated_on: dt.date | None = None
        if not arch.child and rng.random() < 0.006:
            # Adults reported without a date of birth: an estimated age only.
            dob_value, estimated_age, estimated_on = None, age, day
        old = age >= 60
        markers = [m for m, pf, pm in arch.markers if rng.random() < (pf if female else pm)]
        if arch.key == "dementia" and "dementia" not in markers:
            markers.append("dementia")
        hair = (
            rng.choice(names.OLD_HAIR)
            if old
            else f"{rng.choice(names.HAIR_STYLES)} {rng.choice(names.HAIR_COLOURS)}"
        )
        return PersonSpec(
            given=given,
            family=family,
            dob=dob_value,
            estimated_age=estimated_age,
            estimated_on=estimated_on,
            sex=Sex.FEMALE if female else Sex.MALE,
            ethnicity=ethnicity,
            officer_ethnicity=officer,
            first_language=language,
            height_cm=_height(rng, female, age),
            build=rng.choice(names.BUILDS),
            hair=hair,
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
        options, weights = [t for t, _w in traditions], [w for _t, w in traditions]
        given_tradition = rng.choices(options, weights)[0]
        family_tradition = rng.choices(options, weights)[0]
        f_names, m_names, _surnames, languages = names.TRADITIONS[given_tradition]
        if given_tradition == "british" and birth_year < 1955:
            f_names, m_names = names.BRITISH_ELDER_F, names.BRITISH_ELDER_M
        elif given_tradition == "british" and birth_year < 1990:
            f_names, m_names = names.BRITISH_OLD_F, names.BRITISH_OLD_M
        given = rng.choice(f_names if female else m_names)
        family = rng.choice(names.TRADITIONS[family_tradition][2])
        language = rng.choice(languages) if (languages and rng.random() < 0.35) else "English"
        return given, family, language

    def home_place(self, district: District, category: str) -> Place:
        rng = self.rng
        area, outward = rng.choice(names.DISTRICT_AREAS[district.name])
        line = f"{rng.randint(1, 180)} {_street(rng)}"
        foster = category == LocationCategory.FOSTER_PLACEMENT
        label = f"Foster placement ({rng.choice(names.BRITISH_SURNAMES)} family)" if foster else line
        return Place(label, f"{line}, {area}", _postcode(rng, outward), category, district)

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
            elif text[i] in "aeiou" and text[i + 1] not in "aeiou":
                ops.append(text[: i + 1] + text[i + 1] + text[i + 1 :])  # a consonant doubled
        for a, b in (("ie", "ei"), ("y", "i"), ("ph", "f"), ("ck", "k"), ("ee", "ea"), ("ou", "ow")):
            if a in text[1:]:
                ops.append(text[0] + text[1:].replace(a, b, 1))
        if not ops:
            i = rng.randrange(1, len(text) - 2)
            ops.append(text[:i] + text[i + 1] + text[i] + text[i + 2 :])  # two letters swapped
        result = rng.choice(ops)
        return result if result != text else None

    def facility(self, district: District, category: str) -> Place:
        options = self.world.places.get((district.name, category))
        if not options:
            # Not every district has every kind of place (there is one secure unit): use any there is.
            options = [p for (_d, cat), group in self.world.places.items() if cat == category for p in group]
        return self.rng.choice(options)

    def placing_authority(self, district: District) -> Organisation:
        u = self.rng.random()
        if u < 0.65:
            return self.world.councils[district.name]
        if u < 0.88:
            return self.rng.choice([c for name, c in self.world.councils.items() if name != district.name])
        return self.rng.choice(self.world.out_of_area)

    def family_reporter(self, arch: Archetype, person: PersonSpec) -> tuple[str, str, str]:
        rng = self.rng
        if arch.child:
            relation = _pick(rng, CHILD_REPORTERS, CHILD_REPORTERS_CUM)
        elif arch.key == "dementia":
            relation = rng.choice(("Son", "Daughter", "Wife", "Husband", "Daughter"))
        else:
            relation = rng.choice(ADULT_REPORTERS)
        female = relation in FEMALE_RELATIONS
        given, _family, _language = self.name_for(
            person.ethnicity if person.ethnicity != "NS" else "W1", female, 1970
        )
        family = person.family if rng.random() < 0.75 else rng.choice(names.BRITISH_SURNAMES)
        return f"{given} {family}", relation, _mobile(rng)

    # -- careers -----------------------------------------------------------------------------------------
    def spawn(self, arch: Archetype, begin: dt.datetime, end: dt.datetime) -> None:
        rng = self.rng
        at = begin + (end - begin) * rng.random()
        self.seq += 1
        district = self.district_for()
        placing: Organisation | None = None
        placements: list[Placement] = []
        if arch.key == "lac_home":
            category = _pick(rng, LAC_SETTINGS, LAC_SETTINGS_CUM)
            home = self.facility(district, category)
            district = home.district
            placements.append(Placement(at, home))
            placing = self.placing_authority(district)
        elif arch.key == "lac_foster":
            placing = self.placing_authority(district)
        person = self.make_person(arch, district, at)
        p_dead = arch.p_dead * config.DEATH_SEX_FACTOR.get(person.sex, 1.0)
        buckets = config.DEMENTIA_DURATIONS if arch.key == "dementia" else config.DURATIONS
        hours = "dementia" if arch.key == "dementia" else ("child" if arch.child else "adult")
        gap_mean = 0.0
        if arch.career:
            days_to_adult = 1e9
            if arch.child and person.dob:
                days_to_adult = (self.local(_add_years(person.dob, self.adult_age)) - at) / DAY
            rate, window_days = _career_shape(rng, arch, days_to_adult)
            window_end = at + window_days * DAY
            gap_mean = 365.25 / rate
            t = at + rng.expovariate(1 / gap_mean) * DAY
            free_from = at
        else:
            t, window_end = at, at + DAY
            free_from = begin  # a one-off report keeps its day
        plans: list[Plan] = []
        first_report: dt.datetime | None = None
        earlier = 0
        while t < window_end and t < self.cutoff:
            t = self.snap(t, hours, free_from)
            if t >= self.cutoff:
                break
            dead = rng.random() < p_dead
            not_recorded = not dead and rng.random() < arch.p_not_recorded
            if dead:
                missing_hours = _loguniform(rng, 6, 480)
            elif not_recorded:
                missing_hours = rng.uniform(0.3, 1.5)
            else:
                missing_hours = _sample_hours(rng, buckets)
            duration = missing_hours * HOUR
            first_report = first_report or t
            if t >= self.start:
                plans.append(Plan(t, duration, earlier, dead=dead, not_recorded=not_recorded))
            earlier += 1
            if dead or not arch.career:
                break
            free_from = t + duration + HOUR
            t = free_from + rng.expovariate(1 / gap_mean) * DAY
        if not plans or first_report is None:
            return
        # The record was made at the person's first report, which may come before the data window.
        person.created_at = first_report + rng.randint(2, 15) * MINUTE
        self.settle(plans)

        setting: Place | None = None
        if arch.key == "lac_home" and len(plans) >= 3 and rng.random() < 0.2:
            # A placement move part way through: later episodes are from the new home.
            move_at = plans[len(plans) // 2].reported_at - rng.randint(2, 20) * DAY
            if move_at > placements[0].since:
                category = rng.choice(
                    (LocationCategory.CHILDRENS_HOME, LocationCategory.UNREGISTERED_CHILDRENS_HOME)
                )
                placements.append(Placement(move_at, self.facility(self.district_for(), category)))
                person.home_district = placements[-1].place.district
        if arch.key != "lac_home":
            foster = arch.key == "lac_foster"
            person.home = self.home_place(
                district, LocationCategory.FOSTER_PLACEMENT if foster else LocationCategory.PRIVATE_HOME
            )
        u = rng.random()
        if arch.key == "adult_mh" and u < 0.5:
            setting = self.facility(district, LocationCategory.MENTAL_HEALTH_UNIT)
        elif arch.key == "dementia" and u < 0.5:
            setting = self.facility(district, LocationCategory.ADULT_CARE_HOME)
        elif arch.key == "adult_repeat" and u < 0.5:
            setting = self.facility(district, LocationCategory.HOSTEL)

        career = Career(
            seq=self.seq,
            arch=arch,
            people=[person],
            plans=plans,
            reporter=self.family_reporter(arch, person),
            placements=placements,
            placing_authority=placing,
            setting=setting,
            end=window_end,
        )
        self.add_aliases(career, person)
        person.updated_at = max(
            [person.created_at, *(a.at for a in person.aliases), min(plans[-1].reported_at, self.cutoff)]
        )
        for spec in career.people:
            spec.career = career
        self.active.append(career)

    def settle(self, plans: list[Plan]) -> None:
        """Who is still missing at the cut-off: the last two days' reports and the long-term missing only."""
        for plan in plans:
            if plan.duration is None or plan.not_recorded:
                continue
            if plan.reported_at + plan.duration < self.cutoff:
                continue
            age = self.cutoff - plan.reported_at
            if age <= 2 * DAY or (plan.duration >= self.long_term and age >= self.long_term):
                plan.duration = None
            else:
                plan.duration = age * self.rng.uniform(0.3, 0.95)

    def add_aliases(self, career: Career, person: PersonSpec) -> None:
        rng, plans = self.rng, career.plans
        nicknames = names.NICKNAMES.get(person.given)
        if nicknames and rng.random() < 0.3:
            person.aliases.append(
                AliasSpec(rng.choice(nicknames), person.family, True, "Reporting person", person.created_at)
            )
        elif career.arch.child and rng.random() < 0.03:
            stepname = rng.choice(names.BRITISH_SURNAMES)
            person.aliases.append(
                AliasSpec(person.given, stepname, False, "Children's social care", person.created_at)
            )
        if len(plans) >= 2 and rng.random() < config.DUPLICATE_SHARE_OF_CAREERS:
            # A genuine duplicate: a later report under a misspelt name was not matched to the record.
            i = rng.randrange(1, len(plans))
            given = self.misspell(person.given) if rng.random() < 0.5 else None
            family = None if given else self.misspell(person.family)
            if given or family:
                created = plans[i].reported_at + rng.randint(2, 15) * MINUTE
                dup = PersonSpec(
                    **{
                        **person.__dict__,
                        "given": given or person.given,
                        "family": family or person.family,
                        "markers": [],
                        "aliases": [],
                        "created_at": created,
                        "updated_at": created,
                        "duplicate_of": person,
                    }
                )
                career.people.append(dup)
                for plan in plans[i : i + rng.randint(1, 2)]:
                    plan.slot = 1
        known = {(a.given, a.family) for a in person.aliases}
        for plan in plans[1:]:
            if plan.slot == 0 and rng.random() < config.MISSPELT_REREPORT_SHARE:
                misspelt_given = self.misspell(person.given) if rng.random() < 0.5 else None
                misspelt_family = None if misspelt_given else self.misspell(person.family)
                if misspelt_given or misspelt_family:
                    # The caller misspells the name; the call handler finds the record anyway and keeps the
                    # spelling as an alias supplied by that caller.
                    plan.given_as = (misspelt_given or person.given, misspelt_family or person.family)
                    _place, category = self.usual_place(career, plan)
                    plan.reporter = self.reporter(career, category)
                    if plan.given_as not in known:
                        known.add(plan.given_as)
                        supplied_by = f"{plan.reporter[0]} ({plan.reporter[1].lower()})"
                        at = plan.reported_at + rng.randint(5, 40) * MINUTE
                        person.aliases.append(AliasSpec(*plan.given_as, False, supplied_by, at))

    def usual_place(self, career: Career, plan: Plan) -> tuple[Place | None, str]:
        """Where the person lives (or is placed or treated) at the time of the plan."""
        if career.placements:
            current = career.placements[0]
            for placement in career.placements:
                if placement.since <= plan.reported_at:
                    current = placement
            return current.place, current.place.category
        place = career.setting or career.people[0].home
        return place, place.category if place is not None else LocationCategory.PRIVATE_HOME

    def reporter(self, career: Career, category: str) -> tuple[str, str, str]:
        """Family for a home; the member of staff on duty for an institution."""
        rng = self.rng
        roles = STAFF_REPORTERS.get(category)
        if roles is None:
            name, relation, phone = career.reporter
            return (
                name,
                ("Foster carer" if category == LocationCategory.FOSTER_PLACEMENT else relation),
                phone,
            )
        code = _pick(rng, ("W1", "A2", "B2", "W9"), STAFF_ETHNICITY_CUM)
        given, family, _language = self.name_for(code, rng.random() < 0.7, 1980)
        return f"{given} {family}", rng.choice(roles), f"{names.LANDLINE_PREFIX}{rng.randint(0, 999):03d}"

    # -- month by month ------------------------------------------------------------------------------------
    def run(self) -> None:
        # Careers that started before the window still produce episodes in it: start them early.
        warmup = max(a.window_max_days for a in config.ARCHETYPES if a.career) * DAY
        month = self.local_day(self.start - warmup).replace(day=1)
        announced = False
        while self.local(month) < self.cutoff:
            next_month = (month + dt.timedelta(days=32)).replace(day=1)
            begin, end = self.local(month), min(self.local(next_month), self.cutoff)
            season = 1 + config.SEASONAL_SWING * math.cos(2 * math.pi * (month.month - 7) / 12)
            for arch in config.ARCHETYPES:
                lo = begin if arch.career else max(begin, self.start)
                if lo >= end:
                    continue
                self.carry[arch.key] = (
                    self.carry.get(arch.key, 0.0) + self.per_day[arch.key] * (end - lo) / DAY * season
                )
                n = int(self.carry[arch.key])
                self.carry[arch.key] -= n
                for _ in range(n):
                    self.spawn(arch, lo, end)
            if end > self.start:
                if not announced:
                    self.progress(f"  {len(self.active):,} repeat careers already under way at the start")
                    announced = True
                written = self.emit(end)
                self.progress(
                    f"  {month:%Y-%m}: {written:,} episodes "
                    f"(total {self.counts['episodes']:,}; people {self.counts['people']:,})"
                )
            month = next_month

    def emit(self, end: dt.datetime) -> int:
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
        writer = Writer(self)
        for _t, _seq, career, plan in due:
            spec = career.people[plan.slot]
            if spec.pk is None:
                writer.person(spec)
        for _t, _seq, career, plan in due:
            writer.episode(career, plan)
        for table in self.tables.values():
            table.flush()
        return len(due)

    # -- risk --------------------------------------------------------------------------------------------
    def level(self, index: int, is_child: bool | None) -> str:
        """A level from the default four-step scale, mapped onto the configured scale by position."""
        n = len(self.levels)
        code = self.levels[index] if n == 4 else self.levels[round(index * (n - 1) / 3)]
        rank = self.level_rank[code]
        while is_child and code in self.child_forbidden and rank < n - 1:
            rank += 1
            code = self.levels[rank]
        return code

    def review_interval(self, level: str) -> dt.timedelta:
        return self.review.get(level, 6 * HOUR)


LAC_SETTINGS = (
    LocationCategory.CHILDRENS_HOME,
    LocationCategory.UNREGISTERED_CHILDRENS_HOME,
    LocationCategory.SECURE_UNIT,
)
LAC_SETTINGS_CUM = _cum((77, 21, 2))
CHILD_REPORTERS = ("Mother", "Father", "Grandmother", "Stepfather", "Aunt", "Older sister")
CHILD_REPORTERS_CUM = _cum((60, 22, 7, 4, 4, 3))
ADULT_REPORTERS = (
    "Partner",
    "Wife",
    "Husband",
    "Mother",
    "Father",
    "Sister",
    "Brother",
    "Friend",
    "Flatmate",
)
FEMALE_RELATIONS = frozenset(("Mother", "Grandmother", "Aunt", "Older sister", "Daughter", "Wife", "Sister"))


def _officer_ethnicity(rng: random.Random, code: str) -> str:
    if rng.random() < 0.08:
        return OfficerEthnicity.NOT_KNOWN
    if code[0] == "M":
        return rng.choice(
            (OfficerEthnicity.WHITE, OfficerEthnicity.BLACK, OfficerEthnicity.ASIAN, OfficerEthnicity.OTHER)
        )
    by_letter = {"W": OfficerEthnicity.WHITE, "B": OfficerEthnicity.BLACK, "A": OfficerEthnicity.ASIAN}
    return by_letter.get(code[0], OfficerEthnicity.OTHER)


def _height(rng: random.Random, female: bool, age: int) -> int:
    adult = 163 if female else 176
    if age < 18:
        base = max(110, adult - max(0, 16 - age) * (5 if female else 7))
    else:
        base = adult - (4 if age >= 70 else 0)
    return int(round(rng.gauss(base, 6)))


# --- Writing one month -------------------------------------------------------------------------------------


@dataclass
class Event:
    at: dt.datetime
    kind: str
    summary: str
    actor: User | None
    bumps: bool  # state changes bump the episode's version; appended notes do not (as in episodes.actions)


@dataclass
class EpisodeDraft:
    """An episode's row and its history, assembled before anything is written."""

    values: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    # What the episode hooks would see: who to notify, and the found record once there is one.
    facts: safeguarding.EpisodeFacts | None = None


class Writer:
    """Turns one month's people and plans into rows in the simulation's tables, parents first."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.rng = sim.rng
        self.t = sim.tables

    # -- people --------------------------------------------------------------------------------------------
    def person(self, spec: PersonSpec) -> None:
        sim, rng, world = self.sim, self.rng, self.sim.world
        home = spec.home
        if home is not None and home.pk is None:
            home.pk = _add_place(self.t, home, world.force, spec.created_at)
        recorder = rng.choice(world.call_handlers)
        career = spec.career
        looked_after = False
        placing: Organisation | None = None
        if career is not None and career.placing_authority is not None:
            # Care ends at 18: a care leaver keeps the history but is no longer looked after.
            age_now = spec.age_on(sim.local_day(sim.cutoff))
            looked_after = age_now is not None and age_now < sim.adult_age
            placing = career.placing_authority if looked_after else None
        spec.pk = pk = self.t["Person"].add(
            {
                "given_name": spec.given,
                "family_name": spec.family,
                "date_of_birth": spec.dob,
                "estimated_age": spec.estimated_age,
                "estimated_age_on": spec.estimated_on,
                "sex": spec.sex,
                "ethnicity": spec.ethnicity,
                "officer_ethnicity": spec.officer_ethnicity,
                "height_cm": spec.height_cm,
                "build": spec.build,
                "hair": spec.hair,
                "eyes": spec.eyes,
                "facial_hair": spec.facial_hair,
                "glasses": spec.glasses,
                "marks": spec.marks,
                "first_language": spec.first_language,
                "looked_after": looked_after,
                "placing_authority_id": placing.pk if placing else None,
                "home_district_id": spec.home_district.pk,
                "owner_id": world.force.pk,
                "force_id": world.force.pk,
                "fact_sources": _fact_sources(spec, recorder),
                "version": 1,
                "created_at": spec.created_at,
                "updated_at": spec.updated_at,
            }
        )
        # As person_create audits it: who took the details, and the names and facts collected.
        sim.trail.person_created(
            at=spec.created_at,
            actor=recorder,
            person_id=pk,
            fields=("given_name", "family_name", *_fact_sources(spec, recorder)),
        )
        sim.counts["people"] += 1
        if spec.duplicate_of is not None:
            sim.counts["duplicate_people"] += 1
        for alias in spec.aliases:
            self.t["PersonAlias"].add(
                {
                    "person_id": pk,
                    "given_name": alias.given,
                    "family_name": alias.family,
                    "is_nickname": alias.nickname,
                    "supplied_by": alias.supplied_by or "Reporting person",
                    "recorded_by_id": recorder.pk,
                    "recorded_at": alias.at,
                }
            )
        area = home.area if home is not None else spec.home_district.name
        for marker in spec.markers:
            self.t["PersonMarker"].add(
                {
                    "person_id": pk,
                    "marker": marker,
                    "detail": texts.MARKER_DETAIL.get(marker, "").format(area=area),
                    "active": True,
                    "supplied_by": rng.choice(texts.MARKER_SOURCES),
                    "recorded_by_id": recorder.pk,
                    "recorded_at": spec.created_at,
                }
            )
        self.addresses(spec)
        age = spec.age_on(sim.local_day(spec.created_at))
        if (age is None or age >= 12) and rng.random() < 0.6:
            self.t["PersonContact"].add(
                {
                    "person_id": pk,
                    "kind": "phone",
                    "value": _mobile(rng),
                    "supplied_by": "Reporting person",
                    "recorded_at": spec.created_at,
                }
            )
            if age is not None and age < 30 and rng.random() < 0.5:
                self.t["PersonContact"].add(
                    {
                        "person_id": pk,
                        "kind": "social media",
                        "value": f"Snapchat @{spec.given.lower()}{rng.randint(1, 99)}",
                        "supplied_by": "Friend",
                        "recorded_at": spec.created_at,
                    }
                )
        if spec.duplicate_of is None and {"cse", "cce"} & set(spec.markers):
            nickname = rng.choice(("Kaz", "Zee", "Dee", "Smithy", "Tiny", "Jay", "Bigz"))
            self.t["PersonAssociate"].add(
                {
                    "person_id": pk,
                    "name": f"Male known as '{nickname}'",
                    "relationship": "Older associate",
                    "detail": f"Drives a dark hatchback; seen around {area}",
                    "supplied_by": "Police intelligence",
                    "recorded_at": spec.created_at,
                }
            )
            self.t["PersonPlace"].add(
                {
                    "person_id": pk,
                    "description": f"Takeaways and the park in {area}",
                    "supplied_by": "Children's social care",
                    "recorded_at": spec.created_at,
                }
            )
        aliases = [(a.given, a.family) for a in spec.aliases]
        # Sorted: the keys come back as a set, whose order varies between runs.
        approx_year = (
            spec.estimated_on.year - spec.estimated_age
            if spec.dob is None and spec.estimated_age is not None and spec.estimated_on
            else None
        )
        keys = search_keys_for(spec.given, spec.family, spec.dob, aliases, approx_birth_year=approx_year)
        for key in sorted(keys):
            self.t["PersonSearchKey"].add({"person_id": pk, "key": key})

    def addresses(self, spec: PersonSpec) -> None:
        sim, rng = self.sim, self.rng
        career = spec.career
        if career is not None and career.placements:
            for i, placement in enumerate(career.placements):
                if i + 1 < len(career.placements):
                    until: dt.date | None = sim.local_day(career.placements[i + 1].since)
                else:
                    until = sim.local_day(career.end) if career.end < sim.cutoff else None
                self.t["PersonAddress"].add(
                    {
                        "person_id": spec.pk,
                        "location_id": placement.place.pk,
                        "address": f"{placement.place.name}, {placement.place.address}",
                        "is_placement": True,
                        "placing_authority_id": career.placing_authority.pk
                        if career.placing_authority
                        else None,
                        "since": sim.local_day(placement.since),
                        "until": until,
                        "supplied_by": "Children's social care",
                        "recorded_at": max(placement.since, spec.created_at),
                    }
                )
        if spec.home is not None:
            created = sim.local_day(spec.created_at)
            since = created - dt.timedelta(days=rng.randint(30, 3650))
            if spec.dob and since < spec.dob:
                since = spec.dob
            foster = spec.home.category == LocationCategory.FOSTER_PLACEMENT
            placing = career.placing_authority if (foster and career is not None) else None
            self.t["PersonAddress"].add(
                {
                    "person_id": spec.pk,
                    "location_id": spec.home.pk,
                    "address": spec.home.address,
                    "is_placement": foster,
                    "placing_authority_id": placing.pk if placing else None,
                    "since": min(since, created),
                    "until": None,
                    "supplied_by": "Children's social care" if foster else "Reporting person",
                    "recorded_at": spec.created_at,
                }
            )
        elif career is not None and career.setting is not None and career.setting.category in LIVED_IN:
            self.t["PersonAddress"].add(
                {
                    "person_id": spec.pk,
                    "location_id": career.setting.pk,
                    "address": f"{career.setting.name}, {career.setting.address}",
                    "is_placement": False,
                    "since": sim.local_day(spec.created_at) - dt.timedelta(days=rng.randint(30, 900)),
                    "supplied_by": "Care provider",
                    "recorded_at": spec.created_at,
                }
            )

    # -- episodes ----------------------------------------------------------------------------------------
    def missing_from(self, career: Career, plan: Plan, spec: PersonSpec) -> tuple[Place | None, str, str]:
        """(place, address when there is no place, category)."""
        sim, rng = self.sim, self.rng
        arch = career.arch
        if career.placements or plan.given_as is not None:
            place, category = sim.usual_place(career, plan)
            if place is not None:
                return place, "", category
        district = spec.home_district
        u = rng.random()
        if career.setting is not None and u < 0.85:
            return career.setting, "", career.setting.category
        if arch.child:
            if u < 0.05:
                return sim.facility(district, LocationCategory.SCHOOL), "", LocationCategory.SCHOOL
            if arch.key == "child_once" and u < 0.09:
                area, _outward = rng.choice(names.DISTRICT_AREAS[district.name])
                return None, f"{area.split(', ')[-1]} town centre", LocationCategory.OTHER
        else:
            if u < 0.07:
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
                area, _outward = rng.choice(names.DISTRICT_AREAS[district.name])
                return None, f"Workplace in {area.split(', ')[0]}", LocationCategory.OTHER
        if spec.home is not None:
            return spec.home, "", spec.home.category
        area, _outward = rng.choice(names.DISTRICT_AREAS[district.name])
        return None, f"{rng.randint(1, 150)} {_street(rng)}, {area}", LocationCategory.PRIVATE_HOME

    def episode(self, career: Career, plan: Plan) -> None:
        sim, rng, world = self.sim, self.rng, self.sim.world
        arch = career.arch
        spec = career.people[plan.slot]
        assert spec.pk is not None
        t = plan.reported_at
        day = sim.local_day(t)
        sim.year_counter[day.year] += 1
        age = spec.age_on(day)
        is_child = None if age is None else age < sim.adult_age
        place, address, category = self.missing_from(career, plan, spec)
        district = place.district if place is not None else spec.home_district
        looked_after = career.placing_authority is not None and bool(is_child)
        placing = career.placing_authority if looked_after else None
        reporter_name, relation, phone = plan.reporter or sim.reporter(career, category)
        place_name = place.name if place is not None else address
        if place is not None:
            area = place.area
        else:
            parts = address.split(", ")
            area = (
                (parts[1] if len(parts) > 1 else parts[0])
                .replace(" town centre", "")
                .replace("Workplace in ", "")
            )
        story = texts.Story(
            given=spec.given,
            female=spec.sex == Sex.FEMALE,
            age=age,
            kind=arch.key,
            place=place_name,
            area=area,
            markers=frozenset(spec.markers),
            earlier_episodes=plan.earlier,
            relation=relation,
        )
        circumstances = texts.circumstances(rng, story)
        if plan.given_as is not None:
            circumstances += f" The caller gave the name as {plan.given_as[0]} {plan.given_as[1]}."
        call_handler = rng.choice(world.call_handlers)
        officer = rng.choice(world.officers[district.name])
        supervisor = rng.choice(world.supervisors[district.name])
        draft = EpisodeDraft(
            values={
                "id": self.t["Episode"].reserve(),
                "reference": f"MP-{day.year}-{sim.year_counter[day.year]:06d}",
                "person_id": spec.pk,
                "force_id": world.force.pk,
                "district_id": district.pk,
                "status": Status.REPORTED,
                "reported_at": t,
                "reported_by_id": call_handler.pk,
                "reporting_person_name": reporter_name,
                "reporting_person_relationship": relation,
                "reporting_person_phone": phone,
                "missing_from_id": place.pk if place is not None else None,
                "premises_provider_id": place.provider_id if place is not None else None,
                "missing_from_address": address,
                "missing_from_category": category,
                "last_seen_at": t - _last_seen_gap(rng, arch.key, category),
                "last_seen_place": _last_seen_place(rng, place_name, area),
                "last_seen_with": texts.last_seen_with(rng, story),
                "clothing": (
                    f"{rng.choice(names.UPPER_CLOTHES)}, {rng.choice(names.LOWER_CLOTHES)}, {rng.choice(names.SHOES)}"
                ),
                "circumstances": circumstances,
                "call_handler_answers": self.answers(story),
                "reasonable_steps": texts.reasonable_steps(rng, story)
                if category in REASONABLE_STEPS_CATEGORIES
                else "",
                "age_at_report": age,
                "is_child": is_child,
                "looked_after": looked_after,
                "placing_authority_id": placing.pk if placing else None,
                "out_of_area": bool(placing is not None and placing.pk != district.council_id),
            },
        )
        draft.events.append(Event(t, "reported", f"Reported missing by {reporter_name}", call_handler, True))
        draft.facts = safeguarding.EpisodeFacts(
            episode_id=draft.values["id"],
            district=district,
            person_id=spec.pk,
            person_markers=frozenset(spec.markers),
            recipients=safeguarding.recipients(
                force_id=world.force.pk,
                district=district,
                out_of_area=draft.values["out_of_area"],
                placing_authority_id=placing.pk if placing else None,
                is_child=is_child,
                home_district=spec.home_district,
                provider_id=place.provider_id if place is not None else None,
            ),
            reported_at=t,
            reported_by=call_handler,
            is_child=is_child,
            placing_authority_id=placing.pk if placing else None,
            story=story,
        )
        sim.counts["episodes"] += 1
        sim.person_episodes[spec.pk] += 1

        if plan.not_recorded:
            decided = t + rng.randint(10, 45) * MINUTE
            if decided < sim.cutoff:
                decider = call_handler if rng.random() < 0.6 else supervisor
                reason = rng.choice(texts.NOT_RECORDED_REASONS)
                draft.values.update(
                    status=Status.NOT_RECORDED,
                    not_recorded_reason=reason,
                    not_recorded_by_id=decider.pk,
                    not_recorded_at=decided,
                )
                draft.events.append(
                    Event(decided, "not_recorded", f"Not recorded as missing: {reason}", decider, True)
                )
                draft.facts.not_recorded_at = decided
                draft.facts.not_recorded_by = decider
                sim.stats["not_recorded"] += 1
            self.finish(draft)
            return

        found_at = None if plan.duration is None else t + plan.duration
        span_end = found_at if found_at is not None else sim.cutoff
        offset = rng.randint(5, 40) * MINUTE
        if found_at is not None:
            offset = min(offset, plan.duration * 0.6 if plan.duration else offset)
        first_at = t + offset
        if first_at >= sim.cutoff:
            self.finish(draft)  # reported minutes before the cut-off: not yet graded
            return

        # Risk: the first grading, sometimes a regrade, and for people still missing a recent review.
        first_level = sim.level(_pick(rng, (0, 1, 2, 3), _cum(arch.risk)), is_child)
        assessor = call_handler if rng.random() < 0.7 else officer
        self.assess(draft, first_level, first_at, assessor, supervisor, story, found_at)
        if rng.random() < config.REGRADE_SHARE and span_end - t > 2 * HOUR:
            at = t + HOUR + (min(span_end - t, 30 * HOUR) - HOUR) * rng.uniform(0.2, 0.8)
            if first_at < at < sim.cutoff:
                self.assess(
                    draft, self.regrade(first_level, is_child), at, officer, supervisor, story, found_at
                )
        if found_at is None:
            latest = draft.assessments[-1]
            interval = sim.review_interval(latest["level"])
            if latest["next_review_due"] < sim.cutoff - interval * 0.1:
                # Reviews are kept up while the person is missing; a few are running late at the cut-off.
                at = sim.cutoff - interval * rng.uniform(0.0, 1.15)
                if at > latest["assessed_at"]:
                    self.assess(draft, latest["level"], at, officer, supervisor, story, found_at, review=True)
        levels = [a["level"] for a in draft.assessments]
        draft.values.update(
            risk_level_first=levels[0],
            risk_level=levels[-1],
            risk_level_highest=max(levels, key=lambda c: sim.level_rank.get(c, -1)),
        )
        self.tally(draft, plan, found_at, category, spec.pk)
        if found_at is None:
            self.still_missing(draft, story, officer, t, world.officers[district.name])
        else:
            self.found(draft, career, plan, story, found_at, officer, supervisor, category, place)
        self.finish(draft)

    def assess(
        self,
        draft: EpisodeDraft,
        level: str,
        at: dt.datetime,
        assessor: User,
        supervisor: User,
        story: texts.Story,
        found_at: dt.datetime | None,
        review: bool = False,
    ) -> None:
        sim, rng = self.sim, self.rng
        signer = rng.choice(sim.world.inspectors) if (level == "high" and rng.random() < 0.3) else supervisor
        delay = rng.uniform(10, 75) * MINUTE if rng.random() < 0.92 else rng.uniform(1.5, 6) * HOUR
        signed_at: dt.datetime | None = at + delay
        if signed_at is not None and signed_at >= sim.cutoff:
            signed_at = None
        if review and found_at is None and rng.random() < 0.35:
            signed_at = None  # awaiting sign-off on the dashboard
        previous = draft.assessments[-1]["level"] if draft.assessments else ""
        if review:
            rationale = f"Review: no change. {texts.risk_rationale(rng, level, story, False)}"
        else:
            rationale = texts.risk_rationale(rng, level, story, bool(previous))
        systems = rng.sample(sim.system_keys, rng.randint(2, len(sim.system_keys)))
        draft.assessments.append(
            {
                "id": self.t["RiskAssessment"].reserve(),
                "episode_id": draft.values["id"],
                "sequence": len(draft.assessments) + 1,
                "level": level,
                "factors": self.factors(story),
                "rationale": rationale,
                "systems_checked": [
                    {
                        "system": key,
                        "result": rng.choice(SYSTEM_RESULTS),
                        "checked_by": assessor.get_full_name(),
                    }
                    for key in sorted(systems, key=sim.system_keys.index)
                ],
                "assessed_by_id": assessor.pk,
                "assessed_at": at,
                "next_review_due": at + sim.review_interval(level),
                "signed_off_by_id": signer.pk if signed_at else None,
                "signed_off_at": signed_at,
                "sign_off_note": texts.sign_off_note(rng) if signed_at else "",
            }
        )
        label = texts.LEVEL_WORDS.get(level, level)
        if review:
            summary = f"Risk reviewed: {label}"
        elif previous and previous != level:
            summary = f"Regraded from {texts.LEVEL_WORDS.get(previous, previous)} to {label} risk"
        else:
            summary = f"Graded {label} risk"
        draft.events.append(Event(at, "risk_assessed", summary, assessor, True))
        if signed_at:
            draft.events.append(
                Event(
                    signed_at,
                    "risk_signed_off",
                    f"{label.capitalize()} risk assessment signed off",
                    signer,
                    True,
                )
            )

    def regrade(self, level: str, is_child: bool | None) -> str:
        sim = self.sim
        rank, top = sim.level_rank.get(level, 0), len(sim.levels) - 1
        if rank == top:
            rank -= 1
        elif rank == 0 or self.rng.random() < 0.6:
            rank += 1
        else:
            rank -= 1
        code = sim.levels[max(0, min(top, rank))]
        return level if (is_child and code in sim.child_forbidden) else code

    def factors(self, story: texts.Story) -> dict[str, str]:
        yes = {factor for marker in story.markers for factor in MARKER_FACTORS.get(marker, ())}
        if story.child:
            yes.add("age_infirmity")
        yes.add("known_reason" if story.earlier_episodes else "out_of_character")
        rng = self.rng
        return {
            key: "yes" if key in yes else ("unknown" if rng.random() < 0.08 else "no")
            for key in self.sim.factor_keys
        }

    def answers(self, story: texts.Story) -> dict[str, dict[str, str]]:
        rng, m = self.rng, story.markers
        fixed: dict[str, tuple[str, str]] = {
            "why_worried": (
                "yes",
                "Not like them to be out this late" if story.child else "Phone off; no contact",
            ),
            "steps_taken": ("yes", "Phoned friends and family; searched the house"),
            "missing_before": ("yes" if story.earlier_episodes else "no", ""),
            "out_of_character": ("no" if story.earlier_episodes else "yes", ""),
            "sexual_exploitation": ("yes" if "cse" in m else ("unknown" if story.child else "no"), ""),
            "self_harm": ("yes" if "self_harm" in m else "no", ""),
            "medical_needs": ("yes", "Needs daily medication") if {"medical", "dementia"} & m else ("no", ""),
        }
        result = {}
        for key in self.sim.question_keys:
            answer, detail = fixed.get(key) or ("unknown" if rng.random() < 0.1 else "no", "")
            result[key] = {"answer": answer, "detail": detail}
        return result

    def still_missing(
        self, draft: EpisodeDraft, story: texts.Story, officer: User, t: dt.datetime, officers: list[User]
    ) -> None:
        sim, rng = self.sim, self.rng
        cutoff = sim.cutoff
        episode_id = draft.values["id"]
        latest = draft.assessments[-1]
        draft.values["next_review_due"] = latest["next_review_due"]
        draft.values["sign_off_due"] = (
            None if latest["signed_off_at"] else latest["assessed_at"] + sim.sign_off
        )
        if cutoff - t >= sim.long_term:
            draft.values["status"] = Status.LONG_TERM
            draft.events.append(Event(t + sim.long_term, "long_term", "Now long-term missing", None, True))
        else:
            draft.values["status"] = Status.ACTIVE
        sim.stats["open"] += 1
        first = draft.assessments[0]["assessed_at"]
        span = cutoff - first
        for template in rng.sample(texts.ENQUIRIES, rng.randint(2, 4)):
            at = first + span * rng.uniform(0.05, 0.9)
            status = _pick(rng, ENQUIRY_STATUSES, ENQUIRY_STATUSES_CUM)
            description = template.format(area=story.area)
            self.t["Enquiry"].add(
                {
                    "episode_id": episode_id,
                    "description": description,
                    "owner_id": rng.choice(officers).pk,
                    "status": status,
                    "due_at": at + rng.randint(2, 12) * HOUR,
                    "result": "No trace." if status == EnquiryStatus.DONE else "",
                    "version": 1,
                    "created_by_id": officer.pk,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            draft.events.append(Event(at, "enquiry_added", f"Action added: {description}", officer, False))
        relation = draft.values["reporting_person_relationship"].lower()
        for template in rng.sample(texts.UPDATES, rng.randint(1, 3)):
            at = first + span * rng.uniform(0.1, 0.95)
            text = template.format(area=story.area, relation=relation)
            self.t["EpisodeUpdate"].add(
                {"episode_id": episode_id, "text": text, "author_id": officer.pk, "created_at": at}
            )
            draft.events.append(Event(at, "update", f"Update: {text[:200]}", officer, False))
        if rng.random() < 0.3:
            at = first + span * rng.uniform(0.2, 0.9)
            where = rng.choice(texts.SIGHTING_PLACES).format(area=story.area)
            self.t["Sighting"].add(
                {
                    "episode_id": episode_id,
                    "seen_at": at - rng.randint(10, 90) * MINUTE,
                    "place": where,
                    "reported_by": "Member of the public",
                    "details": "Matches the description; was walking alone.",
                    "status": rng.choice((SightingStatus.UNVERIFIED, SightingStatus.DISCOUNTED)),
                    "recorded_by_id": officer.pk,
                    "recorded_at": at,
                }
            )
            draft.events.append(Event(at, "sighting", f"Sighting at {where}", officer, False))

    def found(
        self,
        draft: EpisodeDraft,
        career: Career,
        plan: Plan,
        story: texts.Story,
        found_at: dt.datetime,
        officer: User,
        supervisor: User,
        category: str,
        place: Place | None,
    ) -> None:
        sim, rng = self.sim, self.rng
        cutoff = sim.cutoff
        values = draft.values
        recorded_at = min(found_at + rng.randint(5, 90) * MINUTE, max(found_at, cutoff - MINUTE))
        how: str
        if plan.dead:
            how = rng.choice((HowFound.POLICE, HowFound.POLICE, HowFound.OTHER, HowFound.FAMILY))
            condition = Condition.DECEASED
            found_place = rng.choice(DEATH_PLACES)
            where, with_whom = "Not known", "Alone"
        else:
            how = _how_found(rng, career.arch.key, story.child)
            u = rng.random()
            condition = (
                Condition.SAFE_WELL if u < 0.963 else (Condition.HARMED if u < 0.985 else Condition.INJURED)
            )
            found_place, where, with_whom = texts.found_story(rng, story, how)
        returned = found_place.startswith("Returned") and place is not None
        indicators: list[str] = []
        if {"cse", "cce"} & story.markers and rng.random() < 0.5:
            chosen = rng.sample(texts.EXPLOITATION_INDICATORS, rng.randint(1, 3))
            indicators = sorted(chosen, key=texts.EXPLOITATION_INDICATORS.index)
        if returned:
            found_category = category
        else:
            found_category = (
                LocationCategory.ACUTE_HOSPITAL if how == HowFound.HOSPITAL else LocationCategory.OTHER
            )
        harmed = condition in (Condition.HARMED, Condition.INJURED)
        self.t["FoundRecord"].add(
            {
                "episode_id": values["id"],
                "found_at": found_at,
                "found_place": found_place,
                "found_location_id": place.pk if (returned and place is not None) else None,
                "found_location_category": found_category,
                "how_found": how,
                "condition": condition,
                "harm_details": rng.choice(HARMS) if harmed else "",
                "victim_of_offence": condition == Condition.HARMED or rng.random() < 0.01,
                "suspect_of_offence": rng.random() < (0.08 if "cce" in story.markers else 0.02),
                "exploitation_indicators": indicators,
                "where_been": where,
                "with_whom": with_whom,
                "withhold_whereabouts": not story.child and not plan.dead and rng.random() < 0.02,
                "recorded_by_id": officer.pk,
                "recorded_at": recorded_at,
            }
        )
        values.update(found_at=found_at, next_review_due=None, sign_off_due=None)
        if draft.facts is not None:
            draft.facts.found = safeguarding.FoundFacts(
                found_at=found_at,
                recorded_at=recorded_at,
                recorded_by=officer,
                deceased=plan.dead,
                where_been=where,
                with_whom=with_whom,
            )
        if plan.dead:
            draft.events.append(Event(recorded_at, "found", "Found deceased", officer, True))
            closed_at = recorded_at + rng.uniform(1, 7) * DAY
            if closed_at < cutoff:
                values.update(
                    status=Status.CLOSED,
                    closed_at=closed_at,
                    closed_by_id=supervisor.pk,
                    closure_note="Found deceased. Family informed; file passed to the coroner.",
                )
                draft.events.append(Event(closed_at, "closed", "Episode closed", supervisor, True))
            else:
                values["status"] = Status.FOUND_DECEASED
            return
        condition_label = dict(Condition.choices)[condition].lower()
        draft.events.append(Event(recorded_at, "found", f"Found: {condition_label}", officer, True))
        high = values["risk_level_highest"] == "high"
        conducted_at = recorded_at + _loguniform(rng, 0.3, 30 if high else 72) * HOUR
        u = rng.random()
        outcome = (
            InterviewOutcome.COMPLETED if u < 0.86 else (InterviewOutcome.DECLINED if u < 0.93 else None)
        )
        interviewed = outcome is not None and conducted_at < cutoff
        if outcome is not None and interviewed:
            body = texts.interview_texts(rng, story)
            declined = outcome == InterviewOutcome.DECLINED
            self.t["PreventionInterview"].add(
                {
                    "episode_id": values["id"],
                    "outcome": outcome,
                    "conducted_at": conducted_at,
                    "conducted_by_id": officer.pk,
                    "face_to_face": rng.random() < 0.9,
                    "push_factors": "" if declined else body["push_factors"],
                    "pull_factors": "" if declined else body["pull_factors"],
                    "disclosures": "" if declined else body["disclosures"],
                    "harm": "" if declined else body["harm"],
                    "support_needed": body["support_needed"],
                    "referrals": body["referrals"],
                    "carer_account": texts.carer_account(rng, story) if declined else "",
                    "recorded_at": min(
                        conducted_at + rng.randint(5, 120) * MINUTE, max(conducted_at, cutoff - MINUTE)
                    ),
                }
            )
            draft.events.append(
                Event(
                    conducted_at,
                    "prevention_interview",
                    f"Prevention interview {outcome.label.lower()}",
                    officer,
                    True,
                )
            )
        basis = conducted_at if interviewed else recorded_at + rng.uniform(12, 72) * HOUR
        signed = [a["signed_off_at"] for a in draft.assessments if a["signed_off_at"]]
        closed_at = max([basis, *signed]) + rng.uniform(1, 36) * HOUR
        if closed_at < cutoff and (interviewed or outcome is None):
            values.update(
                status=Status.CLOSED,
                closed_at=closed_at,
                closed_by_id=supervisor.pk,
                closure_note=rng.choice(texts.CLOSURE_NOTES),
            )
            if not interviewed:
                values["prevention_not_done_reason"] = rng.choice(texts.NOT_DONE_REASONS)
            for a in draft.assessments:
                if a["signed_off_at"] is None:
                    # Closure needs every assessment signed off.
                    signed_at = min(closed_at - MINUTE, a["assessed_at"] + HOUR)
                    a["signed_off_by_id"] = supervisor.pk
                    a["signed_off_at"] = signed_at
                    draft.events.append(
                        Event(
                            signed_at,
                            "risk_signed_off",
                            "Risk assessment signed off",
                            supervisor,
                            True,
                        )
                    )
            draft.events.append(Event(closed_at, "closed", "Episode closed", supervisor, True))
        else:
            values["status"] = Status.FOUND

    def tally(
        self, draft: EpisodeDraft, plan: Plan, found_at: dt.datetime | None, category: str, person_id: int
    ) -> None:
        sim, stats, values = self.sim, self.sim.stats, draft.values
        stats["graded"] += 1
        stats[f"first:{values['risk_level_first']}"] += 1
        stats["child"] += values["is_child"] is True
        # SPEC §7: the denominator leaves out open episodes reported less than 24 hours before the end.
        if found_at is not None or sim.cutoff - values["reported_at"] >= DAY:
            stats["duration_base"] += 1
            if found_at is not None:
                hours = (found_at - values["reported_at"]) / HOUR
                stats["within_8h"] += hours <= 8
                stats["within_24h"] += hours <= 24
                stats["within_48h"] += hours <= 48
        stats["dead"] += plan.dead and found_at is not None
        if (
            values["is_child"]
            and values["looked_after"]
            and category in CARE_SETTING_CATEGORIES
            and sim.cutoff - values["reported_at"] <= 365 * DAY
        ):
            sim.lac_care_last_year[person_id] += 1

    def notify_mpu(self, draft: EpisodeDraft) -> None:
        """Anyone still missing near the MPU deadline is notified by a detective inspector two hours
        before it (no random draw, so the rest of the simulation is unchanged)."""
        values = draft.values
        if values["status"] == Status.NOT_RECORDED:
            return
        told = values["reported_at"] + dt.timedelta(hours=settings.HOMEWARD_MPU_NOTIFY_HOURS - 2)
        end = values.get("found_at") or self.sim.cutoff
        if told >= end or told >= self.sim.cutoff:
            return
        inspectors = self.sim.world.inspectors
        by = inspectors[values["id"] % len(inspectors)]
        values["mpu_notified_at"] = told
        values["mpu_notified_by_id"] = by.pk
        values["mpu_reference"] = f"UKMPU-{values['reference'][3:]}"
        draft.events.append(Event(told, "mpu_notified", "Missing persons unit notified", by, True))

    def finish(self, draft: EpisodeDraft) -> None:
        self.notify_mpu(draft)
        draft.events.sort(key=lambda e: e.at)
        version = 0
        episode_id = draft.values["id"]
        for event in draft.events:
            version += event.bumps
            self.t["EpisodeEvent"].add(
                {
                    "episode_id": episode_id,
                    "version": max(version, 1),
                    "kind": event.kind,
                    "summary": event.summary[:500],
                    "actor_id": event.actor.pk if event.actor else None,
                    "at": event.at,
                }
            )
        draft.values["version"] = max(version, 1)
        draft.values["updated_at"] = draft.events[-1].at
        self.t["Episode"].add(draft.values)
        if draft.facts is not None:
            draft.facts.version = draft.values["version"]
        for assessment in draft.assessments:
            self.t["RiskAssessment"].add(assessment)
        if draft.facts is not None:
            self.sim.aftermath.episode(draft.facts)
        self.audit(draft)

    def audit(self, draft: EpisodeDraft) -> None:
        """The episode's audit events: the report as a collection by the call handler who took it, then a few consultations by the staff who worked it and the partners told of it."""
        trail, episode_id = self.sim.trail, draft.values["id"]
        reported = next(e for e in draft.events if e.kind == "reported")
        assert reported.actor is not None
        trail.episode_reported(at=reported.at, actor=reported.actor, episode_id=episode_id)
        trail.episode_worked(
            episode_id=episode_id,
            reported_at=reported.at,
            acts=[(e.at, e.actor) for e in draft.events if e is not reported and e.actor is not None],
        )
        if draft.facts is not None:
            readers = self.sim.world.readers
            trail.episode_shared(
                episode_id=episode_id,
                reported_at=reported.at,
                readers=[readers.get(org_id, []) for org_id in sorted(draft.facts.recipients)],
            )


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
STAFF_ETHNICITY_CUM = _cum((80, 10, 5, 5))
LIVED_IN = frozenset((LocationCategory.ADULT_CARE_HOME, LocationCategory.HOSTEL))
SYSTEM_RESULTS = (
    "No trace",
    "Nothing of note",
    "Previous missing reports found",
    "Known to services",
    "Warning markers",
)
ENQUIRY_STATUSES = (EnquiryStatus.OPEN, EnquiryStatus.IN_PROGRESS, EnquiryStatus.DONE)
ENQUIRY_STATUSES_CUM = _cum((4, 3, 3))
DEATH_PLACES = ("Woodland near the reservoir", "Canal towpath", "Riverbank", "A private address", "Moorland")
HARMS = ("Cuts and bruises", "Assaulted while missing", "Intoxicated; minor injuries")
# Which of the structured risk factors a marker answers "yes".
MARKER_FACTORS: dict[str, tuple[str, ...]] = {
    "self_harm": ("suicide_risk",),
    "cse": ("sexual_exploitation",),
    "trafficking": ("sexual_exploitation",),
    "cce": ("criminality",),
    "dementia": ("dementia", "age_infirmity", "medical_condition"),
    "mental_health": ("mental_health", "medical_condition"),
    "substance_misuse": ("dependency",),
    "domestic_abuse": ("domestic_violence", "family_problems"),
    "forced_marriage": ("forced_marriage",),
}
# NCA: 1 in 4 children and 1 in 5 adults return of their own accord; police find 34% of children and more
# than half of located adults. Children's home staff find many of their own residents.
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


def _fact_sources(spec: PersonSpec, by: User) -> dict[str, dict[str, Any]]:
    at = spec.created_at.isoformat()
    facts = ["date_of_birth" if spec.dob else "estimated_age", "sex", "height_cm", "build", "hair", "eyes"]
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
        return rng.uniform(0.5, 5) * HOUR  # staff take reasonable steps before ringing
    if kind.startswith(("child", "lac")):
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
    # The data stops at the start of the as-of day (local midnight): with as-of today, nothing is in the future.
    cutoff = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=tz).astimezone(UTC)
    first_day = _add_years(as_of, -years)
    start = dt.datetime(first_day.year, first_day.month, first_day.day, tzinfo=tz).astimezone(UTC)
    rng = random.Random(seed)
    # Partner staff, notifications and return interviews draw on their own source, so the people and
    # episodes of a seed are the same with or without them.
    partner_rng = random.Random(f"homeward-demo-partners:{seed}")
    # The audit trail's choices (who opened what) have their own source too, for the same reason.
    trail = AuditTrail(random.Random(f"homeward-demo-audit:{seed}"), cutoff)
    with transaction.atomic():
        tables = {model.__name__: Table(model) for model in TABLE_MODELS}
        progress("Organisations, users and places…")
        world = _build_world(rng, scale, make_password(settings.HOMEWARD_DEMO_PASSWORD), tables, start)
        _partner_staff(partner_rng, world, scale)
        aftermath = safeguarding.Aftermath(rng=partner_rng, tables=tables, world=world, cutoff=cutoff)
        sim = Simulation(
            rng=rng,
            world=world,
            tables=tables,
            start=start,
            cutoff=cutoff,
            scale=scale,
            progress=progress,
            aftermath=aftermath,
            trail=trail,
        )
        progress(f"People and episodes from {first_day} to the start of {as_of} (scale {scale:g})…")
        sim.run()
        for table in tables.values():
            table.flush()
        # Before anything else writes to the audit chain, so its events run in time order.
        progress("Audit trail of the records' collection and consultations…")
        trail.write()
        # Ids were assigned here, not by the database: move PostgreSQL's sequences past them.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(TABLE_MODELS)):
                cursor.execute(statement)
        # Demo accounts come with an authenticator already set up, from secrets the seed fixes (README).
        demo_accounts_enrol(
            seed=seed, users=list(User.objects.filter(username__in=[a[0] for a in config.DEMO_ACCOUNTS]))
        )
        progress("Plans, meetings, referrals, locality assessments, family contacts and initiatives…")
        casework = _casework_records(seed=seed, now=cutoff)
        audit_record(
            actor=None,
            operation=Operation.COLLECTION,
            event_type="demo.loaded",
            object_type="demo",
            object_ids=[],
            reason=f"seed={seed} years={years}",
        )
    counts = {"duplicate people (misspelt)": sim.counts["duplicate_people"]}
    for name, table in tables.items():
        counts[TABLE_LABELS.get(name, name)] = table.written
    counts.update(casework)
    counts["audit events (collection and consultation)"] = trail.written
    counts["organisations"] = Organisation.objects.count()
    counts["users"] = User.objects.count()
    return DemoSummary(counts=counts, calibration=_calibration(sim), as_of=as_of, cutoff=cutoff)


def _casework_records(*, seed: int, now: dt.datetime) -> dict[str, int]:
    """Records partners keep around the episodes, written by each app from what was just loaded.

    Each draws on its own random source (seeded from the demo seed), so the episodes stay as they were.
    """
    from homeward.families.demo import add_demo_records as family_contacts
    from homeward.places.demo_locality import add_demo_records as locality_assessments
    from homeward.prevention.demo import add_demo_records as prevention_records

    counts: dict[str, int] = {}
    for add in (locality_assessments, family_contacts, prevention_records):
        counts.update(add(seed=seed, now=now))
    return counts


def _calibration(sim: Simulation) -> dict[str, float]:
    s, a = sim.stats, sim.aftermath.stats
    graded = max(1, s["graded"])
    base = max(1, s["duration_base"])
    people = sim.person_episodes
    lac = sim.lac_care_last_year
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
        "notifications_unread": float(a["notification:sent"] + a["notification:pending"]),
        "rhis": float(a["rhi"]),
        "rhis_open": float(sum(a[f"rhi:{status}"] for status in OPEN_RHI_STATUSES)),
        "rhi_offered_in_time": a["rhi_in_time"] / max(1, a["rhi_due"]),
        "proposals_pending": float(a["proposals"]),
    }


OPEN_RHI_STATUSES = (RhiStatus.REFERRED, RhiStatus.ASSIGNED, RhiStatus.OFFERED)
