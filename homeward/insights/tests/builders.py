"""Hand-built rows with explicit times: reports are tested on data whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from homeward.conftest import World
from homeward.episodes.models import Episode, Status
from homeward.identity.models import District
from homeward.people.models import Person, PersonMarker

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
_refs = itertools.count(1)


def local(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> dt.datetime:
    """A local (Europe/London) wall-clock time."""
    return dt.datetime(y, m, d, h, mi, tzinfo=LONDON)


def utc(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


def person(
    world: World,
    name: str,
    *,
    dob: dt.date | None = None,
    sex: str = "female",
    ethnicity: str = "W1",
    looked_after: bool = False,
    markers: tuple[str, ...] = (),
) -> Person:
    at = utc(2024, 1, 1)
    p = Person.objects.create(
        given_name=name,
        family_name="Test",
        date_of_birth=dob,
        sex=sex,
        ethnicity=ethnicity,
        looked_after=looked_after,
        owner=world.force,
        force=world.force,
        created_at=at,
        updated_at=at,
    )
    for marker in markers:
        PersonMarker.objects.create(person=p, marker=marker, recorded_at=at)
    return p


def episode(
    world: World,
    who: Person,
    reported_at: dt.datetime,
    *,
    district: District | None = None,
    found_after: dt.timedelta | None = dt.timedelta(hours=2),
    status: str | None = None,
    category: str = "private_home",
    looked_after: bool | None = None,
    risk_first: str = "",
    risk_highest: str = "",
) -> Episode:
    """An episode with its report-time snapshot worked out like episodes.actions does (age on the local
    report date). `found_after=None` leaves it open (status active) unless a status is given."""
    age = who.age_on(reported_at.astimezone(LONDON).date())
    found_at = reported_at + found_after if found_after is not None else None
    if status is None:
        status = Status.CLOSED if found_at else Status.ACTIVE
    return Episode.objects.create(
        reference=f"T-{next(_refs):06d}",
        person=who,
        force=world.force,
        district=district or world.north,
        status=status,
        reported_at=reported_at,
        reporting_person_name="Reporter",
        reporting_person_relationship="Carer",
        missing_from_category=category,
        last_seen_at=reported_at - dt.timedelta(hours=1),
        last_seen_place="Home",
        circumstances="Test",
        age_at_report=age,
        is_child=None if age is None else age < 18,
        looked_after=who.looked_after if looked_after is None else looked_after,
        risk_level=risk_highest or risk_first,
        risk_level_first=risk_first,
        risk_level_highest=risk_highest or risk_first,
        found_at=found_at,
        updated_at=reported_at,
    )
