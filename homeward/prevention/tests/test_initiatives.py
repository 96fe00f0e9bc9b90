"""The initiatives register: anyone signed in reads it; MANAGE_INITIATIVES keeps it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.prevention.models import Initiative

pytestmark = pytest.mark.django_db


def add(pw, name: str, *, district=None, starts: int = -100, ends: int | None = 100) -> Initiative:
    today = timezone.localdate()
    now = timezone.now()
    return Initiative.objects.create(
        name=name,
        provider_name="Safe Return Yorkshire",
        force=pw.world.force,
        district=district,
        amount=Decimal("12500"),
        starts_on=today + dt.timedelta(days=starts),
        ends_on=None if ends is None else today + dt.timedelta(days=ends),
        aims="Mentoring",
        created_at=now,
        updated_at=now,
    )


def test_the_register_filters_by_district_and_active_date(client, pw):
    w = pw.world
    north = add(pw, "North mentoring", district=w.north)
    south = add(pw, "South youth work", district=w.south)
    wide = add(pw, "Force-wide training", ends=None)
    ended = add(pw, "Old project", district=w.north, starts=-400, ends=-200)
    client.force_login(pw.analyst)
    url = reverse("prevention:initiatives")

    def listed(query: str = "") -> set[int]:
        html = client.get(url + query).content.decode()
        return {i.pk for i in (north, south, wide, ended) if f'data-initiative="{i.pk}"' in html}

    assert listed() == {north.pk, south.pk, wide.pk, ended.pk}
    assert listed(f"?district={w.north.pk}") == {north.pk, ended.pk}
    assert listed(f"?active_on={timezone.localdate().isoformat()}") == {north.pk, south.pk, wide.pk}
    assert listed(f"?district={w.north.pk}&active_on={timezone.localdate().isoformat()}") == {north.pk}
    # Nonsense in the filter shows an error, never a crash.
    page = client.get(url + "?active_on=31-31-2020")
    assert page.status_code == 200 and "Enter the date as a real date" in page.content.decode()


def test_only_register_keepers_add_and_change(client, pw):
    w = pw.world
    client.force_login(w.officer)
    assert client.get(reverse("prevention:initiatives")).status_code == 200
    assert client.get(reverse("prevention:initiative_new")).status_code == 403
    client.force_login(w.commissioner)
    url = reverse("prevention:initiative_new")
    data = {
        "name": "Safe spaces",
        "provider_name": "Local youth trust",
        "district": w.south.pk,
        "amount": "-5",
        "starts_on": "2025-04-01",
        "ends_on": "2025-03-01",
        "aims": "Safe spaces at night",
    }
    page = client.post(url, data)
    html = page.content.decode()
    assert (
        page.status_code == 200 and "Enter an amount of £0 or more" in html and "Safe spaces at night" in html
    )
    assert not Initiative.objects.exists()
    page = client.post(url, {**data, "amount": "25000"})
    assert "The end date must be on or after the start date" in page.content.decode()
    assert not Initiative.objects.exists()
    assert client.post(url, {**data, "amount": "25000", "ends_on": "2026-03-31"}).status_code == 302
    initiative = Initiative.objects.get()
    assert (
        initiative.amount == Decimal("25000")
        and initiative.force == w.force
        and initiative.district == w.south
    )
    assert AuditEvent.objects.filter(
        event_type="initiative.created", actor_user_id=w.commissioner.pk
    ).exists()

    edit = reverse("prevention:initiative_edit", args=[initiative.pk])
    changed = {**data, "amount": "30000", "ends_on": "2026-03-31", "version": 1}
    assert client.post(edit, changed).status_code == 302
    stale = client.post(edit, {**changed, "amount": "1"})
    assert "Changed by someone else" in stale.content.decode()
    initiative.refresh_from_db()
    assert initiative.amount == Decimal("30000") and initiative.version == 2
