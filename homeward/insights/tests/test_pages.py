"""The report pages: access, suppression, sharing-rule filtering, downloads, filter errors and charts."""

from __future__ import annotations

import csv
import io

import pytest

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.identity.roles import Role
from homeward.insights.charts import Point, bar_chart, line_chart
from homeward.insights.navigation import nav_items

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEEKLY = "/reports/weekly/?as_of=2025-03-30"
MEASURES_P = "/reports/measures/?from=2025-10-20&to=2025-10-26"


@pytest.fixture
def analyst(world):
    return make_user("ann_analyst", world.force, Role.ANALYST)


def login(client, user):
    client.force_login(user)
    return client


def test_every_page_opens_for_an_analyst(client, march, analyst):
    login(client, analyst)
    for url in (
        "/reports/",
        WEEKLY,
        "/reports/measures/?from=2025-03-01&to=2025-03-31",
        "/reports/quarterly/?year=2025&quarter=1",
        "/reports/weekly/",  # defaults
        "/reports/measures/",
        "/reports/quarterly/",
    ):
        assert client.get(url).status_code == 200, url


def test_weekly_lists_link_to_people_and_log_a_consultation(client, march, analyst):
    login(client, analyst)
    html = client.get(WEEKLY).content.decode()
    assert f'href="/people/{march.amy.pk}/"' in html
    assert f'href="/episodes/{march.a3.pk}/"' in html
    assert "Definition" in html and "first ever recorded episode" in html
    event = AuditEvent.objects.filter(event_type="report.weekly.viewed").get()
    assert event.actor_user_id == analyst.pk
    assert str(march.amy.pk) in event.object_ids and str(march.dan.pk) in event.object_ids


def test_measures_show_previous_period_and_direction_in_words(client, week, analyst):
    html = login(client, analyst).get(MEASURES_P).content.decode()
    assert "2025-10-13 to 2025-10-19" in html or "2025-10-13" in html  # the previous equivalent period
    assert "↑ up by" in html or "↓ down by" in html or "no change" in html
    assert "12-month rolling average of children going missing" in html
    assert 'role="img"' in html


def test_commissioner_gets_aggregates_only(client, week, world):
    login(client, world.commissioner)
    assert client.get(MEASURES_P).status_code == 200
    assert client.get("/reports/quarterly/?year=2025&quarter=4").status_code == 200
    assert client.get(WEEKLY).status_code == 403
    assert client.get(WEEKLY + "&format=csv").status_code == 403
    index = client.get("/reports/").content.decode()
    assert "/reports/weekly/" not in index and "/reports/measures/" in index
    assert nav_items(world.commissioner) == [("Reports", "insights:index")]


def test_small_counts_are_suppressed_for_the_commissioner(client, week, world, analyst):
    # 20–26 Oct: 6 episodes of 3 individuals; 3 is small, 6 is not.
    html = login(client, world.commissioner).get(MEASURES_P).content.decode()
    row = html.split('data-measure="individuals"')[1].split("</tr>")[0]
    assert "fewer than 5" in row and ">3<" not in row
    episodes = html.split('data-measure="episodes"')[1].split("</tr>")[0]
    assert ">6<" in episodes
    rows = list(csv.DictReader(io.StringIO(client.get(MEASURES_P + "&format=csv").content.decode())))
    individuals = next(r for r in rows if r["measure"] == "individuals")
    assert individuals["current"] == "" and individuals["direction"] == ""
    assert next(r for r in rows if r["measure"] == "episodes")["current"] == "6"
    quarterly = client.get("/reports/quarterly/?year=2025&quarter=4&format=csv").content.decode()
    totals = next(
        r
        for r in csv.DictReader(io.StringIO(quarterly))
        if r["scope"] == "force" and r["dimension"] == "totals"
    )
    assert totals["episodes"] == "7" and totals["individuals"] == ""  # Q4 also holds e0 (15 Oct)
    # The analyst sees the real figure.
    client.logout()
    analyst_html = login(client, analyst).get(MEASURES_P).content.decode()
    assert ">3<" in analyst_html.split('data-measure="individuals"')[1].split("</tr>")[0]


def test_council_officer_sees_only_rows_its_sharing_rules_allow(client, march, world):
    # Council B is North's council: it may see children's episodes reported in North (host authority).
    html = login(client, world.partner).get(WEEKLY).content.decode()
    assert f'data-person="{march.amy.pk}"' in html  # looked-after child, North
    assert f'data-episode="{march.a3.pk}"' in html
    assert f'data-person="{march.dan.pk}"' not in html  # adult, South
    assert f'data-person="{march.ben.pk}"' not in html  # child, South
    assert f'data-episode="{march.c2.pk}"' not in html  # Cara as an adult
    client.logout()
    outsider = login(client, world.outsider).get(WEEKLY).content.decode()
    assert f'data-person="{march.amy.pk}"' not in outsider
    assert f'data-episode="{march.a3.pk}"' not in outsider
    # Downloads are cut the same way.
    rows = list(csv.DictReader(io.StringIO(client.get(WEEKLY + "&format=csv").content.decode())))
    assert rows == []


def test_council_aggregates_are_for_its_own_district_only(client, march, world):
    login(client, world.partner)
    html = client.get("/reports/measures/?from=2025-03-01&to=2025-03-31").content.decode()
    assert "episodes reported in North" in html and "All districts" not in html
    bad = client.get(f"/reports/measures/?from=2025-03-01&to=2025-03-31&district={world.south.pk}")
    assert bad.status_code == 200 and "Choose a district from the list" in bad.content.decode()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR, Role.RHI_WORKER, Role.CARE_STAFF])
def test_other_roles_are_refused(client, world, role):
    user = make_user(f"x_{role}", world.force, role)
    login(client, user)
    for url in ("/reports/", WEEKLY, MEASURES_P, "/reports/quarterly/"):
        assert client.get(url).status_code == 403, url
    assert nav_items(user) == []


@pytest.mark.parametrize(
    ("url", "content_type", "event_type"),
    [
        (WEEKLY + "&format=csv", "text/csv; charset=utf-8", "report.weekly.exported"),
        (WEEKLY + "&format=xlsx", XLSX, "report.weekly.exported"),
        (MEASURES_P + "&format=csv", "text/csv; charset=utf-8", "report.measures.exported"),
        (MEASURES_P + "&format=xlsx", XLSX, "report.measures.exported"),
        (MEASURES_P + "&format=csv&part=rolling", "text/csv; charset=utf-8", "report.measures.exported"),
        (MEASURES_P + "&format=xlsx&part=rolling", XLSX, "report.measures.exported"),
        (
            "/reports/quarterly/?year=2025&quarter=1&format=csv",
            "text/csv; charset=utf-8",
            "report.quarterly.exported",
        ),
        ("/reports/quarterly/?year=2025&quarter=1&format=xlsx", XLSX, "report.quarterly.exported"),
    ],
)
def test_downloads_are_audited_attachments(client, march, analyst, url, content_type, event_type):
    response = login(client, analyst).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    if content_type == XLSX:
        assert response.content[:2] == b"PK"
    event = AuditEvent.objects.filter(event_type=event_type).get()
    assert event.actor_user_id == analyst.pk and event.operation == "disclosure"
    if event_type == "report.weekly.exported":
        assert str(march.amy.pk) in event.object_ids


@pytest.mark.parametrize(
    ("url", "message", "typed"),
    [
        ("/reports/weekly/?as_of=2025-13-45", "Enter a real date", "2025-13-45"),
        ("/reports/weekly/?as_of=2025-03-30&district=999999", "Choose a district from the list", None),
        ("/reports/measures/?from=2025-03-31&to=2025-03-01", "same as or after the start date", "2025-03-01"),
        ("/reports/measures/?from=yesterday&to=2025-03-01", "Enter a real date", "yesterday"),
        ("/reports/quarterly/?year=20x5&quarter=1", "Enter a year as 4 digits", "20x5"),
        ("/reports/quarterly/?year=2025&quarter=7", "Choose a quarter from the list", None),
    ],
)
def test_bad_filter_input_shows_a_field_error(client, march, analyst, url, message, typed):
    response = login(client, analyst).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-message" in html and message in html and "govuk-error-summary" in html
    assert "No results" in html
    if typed:
        assert f'value="{typed}"' in html
    # A download with bad input is not a download and is not audited.
    assert "attachment" not in login(client, analyst).get(url + "&format=csv").get("Content-Disposition", "")
    assert not AuditEvent.objects.filter(event_type__endswith=".exported").exists()


def test_svg_escapes_every_label():
    svg = bar_chart(
        'Rows <b>"x"</b>', [Point("<script>alert(1)</script>", 3), Point("A & B", None, "fewer than 5")]
    )
    assert 'role="img"' in svg and "<title" in svg and "aria-label=" in svg
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "A &amp; B" in svg and "<b>" not in svg and "&quot;x&quot;" in svg
    line = line_chart("Months", [Point("2025-01", 1.5), Point("<2025-02>", None), Point("2025-03", 2)])
    assert "&lt;2025-02&gt;" in line and "<polyline" not in line  # a gap leaves single points
    assert line.count("<circle") == 2
