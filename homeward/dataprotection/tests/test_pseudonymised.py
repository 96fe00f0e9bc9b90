"""Pseudonymised analyst views and exports: a partner's analyst sees rows, never identities."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.dataprotection.pseudonym import pseudonym
from homeward.identity.roles import Role
from homeward.insights.access import Report, report_access
from homeward.insights.tests.conftest import march  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

WEEKLY = "/reports/weekly/?as_of=2025-03-30"
NAMES = ("Amy", "Ben", "Cara", "Dan", "Fay", "Ed", "Gus", "Hana")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_pseudonym_is_stable_distinct_and_keyed(settings):
    assert pseudonym(42) == pseudonym(42)
    assert pseudonym(42) != pseudonym(43)
    assert len(pseudonym(42)) == 17 and pseudonym(42).startswith("P") and "42" not in pseudonym(42)[1:3]
    before = pseudonym(42)
    settings.SECRET_KEY = "another-deployment-key-" + "x" * 40
    assert pseudonym(42) != before


def test_who_gets_pseudonymised_rows(world):
    partner_analyst = make_user("pia_analyst", world.council_b, Role.ANALYST)
    police_analyst = make_user("ann_analyst", world.force, Role.ANALYST)
    weekly = report_access(partner_analyst, Report.WEEKLY)
    assert weekly.allowed and weekly.pseudonymise and weekly.shared_rows_only
    assert not report_access(police_analyst, Report.WEEKLY).pseudonymise
    assert not report_access(partner_analyst, Report.NATIONAL_RETURNS).allowed
    measures = report_access(partner_analyst, Report.MEASURES)
    assert measures.allowed and not measures.force_wide and list(measures.districts) == [world.north]
    assert not report_access(world.commissioner, Report.WEEKLY).allowed  # aggregates only, as before


def test_a_partner_analyst_sees_pseudonyms_not_names_on_the_page_and_in_downloads(world, march):  # noqa: F811
    partner_analyst = make_user("pia_analyst", world.council_b, Role.ANALYST)
    client = signed_in(partner_analyst)
    page = client.get(WEEKLY).content.decode()
    assert pseudonym(march.amy.pk) in page
    assert f'href="/people/{march.amy.pk}/"' not in page
    for name in NAMES:
        assert f">{name} " not in page, name
    # The consultation names the real people shown.
    viewed = AuditEvent.objects.filter(event_type="report.weekly.viewed").get()
    assert str(march.amy.pk) in viewed.object_ids
    response = client.get(WEEKLY + "&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all(r["person_id"].startswith("P") and r["name"] == "" for r in rows)
    assert pseudonym(march.amy.pk) in {r["person_id"] for r in rows}
    exported = AuditEvent.objects.filter(event_type="report.weekly.exported").get()
    assert str(march.amy.pk) in exported.object_ids
    assert client.get(WEEKLY + "&format=xlsx").status_code == 200


def test_a_police_analyst_still_sees_names(world, march):  # noqa: F811
    police_analyst = make_user("ann_analyst", world.force, Role.ANALYST)
    page = signed_in(police_analyst).get(WEEKLY).content.decode()
    assert f'href="/people/{march.amy.pk}/"' in page and "Amy" in page


def test_the_episode_export_can_be_pseudonymised(world, march, tmp_path):  # noqa: F811
    out = tmp_path / "episodes.csv"
    call_command("export", "episodes", "--out", str(out), "--pseudonymised")
    rows = list(csv.DictReader(out.open()))
    assert rows
    ids = {r["person_id"] for r in rows}
    assert pseudonym(march.amy.pk) in ids
    assert str(march.amy.pk) not in ids
    assert all(r["date_of_birth"] == "" for r in rows)
    assert any(r["age_at_report"] for r in rows)
    event = AuditEvent.objects.filter(event_type="export.episodes.exported").get()
    assert "--pseudonymised" in event.reason_text
    plain = tmp_path / "plain.csv"
    call_command("export", "episodes", "--out", str(plain))
    assert str(march.amy.pk) in {r["person_id"] for r in csv.DictReader(plain.open())}
