"""Find before create: tolerant person search. PLACEHOLDER — being replaced by the search helper.

Contract (keep these signatures):
- search_keys_for(given_name, family_name, date_of_birth, aliases) -> set[str]
- person_index(person) -> None   (rewrites that person's PersonSearchKey rows)
- people_search(query, queryset, limit=10) -> list[Candidate]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from homeward.people.models import Person, PersonSearchKey


@dataclass(frozen=True)
class SearchQuery:
    given_name: str = ""
    family_name: str = ""
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    age: int | None = None


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


def search_keys_for(
    given_name: str, family_name: str, date_of_birth: dt.date | None, aliases: list[tuple[str, str]]
) -> set[str]:
    keys = {f"n:{given_name.lower()}|{family_name.lower()}"}
    for g, f in aliases:
        keys.add(f"n:{g.lower()}|{f.lower()}")
    return keys


def person_index(person: Person) -> None:
    aliases = [(a.given_name, a.family_name) for a in person.aliases.all()]
    keys = search_keys_for(person.given_name, person.family_name, person.date_of_birth, aliases)
    PersonSearchKey.objects.filter(person=person).delete()
    PersonSearchKey.objects.bulk_create([PersonSearchKey(person=person, key=k) for k in keys])


def people_search(query: SearchQuery, queryset: QuerySet[Person], limit: int = 10) -> list[Candidate]:
    key = f"n:{query.given_name.lower()}|{query.family_name.lower()}"
    people = queryset.filter(search_keys__key=key)[:limit]
    return [Candidate(person=p, score=1.0, reasons=["exact name"]) for p in people]
