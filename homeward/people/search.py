"""Find before create: a fast person search that tolerates how names and dates really arrive.

A call handler types what the caller says: "Katie Hartly, about fifteen", or the surname first, or a
nickname, or only a surname. Two stages keep that fast on a large table:

1. Blocking. Each person has PersonSearchKey rows (built by search_keys_for): metaphone codes of their
   name tokens (and of the canonical forms of nicknames), paired with each other, with birth years and
   with the other name's written first and last letters ("n:K0RN|HRTL", "gy:K0RN|2010", "ga:K0RN|h",
   "a:k|h|2010", "d:20100312"...). Pairs keep buckets small: "Smith" alone is thousands of people,
   "Smith born 2009" a handful. A query builds the same kinds of key, for both name orders, and looks
   them up by exact match on the key index. The kinds overlap so that one typo rarely breaks them all:
   a slip that changes a surname's sound still leaves the first name's code paired with the surname's
   first letter, or with its last two letters if the slip was at the start.
2. Scoring. The candidates (capped, strongest key evidence first) are read as plain values, with their
   aliases in one more query, and scored by edit distance, Jaro-Winkler similarity, phonetic equality
   and the nickname table, in both name orders and against every alias, then combined with agreement
   on the date of birth or age. Only the top few are loaded as Person objects.

Contract (other code calls these):
- search_keys_for(given_name, family_name, date_of_birth, aliases) -> set[str]
- person_index(person) -> None   (rewrites that person's PersonSearchKey rows)
- people_search(query, queryset, limit=10) -> list[Candidate]
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import jellyfish
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rapidfuzz.distance import OSA, JaroWinkler

from homeward.people.models import Person, PersonAlias, PersonSearchKey
from homeward.people.nicknames import canonical_forms


@dataclass(frozen=True)
class SearchQuery:
    given_name: str = ""
    family_name: str = ""
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    age: int | None = None
    # The day ages are worked out on; today when not given (tests pin it so results do not drift).
    as_of: dt.date | None = None


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


# --- Tuning ------------------------------------------------------------------------------------------

# How strongly a matched blocking key suggests the person is the one sought. Candidates are ranked by
# the sum of their matched keys' weights before the cap, so a name-pair match is never crowded out by
# people who merely share a birth year.
KEY_WEIGHTS = {"n": 10, "d": 6, "fy": 4, "gy": 4, "a": 3, "ga": 2, "fa": 2, "f": 1, "g": 1}
# Candidates are read and scored in batches of this many, best key evidence first. Enough that a
# genuine match on weak keys survives (in the 100,000-person bench the true record is always among the
# first hundred); small enough that scoring stays within a few milliseconds.
CANDIDATE_CAP = 400
# When most of a batch is outside the caller's scope, up to this many batches are tried in all.
SCOPE_ROUNDS = 3
# Rows read from the key index in one search. Bounds the worst case (a very common surname alone).
KEY_ROW_CAP = 30_000
# Results scoring below this are noise, not possible matches.
MIN_SCORE = 0.45
# Metaphone codes are cut to this length: long names rarely collide anyway, and a typo late in a long
# name then leaves the code unchanged.
CODE_LENGTH = 6
# Per-name caches (tokens, codes) for recorded names, which recur across searches. Bounded, because
# every cached entry is another object for the garbage collector to walk.
_NAME_CACHE_SIZE = 20_000

_GIVEN_WEIGHT, _FAMILY_WEIGHT = 0.45, 0.55  # surnames carry more identifying information
_NAME_WEIGHT, _DATE_WEIGHT = 0.75, 0.25
_DATE_CONFLICT_FACTOR = 0.8  # same name but a clearly different birth date is usually a different person
_SWAPPED_FACTOR = 0.97  # prefer the order as typed when both orders fit equally well
_ALIAS_FACTOR = 0.98  # prefer the recorded name over an alias that fits equally well
_LATER_TOKEN_FACTOR = 0.92  # a middle name or one half of a double-barrelled surname
_NO_DATE_ON_RECORD = 0.5  # the query gave a date but the record has none: neither for nor against
_ESTIMATE_FACTOR = 0.6  # the record has only an estimated age

_MONTHS = ("January February March April May June July August September October November December").split()


# --- Normalising names ---------------------------------------------------------------------------------

# Letters NFKD does not decompose into ASCII.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "þ": "th", "ı": "i"})
_NON_LETTERS = re.compile(r"[^a-z]+")
_APOSTROPHES = re.compile(r"['’`´]")


@lru_cache(maxsize=_NAME_CACHE_SIZE)
def _tokens(name: str) -> tuple[str, ...]:
    """Lower-case ASCII word tokens: 'Zoë O'Brien-Smith' → ('zoe', 'obrien', 'smith')."""
    folded = unicodedata.normalize("NFKD", name.lower().translate(_FOLD))
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # Apostrophes join (O'Brien is one name), other punctuation and spaces separate.
    return tuple(t for t in _NON_LETTERS.split(_APOSTROPHES.sub("", ascii_only)) if t)


def _surname_token(token: str) -> str:
    # McDonald and MacDonald are one name written two ways: equal after this, not merely similar, and
    # with the same written anchors.
    return "mac" + token[2:] if token.startswith("mc") and len(token) > 2 else token


@lru_cache(maxsize=_NAME_CACHE_SIZE)
def _given_forms(name: str) -> tuple[str, ...]:
    """Given-name tokens, first name first."""
    return _tokens(name)


@lru_cache(maxsize=_NAME_CACHE_SIZE)
def _family_forms(name: str) -> tuple[str, ...]:
    """The whole surname run together, then its parts if it has several (Smith-Jones, Al Hassan)."""
    tokens = tuple(_surname_token(t) for t in _tokens(name))
    if not tokens:
        return ()
    if len(tokens) == 1:
        return tokens
    return ("".join(tokens), *tokens)


@lru_cache(maxsize=_NAME_CACHE_SIZE)
def _code(token: str) -> str:
    code = jellyfish.metaphone(token).upper()[:CODE_LENGTH]
    # Metaphone yields nothing for some all-vowel tokens; the token itself is then the best code.
    return code or token.upper()[:CODE_LENGTH]


@lru_cache(maxsize=_NAME_CACHE_SIZE)
def _canonicals(token: str) -> frozenset[str]:
    return frozenset(canonical_forms(token))


# --- Blocking keys ---------------------------------------------------------------------------------


def _given_codes(name: str) -> set[str]:
    # First and middle name: people are often known by their middle name.
    codes: set[str] = set()
    for token in _given_forms(name)[:2]:
        codes.update(_code(c) for c in canonical_forms(token))
    return codes


def _family_codes(name: str) -> set[str]:
    return {_code(f) for f in _family_forms(name)[:3]}


def _anchors(forms: tuple[str, ...]) -> tuple[str, ...]:
    """The written first letter and the last two letters of a name.

    A single slip of the finger breaks at most one of them ("Jewman" keeps "an", "Hartlry" keeps "h"),
    so pairing every anchor of one name with every anchor of the other leaves at least one pair intact
    when both names are misspelt. Written letters, not phonetic ones, so they also catch what metaphone
    separates (Thompson 0MPSN, Tomson TMSN, both "t"). An initial is one letter and an ending two, so
    the two kinds of anchor never collide in a key.
    """
    if not forms:
        return ()
    name = forms[0]
    return (name[0], name[-2:]) if len(name) > 1 else (name,)


def _name_keys(
    given: str, family: str, years: Iterable[int], kinds: frozenset[str] | None = None
) -> set[str]:
    """Keys for one (given, family) name; `kinds` limits which kinds are built (queries need fewer).

    Each kind survives a different mistake, so one typo rarely breaks them all:
      n       given code + surname code        typos that keep the sound (Hartly, Smyth, Kathryn)
      ga      given code + surname anchor      a surname typo that changes its sound
      fa      surname code + given anchor      the same for the first name
      gy, fy  a name's code + birth year       the other name unknown or mangled
      a       both names' anchors + birth year typos in both names
      f, g    a name's code alone              only a surname, or only a first name, and no date
    """
    years = tuple(years)
    gcodes, fcodes = _given_codes(given), _family_codes(family)
    ganchors, fanchors = _anchors(_given_forms(given)), _anchors(_family_forms(family))

    def want(kind: str) -> bool:
        return kinds is None or kind in kinds

    keys: set[str] = set()
    for f in fcodes:
        if want("f"):
            keys.add(f"f:{f}")
        if want("fy"):
            keys.update(f"fy:{f}|{y}" for y in years)
        if want("fa"):
            keys.update(f"fa:{f}|{a}" for a in ganchors)
    for g in gcodes:
        if want("g"):
            keys.add(f"g:{g}")
        if want("gy"):
            keys.update(f"gy:{g}|{y}" for y in years)
        if want("ga"):
            keys.update(f"ga:{g}|{a}" for a in fanchors)
        if want("n"):
            keys.update(f"n:{g}|{f}" for f in fcodes)
    if want("a"):
        keys.update(f"a:{ga}|{fa}|{y}" for ga in ganchors for fa in fanchors for y in years)
    return keys


def search_keys_for(
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    aliases: list[tuple[str, str]],
    *,
    approx_birth_year: int | None = None,
) -> set[str]:
    """Every blocking key for a person: their name and each alias, with their birth date.

    Pure, so bulk loaders can build PersonSearchKey rows without a query per person. `approx_birth_year`
    (from an estimated age) gives year keys a year either side, since estimates are rough.
    """
    if date_of_birth is not None:
        years: tuple[int, ...] = (date_of_birth.year,)
    elif approx_birth_year is not None:
        years = (approx_birth_year - 1, approx_birth_year, approx_birth_year + 1)
    else:
        years = ()
    keys = _name_keys(given_name, family_name, years)
    for alias_given, alias_family in aliases:
        # A nickname alias ("Rubes") keeps the recorded surname; a surname alias keeps the first name.
        keys |= _name_keys(alias_given.strip() or given_name, alias_family.strip() or family_name, years)
    if date_of_birth is not None:
        keys.add(f"d:{date_of_birth:%Y%m%d}")
    return {k for k in keys if len(k) <= 64}


def _approx_birth_year(person: Person) -> int | None:
    if person.date_of_birth is None and person.estimated_age is not None and person.estimated_age_on:
        return person.estimated_age_on.year - person.estimated_age
    return None


@transaction.atomic
def person_index(person: Person) -> None:
    """Rewrite the person's search keys from their current name, aliases and birth date."""
    aliases = list(PersonAlias.objects.filter(person=person).values_list("given_name", "family_name"))
    keys = search_keys_for(
        person.given_name,
        person.family_name,
        person.date_of_birth,
        aliases,
        approx_birth_year=_approx_birth_year(person),
    )
    existing = set(PersonSearchKey.objects.filter(person=person).values_list("key", flat=True))
    # Only the difference is written, so re-indexing an unchanged person touches nothing.
    if existing - keys:
        PersonSearchKey.objects.filter(person=person, key__in=existing - keys).delete()
    PersonSearchKey.objects.bulk_create(
        [PersonSearchKey(person=person, key=k) for k in sorted(keys - existing)]
    )


# --- Query side --------------------------------------------------------------------------------------


def _query_years(query: SearchQuery, today: dt.date) -> tuple[int, ...]:
    if query.birth_year is not None:
        return (query.birth_year,)
    if query.age is not None:
        # Someone aged N today was born in one of two years; the age is often a guess, so widen by one.
        born = today.year - query.age
        return (born - 2, born - 1, born, born + 1)
    return ()


def _typo_codes(name: str) -> set[str]:
    """Codes of the name with one letter dropped or two neighbours swapped, less the name's own codes.

    For a lone name there is no second name to pair with, so the only way round a typo that changes
    the sound ("Rsdwood", "Wylson") is to guess the slip: dropping the extra letter or swapping the
    pair back often restores the code. Cheap, because metaphone collapses most variants together.
    """
    codes: set[str] = set()
    own: set[str] = set()
    for forms in (_given_forms(name), _family_forms(name)):
        if not forms or len(forms[0]) < 4:
            continue
        token = forms[0]
        own.add(_code(token))
        variants = {token[:i] + token[i + 1 :] for i in range(len(token))}
        variants |= {token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(len(token) - 1)}
        codes.update(_code(v) for v in variants)
    return codes - own


def _query_keys(query: SearchQuery, today: dt.date) -> dict[str, int]:
    """Blocking keys for the query, in both name orders, each with the weight of its kind."""
    given, family = query.given_name.strip(), query.family_name.strip()
    has_given, has_family = bool(_given_forms(given)), bool(_family_forms(family))
    years = _query_years(query, today)
    keys: dict[str, int] = {}

    def add(new_keys: Iterable[str], weight: int | None = None) -> None:
        for key in new_keys:
            w = KEY_WEIGHTS[key.split(":", 1)[0]] if weight is None else weight
            keys[key] = max(w, keys.get(key, 0))

    if has_given and has_family:
        kinds = frozenset({"n", "ga", "fa", "gy", "fy", "a"})
        add(_name_keys(given, family, years, kinds))
        add(_name_keys(family, given, years, kinds))  # typed surname first
    else:
        # A lone name, in either box, may be a first name or a surname. The broad single-name keys
        # are used only when no year narrows them; guessed typo codes only with a year, for the same
        # reason.
        lone = given if has_given else family
        if years:
            add(_name_keys(lone, "", years, frozenset({"gy"})))
            add(_name_keys("", lone, years, frozenset({"fy"})))
            typo_codes = _typo_codes(lone)
            add((f"{kind}:{code}|{y}" for kind in ("fy", "gy") for code in typo_codes for y in years), 2)
        elif has_given or has_family:
            add(_name_keys(lone, "", years, frozenset({"g"})))
            add(_name_keys("", lone, years, frozenset({"f"})))
    if query.birth_year and query.birth_month and query.birth_day:
        try:
            add([f"d:{dt.date(query.birth_year, query.birth_month, query.birth_day):%Y%m%d}"])
        except ValueError:
            pass  # an impossible date still narrows by year
    return keys


# --- Scoring names -------------------------------------------------------------------------------------

# How a typed token relates to a recorded one; drives both the score and the wording of the reason.
_EXACT, _SOUNDS, _NICKNAME, _INITIAL, _SIMILAR = "exact", "sounds", "nickname", "initial", "similar"


def _token_similarity(typed: str, recorded: str, given: bool) -> tuple[float, str]:
    if typed == recorded:
        return 1.0, _EXACT
    if len(typed) == 1 or len(recorded) == 1:
        # An initial ("J Smith") is weak evidence, but evidence.
        return (0.75 if typed[0] == recorded[0] else 0.0), _INITIAL
    if given:
        typed_forms, recorded_forms = _canonicals(typed), _canonicals(recorded)
        if recorded in typed_forms or typed in recorded_forms:
            return 0.95, _NICKNAME  # Katie for Katherine, or the reverse
        if typed_forms & recorded_forms:
            # Two short forms of one name (Rob and Bobby) are likelier to be different people.
            return 0.85, _NICKNAME
    edits = OSA.distance(typed, recorded)
    shortest = min(len(typed), len(recorded))
    # Jaro-Winkler gives unrelated names 0.5-0.7, so rescale: only close spellings keep much weight.
    closeness = max(0.0, (JaroWinkler.normalized_similarity(typed, recorded) - 0.7) / 0.3)
    # One slip of the finger (including two letters swapped) is a strong match whatever the length;
    # Jaro-Winkler alone rates a slip in a short name ("Laul" for "Paul") too low.
    if edits == 1:
        spelled = 0.83 + 0.1 * closeness if shortest >= 4 else 0.75
    elif edits == 2 and shortest >= 6:
        spelled = 0.65
    else:
        spelled = 0.0
    spelled = max(spelled, 0.9 * closeness)
    code = _code(typed)
    if code == _code(recorded):
        # Same sound: strong, and closer spellings rank higher among names that sound alike. A short
        # code (Laul and Lily are both "LL") says little unless the spelling is close too.
        sounds = 0.85 + 0.1 * closeness if len(code) >= 3 or edits <= 2 else 0.6
        if sounds > spelled:
            return sounds, _SOUNDS
    if given and spelled < 0.85:
        # A misspelt form of a nickname's full name: "Robbert" for a recorded "Bob" (both RBRT).
        typed_codes = {_code(c) for c in _canonicals(typed)}
        if any(len(c) >= 3 and c in typed_codes for c in map(_code, _canonicals(recorded))):
            return 0.85, _NICKNAME
    return spelled, _SIMILAR


class _Part(NamedTuple):
    """How one typed name part matched one recorded name part."""

    score: float
    kind: str
    typed: str  # as the user typed it
    recorded: str  # as recorded


_NO_PART = _Part(0.0, _SIMILAR, "", "")


def _part_match(typed: str, recorded: str, given: bool) -> _Part:
    """Best match between a typed name and a recorded one, over their tokens."""
    typed_forms = _given_forms(typed) if given else _family_forms(typed)
    recorded_forms = _given_forms(recorded) if given else _family_forms(recorded)
    if not typed_forms or not recorded_forms:
        return _NO_PART
    best, best_kind = -1.0, _SIMILAR
    for i, t in enumerate(typed_forms):
        for j, r in enumerate(recorded_forms):
            score, kind = _token_similarity(t, r, given)
            if i or j:
                score *= _LATER_TOKEN_FACTOR
            if score > best:
                best, best_kind = score, kind
    return _Part(best, best_kind, typed.strip(), recorded.strip())


class _NameMatch(NamedTuple):
    score: float
    given: _Part | None
    family: _Part | None
    swapped: bool
    alias: str | None  # the alias matched, as recorded, or None for the recorded name


class _Matcher:
    """Name matching for one query. Its cache lives only as long as the search: typed names are
    query-specific, and a large process-wide cache would only lengthen garbage-collection pauses."""

    def __init__(self, query: SearchQuery) -> None:
        self.given = query.given_name
        self.family = query.family_name
        self.has_given = bool(_given_forms(self.given))
        self.has_family = bool(_family_forms(self.family))
        self._parts: dict[tuple[str, str, bool], _Part] = {}

    def part(self, typed: str, recorded: str, given: bool) -> _Part:
        key = (typed, recorded, given)
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = _part_match(typed, recorded, given)
        return part

    def name(self, given: str, family: str, alias: str | None) -> _NameMatch | None:
        """Best of the two name orders for one recorded name (the person's own or an alias)."""
        if not self.has_given and not self.has_family:
            return None
        best: _NameMatch | None = None
        for swapped in (False, True):
            if swapped:
                if best is not None and best.score >= _SWAPPED_FACTOR:
                    break  # the typed order already fits better than any swapped reading can
                # Typed surname first: the typed "given" is the recorded surname and vice versa.
                g_part = self.part(self.family, given, True) if self.has_family else None
                f_part = self.part(self.given, family, False) if self.has_given else None
            else:
                g_part = self.part(self.given, given, True) if self.has_given else None
                f_part = self.part(self.family, family, False) if self.has_family else None
            if g_part is not None and f_part is not None:
                score = _GIVEN_WEIGHT * g_part.score + _FAMILY_WEIGHT * f_part.score
            else:
                only = g_part or f_part
                assert only is not None
                score = only.score
            if swapped:
                # Also covers a lone name typed in the wrong box: worth finding, a little less likely.
                score *= _SWAPPED_FACTOR
            if alias is not None:
                score *= _ALIAS_FACTOR
            if best is None or score > best.score:
                best = _NameMatch(score, g_part, f_part, swapped, alias)
        return best


def _part_reason(part: _Part, label: str) -> str | None:
    typed, recorded = part.typed, part.recorded
    if part.kind == _EXACT:
        if typed.lower() == recorded.lower():
            return f"{label} matches"
        return f"{label} matches '{recorded}' (typed '{typed}')"
    if part.kind == _SOUNDS:
        return f"{label} sounds like '{recorded}' (typed '{typed}')"
    if part.kind == _NICKNAME:
        typed_tokens, recorded_tokens = _given_forms(typed), _given_forms(recorded)
        if typed_tokens and recorded_tokens:
            t, r = typed_tokens[0], recorded_tokens[0]
            if r in canonical_forms(t):
                return f"Nickname '{typed}' of {recorded}"
            if t in canonical_forms(r):
                return f"Recorded as '{recorded}', a nickname of {typed}"
            shared = sorted(_canonicals(t) & _canonicals(r))
            if shared:
                return f"'{typed}' and '{recorded}' are both forms of {shared[0].title()}"
        return f"{label} '{typed}' may be a form of '{recorded}'"
    if part.kind == _INITIAL:
        return f"Initial '{typed[:1].upper()}' fits {label.lower()} '{recorded}'" if part.score else None
    if part.score >= 0.3:
        return f"{label} similar to '{recorded}' (typed '{typed}')"
    return None


def _name_reasons(match: _NameMatch) -> list[str]:
    reasons = []
    if match.swapped and match.given is not None and match.family is not None:
        reasons.append("First and last names swapped")
    elif match.swapped:
        # A lone name typed in the box for the other kind of name.
        reasons.append("Typed as a surname" if match.given is not None else "Typed as a first name")
    if match.alias is not None:
        reasons.append(f"Alias '{match.alias}'")
    for part, label in ((match.given, "First name"), (match.family, "Surname")):
        if part is not None:
            reason = _part_reason(part, label)
            if reason:
                reasons.append(reason)
    return reasons


# --- Scoring dates --------------------------------------------------------------------------------------


def _fmt(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _query_has_date(query: SearchQuery) -> bool:
    return any(v is not None for v in (query.birth_year, query.birth_month, query.birth_day, query.age))


def _date_match(
    query: SearchQuery, dob: dt.date | None, est_age: int | None, today: dt.date
) -> tuple[float | None, bool, str | None]:
    """(score 0..1 or None when the record has no date, conflicting?, reason)."""
    qy, qm, qd = query.birth_year, query.birth_month, query.birth_day
    if dob is not None:
        if qy is not None:
            dy = abs(dob.year - qy)
            if qm is not None and qd is not None:
                if (dob.year, dob.month, dob.day) == (qy, qm, qd):
                    return 1.0, False, f"Date of birth matches ({_fmt(dob)})"
                if dy == 0 and (dob.month, dob.day) == (qd, qm):
                    return 0.85, False, f"Born {_fmt(dob)} (day and month swapped)"
                if dy == 0 and dob.month == qm:
                    return 0.7, False, f"Born {_MONTHS[dob.month - 1]} {dob.year} (day differs)"
                if (dob.month, dob.day) == (qm, qd) and (dy == 1 or _one_digit_apart(dob.year, qy)):
                    return 0.7, False, f"Born {_fmt(dob)} (same birthday, year differs)"
                if dy == 0:
                    return 0.5, False, f"Born {dob.year} (year matches)"
                if dy == 1:
                    return 0.2, False, f"Born {_fmt(dob)} (a year out)"
                return 0.0, True, f"Date of birth differs (recorded {_fmt(dob)})"
            if qm is not None:
                if dy == 0 and dob.month == qm:
                    return 1.0, False, f"Born {_MONTHS[dob.month - 1]} {dob.year} (year and month match)"
                if dy == 0:
                    return 0.6, False, f"Born {dob.year} (year matches, month differs)"
                if dy == 1:
                    return (0.5 if dob.month == qm else 0.2), False, f"Born {_fmt(dob)} (a year out)"
                return 0.0, True, f"Date of birth differs (recorded {_fmt(dob)})"
            if dy == 0:
                return 1.0, False, f"Born {dob.year} (year matches)"
            if dy == 1:
                return 0.5, False, f"Born {dob.year} (a year out)"
            return 0.0, True, f"Born {dob.year}, not {qy}"
        if query.age is not None:
            return _age_match(query.age, _age_on(dob, today), estimated=False)
        if qm is not None:
            if dob.month == qm and (qd is None or dob.day == qd):
                return 0.8, False, f"Birthday matches ({dob.day} {_MONTHS[dob.month - 1]})"
            return 0.0, True, f"Birthday differs (recorded {dob.day} {_MONTHS[dob.month - 1]})"
        return None, False, None
    if est_age is not None:
        if query.age is not None:
            return _age_match(query.age, est_age, estimated=True)
        if qy is not None and 1 <= qy <= today.year:
            # Mid-year, or mid-month, when only part of the date was given.
            month = qm if qm is not None and 1 <= qm <= 12 else 7
            day = qd if qd is not None and 1 <= qd <= 28 else 15
            return _age_match(_age_on(dt.date(qy, month, day), today), est_age, estimated=True)
    return None, False, None


def _one_digit_apart(a: int, b: int) -> bool:
    # 2010 typed as 2016: one wrong digit is a typing slip, not a different person.
    sa, sb = str(a), str(b)
    return len(sa) == len(sb) and sum(x != y for x, y in zip(sa, sb, strict=True)) == 1


def _age_match(wanted: int, actual: int, *, estimated: bool) -> tuple[float, bool, str]:
    gap = abs(wanted - actual)
    if estimated:
        # An estimate is rough, so allow a year more; but agreeing with a guess is weaker evidence
        # than agreeing with a recorded date of birth, so it never scores as highly.
        gap = max(0, gap - 1)
        label, factor = f"Estimated age {actual}", _ESTIMATE_FACTOR
    else:
        label, factor = f"Aged {actual}", 1.0
    if gap <= 2:
        return (1.0, 0.75, 0.4)[gap] * factor, False, f"{label} (searched for about {wanted})"
    if gap == 3:
        return 0.15 * factor, False, f"{label}, not about {wanted}"
    return 0.0, True, f"{label}, not about {wanted}"


# --- Search ----------------------------------------------------------------------------------------------


@dataclass
class _Row:
    given: str
    family: str
    dob: dt.date | None
    est_age: int | None
    aliases: list[tuple[str, str]] = field(default_factory=list)


class _Scored(NamedTuple):
    score: float
    name: _NameMatch | None
    date_reason: str | None


def _score(query: SearchQuery, matcher: _Matcher, row: _Row, today: dt.date, has_date: bool) -> _Scored:
    name = matcher.name(row.given, row.family, None)
    for alias_given, alias_family in row.aliases:
        alias_label = f"{alias_given} {alias_family}".strip()
        # A nickname alias ("Rubes") goes with the recorded surname, a surname alias with the first name.
        match = matcher.name(alias_given or row.given, alias_family or row.family, alias_label)
        if match is not None and (name is None or match.score > name.score):
            name = match
    if not has_date:
        return _Scored(name.score if name else 0.0, name, None)
    date_score, conflict, date_reason = _date_match(query, row.dob, row.est_age, today)
    date_value = _NO_DATE_ON_RECORD if date_score is None else date_score
    if name is None:  # a date-only search
        score = date_value
    else:
        score = _NAME_WEIGHT * name.score + _DATE_WEIGHT * date_value
    if conflict:
        score *= _DATE_CONFLICT_FACTOR
    return _Scored(score, name, date_reason)


def _ranked_candidates(query: SearchQuery, today: dt.date) -> list[int]:
    """Ids of everyone whose keys match the query, strongest evidence first (not yet scoped)."""
    weights = _query_keys(query, today)
    if not weights:
        return []
    evidence: dict[int, int] = defaultdict(int)
    rows = PersonSearchKey.objects.filter(key__in=list(weights)).values_list("person_id", "key")
    for person_id, key in rows[:KEY_ROW_CAP]:
        evidence[person_id] += weights[key]
    # Ties go to the older record, so results are stable from one search to the next.
    return heapq.nsmallest(CANDIDATE_CAP * SCOPE_ROUNDS, evidence, key=lambda pk: (-evidence[pk], pk))


def _load_rows(ranked: list[int], queryset: QuerySet[Person], today: dt.date) -> dict[int, _Row]:
    """Name, dates and aliases of the best-evidenced candidates the caller's queryset lets us see.

    Plain values rather than model instances: building hundreds of Person objects would cost more than
    all the scoring. The scope is applied by filtering the caller's queryset to the candidate ids, a
    primary-key lookup whatever the scope's own conditions. The key lookup above cannot be scoped
    cheaply, so when most of the best candidates are out of scope, the next batch is tried too.
    """
    rows: dict[int, _Row] = {}
    for start in range(0, len(ranked), CANDIDATE_CAP):
        batch = ranked[start : start + CANDIDATE_CAP]
        for pk, given, family, dob, est_age, est_on in queryset.filter(pk__in=batch).values_list(
            "pk", "given_name", "family_name", "date_of_birth", "estimated_age", "estimated_age_on"
        ):
            age = None
            if dob is None and est_age is not None and est_on is not None:
                age = est_age + max(0, (today - est_on).days // 365)
            rows[pk] = _Row(given, family, dob, age)
        if len(rows) >= CANDIDATE_CAP // 2:
            break
    if rows:
        for person_id, alias_given, alias_family in PersonAlias.objects.filter(
            person_id__in=list(rows)
        ).values_list("person_id", "given_name", "family_name"):
            if alias_given.strip() or alias_family.strip():
                rows[person_id].aliases.append((alias_given.strip(), alias_family.strip()))
    return rows


def people_search(query: SearchQuery, queryset: QuerySet[Person], limit: int = 10) -> list[Candidate]:
    """The people in `queryset` who may be the one described, best first, with reasons.

    `queryset` is already scoped to what the user may see; only people in it are returned.
    """
    today = query.as_of or timezone.localdate()
    if limit <= 0:
        return []
    rows = _load_rows(_ranked_candidates(query, today), queryset, today)
    if not rows:
        return []

    has_date, matcher = _query_has_date(query), _Matcher(query)
    scored = [(pk, _score(query, matcher, row, today, has_date)) for pk, row in rows.items()]
    scored = [item for item in scored if item[1].score >= MIN_SCORE]
    # Ties (identical names and dates) fall back to the oldest record, which is usually the one in use.
    scored.sort(key=lambda item: (-item[1].score, item[0]))
    top = scored[:limit]
    people = {p.pk: p for p in queryset.filter(pk__in=[pk for pk, _ in top]).prefetch_related("aliases")}
    results: list[Candidate] = []
    for pk, s in top:
        person = people.get(pk)
        if person is None:  # deleted between the two reads
            continue
        reasons = _name_reasons(s.name) if s.name else []
        if s.date_reason:
            reasons.append(s.date_reason)
        results.append(Candidate(person=person, score=round(min(1.0, max(0.0, s.score)), 3), reasons=reasons))
    return results
