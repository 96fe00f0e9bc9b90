"""Weekly datasets delivered to subscribers by the sweep: on time, once, scoped, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from homeward.audit.models import AuditEvent
from homeward.conftest import TEST_PASSWORD, make_user
from homeward.identity.roles import Role
from homeward.insights.delivery import deliver_weekly_reports, weekly_as_of_due
from homeward.insights.models import DeliveredReport, ReportSubscription
from homeward.insights.tests.builders import episode, person, utc

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_the_datasets_are_due_from_monday_six_oclock_local_time():
    # Monday 9 June 2025: 05:59 BST (04:59 UTC) is still the previous week's; 06:00 BST is this week's.
    assert weekly_as_of_due(utc(2025, 6, 9, 4, 59)) == dt.date(2025, 6, 1)
    assert weekly_as_of_due(utc(2025, 6, 9, 5, 0)) == dt.date(2025, 6, 8)
    assert weekly_as_of_due(utc(2025, 6, 14, 12)) == dt.date(2025, 6, 8)  # Saturday
    # In winter (GMT) 06:00 local is 06:00 UTC.
    assert weekly_as_of_due(utc(2025, 12, 8, 5, 59)) == dt.date(2025, 11, 30)
    assert weekly_as_of_due(utc(2025, 12, 8, 6, 0)) == dt.date(2025, 12, 7)


def test_each_subscriber_gets_one_copy_scoped_to_what_they_may_see(world):
    analyst = make_user("ana_analyst", world.force, Role.ANALYST)
    officer = world.officer  # no weekly datasets for officers
    kid = person(world, "Kit", dob=dt.date(2012, 5, 5))
    episode(world, kid, utc(2025, 6, 2), district=world.north)
    adult = person(world, "Ada", dob=dt.date(1980, 5, 5))
    episode(world, adult, utc(2025, 6, 3), district=world.south)
    for user in (analyst, world.partner, officer):
        ReportSubscription.objects.create(user=user, report="weekly", created_at=utc(2025, 6, 1))
    monday = utc(2025, 6, 9, 7)
    assert deliver_weekly_reports(now=monday) == 2  # not the officer
    assert deliver_weekly_reports(now=monday) == 0  # once
    copies = {c.subscription.user: c for c in DeliveredReport.objects.select_related("subscription__user")}
    assert set(copies) == {analyst, world.partner}
    assert all(c.as_of == dt.date(2025, 6, 8) for c in copies.values())

    def names(copy: DeliveredReport) -> set[str]:
        book = load_workbook(io.BytesIO(bytes(copy.content)), read_only=True)
        return {
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        }

    assert "Kit Test" in names(copies[analyst]) and "Ada Test" in names(copies[analyst])
    # Council B sees the child missing in its area, not the adult missing in South.
    assert "Kit Test" in names(copies[world.partner]) and "Ada Test" not in names(copies[world.partner])
    events = AuditEvent.objects.filter(event_type="report.weekly.delivered")
    assert events.count() == 2
    assert {e.recipient_agency_id for e in events} == {world.force.pk, world.council_b.pk}


def test_subscribe_download_and_stop_through_the_pages(world):
    analyst = make_user("ana_analyst", world.force, Role.ANALYST)
    client = client_for(analyst)
    assert client.post("/reports/weekly/subscription/", {"district": "999"}).status_code == 200  # bad choice
    assert not ReportSubscription.objects.exists()
    assert client.post("/reports/weekly/subscription/", {"district": ""}).status_code == 302
    deliver_weekly_reports(now=utc(2025, 6, 9, 7))
    copy = DeliveredReport.objects.get()
    page = client.get("/reports/weekly/subscription/").content.decode()
    assert "Download XLSX" in page and "all districts" in page
    response = client.get(f"/reports/weekly/delivered/{copy.pk}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(event_type="report.weekly.downloaded").count() == 1
    # Nobody else can fetch it; roles without the weekly datasets cannot subscribe.
    other = make_user("ann_other", world.force, Role.ANALYST)
    assert client_for(other).get(f"/reports/weekly/delivered/{copy.pk}/").status_code == 404
    assert client_for(world.care_staff).get("/reports/weekly/subscription/").status_code == 403
    assert client.post("/reports/weekly/subscription/", {"action": "stop"}).status_code == 302
    assert not ReportSubscription.objects.exists()
