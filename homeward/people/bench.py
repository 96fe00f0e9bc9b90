"""Benchmark for person search: speed and recall on a large synthetic population.

bench_people_search() fills the current database with synthetic people (bulk inserts, keys built by the
pure search_keys_for), then searches for randomly chosen people the way call handlers actually type
them: misspelt, phonetically respelt, surname first, by nickname or alias, with a full or partial date
of birth, an approximate age, or nothing. It reports latency percentiles and how often the true record
came first or in the top five.

Everything runs inside one transaction that is rolled back at the end (unless keep=True), so the bench
leaves the database as it found it and never deletes anything it did not create. Run it on a scratch
database: the write lock is held for the whole run.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import random
import statistics
import string
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from homeward.identity.models import Organisation, OrganisationKind
from homeward.people.models import Person, PersonAlias, PersonSearchKey
from homeward.people.nicknames import NICKNAMES
from homeward.people.search import SearchQuery, people_search, search_keys_for

# Common surnames in England and Wales, most frequent first (frequencies follow a Zipf curve below),
# with the South Asian, Polish, African and Irish surnames common in UK records.
_SURNAMES = """
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright
Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill
Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker
Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy
Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman
Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight
Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher
Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks
West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton Obrien Watts Rose Booth Perry Ryan
Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page
Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver
Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton
Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates
Hodgson Robson Curtis Hopkins OConnor Harper Coleman Watkins Moss McCarthy Chambers Griffin Sharp
Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard
Gilbert Willis Higgins Read Miles Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt Barber
Nelson Slater Austin Sullivan Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin Barton
Woodward Thomson Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood Jennings Holt Kemp Poole
Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks French Stanley Jarvis
Gibbs Ferguson Hayward Carroll Iqbal Mahmood Rahman Islam Uddin Miah Sharma Kumar Chowdhury
Hossain Nowak Kowalski Wisniewski Lewandowski Okafor Mensah Adeyemi Okoye Hartley Macdonald Mackenzie
Farrell Duffy Doherty Brennan Kaye Fitzgerald Rahim Siddiqui Qureshi Malik Bhatti Choudhry Nguyen Chen
""".split()

# Made-up but plausible English surnames for the long tail: most people do not have a top-300 surname.
_TAIL_HEADS = """Ash Black Brad Brook Church Clay Cole Crane Dun East Fair Fox Green Hal Hart Hay Hol Kings
Lang Lock Mar Mill Nor Oak Pen Red Ridge Rother Shel South Stan Thorn Wal Wes White Win Wood Ather Bar
Bel Burn Cal Chat Dar Ed Elm Far Gar Hamp Hen Hux Ing Kel Kir Lin Mel Mor New Pel Rad Rams Sand Sel
Sher Stock Tam Tor War Wed Whit Wil Yar Ack Bram Cart Dray Fen""".split()
_TAIL_ENDS = """ley ton field worth wood ford by ham well more combe hurst stone bridge dale land bury den
cott ridge wick thorpe shaw brook ington low son er man sby""".split()

_GIVEN_FEMALE = """
Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella Poppy
Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice Harper Matilda Ruby Emilia Maya
Millie Isabelle Eva Chloe Jessica Holly Lucy Megan Katie Katherine Catherine Kathryn Hannah Amy Laura
Rebecca Sarah Emma Lauren Bethany Danielle Jade Chelsea Leah Courtney Shannon Paige Zoe Abigail
Elizabeth Margaret Susan Patricia Mary Jennifer Linda Helen Karen Julie Nicola Michelle Samantha
Victoria Natalie Stephanie Joanne Louise Claire Kirsty Gemma Stacey Aisha Ayesha Fatima Maryam Zainab
Amina Noor Yasmin Sana Priya Anjali Harpreet Gurpreet Simran Aleksandra Zuzanna Julia Esther Blessing
""".split()
_GIVEN_MALE = """
Oliver George Noah Arthur Leo Muhammad Oscar Harry Archie Jack Henry Charlie Freddie Theodore Thomas
Finley Theo Alfie Jacob William Isaac Tommy Lucas Joshua James Alexander Max Edward Samuel Daniel Joseph
Benjamin Dylan Mohammed Mohammad Ryan Callum Connor Liam Kyle Jordan Lewis Nathan Luke Adam Michael
David John Robert Richard Christopher Matthew Andrew Paul Mark Stephen Steven Peter Anthony Kevin Gary
Ian Simon Darren Craig Lee Wayne Sean Shaun Jamie Scott Aaron Bradley Reece Kieran Tyler Ethan Mason
Harrison Logan Ahmed Ali Omar Yusuf Ibrahim Hassan Hussain Zain Ayaan Arjun Rahul Amir Bilal Imran
Jakub Kacper Szymon Filip Kwame Chidi Tobi
""".split()

_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_QWERTY_ROWS):
    for _c, _ch in enumerate(_row):
        near = {_row[i] for i in (_c - 1, _c + 1) if 0 <= i < len(_row)}
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_QWERTY_ROWS):
                near.update(
                    _QWERTY_ROWS[_other][i]
                    for i in (_c - 1, _c, _c + 1)
                    if 0 <= i < len(_QWERTY_ROWS[_other])
                )
        _NEIGHBOURS[_ch] = "".join(sorted(near - {_ch}))

# Respellings people make by ear rather than by slip of the finger.
_PHONETIC_RESPELLINGS = (
    ("ey", "y"), ("ie", "y"), ("y", "ie"), ("ph", "f"), ("mac", "mc"), ("mc", "mac"), ("ck", "k"),
    ("c", "k"), ("k", "c"), ("ll", "l"), ("tt", "t"), ("nn", "n"), ("ss", "s"), ("ou", "ow"), ("ai", "ay"),
    ("ee", "ea"), ("th", "t"), ("s", "z"), ("i", "y"), ("ah", "a"), ("er", "ar"), ("ar", "er"),
    ("ine", "yn"), ("son", "sen"), ("mm", "m"), ("m", "mm"), ("l", "ll"), ("t", "tt"),
)  # fmt: skip

# What kind of mistake each query makes, and how often.
_QUERY_KINDS = (
    ("surname_typo", 20),
    ("given_typo", 12),
    ("both_typo", 8),
    ("phonetic", 15),
    ("swapped", 10),
    ("nickname", 15),
    ("alias", 5),
    ("surname_only", 5),
    ("given_and_dob", 5),
    ("exact", 5),
)
# The kinds that are misspellings proper, for the headline misspelt-name recall.
_MISSPELT_KINDS = ("surname_typo", "given_typo", "both_typo", "phonetic")
_DATE_KINDS = (("full", 35), ("year", 25), ("year_month", 15), ("age", 20), ("none", 5))


@dataclass
class _Synthetic:
    pk: int
    given: str
    family: str
    dob: dt.date | None
    est_age: int | None
    aliases: list[tuple[str, str]]


def _zipf_cumulative(n: int, s: float) -> list[float]:
    # Cumulative weights, so each random choice is a bisection rather than a pass over the list.
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


def _nickname_of(given: str, rng: random.Random) -> str | None:
    """A nickname or other form of the name as someone might say it (Katherine → Katie, Jack → John)."""
    lower = given.lower()
    forms = [nick for nick, canon in NICKNAMES.items() if lower in canon]
    forms += list(NICKNAMES.get(lower, ()))
    forms = [f for f in forms if f != lower]
    return rng.choice(forms).title() if forms else None


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a neighbouring key, a dropped, doubled or extra letter, or two swapped."""
    if len(word) < 3:
        return word
    chars = list(word)
    i = rng.randrange(len(chars))
    kind = rng.choice(("neighbour", "neighbour", "delete", "insert", "transpose", "double"))
    lower = chars[i].lower()
    if kind == "neighbour" and lower in _NEIGHBOURS:
        replacement = rng.choice(_NEIGHBOURS[lower])
        chars[i] = replacement.upper() if chars[i].isupper() else replacement
    elif kind == "delete":
        del chars[i]
    elif kind == "insert":
        chars.insert(i, rng.choice(string.ascii_lowercase))
    elif kind == "transpose" and i < len(chars) - 1:
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        chars.insert(i, chars[i].lower())
    result = "".join(chars)
    return result if result.lower() != word.lower() else _typo(word, rng)


def _respell(word: str, rng: random.Random) -> str:
    lower = word.lower()
    options = [(a, b) for a, b in _PHONETIC_RESPELLINGS if a in lower]
    if not options:
        return _typo(word, rng)
    a, b = rng.choice(options)
    return lower.replace(a, b, 1).title()


def _make_population(
    n: int, rng: random.Random, today: dt.date
) -> list[tuple[str, str, dt.date | None, int | None]]:
    tail = [h + e for h in _TAIL_HEADS for e in _TAIL_ENDS]
    # Surname frequencies in England and Wales fall off roughly as rank^-0.55 over the top few hundred
    # (Smith about 1.3%, rank 100 about 0.1%), and those few hundred cover about a third of people.
    common_weights = _zipf_cumulative(len(_SURNAMES), 0.55)
    # First names are flatter: across all ages even the commonest is only a percent or two.
    female_weights = _zipf_cumulative(len(_GIVEN_FEMALE), 0.3)
    male_weights = _zipf_cumulative(len(_GIVEN_MALE), 0.3)
    people = []
    for _ in range(n):
        family = (
            rng.choices(_SURNAMES, cum_weights=common_weights)[0] if rng.random() < 0.35 else rng.choice(tail)
        )
        if rng.random() < 0.5:
            given = rng.choices(_GIVEN_FEMALE, cum_weights=female_weights)[0]
        else:
            given = rng.choices(_GIVEN_MALE, cum_weights=male_weights)[0]
        # Most people reported missing are teenagers; the rest spread across adult ages.
        if rng.random() < 0.5:
            year = today.year - rng.randint(11, 18)
        else:
            year = today.year - rng.randint(19, 85)
        dob: dt.date | None = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        est_age = None
        if rng.random() < 0.06:  # date of birth unknown: an officer's estimate instead
            est_age = max(1, today.year - year + rng.randint(-2, 2))
            dob = None
        people.append((given, family, dob, est_age))
    return people


def _aliases_for(given: str, family: str, rng: random.Random) -> list[tuple[str, str]]:
    roll = rng.random()
    if roll < 0.05:
        nick = _nickname_of(given, rng)
        return [(nick, "")] if nick else []
    if roll < 0.09:
        return [("", rng.choice(_SURNAMES))]  # a parent's or step-parent's surname
    if roll < 0.10:
        return [(rng.choice(_GIVEN_FEMALE + _GIVEN_MALE), rng.choice(_SURNAMES))]  # a street name
    return []


def _fill(n_people: int, rng: random.Random, force: Organisation) -> list[_Synthetic]:
    now = timezone.now()
    today = timezone.localdate(now)
    population = _make_population(n_people, rng, today)
    synthetic: list[_Synthetic] = []
    chunk = 5000
    for start in range(0, len(population), chunk):
        part = population[start : start + chunk]
        people = Person.objects.bulk_create(
            [
                Person(
                    given_name=given,
                    family_name=family,
                    date_of_birth=dob,
                    estimated_age=est_age,
                    estimated_age_on=today if est_age is not None else None,
                    owner=force,
                    force=force,
                    created_at=now,
                    updated_at=now,
                )
                for given, family, dob, est_age in part
            ]
        )
        aliases: list[PersonAlias] = []
        keys: list[PersonSearchKey] = []
        for person, (given, family, dob, est_age) in zip(people, part, strict=True):
            person_aliases = _aliases_for(given, family, rng)
            aliases += [
                PersonAlias(
                    person_id=person.pk, given_name=g, family_name=f, supplied_by="bench", recorded_at=now
                )
                for g, f in person_aliases
            ]
            approx = today.year - est_age if est_age is not None else None
            keys += [
                PersonSearchKey(person_id=person.pk, key=k)
                for k in search_keys_for(given, family, dob, person_aliases, approx_birth_year=approx)
            ]
            synthetic.append(_Synthetic(person.pk, given, family, dob, est_age, person_aliases))
        PersonAlias.objects.bulk_create(aliases)
        PersonSearchKey.objects.bulk_create(keys)
    return synthetic


def _query_for(
    person: _Synthetic, kind: str, date_kind: str, rng: random.Random, today: dt.date
) -> SearchQuery:
    given, family = person.given, person.family
    if kind == "surname_typo":
        family = _typo(family, rng)
    elif kind == "given_typo":
        given = _typo(given, rng)
    elif kind == "both_typo":
        given, family = _typo(given, rng), _typo(family, rng)
    elif kind == "phonetic":
        if rng.random() < 0.7:
            family = _respell(family, rng)
        else:
            given = _respell(given, rng)
    elif kind == "swapped":
        if rng.random() < 0.5:
            family = _typo(family, rng)
        given, family = family, given
    elif kind == "nickname":
        given = _nickname_of(given, rng) or _typo(given, rng)
    elif kind == "alias":
        if person.aliases:
            alias_given, alias_family = person.aliases[0]
            given, family = alias_given or given, alias_family or family
        else:
            family = _typo(family, rng)
    elif kind == "surname_only":
        given = ""
        if rng.random() < 0.5:
            family = _respell(family, rng)
        date_kind = "full" if date_kind in ("none", "age") else date_kind
    elif kind == "given_and_dob":
        family = ""
        if rng.random() < 0.5:
            given = _typo(given, rng)
        date_kind = "full"

    dob = person.dob
    if dob is None:
        # Only an estimate on record: the searcher can only offer an age, or nothing.
        if date_kind == "none" or person.est_age is None:
            return SearchQuery(given_name=given, family_name=family, as_of=today)
        return SearchQuery(
            given_name=given, family_name=family, age=person.est_age + rng.choice((-1, 0, 0, 1)), as_of=today
        )
    if date_kind == "full":
        return SearchQuery(given, family, dob.year, dob.month, dob.day, as_of=today)
    if date_kind == "year":
        return SearchQuery(given, family, birth_year=dob.year, as_of=today)
    if date_kind == "year_month":
        return SearchQuery(given, family, birth_year=dob.year, birth_month=dob.month, as_of=today)
    if date_kind == "age":
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        # Ages are often guessed: a third are a year out.
        return SearchQuery(given, family, age=age + rng.choice((-1, 0, 0, 0, 0, 1)), as_of=today)
    return SearchQuery(given, family, as_of=today)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def bench_people_search(
    n_people: int = 100_000, n_queries: int = 500, seed: int = 1, *, keep: bool = False
) -> dict[str, Any]:
    """Fill the database with n_people synthetic people, run n_queries tolerant searches, report.

    Returns p50_ms and p95_ms (latency of people_search, including loading the Person objects),
    top5_recall and top1_recall (how often the person searched for was in the top five / first),
    n_people and n_queries, plus build_s and recall broken down by query kind. The data is rolled
    back afterwards unless keep=True.
    """
    if n_people < 1 or n_queries < 1:
        raise ValueError("The bench needs at least one person and one query")
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        started = time.perf_counter()
        force = Organisation.objects.create(
            name=f"Search bench force {uuid.uuid4().hex[:8]}", kind=OrganisationKind.POLICE_FORCE
        )
        force.force = force
        force.save(update_fields=["force"])
        synthetic = _fill(n_people, rng, force)
        build_s = time.perf_counter() - started
        scope = Person.objects.filter(force=force)

        kinds, kind_weights = [k for k, _ in _QUERY_KINDS], [w for _, w in _QUERY_KINDS]
        date_kinds, date_weights = [k for k, _ in _DATE_KINDS], [w for _, w in _DATE_KINDS]
        # Warm the connection and the per-process caches as a running server would have them.
        for person in rng.sample(synthetic, min(20, len(synthetic))):
            people_search(SearchQuery(person.given, person.family, as_of=today), scope, limit=5)
        trials = []
        for _ in range(n_queries):
            person = rng.choice(synthetic)
            kind = rng.choices(kinds, kind_weights)[0]
            date_kind = rng.choices(date_kinds, date_weights)[0]
            trials.append((person.pk, kind, date_kind, _query_for(person, kind, date_kind, rng, today)))
        # The bench's own synthetic records are no part of a server's heap: drop them, and the garbage
        # from building them, so that collections during the timed searches walk a normal-sized heap.
        del synthetic
        gc.collect()
        wall: list[float] = []
        cpu: list[float] = []
        top1 = top5 = 0
        by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        by_date: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for pk, kind, date_kind, query in trials:
            w0, c0 = time.perf_counter(), time.process_time()
            results = people_search(query, scope, limit=10)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            ranked = [c.person.pk for c in results]
            hit5 = pk in ranked[:5]
            top5 += hit5
            top1 += bool(ranked) and ranked[0] == pk
            for tally, label in ((by_kind, kind), (by_date, date_kind)):
                tally[label][0] += hit5
                tally[label][1] += 1
        if not keep:
            transaction.set_rollback(True)

    misspelt = [by_kind[k] for k in _MISSPELT_KINDS if k in by_kind]
    misspelt_hits, misspelt_total = sum(h for h, _ in misspelt), sum(t for _, t in misspelt)
    return {
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(_percentile(wall, 95), 2),
        "top5_recall": round(top5 / n_queries, 4),
        "top1_recall": round(top1 / n_queries, 4),
        "n_people": n_people,
        "n_queries": n_queries,
        # CPU time of the searching process: the same figures without time spent waiting for a CPU,
        # which is what wall time mostly measures on a busy machine.
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(_percentile(cpu, 95), 2),
        "top5_recall_misspelt": round(misspelt_hits / misspelt_total, 4) if misspelt_total else None,
        "top5_recall_by_kind": {k: round(h / t, 3) for k, (h, t) in sorted(by_kind.items())},
        "top5_recall_by_date": {k: round(h / t, 3) for k, (h, t) in sorted(by_date.items())},
        "build_s": round(build_s, 1),
    }
