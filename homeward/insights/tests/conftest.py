"""Hand-built datasets shared by the tests: March 2025 (weekly lists, CLI) and 20–26 October 2025 (measures)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from homeward.episodes.models import PreventionInterview, Status
from homeward.insights.tests.builders import episode, local, person, utc
from homeward.prevention.models import Initiative
from homeward.returns.models import ReturnInterview

H = dt.timedelta(hours=1)


@pytest.fixture
def march(world):
    s = SimpleNamespace(world=world)
    # Amy: looked-after child (15), children's home in North, CSE and mental-health markers.
    s.amy = person(world, "Amy", dob=dt.date(2010, 1, 1), looked_after=True, markers=("mental_health", "cse"))
    home = {"category": "childrens_home"}
    s.a_old = episode(world, s.amy, local(2024, 6, 1), **home)  # outside every window
    s.a0 = episode(world, s.amy, local(2025, 2, 1, 10), **home)  # 12 weeks only
    s.a1 = episode(world, s.amy, local(2025, 3, 10, 0, 0), **home)  # first instant of the 3 weeks
    s.a2 = episode(world, s.amy, local(2025, 3, 20), **home)
    s.a3 = episode(world, s.amy, local(2025, 3, 30, 23, 30), **home)  # 22:30 UTC, BST: still the 30th
    # Ben: child, not looked after, South; a non-looked-after child from a children's home.
    s.ben = person(world, "Ben", dob=dt.date(2012, 5, 5), sex="male")
    south = {"district": world.south}
    s.b2 = episode(world, s.ben, local(2025, 3, 9, 23, 59), **south)  # last minute before the 3 weeks
    s.b3 = episode(world, s.ben, local(2025, 3, 15, 9), category="childrens_home", **south)
    # 31 March 00:30 BST = 30 March 23:30 UTC: a UTC-date window would wrongly count it.
    s.b1 = episode(world, s.ben, local(2025, 3, 31, 0, 30), **south)
    # Cara turns 18 on 20 March 2025: a child at c1, an adult at c2 (from an acute hospital).
    s.cara = person(world, "Cara", dob=dt.date(2007, 3, 20))
    s.c1 = episode(world, s.cara, local(2025, 3, 12))
    s.c2 = episode(world, s.cara, local(2025, 3, 25), category="acute_hospital")
    # Adults: Dan (still missing from a mental health unit), Fay (same latest time as Dan), Ed.
    s.dan = person(world, "Dan", dob=dt.date(1980, 1, 1), sex="male")
    s.d0 = episode(world, s.dan, local(2024, 12, 1), category="other_medical", **south)  # too early
    s.d1 = episode(world, s.dan, local(2025, 3, 14), **south)
    s.d2 = episode(world, s.dan, local(2025, 3, 28), category="mental_health_unit", found_after=None, **south)
    s.fay = person(world, "Fay", dob=dt.date(1990, 1, 1))
    s.f1 = episode(world, s.fay, local(2025, 3, 16))
    s.f2 = episode(world, s.fay, local(2025, 3, 28))
    s.ed = person(world, "Ed", dob=dt.date(1985, 1, 1), sex="male")
    s.e1 = episode(world, s.ed, local(2025, 3, 11))
    s.e_nr = episode(world, s.ed, local(2025, 3, 20), status=Status.NOT_RECORDED)  # not an episode
    s.e2 = episode(world, s.ed, local(2025, 3, 29))
    # Gus: no date of birth or estimated age → age unknown.
    s.gus = person(world, "Gus", sex="male")
    s.g1 = episode(world, s.gus, local(2025, 3, 18))
    # Hana: looked-after child; secure unit (in 12 weeks), unregistered home (one minute too early),
    # private home (not a care setting).
    s.hana = person(world, "Hana", dob=dt.date(2011, 6, 1), looked_after=True)
    s.h2 = episode(world, s.hana, local(2025, 1, 5, 23, 59), category="unregistered_home")
    s.h1 = episode(world, s.hana, local(2025, 2, 10), category="secure_unit")
    s.h3 = episode(world, s.hana, local(2025, 3, 3))
    # Ivy: child whose first ever episode was on 28 February (not this month).
    s.ivy = person(world, "Ivy", dob=dt.date(2012, 1, 1))
    s.i1 = episode(world, s.ivy, local(2025, 2, 28, 23, 30))
    s.i2 = episode(world, s.ivy, local(2025, 3, 5))
    return s


def rhi(ep, *, due, offered=None):
    return ReturnInterview.objects.create(
        episode=ep,
        person=ep.person,
        referred_at=ep.reported_at,
        offer_due_at=due,
        offered_at=offered,
        updated_at=ep.reported_at,
    )


def initiative(world, name, starts, ends=None, district=None):
    at = utc(2025, 1, 1)
    return Initiative.objects.create(
        name=name,
        force=world.force,
        district=district,
        amount=1000,
        starts_on=starts,
        ends_on=ends,
        aims="Fewer missing episodes",
        created_at=at,
        updated_at=at,
    )


@pytest.fixture
def week(world):
    s = SimpleNamespace(world=world)
    # P1: a looked-after child with a CSE marker, North.
    s.p1 = person(world, "Pia", dob=dt.date(2010, 1, 1), looked_after=True, markers=("cse",))
    s.e0 = episode(world, s.p1, utc(2025, 10, 15, 12), found_after=H, risk_first="medium")  # previous period
    # 20 Oct 00:30 BST: in P (a UTC-date window would put it on the 19th). Found after 2 h.
    s.e1 = episode(world, s.p1, utc(2025, 10, 19, 23, 30), found_after=2 * H, risk_first="high")
    # Found after 30 h; first graded medium, later high.
    s.e2 = episode(
        world, s.p1, utc(2025, 10, 22, 10), found_after=30 * H, risk_first="medium", risk_highest="high"
    )
    # 26 Oct 23:30 GMT: the last half hour of P; still open, not yet graded.
    s.e3 = episode(world, s.p1, utc(2025, 10, 26, 23, 30), found_after=None, status=Status.REPORTED)
    # P2: an adult, South. f0 was a decision not to record: not an episode.
    s.p2 = person(world, "Pat", dob=dt.date(1970, 1, 1), sex="male", ethnicity="B1")
    s.f0 = episode(world, s.p2, utc(2025, 10, 19, 22, 30), district=world.south, status=Status.NOT_RECORDED)
    # Found exactly 24 h after the report: within 24 hours.
    s.f1 = episode(
        world, s.p2, utc(2025, 10, 24, 12), district=world.south, found_after=24 * H, risk_first="low"
    )
    # 26 Oct 01:00 GMT, 23 h before the end of P, still open.
    s.f2 = episode(
        world, s.p2, utc(2025, 10, 26, 1), district=world.south, found_after=None, risk_first="medium"
    )
    # P3: age unknown, North; still open since 21 Oct (more than 24 h before the end).
    s.p3 = person(world, "Quinn", sex="unknown", ethnicity="NS")
    s.g0 = episode(world, s.p3, utc(2025, 10, 20, 10), status=Status.NOT_RECORDED)
    s.g1 = episode(world, s.p3, utc(2025, 10, 21, 8), found_after=None, risk_first="high")
    # Prevention interviews: f1 completed, e2 declined (not done), e1 none.
    for ep, outcome in ((s.f1, "completed"), (s.e2, "declined")):
        PreventionInterview.objects.create(
            episode=ep, outcome=outcome, conducted_at=ep.found_at, recorded_at=ep.found_at
        )
    # RHIs: e1 offered in time, e2 offered late, f1 not offered but due after NOW, e0 (previous period).
    rhi(s.e1, due=s.e1.found_at + 72 * H, offered=s.e1.found_at + 10 * H)
    rhi(s.e2, due=s.e2.found_at + 72 * H, offered=s.e2.found_at + 73 * H)
    rhi(s.f1, due=utc(2025, 11, 6))
    rhi(s.e0, due=s.e0.found_at + 72 * H, offered=s.e0.found_at + 80 * H)
    # Initiatives: force-wide open-ended; North starting on P's last day; South ended the day before P;
    # North starting the day after P.
    initiative(world, "Force-wide", dt.date(2025, 1, 1))
    initiative(world, "North late start", dt.date(2025, 10, 26), dt.date(2025, 12, 31), world.north)
    initiative(world, "South ended", dt.date(2025, 1, 1), dt.date(2025, 10, 19), world.south)
    initiative(world, "North future", dt.date(2025, 10, 27), None, world.north)
    return s
