"""The demo locality assessments, on a small demo load."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from homeward.identity.models import OrganisationKind
from homeward.identity.roles import Role
from homeward.places.actions import may_assess_locality
from homeward.places.demo_locality import DEMO_CATEGORIES, add_demo_records
from homeward.places.models import LocalityRiskAssessment, Location

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
        "0.05",
        "--as-of",
        "2025-06-30",
        stdout=io.StringIO(),
    )


def rows() -> list[tuple[object, ...]]:
    return list(
        LocalityRiskAssessment.objects.order_by("location__name", "assessed_on").values_list(
            "location__name", "outcome", "assessed_on", "review_due", "reasons", "assessed_by__username"
        )
    )


def test_every_care_setting_gets_a_plausible_history_by_someone_who_may_record_it():
    small_load(4)
    counts = add_demo_records(seed=4, now=NOW)
    homes = Location.objects.filter(category__in=DEMO_CATEGORIES)
    assert homes.count() > 5
    assert counts["locality risk assessments"] == LocalityRiskAssessment.objects.count()
    per_home = Counter(LocalityRiskAssessment.objects.values_list("location_id", flat=True))
    assert set(per_home) == set(homes.values_list("pk", flat=True))
    assert set(per_home.values()) <= {1, 2, 3} and len(set(per_home.values())) > 1
    assert not LocalityRiskAssessment.objects.exclude(location__category__in=DEMO_CATEGORIES).exists()
    outcomes = Counter(LocalityRiskAssessment.objects.values_list("outcome", flat=True))
    assert outcomes["suitable"] + outcomes["suitable_with_conditions"] > 0.8 * sum(outcomes.values())
    today = dt.date(2025, 6, 29)
    latest = {}
    for a in LocalityRiskAssessment.objects.select_related("location__district", "assessed_by__organisation"):
        assert may_assess_locality(a.assessed_by, a.location), a
        assert a.organisation_id == a.assessed_by.organisation_id and a.assessed_on <= today
        assert a.review_due == a.assessed_on + dt.timedelta(days=365)
        assert (a.outcome == "suitable_with_conditions") == bool(a.conditions)
        provider = a.location.provider
        if (
            provider is not None
            and provider.kind == OrganisationKind.CARE_PROVIDER
            and provider.users.filter(role=Role.CARE_STAFF).exists()
        ):
            assert a.assessed_by.role == Role.CARE_STAFF
        else:
            assert a.assessed_by.role == Role.MFH_COORDINATOR
        if a.location_id not in latest or a.assessed_on > latest[a.location_id].assessed_on:
            latest[a.location_id] = a
    overdue = sum(1 for a in latest.values() if a.is_overdue(today))
    assert overdue == counts["premises overdue for locality review"]
    assert 0 < overdue < len(latest) / 3


def test_the_same_seed_gives_the_same_assessments():
    results = []
    for seed in (4, 4, 5):
        with transaction.atomic():
            small_load(4)
            add_demo_records(seed=seed, now=NOW)
            results.append(rows())
            transaction.set_rollback(True)
    assert results[0] == results[1] and results[0] != results[2]
