"""Performance measures (SPEC §7) for any period of local days, force-wide or for one district.

Each measure is one function of (period, district) computed by the database (conditional counts,
EXISTS and correlated subqueries on the (person, reported_at) index), never by looping over episodes.
Only recorded episodes count (a decision not to record is not an episode). "In the period" means
*reported* in it: local midnight before the first day <= reported_at < local midnight after the last.
A district means the district the episode was reported in; repeat and persistent look at the
person's episodes in every district, as homeward.episodes.patterns does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import ValueRange
from django.db.models.functions import NthValue
from django.utils import timezone

from homeward.episodes.models import OPEN_STATUSES, Episode, InterviewOutcome, Status, counted_q
from homeward.identity.models import District
from homeward.insights.base import recorded_episodes
from homeward.insights.periods import AgeGroup, Period, add_months, between, local_date, local_midnight
from homeward.people.models import MarkerType, PersonMarker
from homeward.prevention.models import Initiative
from homeward.returns.models import ReturnInterview

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """numerator / denominator, or None when nothing is counted (no share, rather than 0%)."""
        return self.numerator / self.denominator if self.denominator else None

    def as_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "share": self.value}


class Shifted(Func):
    """A datetime column moved by a fixed whole number of seconds, computed natively by the database.

    Django's own `F(...) + timedelta` runs a Python function per row on SQLite, which made a year's
    measures take half a second at force scale. Here SQLite uses its C datetime() and keeps the
    microseconds: Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC, datetime() returns the first 19
    characters shifted, and the fraction is appended unchanged, so comparing the text is exact. Other
    databases (PostgreSQL) add an interval.
    """

    output_field = DateTimeField()

    def __init__(self, expression: Any, delta: dt.timedelta) -> None:
        super().__init__(expression)
        seconds = delta.total_seconds()
        if seconds != int(seconds):
            raise ValueError("Shifted takes whole seconds")
        self.delta = delta

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        shift = f"{int(self.delta.total_seconds()):+d} seconds"
        return f"(datetime({sql}, '{shift}') || substr({sql}, 20))", [*params, *params]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + %s)", [*params, self.delta]


def _in_period(period: Period, district: District | None) -> QuerySet[Episode]:
    return recorded_episodes(district).filter(period.reported_q())


def period_end(period: Period, now: dt.datetime | None = None) -> dt.datetime:
    """The end of the period for the 24-hour rule: local midnight after the last day, or now if earlier."""
    return min(period.end, now or timezone.now())


# --- Measures ------------------------------------------------------------------------------------------


# Each measure is counted by one function over a LIST of periods: `measures_for` asks for the period and
# the one before together. Repeat, persistent and return-interview measures count both in one query
# (one pass over the episodes and their lookback instead of two); the one-period functions below call
# them with a list of one.


def _reported_in_any(periods: list[Period], district: District | None) -> QuerySet[Episode]:
    """Recorded episodes (in `district` if given) reported from the earliest period's start to the latest
    one's end: one range the report-time index serves (an OR of ranges is a full scan on SQLite). Each
    count filters on its own period, so episodes between periods are read but never counted."""
    return recorded_episodes(district).filter(_span(periods))


def _span(periods: list[Period], widen: dt.timedelta = dt.timedelta(0)) -> Q:
    """From `widen` before the earliest start to the latest end: plain bounds for the planner."""
    return Q(
        reported_at__gte=min(p.start for p in periods) - widen,
        reported_at__lt=max(p.end for p in periods),
    )


def _period_counts(
    periods: list[Period], district: District | None, now: dt.datetime | None
) -> list[dict[str, int]]:
    """For each period, the conditional counts of the measures that are counts over its episodes:
    episodes, individuals, found within 24 hours, high risk and prevention interviews (see each
    measure's function for its definition). One query per period: here, unlike the window and EXISTS
    measures, reading two periods at once evaluates every condition twice per row and is slower."""
    top = high_risk_level()
    found_alive = Q(found_at__isnull=False) & ~Q(status=Status.FOUND_DECEASED)
    # The interview is one-to-one with the episode, so the outer join never counts an episode twice.
    interview_done = Q(prevention_interview__outcome=InterviewOutcome.COMPLETED)
    found_in_24h = Q(found_at__isnull=False, found_at__lte=Shifted(F("reported_at"), 24 * HOUR))
    out = []
    for period in periods:
        counted = ~Q(status__in=OPEN_STATUSES, reported_at__gt=period_end(period, now) - 24 * HOUR)
        out.append(
            _in_period(period, district).aggregate(
                episodes=Count("id"),
                individuals=Count("person_id", distinct=True),
                found_24h_denominator=Count("id", filter=counted),
                found_24h_numerator=Count("id", filter=counted & found_in_24h),
                high_risk_denominator=Count("id", filter=~Q(risk_level_first="")),
                high_risk_numerator=Count("id", filter=Q(risk_level_first=top)),
                prevention_denominator=Count("id", filter=found_alive),
                prevention_numerator=Count("id", filter=found_alive & interview_done),
            )
        )
    return out


def episodes(period: Period, district: District | None = None) -> int:
    """Recorded episodes reported in the period."""
    return _period_counts([period], district, None)[0]["episodes"]


def individuals(period: Period, district: District | None = None) -> int:
    """Distinct people (Person records) with a recorded episode reported in the period."""
    return _period_counts([period], district, None)[0]["individuals"]


def found_within_24h_share(
    period: Period, district: District | None = None, *, now: dt.datetime | None = None
) -> Share:
    """Share of episodes found within 24 hours of report.

    Denominator: episodes reported in the period, except those still open now (reported, active,
    long-term) that were reported less than 24 hours before the end of the period (local midnight after
    the last day, or now if earlier): their 24 hours have not run out. Numerator: episodes in the
    denominator with a found time no later than 24 hours after the report (found alive or dead).
    """
    counts = _period_counts([period], district, now)[0]
    return Share(counts["found_24h_numerator"], counts["found_24h_denominator"])


def _repeats(periods: list[Period], district: District | None) -> list[int]:
    window = dt.timedelta(days=settings.HOMEWARD_REPEAT_WINDOW_DAYS)
    # The period bounds, widened by the window, are repeated as plain bounds: they change nothing, but
    # let PostgreSQL read only those years of episodes for a hash join instead of all of them.
    earlier = recorded_episodes().filter(
        _span(periods, window),
        person_id=OuterRef("person_id"),
        reported_at__lt=OuterRef("reported_at"),
        reported_at__gte=Shifted(OuterRef("reported_at"), -window),
    )
    # EXISTS in the WHERE clause, so PostgreSQL can run it as a semi-join (in the select list it would
    # be a subquery per row); each period's count then filters on its own bounds.
    counts = (
        _reported_in_any(periods, district)
        .filter(Exists(earlier))
        .aggregate(**{f"p{i}": Count("id", filter=p.reported_q()) for i, p in enumerate(periods)})
    )
    return [counts[f"p{i}"] for i in range(len(periods))]


def repeat_episodes(period: Period, district: District | None = None) -> int:
    """Episodes reported in the period that are repeats: the same person had another recorded episode
    reported in the HOMEWARD_REPEAT_WINDOW_DAYS (365) days before it (patterns.py)."""
    return _repeats([period], district)[0]


def _persistent(periods: list[Period], district: District | None) -> list[int]:
    n = settings.HOMEWARD_PERSISTENT_EPISODES
    window = dt.timedelta(days=settings.HOMEWARD_PERSISTENT_WINDOW_DAYS)
    nth_latest = Window(
        NthValue("reported_at", n),
        partition_by=[F("person_id")],
        order_by=F("reported_at").desc(),
        frame=ValueRange(start=0, end=None),  # RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
    )
    persistent_reports = (
        recorded_episodes()
        .filter(_span(periods, window))
        .order_by()
        .annotate(nth_latest=nth_latest)
        .filter(nth_latest__gte=Shifted(F("reported_at"), -window))
        .values("pk")
    )
    counts = (
        _reported_in_any(periods, district)
        .filter(pk__in=persistent_reports)
        .aggregate(
            **{
                f"p{i}": Count("person_id", distinct=True, filter=p.reported_q())
                for i, p in enumerate(periods)
            }
        )
    )
    return [counts[f"p{i}"] for i in range(len(periods))]


def persistent_people(period: Period, district: District | None = None) -> int:
    """People who, at some report in the period, were persistent: at least HOMEWARD_PERSISTENT_EPISODES
    (3) recorded episodes, that one included, reported in the HOMEWARD_PERSISTENT_WINDOW_DAYS (90) days
    up to it (patterns.py). Counted once each.

    Computed with a window over the person's recorded episodes (every district) from 90 days before
    the period to its end: for each report, the Nth latest report at or before it (peers at the same
    instant included); the report makes the person persistent when that is no more than 90 days
    earlier. One sort instead of a count per episode: four times faster at national volume."""
    return _persistent([period], district)[0]


def high_risk_level() -> str:
    """The top of the configured risk scale (HOMEWARD_RISK_LEVELS, lowest first): "high" by default."""
    return str(settings.HOMEWARD_RISK_LEVELS[-1][0])


def high_risk_share(period: Period, district: District | None = None) -> Share:
    """Of episodes reported in the period that have been graded at all, the share whose FIRST grade
    (risk_level_first) was the top of the scale. Later upgrades do not count."""
    counts = _period_counts([period], district, None)[0]
    return Share(counts["high_risk_numerator"], counts["high_risk_denominator"])


def prevention_interviews_done(period: Period, district: District | None = None) -> Share:
    """Of episodes reported in the period whose person has been found alive (a found time, not found
    deceased), the share with a completed prevention interview (declined does not count as done)."""
    counts = _period_counts([period], district, None)[0]
    return Share(counts["prevention_numerator"], counts["prevention_denominator"])


def _rhi_offers(periods: list[Period], district: District | None, now: dt.datetime | None) -> list[Share]:
    now = now or timezone.now()
    span = Q(
        episode__reported_at__gte=min(p.start for p in periods),
        episode__reported_at__lt=max(p.end for p in periods),
    )
    qs = ReturnInterview.objects.filter(span).filter(counted_q("episode__"))
    if district is not None:
        qs = qs.filter(episode__district=district)
    not_due = Q(offered_at__isnull=True, offer_due_at__gt=now)
    in_time = Q(offered_at__isnull=False, offered_at__lte=F("offer_due_at"))
    aggregates: dict[str, Any] = {}
    for i, period in enumerate(periods):
        within = period.reported_q("episode__")
        aggregates[f"p{i}_denominator"] = Count("id", filter=within & ~not_due)
        aggregates[f"p{i}_numerator"] = Count("id", filter=within & in_time)
    counts = qs.aggregate(**aggregates)
    return [Share(counts[f"p{i}_numerator"], counts[f"p{i}_denominator"]) for i in range(len(periods))]


def rhis_offered_within_72h(
    period: Period, district: District | None = None, *, now: dt.datetime | None = None
) -> Share:
    """Of return home interviews for episodes reported in the period, the share offered by their offer
    deadline (offered_at <= offer_due_at, 72 hours after return). Interviews not yet offered whose
    deadline is still ahead (after now) are left out: their outcome is not known yet."""
    return _rhi_offers([period], district, now)[0]


def initiatives(period: Period, district: District | None = None) -> int:
    """Initiatives active on at least one day of the period (starts_on <= last day and ends_on empty or
    >= first day). For a district: its own initiatives plus its force's force-wide ones (no district)."""
    qs = Initiative.objects.filter(starts_on__lte=period.last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.first)
    )
    if district is not None:
        qs = qs.filter(Q(district=district) | Q(district__isnull=True, force_id=district.force_id))
    return qs.count()


# --- All measures, with the previous equivalent period --------------------------------------------------

# The measures compared with the previous equivalent period.
MEASURE_KEYS = (
    "episodes",
    "individuals",
    "found_within_24h_share",
    "repeat_episodes",
    "persistent_people",
    "high_risk_share",
    "prevention_interviews_done_share",
    "rhis_offered_within_72h_share",
    "initiatives",
)


def _measures(
    periods: list[Period], district: District | None, now: dt.datetime | None
) -> list[dict[str, Any]]:
    """Every measure for each period, each measure one query for all the periods."""
    counts = _period_counts(periods, district, now)
    repeats = _repeats(periods, district)
    persistent = _persistent(periods, district)
    rhis = _rhi_offers(periods, district, now)
    out = []
    for period, c, repeat, persistent_n, rhi in zip(periods, counts, repeats, persistent, rhis, strict=True):
        found = Share(c["found_24h_numerator"], c["found_24h_denominator"])
        high = Share(c["high_risk_numerator"], c["high_risk_denominator"])
        prevention = Share(c["prevention_numerator"], c["prevention_denominator"])
        out.append(
            {
                "period": period.as_dict(),
                "episodes": c["episodes"],
                "individuals": c["individuals"],
                "found_within_24h_share": found.value,
                "found_within_24h": found.as_dict(),
                "repeat_episodes": repeat,
                "persistent_people": persistent_n,
                "high_risk_share": high.value,
                "high_risk": high.as_dict(),
                "prevention_interviews_done_share": prevention.value,
                "prevention_interviews_done": prevention.as_dict(),
                "rhis_offered_within_72h_share": rhi.value,
                "rhis_offered_within_72h": rhi.as_dict(),
                "initiatives": initiatives(period, district),
            }
        )
    return out


def direction(current: float | None, previous: float | None) -> str | None:
    """ "up", "down" or "same" against the previous period; None when either side has no value."""
    if current is None or previous is None:
        return None
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "same"


def measures_for(
    first: dt.date, last: dt.date, district: District | None = None, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Every measure for [first, last] (local days, inclusive), the same for the previous equivalent
    period (Period.previous) under "previous", and for each measure under "change" the difference and
    the direction ("up", "down", "same", or None when a share has no denominator)."""
    period = between(first, last)
    current, previous = _measures([period, period.previous()], district, now)
    change = {}
    for key in MEASURE_KEYS:
        a, b = current[key], previous[key]
        change[key] = {
            "current": a,
            "previous": b,
            "difference": None if a is None or b is None else a - b,
            "direction": direction(a, b),
        }
    return {
        **current,
        "district": district.name if district else None,
        "previous": previous,
        "change": change,
    }


# --- Children going missing: monthly 12-month rolling average -------------------------------------------


def children_missing_rolling_12m(
    district: District | None, months: int = 36, *, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """For each of the `months` calendar months ending with the month of `until` (default: today), the
    12-month rolling average of children going missing: recorded episodes of children (child at report)
    reported in the 12 calendar months ending with that month, divided by 12. Incidents, as in the
    force's report, not distinct children. The latest month is counted up to `until` only, so it is
    flagged `complete: false` when `until` is not its last day. One query of conditional counts."""
    window = _RollingWindow(months, until)
    per_month = [0] * len(window.starts)
    rows = (
        recorded_episodes(district)
        .filter(window.reported_q())
        .annotate(month=window.month_index())
        .order_by()
        .values("month")
        .annotate(n=Count("id"))
    )
    for row in rows:
        per_month[row["month"]] = row["n"]
    return window.rows(per_month)


def children_missing_rolling_12m_by_district(
    months: int = 36, *, until: dt.date | None = None
) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """`children_missing_rolling_12m` for the whole force and for every district at once: (the force's
    rows, {district id: its rows}), from one query grouped by district (the force's months are the sum
    of its districts'). The measures page shows the force and each district."""
    window = _RollingWindow(months, until)
    per_district: dict[int, list[int]] = {}
    rows = (
        recorded_episodes()
        .filter(window.reported_q())
        .annotate(month=window.month_index())
        .order_by()
        .values("district_id", "month")
        .annotate(n=Count("id"))
    )
    for row in rows:
        per_district.setdefault(row["district_id"], [0] * len(window.starts))[row["month"]] = row["n"]
    force = [sum(months_) for months_ in zip(*per_district.values(), strict=True)] or [0] * len(window.starts)
    return window.rows(force), {pk: window.rows(counts) for pk, counts in per_district.items()}


class _RollingWindow:
    """The calendar months a rolling-average series counts: 11 before the first shown month, up to `until`."""

    def __init__(self, months: int, until: dt.date | None) -> None:
        if months < 1:
            raise ValueError("months must be at least 1")
        self.until = until or timezone.localdate()
        self.last_month = self.until.replace(day=1)
        self.starts = [add_months(self.last_month, -i) for i in range(months + 10, -1, -1)]  # oldest first
        self.bounds = [local_midnight(s) for s in self.starts] + [
            local_midnight(self.until + dt.timedelta(days=1))
        ]

    def reported_q(self) -> Q:
        return Q(is_child=True, reported_at__gte=self.bounds[0], reported_at__lt=self.bounds[-1])

    def month_index(self, low: int = 0, high: int | None = None) -> Any:
        """The index of the month an episode's report falls in, as a binary search in SQL (nested
        CASE over the local-midnight bounds): about six comparisons a row instead of one per month.
        Rows are already within [bounds[0], bounds[-1])."""
        high = len(self.starts) - 1 if high is None else high
        if low == high:
            return Value(low)
        mid = (low + high + 1) // 2  # month `mid` starts at bounds[mid]
        return Case(
            When(reported_at__lt=self.bounds[mid], then=self.month_index(low, mid - 1)),
            default=self.month_index(mid, high),
            output_field=IntegerField(),
        )

    def rows(self, per_month: list[int]) -> list[dict[str, Any]]:
        out = []
        last_day = add_months(self.last_month, 1) - dt.timedelta(days=1)
        for j in range(11, len(self.starts)):
            total = sum(per_month[j - 11 : j + 1])
            month = self.starts[j]
            out.append(
                {
                    "month": month.strftime("%Y-%m"),
                    "child_episodes_month": per_month[j],
                    "child_episodes_12m": total,
                    "rolling_average": total / 12,
                    "complete": month != self.last_month or last_day == self.until,
                }
            )
        return out


# --- Quarterly management information ------------------------------------------------------------------

AGE_BANDS = (
    ("0-9", 0, 9),
    ("10-15", 10, 15),
    ("16-17", 16, 17),
    ("18-24", 18, 24),
    ("25-39", 25, 39),
    ("40-59", 40, 59),
    ("60-74", 60, 74),
    ("75+", 75, None),
)


def _age_band() -> Case:
    whens = []
    for label, low, high in AGE_BANDS:
        condition = Q(age_at_report__gte=low)
        if high is not None:
            condition &= Q(age_at_report__lte=high)
        whens.append(When(condition, then=Value(label)))
    return Case(*whens, default=Value("unknown"), output_field=CharField())


def _has_marker(marker: str) -> Exists:
    return Exists(PersonMarker.objects.filter(person_id=OuterRef("person_id"), marker=marker, active=True))


def _age_group() -> Case:
    return Case(
        When(is_child=True, then=Value(AgeGroup.CHILD.value)),
        When(is_child=False, then=Value(AgeGroup.ADULT.value)),
        default=Value(AgeGroup.UNKNOWN.value),
        output_field=CharField(),
    )


def _dimensions() -> dict[str, tuple[Any, Q | None]]:
    """name -> (expression, restriction). Person facts (sex, ethnicity, markers) are today's."""
    return {
        "age_group": (_age_group(), None),
        "sex": (F("person__sex"), None),
        "age_band": (_age_band(), None),
        "ethnicity": (F("person__ethnicity"), None),
        "cse_marker": (_has_marker(MarkerType.CSE), None),
        "mental_health_marker": (_has_marker(MarkerType.MENTAL_HEALTH), None),
        "children_looked_after": (F("looked_after"), Q(is_child=True)),
    }


def _label(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def quarterly_mi(period: Period, district: District | None = None) -> dict[str, Any]:
    """Management information for the period (normally a calendar quarter, periods.quarter): episodes
    and individuals in total and by age group at report (child / adult / age unknown), sex, age band at
    report, ethnicity (self-defined), CSE marker, mental health marker, and — for children only — looked
    after at report or not. Force-wide under "force" and per district under "districts" (only the given
    district when one is given). Individuals in a breakdown are distinct people in that cell, so a
    person in two cells (a child who turned 18) is counted in both, and cells do not add up to the total.
    """
    base = _in_period(period, district)
    districts = (
        [district]
        if district is not None
        else list(District.objects.filter(pk__in=base.values("district_id")).order_by("name"))
    )
    names = {d.pk: d.name for d in districts}

    def empty() -> dict[str, Any]:
        return {"totals": {"episodes": 0, "individuals": 0}, **{name: {} for name in _dimensions()}}

    force: dict[str, Any] = empty()
    per_district: dict[str, dict[str, Any]] = {d.name: empty() for d in districts}
    counts = {"episodes": Count("id"), "individuals": Count("person_id", distinct=True)}

    force["totals"] = base.aggregate(**counts)
    for row in base.order_by().values("district_id").annotate(**counts):
        per_district[names[row["district_id"]]]["totals"] = {
            "episodes": row["episodes"],
            "individuals": row["individuals"],
        }
    for name, (expression, restriction) in _dimensions().items():
        qs = base.filter(restriction) if restriction is not None else base
        qs = qs.annotate(cell=expression)
        for row in qs.order_by().values("cell").annotate(**counts):
            force[name][_label(row["cell"])] = {
                "episodes": row["episodes"],
                "individuals": row["individuals"],
            }
        for row in qs.order_by().values("district_id", "cell").annotate(**counts):
            per_district[names[row["district_id"]]][name][_label(row["cell"])] = {
                "episodes": row["episodes"],
                "individuals": row["individuals"],
            }
    return {
        "period": period.as_dict(),
        "district": district.name if district else None,
        "force": force,
        "districts": per_district,
    }


def local_today() -> dt.date:
    return local_date(timezone.now())
