"""The retention schedule: when a person's record is next due for review (docs/data-protection.md).

A record is reviewed N years after the last of its episodes ended (closed, found or decided not to record;
the report time if none of those is set). N depends on the category of the record, and the longest period
of every category that applies wins:

    child        anyone reported missing while under 18         6 years
    adult        everyone else                                  6 years
    high_risk    any episode ever graded high risk              10 years
    markers      any active marker (CSE, CCE, mental health…)   10 years

The defaults follow the review periods of the College of Policing's Management of Police Information
(MoPI) guidance for "other" police information (a 6-year clear period) and for public-protection matters
(a 10-year review); the reference notes give no missing-person specific figure, so these are documented
assumptions. Override them with the HOMEWARD_RETENTION setting (a dict of category → years) or the
environment variables HOMEWARD_RETENTION_<CATEGORY>_YEARS.

A record with an open episode is never due. A "retain" decision sets the next review date, which then
replaces the computed one until a later episode pushes the computed date past it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import DateTimeField, Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from homeward.dataprotection.models import Decision, RetentionReview
from homeward.episodes.models import OPEN_STATUSES, Episode
from homeward.people.models import Person, PersonMarker

CATEGORIES = ("child", "adult", "high_risk", "markers")
DEFAULT_YEARS = {"child": 6, "adult": 6, "high_risk": 10, "markers": 10}


def schedule() -> dict[str, int]:
    """Years before review per category: defaults, then settings.HOMEWARD_RETENTION, then the environment."""
    years = dict(DEFAULT_YEARS)
    years.update(getattr(settings, "HOMEWARD_RETENTION", {}) or {})
    for category in CATEGORIES:
        raw = os.environ.get(f"HOMEWARD_RETENTION_{category.upper()}_YEARS")
        if raw is not None:
            try:
                years[category] = int(raw)
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"HOMEWARD_RETENTION_{category.upper()}_YEARS must be a number"
                ) from exc
    unknown = set(years) - set(CATEGORIES)
    if unknown or any(not isinstance(v, int) or v < 1 for v in years.values()):
        raise ImproperlyConfigured(f"HOMEWARD_RETENTION: categories {CATEGORIES}, whole years ≥ 1")
    return years


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class ReviewRow:
    person_id: int
    given_name: str
    family_name: str
    categories: tuple[str, ...]
    last_episode_ended: dt.date | None
    due_on: dt.date
    last_decision: str


def _annotated(people: QuerySet[Person]) -> QuerySet[Person]:
    episodes = Episode.objects.filter(person=OuterRef("pk"))
    latest_retain = RetentionReview.objects.filter(person=OuterRef("pk"), decision=Decision.RETAIN).order_by(
        "-decided_at", "-id"
    )
    return people.annotate(
        last_ended=Max(
            Coalesce(
                "episodes__closed_at",
                "episodes__found_at",
                "episodes__not_recorded_at",
                "episodes__reported_at",
                output_field=DateTimeField(),
            )
        ),
        has_open=Exists(episodes.filter(status__in=OPEN_STATUSES)),
        was_child=Exists(episodes.filter(is_child=True)),
        was_high=Exists(episodes.filter(risk_level_highest="high")),
        has_markers=Exists(PersonMarker.objects.filter(person=OuterRef("pk"), active=True)),
        retain_until=Subquery(latest_retain.values("next_review_on")[:1]),
    )


def due_on(person: Person) -> tuple[dt.date | None, tuple[str, ...]]:
    """When `person` (annotated by _annotated) is due for review, and the categories that set it.
    None while an episode is open."""
    if person.has_open:  # type: ignore[attr-defined]
        return None, ()
    categories = [
        c
        for c, applies in (
            ("child", person.was_child),  # type: ignore[attr-defined]
            ("high_risk", person.was_high),  # type: ignore[attr-defined]
            ("markers", person.has_markers),  # type: ignore[attr-defined]
        )
        if applies
    ]
    if not person.was_child:  # type: ignore[attr-defined]
        categories.insert(0, "adult")
    years = schedule()
    ended = person.last_ended or person.created_at  # type: ignore[attr-defined]
    due = add_years(ended.date(), max(years[c] for c in categories))
    retain_until = person.retain_until  # type: ignore[attr-defined]
    if retain_until is not None and retain_until > due:
        due = retain_until
    return due, tuple(categories)


def review_queue(people: QuerySet[Person], today: dt.date) -> list[ReviewRow]:
    """The people of `people` due for review on or before `today`, oldest due first. Erased and merged
    records are never in it."""
    shortest = min(schedule().values())
    # Not due under even the shortest period: left out in the database, so the queue reads only the
    # records near their review (the day after the cut-off, so local and UTC dates cannot disagree).
    cutoff = add_years(today, -shortest) + dt.timedelta(days=1)
    candidates = (
        _annotated(people.filter(erased_at__isnull=True, merged_into__isnull=True))
        .annotate(ended_or_created=Coalesce("last_ended", "created_at"))
        .filter(ended_or_created__lt=dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC))
    )
    rows = []
    for person in candidates:
        due, categories = due_on(person)
        if due is None or due > today:
            continue
        last = person.retention_reviews.first()
        rows.append(
            ReviewRow(
                person_id=person.pk,
                given_name=person.given_name,
                family_name=person.family_name,
                categories=categories,
                last_episode_ended=person.last_ended.date() if person.last_ended else None,  # type: ignore[attr-defined]
                due_on=due,
                last_decision=f"Retained on {last.decided_at:%d %b %Y}" if last else "",
            )
        )
    rows.sort(key=lambda r: (r.due_on, r.person_id))
    return rows


def review_state(person: Person) -> tuple[dt.date | None, tuple[str, ...]]:
    annotated = _annotated(Person.objects.filter(pk=person.pk)).get()
    return due_on(annotated)
