"""Person search: tolerant of how names and dates really arrive, fast, and never outside the scope given."""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import Any

import pytest
from django.db.models import QuerySet
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.conftest import World
from homeward.identity.models import Organisation, OrganisationKind
from homeward.people.models import Person, PersonAlias, PersonSearchKey
from homeward.people.nicknames import NICKNAMES, canonical_forms
from homeward.people.search import (
    Candidate,
    SearchQuery,
    people_search,
    person_index,
    search_keys_for,
)

TODAY = dt.date(2025, 6, 1)  # searches pin the day so ages do not drift with the calendar


def make_person(
    force: Organisation,
    given: str,
    family: str,
    dob: dt.date | None = None,
    *,
    aliases: tuple[tuple[str, str], ...] = (),
    estimated_age: int | None = None,
) -> Person:
    now = timezone.now()
    person = Person.objects.create(
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        estimated_age=estimated_age,
        estimated_age_on=TODAY if estimated_age is not None else None,
        owner=force,
        force=force,
        created_at=now,
        updated_at=now,
    )
    for alias_given, alias_family in aliases:
        PersonAlias.objects.create(
            person=person, given_name=alias_given, family_name=alias_family, recorded_at=now
        )
    person_index(person)
    return person


def search(scope: QuerySet[Person], given: str = "", family: str = "", **kwargs: int) -> list[Candidate]:
    return people_search(SearchQuery(given_name=given, family_name=family, as_of=TODAY, **kwargs), scope)


def rank_of(person: Person, results: list[Candidate]) -> int | None:
    return next((i for i, c in enumerate(results) if c.person.pk == person.pk), None)


# A small population of distractors with realistic, overlapping names.
POPULATION = [
    ("Ruby", "Hartley", dt.date(2010, 3, 14)),
    ("Ruby", "Hardy", dt.date(2009, 7, 2)),
    ("Rosie", "Hartley", dt.date(2011, 1, 20)),
    ("Robert", "Hartley", dt.date(1975, 9, 9)),
    ("Katherine", "Smith", dt.date(2008, 5, 30)),
    ("Kate", "Smythe", dt.date(1990, 2, 11)),
    ("Jack", "Smith", dt.date(2012, 12, 1)),
    ("Callum", "Macdonald", dt.date(2007, 10, 5)),
    ("Muhammad", "Hussain", dt.date(2009, 4, 18)),
    ("Aisha", "Begum", dt.date(2010, 8, 8)),
    ("Oliver", "Thompson", dt.date(2011, 6, 6)),
    ("Olivia", "Thomson", dt.date(2011, 6, 7)),
    ("Elizabeth", "Walker", dt.date(1988, 11, 23)),
    ("Bethany", "Walker", dt.date(2009, 1, 3)),
    ("William", "Roberts", dt.date(2006, 2, 28)),
    ("Zofia", "Kowalski", dt.date(2012, 9, 17)),
    ("Tyler", "Robinson", dt.date(2008, 3, 3)),
    ("Chloe", "Richardson", dt.date(2010, 10, 10)),
    ("Ethan", "Whitfield", dt.date(2009, 5, 5)),
    ("Grace", "Ashworth", dt.date(2007, 7, 7)),
]


@pytest.fixture
def people(world: World) -> dict[str, Person]:
    return {f"{g} {f}": make_person(world.force, g, f, dob) for g, f, dob in POPULATION}


@pytest.fixture
def scope(world: World) -> QuerySet[Person]:
    return Person.objects.filter(force=world.force)


# --- Misspellings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Hartly", "Heartley", "Hartlee", "Hatrley", "Hartey"])
def test_misspelt_surname_finds_the_person_first(
    people: dict[str, Person], scope: QuerySet[Person], typed: str
) -> None:
    results = search(scope, "Ruby", typed)
    assert results[0].person == people["Ruby Hartley"]
    assert any("Hartley" in r and typed in r for r in results[0].reasons), results[0].reasons


def test_sound_alike_reason_names_what_was_typed(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    results = search(scope, "Ruby", "Hartly")
    assert "Surname sounds like 'Hartley' (typed 'Hartly')" in results[0].reasons


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [
        ("Kate", "Smyth", "Kate Smythe"),
        ("Callum", "McDonald", "Callum Macdonald"),
        ("Callum", "Mcdonald", "Callum Macdonald"),
        ("Catherine", "Smith", "Katherine Smith"),
        ("Kathryn", "Smith", "Katherine Smith"),
        ("Mohammed", "Hussain", "Muhammad Hussain"),
        ("Mohamed", "Hussein", "Muhammad Hussain"),
        ("Ayesha", "Begum", "Aisha Begum"),
        ("Olivia", "Thompson", "Olivia Thomson"),
        ("Zofia", "Kowalsky", "Zofia Kowalski"),
    ],
)
def test_spelling_variants(
    people: dict[str, Person], scope: QuerySet[Person], given: str, family: str, expected: str
) -> None:
    results = search(scope, given, family)
    assert rank_of(people[expected], results) == 0, [(c.person.full_name, c.score) for c in results]


def test_typo_in_first_name(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    results = search(scope, "Elizabteh", "Walker")
    assert results[0].person == people["Elizabeth Walker"]


def test_typos_in_both_names_with_a_birth_year(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    # "Whitfield" → "Wihtfeld" and "Ethan" → "Etahn": neither name's sound survives, the anchors do.
    results = search(scope, "Etahn", "Wihtfeld", birth_year=2009)
    assert rank_of(people["Ethan Whitfield"], results) == 0


def test_accents_and_punctuation_are_ignored(world: World, scope: QuerySet[Person]) -> None:
    zoe = make_person(world.force, "Zoë", "O'Brien-Smith", dt.date(2010, 1, 1))
    assert search(scope, "Zoe", "Obrien Smith")[0].person == zoe
    assert rank_of(zoe, search(scope, "zoe", "o'brien")) == 0  # one half of a double-barrelled surname


# --- Swapped names, nicknames, aliases ------------------------------------------------------------------


def test_swapped_first_and_last_names(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    results = search(scope, "Hartley", "Ruby")
    assert results[0].person == people["Ruby Hartley"]
    assert "First and last names swapped" in results[0].reasons


def test_swapped_and_misspelt(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    results = search(scope, "Hartly", "Ruby", birth_year=2010)
    assert results[0].person == people["Ruby Hartley"]


@pytest.mark.parametrize(
    ("typed", "expected", "reason"),
    [
        ("Katie", "Katherine Smith", "Nickname 'Katie' of Katherine"),
        ("Kat", "Katherine Smith", "Nickname 'Kat' of Katherine"),
        ("Bob", "Robert Hartley", "Nickname 'Bob' of Robert"),
        ("Robbie", "Robert Hartley", "Nickname 'Robbie' of Robert"),
        ("Liz", "Elizabeth Walker", "Nickname 'Liz' of Elizabeth"),
        ("Mo", "Muhammad Hussain", "Nickname 'Mo' of Muhammad"),
    ],
)
def test_nickname_finds_the_full_name(
    people: dict[str, Person], scope: QuerySet[Person], typed: str, expected: str, reason: str
) -> None:
    family = expected.split()[1]
    results = search(scope, typed, family)
    assert results[0].person == people[expected]
    assert reason in results[0].reasons


def test_recorded_nickname_found_by_full_name(world: World, scope: QuerySet[Person]) -> None:
    jack = make_person(world.force, "Jack", "Turner", dt.date(2011, 4, 4))
    results = search(scope, "John", "Turner")
    assert results[0].person == jack
    assert "Recorded as 'Jack', a nickname of John" in results[0].reasons


def test_alias_is_searched(world: World, people: dict[str, Person], scope: QuerySet[Person]) -> None:
    ruby = people["Ruby Hartley"]
    PersonAlias.objects.create(
        person=ruby, given_name="Rubes", family_name="Hart", recorded_at=timezone.now()
    )
    person_index(ruby)
    results = search(scope, "Rubes", "Hart")
    assert results[0].person == ruby
    assert "Alias 'Rubes Hart'" in results[0].reasons


def test_alias_with_only_a_surname_keeps_the_first_name(world: World, scope: QuerySet[Person]) -> None:
    # A step-parent's surname: the alias record has no first name of its own.
    chloe = make_person(world.force, "Chloe", "Richardson", dt.date(2010, 10, 10), aliases=(("", "Okafor"),))
    results = search(scope, "Chloe", "Okafor")
    assert results[0].person == chloe
    assert "Alias 'Okafor'" in results[0].reasons


def test_person_index_refreshes_keys_after_an_alias_is_added(world: World, scope: QuerySet[Person]) -> None:
    ruby = make_person(world.force, "Ruby", "Hartley", dt.date(2010, 3, 14))
    assert rank_of(ruby, search(scope, "Ruby", "Okonkwo")) is None  # nothing links her to that name yet

    PersonAlias.objects.create(person=ruby, given_name="", family_name="Okonkwo", recorded_at=timezone.now())
    person_index(ruby)

    assert rank_of(ruby, search(scope, "Ruby", "Okonkwo")) == 0
    keys = set(PersonSearchKey.objects.filter(person=ruby).values_list("key", flat=True))
    assert keys == search_keys_for("Ruby", "Hartley", dt.date(2010, 3, 14), [("", "Okonkwo")])


def test_person_index_drops_keys_of_a_removed_alias(world: World, scope: QuerySet[Person]) -> None:
    ruby = make_person(world.force, "Ruby", "Hartley", dt.date(2010, 3, 14), aliases=(("", "Okonkwo"),))
    assert rank_of(ruby, search(scope, "Ruby", "Okonkwo")) == 0
    PersonAlias.objects.filter(person=ruby).delete()
    person_index(ruby)
    assert rank_of(ruby, search(scope, "Ruby", "Okonkwo")) is None


# --- Dates of birth and ages ------------------------------------------------------------------------


@pytest.fixture
def two_jacks(world: World) -> tuple[Person, Person]:
    return (
        make_person(world.force, "Jack", "Turner", dt.date(2010, 5, 20)),
        make_person(world.force, "Jack", "Turner", dt.date(1985, 2, 1)),
    )


def test_year_only_prefers_the_matching_year(
    two_jacks: tuple[Person, Person], scope: QuerySet[Person]
) -> None:
    young, old = two_jacks
    assert [c.person for c in search(scope, "Jack", "Turner", birth_year=2010)] == [young, old]
    assert [c.person for c in search(scope, "Jack", "Turner", birth_year=1985)] == [old, young]
    assert "Born 2010 (year matches)" in search(scope, "Jack", "Turner", birth_year=2010)[0].reasons


def test_year_and_month(world: World, scope: QuerySet[Person]) -> None:
    may = make_person(world.force, "Amy", "Clarke", dt.date(2010, 5, 20))
    june = make_person(world.force, "Amy", "Clarke", dt.date(2010, 6, 20))
    results = search(scope, "Amy", "Clarke", birth_year=2010, birth_month=6)
    assert [c.person for c in results] == [june, may]
    assert "Born June 2010 (year and month match)" in results[0].reasons


def test_full_date_of_birth(two_jacks: tuple[Person, Person], scope: QuerySet[Person]) -> None:
    young, _ = two_jacks
    results = search(scope, "Jack", "Turner", birth_year=2010, birth_month=5, birth_day=20)
    assert results[0].person == young
    assert results[0].score == 1.0
    assert "Date of birth matches (20 May 2010)" in results[0].reasons


def test_day_and_month_swapped(world: World, scope: QuerySet[Person]) -> None:
    leo = make_person(world.force, "Leo", "Fisher", dt.date(2011, 3, 7))
    results = search(scope, "Leo", "Fisher", birth_year=2011, birth_month=7, birth_day=3)
    assert results[0].person == leo
    assert any("day and month swapped" in r for r in results[0].reasons)


def test_age_instead_of_date_of_birth(two_jacks: tuple[Person, Person], scope: QuerySet[Person]) -> None:
    young, old = two_jacks
    # On 1 June 2025 the young Jack is 15 and the old one 40.
    assert [c.person for c in search(scope, "Jack", "Turner", age=15)] == [young, old]
    assert [c.person for c in search(scope, "Jack", "Turner", age=40)][0] == old
    assert search(scope, "Jack", "Turner", age=16)[0].person == young  # an approximate age still fits


def test_estimated_age_on_record(world: World, scope: QuerySet[Person]) -> None:
    unknown_dob = make_person(world.force, "Tia", "Morgan", estimated_age=14)
    assert search(scope, "Tia", "Morgan", age=15)[0].person == unknown_dob
    assert search(scope, "Tia", "Morgan", birth_year=2011)[0].person == unknown_dob


def test_date_of_birth_mismatch_ranks_lower(world: World, scope: QuerySet[Person]) -> None:
    # The exact name with the wrong date ranks below a misspelt name with the right date.
    wrong_date = make_person(world.force, "Ruby", "Hartley", dt.date(1990, 1, 1))
    right_date = make_person(world.force, "Ruby", "Hartly", dt.date(2010, 3, 14))
    results = search(scope, "Ruby", "Hartley", birth_year=2010, birth_month=3, birth_day=14)
    assert [c.person for c in results] == [right_date, wrong_date]
    assert results[1].score < results[0].score
    assert "Date of birth differs (recorded 1 January 1990)" in results[1].reasons


def test_only_a_surname(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    results = search(scope, family="Hartley")
    found = {c.person for c in results}
    assert {people["Ruby Hartley"], people["Rosie Hartley"], people["Robert Hartley"]} <= found
    assert search(scope, family="Hartley", birth_year=2011)[0].person == people["Rosie Hartley"]


def test_only_a_first_name_and_date_of_birth(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    results = search(scope, "Grace", birth_year=2007, birth_month=7, birth_day=7)
    assert results[0].person == people["Grace Ashworth"]
    misspelt = search(scope, "Grcae", birth_year=2007, birth_month=7, birth_day=7)
    assert misspelt[0].person == people["Grace Ashworth"]


# --- Scope, reasons, shape of results ---------------------------------------------------------------------


def test_people_outside_the_queryset_are_never_returned(world: World, scope: QuerySet[Person]) -> None:
    other_force = Organisation.objects.create(name="Force Z Police", kind=OrganisationKind.POLICE_FORCE)
    hidden = make_person(other_force, "Ruby", "Hartley", dt.date(2010, 3, 14))
    visible = make_person(world.force, "Ruby", "Hartly", dt.date(2010, 3, 14))
    results = search(scope, "Ruby", "Hartley", birth_year=2010, birth_month=3, birth_day=14)
    assert [c.person for c in results] == [visible]
    # The scope is whatever queryset the caller passes, however it is built.
    narrow = Person.objects.filter(pk=hidden.pk)
    assert [c.person for c in search(narrow, "Ruby", "Hartley")] == [hidden]
    assert search(Person.objects.none(), "Ruby", "Hartley") == []


def test_scope_is_honoured_when_the_best_evidence_is_all_out_of_scope(
    world: World, scope: QuerySet[Person]
) -> None:
    # Hundreds of equally good matches that this user may not see, all older (so ranked ahead on ties).
    other_force = Organisation.objects.create(name="Force Z Police", kind=OrganisationKind.POLICE_FORCE)
    now = timezone.now()
    dob = dt.date(2005, 4, 4)
    hidden = Person.objects.bulk_create(
        [
            Person(given_name="Jack", family_name="Smith", date_of_birth=dob, owner=other_force,
                   force=other_force, created_at=now, updated_at=now)
            for _ in range(450)
        ]
    )  # fmt: skip
    PersonSearchKey.objects.bulk_create(
        [PersonSearchKey(person=p, key=k) for p in hidden for k in search_keys_for("Jack", "Smith", dob, [])]
    )
    visible = make_person(world.force, "Jack", "Smith", dob)
    results = search(scope, "Jack", "Smith", birth_year=2005, birth_month=4, birth_day=4)
    assert [c.person for c in results] == [visible]


def test_lone_name_in_the_other_box(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    results = search(scope, given="Hartley")
    assert {c.person for c in results} >= {people["Ruby Hartley"], people["Rosie Hartley"]}
    assert "Typed as a first name" in results[0].reasons


def test_every_result_has_reasons_and_a_score_in_range(
    people: dict[str, Person], scope: QuerySet[Person]
) -> None:
    for query in (
        SearchQuery("Ruby", "Hartly", 2010, as_of=TODAY),
        SearchQuery("Hartley", "", as_of=TODAY),
        SearchQuery("Katie", "Smith", age=17, as_of=TODAY),
        SearchQuery("Smith", "Jack", 2012, 12, 1, as_of=TODAY),
    ):
        results = people_search(query, scope)
        assert results
        for candidate in results:
            assert candidate.reasons
            assert 0.0 <= candidate.score <= 1.0
        assert [c.score for c in results] == sorted((c.score for c in results), reverse=True)


def test_limit_and_empty_queries(people: dict[str, Person], scope: QuerySet[Person]) -> None:
    assert len(people_search(SearchQuery(family_name="Hartley", as_of=TODAY), scope, limit=2)) == 2
    assert people_search(SearchQuery(as_of=TODAY), scope) == []
    assert people_search(SearchQuery(" ", "  ", as_of=TODAY), scope) == []
    assert search(scope, "Xzqvw", "Qqqqq") == []


def test_query_count_does_not_grow_with_candidates(
    world: World, scope: QuerySet[Person], django_assert_max_num_queries: Any
) -> None:
    for i in range(40):
        make_person(world.force, "Jack", "Smith", dt.date(2000 + i % 12, 1 + i % 12, 1 + i % 28))
    with django_assert_max_num_queries(5):
        results = search(scope, "Jack", "Smith", birth_year=2005)
    assert len(results) == 10


# --- Keys --------------------------------------------------------------------------------------------------


def test_search_keys_are_pure_short_and_cover_aliases() -> None:
    dob = dt.date(2010, 3, 14)
    keys = search_keys_for("Ruby Mae", "Hartley-Wolstenholme", dob, [("Rubes", ""), ("", "Hart")])
    assert keys == search_keys_for("Ruby Mae", "Hartley-Wolstenholme", dob, [("Rubes", ""), ("", "Hart")])
    assert all(len(k) <= 64 for k in keys)
    assert "d:20100314" in keys
    assert any(k.startswith("n:") and k.endswith("|HRT") for k in keys)  # the alias surname
    assert not search_keys_for("", "", None, [])


def test_nickname_table() -> None:
    assert "robert" in NICKNAMES["bob"]
    assert "katherine" in NICKNAMES["katie"]
    assert "elizabeth" in NICKNAMES["liz"]
    assert "john" in NICKNAMES["jack"]
    for spelling in ("mohammed", "mohammad", "mohamed", "muhammed"):
        assert "muhammad" in NICKNAMES[spelling]
    assert canonical_forms("alex")[0] == "alex"  # itself first, then what it may stand for
    assert {"alexander", "alexandra"} <= set(canonical_forms("alex"))
    assert all(name == name.lower() and name.isalpha() for name in NICKNAMES)


# --- Property: one typo in a surname still finds the person ----------------------------------------------

_GIVEN = [
    "Ruby",
    "Jack",
    "Amelia",
    "Oliver",
    "Aisha",
    "Noah",
    "Isla",
    "Leo",
    "Freya",
    "Harry",
    "Zainab",
    "Kacper",
]
_FAMILY = [
    "Hartley", "Smith", "Jones", "Taylor", "Thompson", "Macdonald", "Hussain", "Robinson", "Whitfield",
    "Kowalski", "Ashworth", "Begum", "Walker", "Wright", "Okafor", "Patel", "Brown", "Evans", "Clarke",
    "Greenwood", "Mitchell", "Stevens", "Harrison", "Fletcher", "Chowdhury",
]  # fmt: skip
_TARGETS = [(g, f) for g, f in zip(_GIVEN * 3, _FAMILY, strict=False) if len(f) >= 5]


@pytest.fixture
def typo_population(world: World) -> dict[tuple[str, str], Person]:
    rng = random.Random(5)
    people = {}
    for given_name, family_name in _TARGETS:
        dob = dt.date(rng.randint(1960, 2014), rng.randint(1, 12), rng.randint(1, 28))
        people[(given_name, family_name)] = make_person(world.force, given_name, family_name, dob)
    # Distractors: the same first names with other surnames, and the same surnames with other first names.
    for given_name in _GIVEN:
        make_person(world.force, given_name, rng.choice(_FAMILY), dt.date(rng.randint(1960, 2014), 6, 1))
    for family_name in _FAMILY:
        make_person(world.force, rng.choice(_GIVEN), family_name, dt.date(rng.randint(1960, 2014), 6, 1))
    return people


@st.composite
def one_typo(draw: st.DrawFn, word: str) -> str:
    letters = st.sampled_from(string.ascii_lowercase)
    i = draw(st.integers(0, len(word) - 1))
    kind = draw(st.sampled_from(["substitute", "insert", "delete", "transpose"]))
    if kind == "substitute":
        typo = word[:i] + draw(letters) + word[i + 1 :]
    elif kind == "insert":
        typo = word[:i] + draw(letters) + word[i:]
    elif kind == "delete":
        typo = word[:i] + word[i + 1 :]
    else:
        i = min(i, len(word) - 2)
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return typo


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_one_typo_in_a_surname_still_finds_the_person(
    typo_population: dict[tuple[str, str], Person], scope: QuerySet[Person], data: st.DataObject
) -> None:
    given_name, family_name = data.draw(st.sampled_from(_TARGETS))
    typed = data.draw(one_typo(family_name))
    person = typo_population[(given_name, family_name)]
    results = search(scope, given_name, typed)
    rank = rank_of(person, results)
    assert rank is not None and rank < 5, (typed, [(c.person.full_name, c.score) for c in results])
