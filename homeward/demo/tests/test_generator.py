"""The demo generator: deterministic, calibrated on the published figures, safe on a database in use."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from homeward.audit.models import AuditEvent
from homeward.demo import config
from homeward.demo.generator import DEMO_USERNAMES
from homeward.episodes.models import Episode, RiskAssessment, Status
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role
from homeward.people.models import Person, PersonAlias, PersonSearchKey

AS_OF = dt.date(2025, 6, 30)


def load(seed: int, scale: float, years: int = 1, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "demo",
        "--seed",
        str(seed),
        "--years",
        str(years),
        "--scale",
        str(scale),
        "--as-of",
        AS_OF.isoformat(),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def digest() -> str:
    """A fingerprint of the data by natural keys (database ids may differ between loads)."""
    h = hashlib.sha256()
    episodes = Episode.objects.order_by("reference").values_list(
        "reference",
        "person__given_name",
        "person__family_name",
        "person__date_of_birth",
        "district__name",
        "status",
        "reported_at",
        "last_seen_at",
        "found_at",
        "closed_at",
        "risk_level_first",
        "risk_level",
        "missing_from__name",
        "reporting_person_name",
        "circumstances",
        "placing_authority__name",
        "version",
    )
    assessments = RiskAssessment.objects.order_by("episode__reference", "sequence").values_list(
        "episode__reference", "sequence", "level", "assessed_at", "signed_off_at", "rationale", "factors"
    )
    people = Person.objects.order_by("given_name", "family_name", "date_of_birth", "created_at").values_list(
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "looked_after",
        "created_at",
        "marks",
    )
    keys = PersonSearchKey.objects.order_by("person__given_name", "person__family_name", "key").values_list(
        "person__given_name", "person__family_name", "key"
    )
    for rows in (episodes, assessments, people, keys):
        for row in rows:
            h.update(repr(row).encode())
    return h.hexdigest()


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    fingerprints = []
    for seed in (5, 5, 6):
        # Each load starts from an empty database: roll the previous one back.
        with transaction.atomic():
            load(seed, 0.05)
            fingerprints.append(digest())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[0] != fingerprints[2]


@pytest.mark.django_db
def test_a_small_run_is_calibrated_on_the_published_figures() -> None:
    output = load(11, 0.3)
    episodes = Episode.objects.all()
    recorded = episodes.exclude(status__in=(Status.NOT_RECORDED, Status.REPORTED))
    n = recorded.count()
    # About 10,500 episodes a year at scale 1.
    assert 0.85 * 3150 < episodes.count() < 1.15 * 3150

    # ~60% children; risk mix about 16% high; never very low for a child.
    assert 0.52 < recorded.filter(is_child=True).count() / n < 0.68
    assert 0.12 < recorded.filter(risk_level_first="high").count() / n < 0.21
    assert 0.62 < recorded.filter(risk_level_first="medium").count() / n < 0.74
    assert not recorded.filter(
        is_child=True, risk_assessments__level__in=settings.HOMEWARD_FORBIDDEN_CHILD_LEVELS
    )
    assert recorded.filter(is_child=False, risk_level_first="very_low").exists()

    # ~78% found within 24 hours of the report (SPEC §7 denominator), ~46% within 8 h.
    cutoff = max(e.reported_at for e in episodes)
    found = list(recorded.exclude(found_at=None).values_list("reported_at", "found_at"))
    base = recorded.exclude(found_at=None, reported_at__gt=cutoff - dt.timedelta(hours=24)).count()
    within_24 = sum(1 for rep, fnd in found if fnd - rep <= dt.timedelta(hours=24))
    within_8 = sum(1 for rep, fnd in found if fnd - rep <= dt.timedelta(hours=8))
    assert 0.72 < within_24 / base < 0.85
    assert 0.40 < within_8 / base < 0.54

    # Every graded episode has a risk assessment; closed ones are all signed off.
    assert not recorded.filter(risk_assessments__isnull=True).exists()
    assert not RiskAssessment.objects.filter(episode__status=Status.CLOSED, signed_off_at=None).exists()

    # A heavy repeat tail: most people go missing once, a few very often.
    per_person = Counter(episodes.values_list("person_id", flat=True))
    assert sum(1 for c in per_person.values() if c == 1) / len(per_person) > 0.6
    assert sum(1 for c in per_person.values() if c >= 8) >= 5
    lac = recorded.filter(
        looked_after=True, missing_from_category__in=["childrens_home", "unregistered_home"]
    )
    assert lac.exists()
    assert lac.filter(out_of_area=True).exclude(placing_authority=None).exists()

    # Live cases for the dashboard; a handful long-term; some decisions not to record.
    open_cases = episodes.filter(status__in=(Status.ACTIVE, Status.LONG_TERM))
    assert open_cases.filter(status=Status.ACTIVE).exists()
    assert not open_cases.filter(status=Status.ACTIVE, reported_at__lt=cutoff - dt.timedelta(days=3)).exists()
    assert open_cases.filter(status=Status.LONG_TERM).count() < 15
    assert episodes.filter(status=Status.NOT_RECORDED).exclude(not_recorded_reason="").exists()

    # References are unique, well formed and numbered in report order.
    refs = list(episodes.order_by("reported_at", "id").values_list("reference", flat=True))
    assert all(re.fullmatch(r"MP-\d{4}-\d{6}", r) for r in refs)
    assert refs == sorted(refs)

    # Everyone is searchable; misspelt re-reports are kept as aliases with who supplied them.
    assert not Person.objects.annotate(k=Count("search_keys")).filter(k=0).exists()
    assert PersonAlias.objects.filter(is_nickname=False).exclude(supplied_by="").exists()

    # One demo account per role; loading is audited once.
    roles = set(User.objects.filter(username__in=DEMO_USERNAMES).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="admin").is_staff
    assert AuditEvent.objects.filter(event_type="demo.loaded").count() == 1
    assert "Calibration" in output

    # Ids were assigned by the generator: the database still hands out fresh ones afterwards.
    force = Organisation.objects.get(kind=OrganisationKind.POLICE_FORCE)
    later = Person.objects.create(
        given_name="Test",
        family_name="Person",
        owner=force,
        force=force,
        created_at=cutoff,
        updated_at=cutoff,
    )
    assert later.pk > max(per_person)


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_database_alone() -> None:
    Organisation.objects.create(name="Existing Force", kind=OrganisationKind.POLICE_FORCE)
    out = io.StringIO()
    call_command("demo", "--if-empty", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "already has data" in out.getvalue()
    assert Organisation.objects.count() == 1
    assert not Episode.objects.exists()
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())


@pytest.mark.django_db
def test_accounts_lists_every_role_and_the_password() -> None:
    load(2, 0.02)
    out = io.StringIO()
    call_command("demo", "accounts", stdout=out)
    text = out.getvalue()
    for username in DEMO_USERNAMES:
        assert re.search(rf"^\s+{re.escape(username)}\s", text, re.MULTILINE)
    for _value, label in Role.choices:
        assert label in text
    assert config.FORCE_NAME in text
    assert "Password" in text


def test_archetype_budgets_add_up_to_the_force_volume() -> None:
    assert sum(a.per_year for a in config.ARCHETYPES) == config.EPISODES_PER_YEAR
    assert {role for _u, role, *_rest in config.DEMO_ACCOUNTS} == set(Role.values)
