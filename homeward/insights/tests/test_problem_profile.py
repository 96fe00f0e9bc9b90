"""The problem profile (SPEC §7) on a hand-built week across the spring clock change, and its page.

Period P: Saturday 29 March to Friday 4 April 2025 (local days). Clocks went forward at 01:00 UTC on
Sunday 30 March, so P runs from 2025-03-29 00:00 UTC to 2025-04-04 23:00 UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.episodes.models import Episode, FoundRecord, Status
from homeward.identity.roles import Role
from homeward.insights import problem_profile as pp
from homeward.insights.periods import between
from homeward.insights.tests.builders import episode, local, person, utc
from homeward.insights.tests.conftest import rhi
from homeward.people.models import PersonMarker
from homeward.places.models import Location, LocationCategory

H = dt.timedelta(hours=1)
P = between(dt.date(2025, 3, 29), dt.date(2025, 4, 4))
URL = "/reports/problem-profile/?from=2025-03-29&to=2025-04-04"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _place(world, name, category, district=None):
    return Location.objects.create(
        name=name, category=category, force=world.force, district=district or world.north
    )


def ep(world, who, when, place=None, *, category=None, risk="", **extra):
    """An episode from `place` (a Location) or, with no place, from `category`."""
    cat = category or (place.category if place else LocationCategory.OTHER)
    e = episode(world, who, when, category=cat, risk_first=risk, district=extra.pop("district", None))
    Episode.objects.filter(pk=e.pk).update(missing_from=place, **extra)
    e.refresh_from_db()
    return e


def found(e, category):
    FoundRecord.objects.create(
        episode=e,
        found_at=e.found_at,
        found_place="Somewhere",
        found_location_category=category,
        how_found="police",
        condition="safe_well",
        recorded_at=e.found_at,
    )


@pytest.fixture
def profile_week(world):
    w = world
    s = SimpleNamespace(world=w)
    oak, home = w.oak_house, w.family_home  # a children's home; "14 Elm Road", a private home
    hostel = _place(w, "Station Hostel", LocationCategory.HOSTEL, w.south)
    clinic = _place(w, "Riverside Clinic", LocationCategory.OTHER_MEDICAL)
    ash = _place(w, "7 Ash Grove", LocationCategory.PRIVATE_HOME)
    s.hostel = hostel
    amy = person(w, "Amy", dob=dt.date(2010, 1, 1), markers=("cse",))
    bea = person(w, "Bea", dob=dt.date(2009, 5, 5))
    PersonMarker.objects.create(
        person=bea, marker="substance_misuse", recorded_at=utc(2024, 1, 1), active=False
    )
    cal = person(
        w, "Cal", dob=dt.date(2008, 6, 1), sex="male", ethnicity="M1", markers=("cse", "mental_health")
    )
    dee = person(w, "Dee", dob=dt.date(1990, 1, 1), ethnicity="B1", markers=("mental_health",))
    eli = person(w, "Eli", dob=dt.date(2012, 1, 1), sex="male")
    fin = person(w, "Fin", sex="male")  # age unknown
    gus = person(w, "Gus", dob=dt.date(2011, 1, 1), sex="male", markers=("cse",))  # no episode in P
    south = {"district": w.south}
    # Oak House: three people, three episodes → a repeat location (by people). Midnight-ish reports
    # either side of the clock change: all 00:30 local, so all in the 00:00-03:59 band.
    s.e1 = ep(
        w, amy, utc(2025, 3, 29, 0, 30), oak, risk="high", out_of_area=True, placing_authority=w.council_c
    )
    s.e2 = ep(w, bea, utc(2025, 3, 30, 0, 30), oak, risk="medium", out_of_area=True)  # 00:30 GMT, Sunday
    s.e3 = ep(w, cal, utc(2025, 3, 30, 23, 30), oak, risk="high")  # 00:30 BST, Monday 31st
    # Station Hostel (South): one person, five episodes → a repeat location (by episodes).
    s.e4 = ep(w, dee, local(2025, 4, 1, 9), hostel, risk="high", **south)
    s.e5 = ep(w, dee, local(2025, 4, 2, 9), hostel, risk="medium", **south)
    s.e6 = ep(w, dee, local(2025, 4, 3, 14), hostel, risk="medium", **south)
    s.e7 = ep(w, dee, local(2025, 4, 4, 14), hostel, risk="low", **south)
    s.e8 = ep(w, dee, local(2025, 4, 4, 20), hostel, **south)  # not graded
    s.e9 = ep(w, eli, local(2025, 4, 2, 16), clinic, risk="high")  # one episode: not a repeat
    # Private homes: a named one, another named one, and one with no location on record.
    s.e10 = ep(w, fin, local(2025, 4, 3, 22), home, risk="high")
    s.e11 = ep(
        w, amy, local(2025, 4, 4, 23, 30), ash, risk="high", out_of_area=True, placing_authority=w.council_c
    )
    s.e12 = ep(w, bea, local(2025, 4, 1, 18), category=LocationCategory.PRIVATE_HOME, risk="high")
    s.e13 = ep(w, cal, local(2025, 4, 2, 12), risk="high")  # "other", no location on record
    # Outside P or not an episode.
    s.before = ep(w, amy, local(2025, 3, 28, 23, 59), oak, risk="high")
    ep(w, gus, local(2025, 4, 5, 0, 0), oak, risk="high")  # 4 April 23:00 UTC: after P
    ep(w, dee, local(2025, 4, 3, 1), oak, status=Status.NOT_RECORDED)
    # Found records.
    found(s.e1, "childrens_home")
    found(s.e2, "private_home")
    found(s.e3, "private_home")
    found(s.e4, "hostel")
    # Return home interviews: three completed in P, one declined, one completed outside P.
    for e, outcome, push, pull, late in (
        (s.e1, "completed", "Row with Mum about school.", "Boyfriend (older) wanted her to stay", False),
        (s.e2, "completed", "Unhappy in placement", "Friends at the park; girlfriend's house", False),
        (s.e3, "declined", "drugs", "", True),
        (s.e9, "completed", "", "County-lines contacts gave him cannabis", False),
        (s.before, "completed", "school", "friends", False),
    ):
        due = e.found_at + 72 * H
        r = rhi(e, due=due, offered=due + (H if late else -H))
        r.outcome, r.push_factors, r.pull_factors = outcome, push, pull
        r.save()
    return s


# --- Computations, expected values worked out by hand ---------------------------------------------------------


def test_top_locations_group_private_homes_and_never_name_them(profile_week):
    rows = pp.top_locations(P)
    assert rows == [
        {"location": "Station Hostel", "category": "Hostel", "episodes": 5, "people": 1},
        {"location": "Oak House", "category": "Children's home (regulated)", "episodes": 3, "people": 3},
        {
            "location": "Riverside Clinic",
            "category": "Other medical establishment",
            "episodes": 1,
            "people": 1,
        },
        # e10 (14 Elm Road), e11 (7 Ash Grove), e12 (no location): Fin, Amy, Bea.
        {"location": "Private homes", "category": "Private home", "episodes": 3, "people": 3},
        {"location": pp.NOT_ON_REGISTER, "category": "", "episodes": 1, "people": 1},
    ]
    south = pp.top_locations(P, profile_week.world.south)
    assert [(r["location"], r["episodes"]) for r in south] == [
        ("Station Hostel", 5),
        ("Private homes", 0),
        (pp.NOT_ON_REGISTER, 0),
    ]


def test_repeat_locations_by_people_or_by_episodes(profile_week):
    assert [(r["location"], r["episodes"], r["people"]) for r in pp.repeat_locations(P)] == [
        ("Station Hostel", 5, 1),  # 5 episodes
        ("Oak House", 3, 3),  # 3 different people
    ]


def test_time_of_day_uses_local_time_across_the_clock_change(profile_week):
    grid = {r["hours"]: r for r in pp.time_of_day(P)}
    zero = dict.fromkeys(pp.DAYS, 0)
    # e1 Sat 00:30 GMT, e2 Sun 00:30 GMT, e3 Mon 00:30 BST (Sunday 23:30 UTC).
    assert grid["00:00-03:59"] == {
        "hours": "00:00-03:59",
        **zero,
        "Monday": 1,
        "Saturday": 1,
        "Sunday": 1,
        "total": 3,
    }
    assert grid["04:00-07:59"]["total"] == 0
    assert grid["08:00-11:59"] == {"hours": "08:00-11:59", **zero, "Tuesday": 1, "Wednesday": 1, "total": 2}
    assert grid["12:00-15:59"] == {
        "hours": "12:00-15:59",
        **zero,
        "Wednesday": 1,
        "Thursday": 1,
        "Friday": 1,
        "total": 3,
    }
    assert grid["16:00-19:59"] == {"hours": "16:00-19:59", **zero, "Tuesday": 1, "Wednesday": 1, "total": 2}
    # e10 Thu 22:00; e8 Fri 20:00 and e11 Fri 23:30 BST (22:30 UTC), the last half hour of P.
    assert grid["20:00-23:59"] == {"hours": "20:00-23:59", **zero, "Thursday": 1, "Friday": 2, "total": 3}
    assert sum(r["total"] for r in grid.values()) == 13


def test_age_and_sex(profile_week):
    cells = {(r["age_band"], r["sex"]): (r["episodes"], r["people"]) for r in pp.age_and_sex(P)}
    assert cells[("10-15", "female")] == (4, 2)  # Amy and Bea, 15
    assert cells[("10-15", "male")] == (1, 1)  # Eli, 13
    assert cells[("16-17", "male")] == (2, 1)  # Cal, 16
    assert cells[("25-39", "female")] == (5, 1)  # Dee
    assert cells[("unknown", "male")] == (1, 1)  # Fin
    assert sum(e for e, _ in cells.values()) == 13
    assert len(cells) == 9 * 3


def test_markers_of_people_with_episodes(profile_week):
    rows = {r["marker"]: r for r in pp.markers(P)}
    # Six people; Amy and Cal CSE (Gus has no episode in P), Cal and Dee mental health; Bea's is inactive.
    assert rows["Child sexual exploitation"]["people"] == 2
    assert rows["Mental health"]["people"] == 2
    assert rows["Mental health"]["share"] == pytest.approx(2 / 6)
    assert rows["Substance misuse"]["people"] == 0
    assert {r["of_people"] for r in rows.values()} == {6}


def test_push_pull_factors_are_keyword_matches_in_completed_interviews(profile_week):
    rows = {r["term"]: (r["push"], r["pull"], r["either"]) for r in pp.push_pull_factors(P)}
    assert rows == {
        "Family conflict": (1, 0, 1),  # "Row with Mum"
        "Exploitation": (0, 1, 1),  # "County-lines"
        "Friends": (0, 1, 1),  # "Friends at the park"; "Boyfriend" is not "friend" at a word start
        "Boyfriend or girlfriend": (0, 2, 2),  # "Boyfriend", "girlfriend's"
        "Drugs or alcohol": (0, 1, 1),  # "cannabis"; the declined interview's "drugs" does not count
        "School": (1, 0, 1),
        "Placement": (1, 0, 1),
        "Mental health": (0, 0, 0),
    }
    assert {r["of_interviews"] for r in pp.push_pull_factors(P)} == {3}


def test_found_locations_and_out_of_area(profile_week):
    assert pp.found_locations(P) == [
        {"found_at": "Private home", "episodes": 2},
        {"found_at": "Children's home (regulated)", "episodes": 1},
        {"found_at": "Hostel", "episodes": 1},
    ]
    assert pp.out_of_area(P) == [
        {"placing_authority": "Council C", "episodes": 2, "people": 1},
        {"placing_authority": "not recorded", "episodes": 1, "people": 1},
    ]


def test_ethnicity_rates_ratios_and_suppression(profile_week):
    now = utc(2025, 5, 1)
    rows = {r["code"]: r for r in pp.ethnicity(P, now=now)}
    everyone = rows[""]
    # 13 episodes, 12 graded (e8 not), 8 high at first: e1 e3 e4 e9 e10 e11 e12 e13.
    assert (everyone["episodes"], everyone["graded"], everyone["high_first"]) == (13, 12, 8)
    assert everyone["high_share"] == pytest.approx(8 / 12)
    # W1 (Amy, Bea, Eli, Fin): 6 episodes, all graded, 5 high (e2 was medium).
    w1 = rows["W1"]
    assert (w1["episodes"], w1["graded"], w1["high_first"]) == (6, 6, 5)
    assert w1["high_share"] == pytest.approx(5 / 6)
    assert w1["overall_high_share"] == pytest.approx(8 / 12)
    assert w1["high_share_ratio"] == pytest.approx((5 / 6) / (8 / 12))  # 1.25
    # Four RHIs in P (3 W1, 1 M1): too few anywhere, so every RHI count and rate is hidden, even overall.
    assert w1["rhis"] is None and "rhis" in w1["suppressed"]
    assert w1["offer_rate"] is None and w1["overall_offer_rate"] is None
    assert everyone["rhis"] is None and everyone["completed_rate"] is None
    # M1 (Cal): 2 episodes → fewer than 5; B1 (Dee): 5 episodes shown, 4 graded and 1 high hidden.
    m1 = rows["M1"]
    assert m1["episodes"] is None and {"episodes", "high_share", "high_share_ratio"} <= set(m1["suppressed"])
    b1 = rows["B1"]
    assert b1["episodes"] == 5 and b1["graded"] is None and b1["high_first"] is None
    assert b1["high_share"] is None and "high_share" in b1["suppressed"]
    assert b1["overall_high_share"] == pytest.approx(8 / 12)
    assert [r["ethnicity"] for r in pp.ethnicity(P, now=now)][0] == "All ethnicities"


def test_suppress_small_counts_for_the_commissioner(profile_week):
    data = pp.suppress_small_counts(pp.problem_profile(P))
    top = {r["location"]: r for r in data["sections"]["top_locations"]}
    assert top["Station Hostel"]["episodes"] == 5 and top["Station Hostel"]["people"] is None
    assert top["Oak House"]["episodes"] is None and "episodes" in top["Oak House"]["suppressed"]
    markers = {r["marker"]: r for r in data["sections"]["markers"]}
    assert markers["Mental health"]["people"] is None and markers["Mental health"]["share"] is None
    assert markers["Autism"]["people"] == 0  # zero is shown


# --- The page ---------------------------------------------------------------------------------------------


@pytest.fixture
def analyst(world):
    return make_user("ann_analyst", world.force, Role.ANALYST)


def test_page_for_an_analyst_never_names_private_homes(client, profile_week, analyst):
    client.force_login(analyst)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for section in pp.SECTION_KEYS:
        assert f'data-section="{section}"' in html
    assert "Station Hostel" in html and "Private homes" in html
    assert "14 Elm Road" not in html and "7 Ash Grove" not in html
    assert 'role="img"' in html and "Definition:" in html
    # The ethnicity tables are suppressed for everyone.
    ethnicity = html.split('data-section="ethnicity"')[1]
    assert "fewer than 5" in ethnicity
    assert "/reports/problem-profile/" in client.get("/reports/").content.decode()


def test_page_is_forbidden_to_care_staff(client, profile_week, world):
    client.force_login(world.care_staff)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "&format=csv").status_code == 403


def test_commissioner_sees_suppressed_values(client, profile_week, world):
    client.force_login(world.commissioner)
    html = client.get(URL).content.decode()
    top = html.split('data-section="top_locations"')[1].split("</section>")[0]
    oak = top.split("Oak House")[1].split("</tr>")[0]
    assert "fewer than 5" in oak and ">3<" not in oak
    hostel = top.split("Station Hostel</th>")[1].split("</tr>")[0]
    assert ">5<" in hostel


def test_csv_download_is_an_audited_attachment(client, profile_week, analyst):
    client.force_login(analyst)
    response = client.get(URL + "&format=csv")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="problem-profile-2025-03-29-to-2025-04-04.csv"'
    )
    text = response.content.decode()
    assert "14 Elm Road" not in text and "7 Ash Grove" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    hostel = next(r for r in rows if r["section"] == "top_locations" and r["location"] == "Station Hostel")
    assert hostel["episodes"] == "5" and hostel["from"] == "2025-03-29"
    m1 = next(
        r
        for r in rows
        if r["section"] == "ethnicity" and r["ethnicity"].startswith("Mixed: White and Black C")
    )
    assert m1["episodes"] == ""  # suppressed: blank in downloads
    event = AuditEvent.objects.get(event_type="report.problem_profile.exported")
    assert (
        event.actor_user_id == analyst.pk
        and "format csv" in event.reason_text
        and event.operation == "disclosure"
    )
    xlsx = client.get(URL + "&format=xlsx")
    assert xlsx["Content-Type"] == XLSX and xlsx["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(event_type="report.problem_profile.exported").count() == 2


def test_bad_filter_input_shows_a_field_error(client, profile_week, analyst):
    client.force_login(analyst)
    response = client.get("/reports/problem-profile/?from=2025-13-01&to=2025-04-04")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a real date as YYYY-MM-DD" in html and 'value="2025-13-01"' in html
    assert 'data-section="top_locations"' not in html
    backwards = client.get("/reports/problem-profile/?from=2025-04-04&to=2025-03-29").content.decode()
    assert "The end date must be the same as or after the start date" in backwards
    assert not AuditEvent.objects.filter(event_type="report.problem_profile.exported").exists()


# --- Command line ------------------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cli_json_csv_xlsx_and_audit(profile_week, tmp_path):
    base = ("report", "problem-profile", "--from", "2025-03-29", "--to", "2025-04-04")
    doc = json.loads(_run(*base, "--format", "json"))
    assert set(doc["sections"]) == set(pp.SECTION_KEYS) and doc["period"]["from"] == "2025-03-29"
    assert doc["sections"]["repeat_locations"][0]["location"] == "Station Hostel"
    assert "keyword" in doc["definitions"]["push_pull"]
    south = json.loads(_run(*base, "--district", "South"))
    assert south["district"] == "South" and south["sections"]["time_of_day"][2]["total"] == 2
    rows = list(csv.DictReader(io.StringIO(_run(*base, "--format", "csv"))))
    assert {r["section"] for r in rows} == set(pp.SECTION_KEYS)
    out = tmp_path / "profile.xlsx"
    _run(*base, "--format", "xlsx", "--out", str(out))
    book = load_workbook(out)
    assert set(pp.SECTION_KEYS) <= set(book.sheetnames) and "about" in book.sheetnames
    events = AuditEvent.objects.filter(event_type="report.problem_profile.exported", actor_user_id=None)
    assert events.count() == 4
    with pytest.raises(CommandError, match="--to"):
        _run("report", "problem-profile", "--from", "2025-04-04", "--to", "2025-03-29")
    with pytest.raises(CommandError, match="needs --out"):
        _run(*base, "--format", "xlsx")
