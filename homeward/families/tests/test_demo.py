"""The demo family contact log, on a small demo load."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from homeward.audit.models import AuditEvent
from homeward.families import demo
from homeward.families.demo import add_demo_records
from homeward.families.models import FamilyContact
from homeward.families.selectors import may_log_family_contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _load_without_casework_records(monkeypatch):
    """The demo loader calls add_demo_records itself; these tests call it on a load without them."""
    monkeypatch.setattr("homeward.demo.generator._casework_records", lambda **_: {})


NOW = dt.datetime(2025, 6, 29, 23, 0, tzinfo=dt.UTC)


def small_load(seed: int) -> None:
    call_command(
        "demo",
        "--seed",
        str(seed),
        "--years",
        "1",
        "--scale",
        "0.1",
        "--as-of",
        "2025-06-30",
        stdout=io.StringIO(),
    )


def test_contacts_for_children_missing_from_private_homes_mostly_signposted():
    small_load(7)
    events = AuditEvent.objects.count()
    counts = add_demo_records(seed=7, now=NOW)
    contacts = list(FamilyContact.objects.select_related("episode", "recorded_by"))
    assert counts["family contacts"] == len(contacts) > 30
    assert AuditEvent.objects.count() == events + 1  # one event for the load, none per row
    per_episode = Counter(c.episode_id for c in contacts)
    assert counts["episodes with family contacts"] == len(per_episode)
    assert set(per_episode.values()) <= {1, 2, 3}
    signposted = [c for c in contacts if c.signposted]
    assert counts["family contacts signposted to support"] == len(signposted)
    assert 0.45 < len(signposted) / len(contacts) < 0.75
    for c in contacts:
        assert c.episode.is_child and c.episode.missing_from_category == "private_home"
        assert c.episode.reported_at <= c.contacted_at <= NOW and c.recorded_at <= NOW
        assert may_log_family_contact(c.recorded_by, c.episode)
        assert c.organisation_id == c.episode.force_id
        if c.signposted:
            assert c.signposted_to and c.signposted_at is not None and c.signposted_at >= c.contacted_at
        else:
            assert not c.signposted_to and c.signposted_at is None


def test_the_rows_are_capped_and_the_same_seed_gives_the_same_log(monkeypatch):
    monkeypatch.setattr(demo, "MAX_ROWS", 20)
    results = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            small_load(7)
            add_demo_records(seed=seed, now=NOW)
            assert 15 <= FamilyContact.objects.count() <= 20
            results.append(
                list(
                    FamilyContact.objects.order_by("episode__reference", "contacted_at").values_list(
                        "episode__reference", "contacted_at", "contact_name", "signposted", "signposted_to"
                    )
                )
            )
            transaction.set_rollback(True)
    assert results[0] == results[1] and results[0] != results[2]
