"""Report periods as local (Europe/London) calendar days, and the age groups reports split by (SPEC §7).

Every period is a run of whole local calendar days, `first`..`last` inclusive. Its bounds in time are the
local midnight at the start of `first` and the local midnight at the end of `last` (the start of the next
day), each converted to UTC on its own with zoneinfo — so a period that spans a clock change is 23 or 25
hours longer or shorter than 24 × days, and a report never gains or loses an hour at either end.
Episodes are in a period when `start <= reported_at < end`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in local time, as a UTC datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=local_zone()).astimezone(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(local_zone()).date()


@dataclass(frozen=True)
class Period:
    first: dt.date  # first local day, inclusive
    last: dt.date  # last local day, inclusive

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"The period ends ({self.last}) before it starts ({self.first})")

    @property
    def start(self) -> dt.datetime:
        """Local midnight at the start of `first`, in UTC (inclusive)."""
        return local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """Local midnight after `last`, in UTC (exclusive)."""
        return local_midnight(self.last + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_whole_months(self) -> bool:
        return (
            self.first.day == 1 and self.last.day == calendar.monthrange(self.last.year, self.last.month)[1]
        )

    def reported_q(self, prefix: str = "") -> Q:
        """Episodes reported in the period: start <= reported_at < end."""
        return Q(**{f"{prefix}reported_at__gte": self.start, f"{prefix}reported_at__lt": self.end})

    def previous(self) -> Period:
        """The previous equivalent period.

        Whole calendar months (a month, a quarter, a year) → the same number of whole months just before;
        anything else → the same number of days ending the day before `first`.
        """
        if self.is_whole_months:
            months = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
            first = add_months(self.first, -months)
            last = self.first - dt.timedelta(days=1)
            return Period(first, last)
        return Period(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))

    def as_dict(self) -> dict[str, str]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clipped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_weeks(as_of: dt.date, weeks: int) -> Period:
    """ "As of D, last N weeks": the 7N local calendar days ending on D inclusive."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    return Period(as_of - dt.timedelta(days=7 * weeks - 1), as_of)


def month_to_date(as_of: dt.date) -> Period:
    """The calendar month of D, from its 1st up to D inclusive."""
    return Period(as_of.replace(day=1), as_of)


def between(first: dt.date, last: dt.date) -> Period:
    """An arbitrary period of whole local days, both dates inclusive."""
    return Period(first, last)


def quarter(year: int, number: int) -> Period:
    """Calendar quarter `number` (1–4) of `year`: Q1 is January–March."""
    if number not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1, 2, 3 or 4")
    first = dt.date(year, 3 * number - 2, 1)
    return Period(first, add_months(first, 3) - dt.timedelta(days=1))


class AgeGroup(StrEnum):
    CHILD = "child"
    ADULT = "adult"
    UNKNOWN = "age_unknown"


def age_group_q(group: AgeGroup, prefix: str = "") -> Q:
    """Episodes by the age snapshot taken at report time (`Episode.is_child`): child = under
    HOMEWARD_ADULT_AGE (18) on the local report date from the date of birth, else the estimated age;
    neither known → age unknown. A later birthday or correction does not move an episode."""
    field = f"{prefix}is_child"
    if group is AgeGroup.CHILD:
        return Q(**{field: True})
    if group is AgeGroup.ADULT:
        return Q(**{field: False})
    return Q(**{f"{field}__isnull": True})


def age_group_of(is_child: bool | None) -> AgeGroup:
    if is_child is None:
        return AgeGroup.UNKNOWN
    return AgeGroup.CHILD if is_child else AgeGroup.ADULT
