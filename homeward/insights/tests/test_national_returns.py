"""The national returns on a hand-built financial year 2025/26, every expected value worked out by hand.

People and episodes (all local times; FY 2025/26 = 1 April 2025 00:00 BST to 1 April 2026 00:00 BST):
- Lia, looked-after girl born 2010-06-01, placed by Council B:
  l_old 31 Mar 2025 23:30 (before the year), l1 1 Apr 2025 00:30 children's home, found 2 h later
  (safe and well, by care staff); l3 10 Sep 2025 foster placement, still missing; l2 31 Mar 2026 22:00
  children's home, found exactly 48 h later on 2 Apr 2026 (spans the year end; safe and well, own accord);
  l_after 1 Apr 2026 00:30 (after the year).
- Max, looked-after boy born 2009-01-01, placed by Council C: m1 1 Jun 2025 children's home, found
  exactly 8 h later (no found record).
- Dan, man born 1980-01-01, Black Caribbean: d1 1 May 2025, high risk, found dead after 10 h (by
  police); d_nr 2 May 2025 decided "not recorded" (a call, not an incident).
- Gus, age and sex unknown: g1 1 Jul 2025, medium risk, found after 9 days, harmed and a victim of an
  offence (by police).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from html import unescape
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.episodes.models import Episode, FoundRecord, Status
from homeward.identity.roles import Role
from homeward.insights.charts import Point, Stack, column_chart, stacked_bar_chart
from homeward.insights.national_returns import (
    child_pseudonym,
    financial_year,
    lac_missing_return,
    missing_persons_data_return,
    return_csv_zip,
    return_json,
    return_xlsx,
)
from homeward.insights.tests.builders import episode, local, person
from homeward.insights.views_returns import _row_cells

H = dt.timedelta(hours=1)
FY = financial_year(2025)


def found(ep, condition, how, *, victim=False):
    return FoundRecord.objects.create(
        episode=ep,
        found_at=ep.found_at,
        found_place="Somewhere",
        found_location_category="other",
        how_found=how,
        condition=condition,
        victim_of_offence=victim,
        recorded_at=ep.found_at,
    )


def placed(ep, authority):
    Episode.objects.filter(pk=ep.pk).update(placing_authority=authority)
    return ep


@pytest.fixture
def fy(world):
    s = SimpleNamespace(world=world)
    s.lia = person(world, "Lia", dob=dt.date(2010, 6, 1), looked_after=True)
    b = world.council_b
    home = {"category": "childrens_home"}
    s.l_old = placed(episode(world, s.lia, local(2025, 3, 31, 23, 30), **home), b)
    s.l1 = placed(episode(world, s.lia, local(2025, 4, 1, 0, 30), risk_first="medium", **home), b)
    s.l3 = placed(
        episode(
            world, s.lia, local(2025, 9, 10), category="foster_placement", found_after=None, risk_first="high"
        ),
        b,
    )
    s.l2 = placed(
        episode(world, s.lia, local(2026, 3, 31, 22), found_after=48 * H, risk_first="low", **home), b
    )
    s.l_after = placed(episode(world, s.lia, local(2026, 4, 1, 0, 30), **home), b)
    found(s.l1, "safe_well", "care_staff")
    found(s.l2, "safe_well", "own_accord")
    s.max = person(world, "Max", dob=dt.date(2009, 1, 1), sex="male", looked_after=True)
    s.m1 = placed(
        episode(world, s.max, local(2025, 6, 1), found_after=8 * H, risk_first="medium", **home),
        world.council_c,
    )
    s.dan = person(world, "Dan", dob=dt.date(1980, 1, 1), sex="male", ethnicity="B1")
    s.d1 = episode(
        world, s.dan, local(2025, 5, 1), found_after=10 * H, risk_first="high", status=Status.FOUND_DECEASED
    )
    found(s.d1, "deceased", "police")
    s.d_nr = episode(world, s.dan, local(2025, 5, 2), found_after=None, status=Status.NOT_RECORDED)
    s.gus = person(world, "Gus", sex="unknown", ethnicity="NS")
    s.g1 = episode(world, s.gus, local(2025, 7, 1), found_after=9 * 24 * H, risk_first="medium")
    found(s.g1, "harmed", "police", victim=True)
    return s


def rows(data, key):
    return {row[0]: row[1:] for row in data.table(key).rows}


def test_financial_year_is_1_april_to_31_march():
    assert (FY.first, FY.last) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    # Local midnight at both ends, both in BST: 23:00 UTC the day before.
    assert FY.start.isoformat() == "2025-03-31T23:00:00+00:00"
    assert FY.end.isoformat() == "2026-03-31T23:00:00+00:00"


def test_mpdr_calls_incidents_individuals(fy):
    data = missing_persons_data_return(FY.first, FY.last, force=fy.world.force)
    t = rows(data, "calls_incidents")
    # Calls: l1 l2 l3 m1 (children), d1 d_nr (adults), g1 (unknown) = 7; d_nr is not an incident.
    assert t["calls (reports received)"] == (7, 4, 2, 1)
    assert t["incidents (recorded episodes)"] == (6, 4, 1, 1)
    assert t["individuals"] == (4, 2, 1, 1)  # Lia, Max | Dan | Gus
    assert data.year_label == "2025/26"


def test_mpdr_demographics_and_risk(fy):
    data = missing_persons_data_return(FY.first, FY.last)
    assert rows(data, "sex") == {
        "female": ("Female", 3, 1),
        "male": ("Male", 2, 2),
        "unknown": ("Not known", 1, 1),
    }
    age_sex = rows(data, "age_sex")
    assert data.table("age_sex").columns == ("age_group", "label", "female", "male", "unknown", "total")
    assert age_sex["12_17"][1:] == (3, 1, 0, 4)  # Lia 14-15 ×3, Max 16
    assert age_sex["40_59"][1:] == (0, 1, 0, 1)  # Dan 45
    assert age_sex["unknown"][1:] == (0, 0, 1, 1)
    assert age_sex["under_12"][1:] == age_sex["60_plus"][1:] == (0, 0, 0, 0)
    ethnicity = rows(data, "ethnicity")
    assert ethnicity["W1"][1:] == (4, 2) and ethnicity["B1"][1:] == (1, 1) and ethnicity["NS"][1:] == (1, 1)
    risk = rows(data, "risk")  # incidents, children, adults, age unknown
    assert risk["low"][1:] == (1, 1, 0, 0)
    assert risk["medium"][1:] == (3, 2, 0, 1)  # l1 m1 | g1
    assert risk["high"][1:] == (2, 1, 1, 0)  # l3 | d1
    assert risk["very_low"][1:] == risk["not_assessed"][1:] == (0, 0, 0, 0)
    by_age = rows(data, "risk_by_age")
    assert data.table("risk_by_age").columns[2:] == (
        "very_low",
        "low",
        "medium",
        "high",
        "not_assessed",
        "total",
    )
    assert by_age["12_17"][1:] == (0, 1, 2, 1, 0, 4)
    assert by_age["40_59"][1:] == (0, 0, 0, 1, 0, 1)


def test_mpdr_harm_fatal_duration_who_found(fy):
    data = missing_persons_data_return(FY.first, FY.last)
    harm = rows(data, "harm")
    assert harm["safe_well"][1:] == (2, 2, 0, 0)
    assert harm["harmed"][1:] == (1, 0, 0, 1)
    assert harm["injured"][1:] == (0, 0, 0, 0)
    assert harm["deceased"][1:] == (1, 0, 1, 0)
    assert harm["no_found_record"][1:] == (2, 2, 0, 0)  # m1 (no record), l3 (still missing)
    assert harm["victim_of_offence"][1:] == (1, 0, 0, 1)
    fatal = rows(data, "fatal_outcomes")
    assert fatal["male"][1:] == (0, 1, 0, 1) and fatal["all"][1:] == (0, 1, 0, 1)
    duration = rows(data, "duration")
    assert duration["up_to_8h"][1:] == (2, 2, 0, 0)  # l1 2 h, m1 exactly 8 h (bound included)
    assert duration["8h_to_24h"][1:] == (1, 0, 1, 0)  # d1 10 h
    assert duration["1_to_2_days"][1:] == (1, 1, 0, 0)  # l2 exactly 48 h (bound included)
    assert duration["2_to_7_days"][1:] == (0, 0, 0, 0)
    assert duration["over_7_days"][1:] == (1, 0, 0, 1)  # g1 9 days
    assert duration["still_missing"][1:] == (1, 1, 0, 0)  # l3
    who = rows(data, "who_found")
    assert who["police"][1:] == (2, 0, 1, 1)
    assert who["care_staff"][1:] == (1, 1, 0, 0) and who["own_accord"][1:] == (1, 1, 0, 0)
    assert who["no_found_record"][1:] == (2, 2, 0, 0)


def test_mpdr_missing_from_care_and_repeats(fy):
    data = missing_persons_data_return(FY.first, FY.last)
    care = rows(data, "missing_from_care")
    assert care["childrens_home"][1:] == (3, 2)  # l1 l2 (Lia), m1 (Max, placed by another council: still in)
    assert care["foster_placement"][1:] == (1, 1)
    assert care["all"][1:] == (4, 2)
    assert rows(data, "repeat_missing") == {
        "1": (3, 3),  # Max, Dan (d_nr is not an incident), Gus
        "2": (0, 0),
        "3-5": (1, 3),  # Lia
        "6-10": (0, 0),
        "11+": (0, 0),
    }


def test_mpdr_incidents_by_month_use_local_months(fy):
    data = missing_persons_data_return(FY.first, FY.last)
    assert data.monthly is not None and "by_month" not in [t.key for t in data.tables]  # not in the files
    months = {row[0]: row[2:] for row in data.monthly.rows}  # incidents, children, adults, age unknown
    assert list(months) == [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
    assert months["2025-04"] == (1, 1, 0, 0)  # l1 at 00:30 BST on 1 April (23:30 UTC on 31 March)
    assert months["2025-05"] == (1, 0, 1, 0)  # d1 (d_nr is a call, not an incident)
    assert months["2025-06"] == (1, 1, 0, 0)  # m1
    assert months["2025-07"] == (1, 0, 0, 1)  # g1
    assert months["2025-09"] == (1, 1, 0, 0)  # l3
    assert months["2026-03"] == (1, 1, 0, 0)  # l2 at 22:00 on 31 March
    assert sum(row[2] for row in data.monthly.rows) == 6
    assert months["2025-08"] == months["2026-01"] == (0, 0, 0, 0)


def test_lac_return_rows_and_summary(fy):
    data = lac_missing_return(FY.first, FY.last, fy.world.council_b)
    lia = child_pseudonym(fy.lia.pk)
    assert len(lia) == 16 and str(fy.lia.pk) != lia
    # Max (placed by Council C) and l_old / l_after (outside the year) are not in.
    assert data.table("incidents").rows == [
        (lia, dt.date(2025, 4, 1), dt.date(2025, 4, 1), 0, "CHR", 14, "female"),
        (lia, dt.date(2025, 9, 10), None, None, "FOS", 15, "female"),
        (lia, dt.date(2026, 3, 31), dt.date(2026, 4, 2), 2, "CHR", 15, "female"),
    ]
    assert rows(data, "summary") == {
        "children_with_an_incident": (1,),
        "incidents": (3,),
        "incidents_per_child": (3.0,),
        "still_missing_at_year_end": (2,),  # l3 (still missing), l2 (found after the year end)
    }
    duration = rows(data, "duration")
    assert duration["under_1_day"][1:] == (1,) and duration["1_2_days"][1:] == (1,)
    assert duration["still_missing"][1:] == (1,) and duration["3_7_days"][1:] == (0,)
    placement = rows(data, "placement_type")
    assert (
        placement["CHR"][1:] == (2, 1) and placement["FOS"][1:] == (1, 1) and placement["SEC"][1:] == (0, 0)
    )
    assert rows(data, "age_at_start")["10_15"][1:] == (3, 1)
    assert rows(data, "sex")["female"][1:] == (3, 1)
    assert data.person_ids == frozenset({fy.lia.pk})
    # Council C's return has Max only.
    other = lac_missing_return(FY.first, FY.last, fy.world.council_c)
    assert [r[0] for r in other.table("incidents").rows] == [child_pseudonym(fy.max.pk)]


def test_files_have_the_documented_layout(fy, tmp_path):
    data = lac_missing_return(FY.first, FY.last, fy.world.council_b)
    archive = zipfile.ZipFile(io.BytesIO(return_csv_zip(data)))
    names = archive.namelist()
    assert names == [
        "01-incidents.csv",
        "02-summary.csv",
        "03-duration.csv",
        "04-placement_type.csv",
        "05-age_at_start.csv",
        "06-sex.csv",
        "about.csv",
    ]
    incidents = list(csv.reader(io.StringIO(archive.read("01-incidents.csv").decode())))
    assert incidents[0] == [
        "child_id",
        "start_date",
        "end_date",
        "duration_days",
        "placement_type",
        "age_at_start",
        "sex",
    ]
    assert incidents[2][1:4] == ["2025-09-10", "", ""]
    path = tmp_path / "lac.xlsx"
    return_xlsx(data, str(path))
    book = load_workbook(path)
    assert book.sheetnames == [
        "incidents",
        "summary",
        "duration",
        "placement_type",
        "age_at_start",
        "sex",
        "about",
    ]
    assert [c.value for c in book["summary"][2]] == ["children_with_an_incident", 1]
    doc = json.loads(return_json(data))
    assert doc["tables"]["incidents"]["rows"][2]["end_date"] == "2026-04-02"


# --- The page ---------------------------------------------------------------------------------------------

URL = "/reports/national-returns/"


@pytest.fixture
def analyst(world):
    return make_user("ann_analyst", world.force, Role.ANALYST)


def test_page_shows_the_mpdr_to_an_analyst(client, fy, analyst):
    client.force_login(analyst)
    response = client.get(URL, {"return": "mpdr", "year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Calls, incidents and individuals" in html and "calls (reports received)" in html
    assert client.get(URL).status_code == 200  # defaults


def test_lac_return_page_logs_a_consultation(client, fy, analyst):
    client.force_login(analyst)
    authority = fy.world.council_b.pk
    response = client.get(URL, {"return": "lac", "year": "2025", "authority": authority})
    assert response.status_code == 200
    assert child_pseudonym(fy.lia.pk) in response.content.decode()
    event = AuditEvent.objects.get(event_type="report.lac_return.viewed")
    assert event.actor_user_id == analyst.pk and str(fy.lia.pk) in event.object_ids


def test_download_is_an_audited_attachment(client, fy, analyst):
    client.force_login(analyst)
    response = client.get(URL, {"return": "mpdr", "year": "2025", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mpdr-2025-26.zip"'
    assert "01-calls_incidents.csv" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    event = AuditEvent.objects.get(event_type="report.mpdr.exported")
    assert event.actor_user_id == analyst.pk
    response = client.get(
        URL, {"return": "lac", "year": "2025", "authority": fy.world.council_b.pk, "format": "xlsx"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="lac-missing-return-2025-26.xlsx"'
    event = AuditEvent.objects.get(event_type="report.lac_return.exported")
    assert str(fy.lia.pk) in event.object_ids


def test_council_officer_gets_only_its_own_authority(client, fy):
    world = fy.world
    client.force_login(world.partner)  # Council B's missing officer
    own = {"return": "lac", "year": "2025", "authority": world.council_b.pk}
    assert client.get(URL, own).status_code == 200
    assert client.get(URL).status_code == 200  # defaults to its own authority
    assert client.get(URL, {**own, "authority": world.council_c.pk}).status_code == 403
    assert client.get(URL, {**own, "authority": world.council_c.pk, "format": "csv"}).status_code == 403
    assert client.get(URL, {"return": "mpdr", "year": "2025"}).status_code == 403


def test_others_are_refused(client, fy):
    for user in (fy.world.officer, fy.world.commissioner, fy.world.care_staff):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_bad_input_shows_a_field_error(client, fy, analyst):
    client.force_login(analyst)
    html = client.get(URL, {"return": "mpdr", "year": "twenty"}).content.decode()
    assert "Enter a year as 4 digits" in html and 'value="twenty"' in html
    html = client.get(URL, {"return": "lac", "year": "2025"}).content.decode()
    assert "Choose a local authority" in html
    assert not AuditEvent.objects.filter(event_type__startswith="report.mpdr").exists()


def test_index_links_to_the_returns(client, fy, analyst):
    client.force_login(analyst)
    assert URL in client.get("/reports/").content.decode()


# --- The command line ---------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_cli_mpdr_json_and_lac_return_xlsx(fy, tmp_path):
    doc = json.loads(run("mpdr", "--year", "2025", "--format", "json"))
    assert doc["period"]["from"] == "2025-04-01" and doc["period"]["to"] == "2026-03-31"
    assert doc["tables"]["calls_incidents"]["rows"][0] == {
        "measure": "calls (reports received)",
        "all": 7,
        "children": 4,
        "adults": 2,
        "age_unknown": 1,
    }
    assert AuditEvent.objects.filter(event_type="report.mpdr.exported", actor_user_id=None).count() == 1
    path = tmp_path / "lac.xlsx"
    run("lac-return", "--year", "2025", "--authority", "council b", "--format", "xlsx", "--out", str(path))
    assert load_workbook(path)["summary"]["B3"].value == 3  # incidents
    event = AuditEvent.objects.get(event_type="report.lac_return.exported")
    assert str(fy.lia.pk) in event.object_ids
    zip_path = tmp_path / "mpdr.zip"
    run("mpdr", "--year", "2025", "--format", "csv", "--out", str(zip_path))
    assert "12-repeat_missing.csv" in zipfile.ZipFile(zip_path).namelist()


def test_cli_refuses_bad_input(fy):
    with pytest.raises(CommandError, match="--year is required"):
        run("mpdr")
    with pytest.raises(CommandError, match="Unknown authority 'Nowhere'"):
        run("lac-return", "--year", "2025", "--authority", "Nowhere")
    with pytest.raises(CommandError, match="needs --out"):
        run("mpdr", "--year", "2025", "--format", "csv")


# --- Charts on the page: each chart has its data table beside it, with the same numbers ------------------


def page_sections(html: str) -> dict[str, dict[str, Any]]:
    """{section id: {"svg": the chart or "", "rows": the data table's rows as lists of cell text}}."""
    out = {}
    for key, body in re.findall(
        r'<section class="govuk-!-margin-top-8" id="([^"]+)">(.*?)</section>', html, re.S
    ):
        svg = re.search(r"<svg.*?</svg>", body, re.S)
        tbody = re.search(r"<tbody[^>]*>(.*?)</tbody>", body, re.S)
        rows = [
            [unescape(cell) for cell in re.findall(r'<td class="govuk-table__cell">(.*?)</td>', tr)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody.group(1) if tbody else "", re.S)
        ]
        out[key] = {"svg": unescape(svg.group(0)) if svg else "", "rows": rows}
    return out


def chart_text(svg: str, tag: str) -> str:
    found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", svg, re.S)
    return found.group(1) if found else ""


def test_mpdr_page_has_charts_with_their_tables(client, fy, analyst):
    client.force_login(analyst)
    html = client.get(URL, {"return": "mpdr", "year": "2025"}).content.decode()
    sections = page_sections(html)
    charted = [
        "by_month",
        "sex",
        "age_sex",
        "ethnicity",
        "risk",
        "harm",
        "duration",
        "who_found",
        "missing_from_care",
        "repeat_missing",
    ]
    for key in charted:
        svg = sections[key]["svg"]
        assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg, key
        assert sections[key]["rows"], key  # the data table is there too
        assert f'data-chart="{key}"' in html and f'data-table="{key}"' in html
    assert not sections["calls_incidents"]["svg"]  # a table of unlike measures: no chart
    # Incidents by month, local months: the chart's description and its table.
    month = sections["by_month"]
    assert chart_text(month["svg"], "title") == "Incidents by month: incidents"
    assert chart_text(month["svg"], "desc").startswith(
        "Apr 2025 1; May 2025 1; Jun 2025 1; Jul 2025 1; Aug 2025 0; Sep 2025 1; Oct 2025 0"
    )
    assert chart_text(month["svg"], "desc").endswith("Feb 2026 0; Mar 2026 1")
    assert month["rows"][0] == ["2025-04", "Apr 2025", "1", "1", "0", "0"]
    assert month["rows"][-1] == ["2026-03", "Mar 2026", "1", "1", "0", "0"]
    assert len(month["rows"]) == 12 and sum(int(r[2]) for r in month["rows"]) == 6
    # Risk, split by age group: medium is l1 m1 (children) and g1 (age unknown).
    risk = sections["risk"]
    assert "Medium 3 (Children 2, Adults 0, Age unknown 1)" in chart_text(risk["svg"], "desc")
    assert "High 2 (Children 1, Adults 1, Age unknown 0)" in chart_text(risk["svg"], "desc")
    assert ["medium", "Medium", "3", "2", "0", "1"] in risk["rows"]
    assert ["high", "High", "2", "1", "1", "0"] in risk["rows"]
    # Duration: the bound of 8 hours is in the first band.
    duration = chart_text(sections["duration"]["svg"], "desc")
    assert "8 hours or less 2 (Children 2, Adults 0, Age unknown 0)" in duration
    assert ["up_to_8h", "8 hours or less", "2", "2", "0", "0"] in sections["duration"]["rows"]
    # Harm: "victim of an offence" overlaps the conditions, so it is in the table but not the chart.
    harm = sections["harm"]
    assert "Victim" not in chart_text(harm["svg"], "desc")
    assert "Deceased 1 (Children 0, Adults 1, Age unknown 0)" in chart_text(harm["svg"], "desc")
    assert ["victim_of_offence", "Victim of an offence while missing", "1", "0", "0", "1"] in harm["rows"]
    # Age group and sex: stacked by sex.
    assert "12 to 17 4 (Female 3, Male 1, Not known 0)" in chart_text(sections["age_sex"]["svg"], "desc")
    # Plain bars: the value is in the accessible name and written beside each bar.
    sex = sections["sex"]["svg"]
    assert 'aria-label="Sex: incidents: Female 3; Male 2; Not known 1"' in sex
    assert sections["sex"]["rows"] == [
        ["female", "Female", "3", "1"],
        ["male", "Male", "2", "2"],
        ["unknown", "Not known", "1", "1"],
    ]
    repeat = sections["repeat_missing"]["svg"]
    assert "1 3; 2 0; 3-5 1; 6-10 0; 11+ 0" in repeat
    care = sections["missing_from_care"]
    assert (
        "All looked-after" not in care["svg"]
        and ["all", "All looked-after children", "4", "2"] in care["rows"]
    )
    # The downloads are as they were: the month table is the page's own.
    names = zipfile.ZipFile(
        io.BytesIO(client.get(URL, {"return": "mpdr", "year": "2025", "format": "csv"}).content)
    ).namelist()
    assert len(names) == 13 and not [n for n in names if "month" in n]


def test_lac_return_page_has_charts_with_their_tables(client, fy, analyst):
    client.force_login(analyst)
    params = {"return": "lac", "year": "2025", "authority": fy.world.council_b.pk}
    sections = page_sections(client.get(URL, params).content.decode())
    for key in ("by_month", "duration", "placement_type", "age_at_start", "sex"):
        assert sections[key]["svg"].startswith("<svg") and sections[key]["rows"], key
    assert not sections["incidents"]["svg"] and not sections["summary"]["svg"]
    months = chart_text(sections["by_month"]["svg"], "desc")
    assert (
        months.startswith("Apr 2025 1; May 2025 0")
        and "Sep 2025 1" in months
        and months.endswith("Mar 2026 1")
    )
    assert sections["by_month"]["rows"][5] == ["2025-09", "Sep 2025", "1"]
    placement = sections["placement_type"]
    assert "Children's home (regulated) 2; " in placement["svg"] and "Foster placement 1" in placement["svg"]
    assert ["CHR", "Children's home (regulated)", "2", "1"] in placement["rows"]
    assert "Less than 1 day 1; 1 to 2 days 1; 3 to 7 days 0" in sections["duration"]["svg"]
    assert ["still_missing", "Still missing", "1"] in sections["duration"]["rows"]
    assert "10 to 15 3" in sections["age_at_start"]["svg"]
    json_doc = json.loads(return_json(lac_missing_return(FY.first, FY.last, fy.world.council_b)))
    assert "by_month" not in json_doc["tables"]


def test_new_charts_are_described_and_escape_every_label():
    columns = column_chart("Months <x>", [Point("A&B", 3), Point("<b>", None)], desc='Say "hi"')
    assert 'aria-labelledby="' in columns and "<desc id=" in columns and "&quot;hi&quot;" in columns
    assert "A&amp;B" in columns and "<b>" not in columns and "&lt;x&gt;" in columns
    uid = re.search(r'aria-labelledby="(\S+)-title \1-desc"', columns)
    assert uid and f'<title id="{uid.group(1)}-title">' in columns
    stacked = stacked_bar_chart(
        "Risk", ("Children", "<Adults>"), [Stack("Low <1>", (2, 1)), Stack("High", (0, 0))]
    )
    assert "Low &lt;1&gt; 3 (Children 2, &lt;Adults&gt; 1)" in stacked and "<Adults>" not in stacked
    assert stacked.count("<rect") == 2 + 2  # the legend's two keys, and Low's two parts (High draws none)
    assert "No data" in stacked_bar_chart("Empty", ("A",), []) and "No data" in column_chart("Empty", [])


def test_table_cells_are_escaped_and_formatted_as_before():
    td = '<td class="govuk-table__cell">'
    cells = _row_cells(('<b>"x" & y</b>', None, dt.date(2025, 4, 1), 0, 3.0))
    assert cells == (
        f"{td}&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;</td>{td}</td>{td}2025-04-01</td>{td}0</td>{td}3.0</td>"
    )
