"""ACC-5: PostgreSQL row-level security is enabled and forced on every tenant table, and the role the
application connects as is bound by it (not a superuser, not the owner, no BYPASSRLS).

The whole PostgreSQL pass of the suite runs as that role (homeward/conftest.py), so every other test
shows the policies let legitimate work through; these show what they stop.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.http import HttpResponse
from django.test import RequestFactory

from homeward.conftest import World, make_user
from homeward.episodes import actions
from homeward.episodes.models import Episode, RiskAssessment
from homeward.episodes.tests.factories import make_adult, make_ruby, report
from homeward.identity.api_tokens import api_token_issue
from homeward.identity.models import District, Organisation, OrganisationKind
from homeward.identity.roles import Role
from homeward.people.actions import PersonData, person_create
from homeward.people.models import Person
from homeward.security.checks import check_row_security, row_security_problems
from homeward.security.row_security import (
    EVERY_FORCE,
    NO_FORCE,
    RowSecurityMiddleware,
    acting_for,
    acting_for_every_force,
    current_scope,
    forces_visible_to,
    tenant_models,
)
from homeward.security.tests.test_selectors_only import protected_models

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Row-level security is PostgreSQL's; the PostgreSQL pass of `make test` runs these")


def other_force(world: World) -> tuple[Organisation, Episode]:
    """Force Z, with one episode of its own."""
    force_z = Organisation.objects.create(name="Force Z Police", kind=OrganisationKind.POLICE_FORCE)
    force_z.force = force_z
    force_z.save()
    district = District.objects.create(force=force_z, name="Zed", population=100_000)
    handler = make_user("zoe_handler", force_z, Role.CALL_HANDLER, district)
    person = person_create(
        actor=handler,
        data=PersonData(
            given_name="Zara", family_name="Quinn", date_of_birth=dt.date(1990, 1, 1), sex="female"
        ),
        supplied_by="Her brother",
    )
    data = actions.ReportData(
        district=district,
        missing_from=None,
        missing_from_address="3 Zed Street",
        missing_from_category="private_home",
        reporting_person_name="Zak Quinn",
        reporting_person_relationship="Brother",
        last_seen_at=dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC),
        last_seen_place="Bus station",
        circumstances="Did not come home from work.",
        reasonable_steps="",
        call_handler_answers={},
    )
    return force_z, actions.episode_report(actor=handler, person=person, data=data)


def test_every_model_that_reaches_a_person_or_an_episode_is_a_tenant_table():
    assert protected_models() <= set(tenant_models())
    # And the tables with a force of their own that hold no person: premises and initiatives.
    assert apps.get_model("places", "Location") in tenant_models()
    assert apps.get_model("identity", "Organisation") not in tenant_models()


def test_the_application_role_is_bound_by_forced_policies_on_every_tenant_table():
    assert row_security_problems() == []
    assert check_row_security() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) "
            "AND c.relrowsecurity AND c.relforcerowsecurity",
            [[m._meta.db_table for m in tenant_models()]],
        )
        assert len(cursor.fetchall()) == len(tenant_models())


@pytest.mark.database_owner
def test_the_deploy_check_refuses_a_superuser_connection():
    """The suite's owner connection is the PostgreSQL superuser: exactly what production must not use."""
    messages = check_row_security()
    assert messages and all(m.id == "homeward.security.E001" for m in messages)
    assert any("superuser" in m.msg for m in messages)


def test_a_police_force_reaches_only_its_own_rows(world: World):
    _, theirs = other_force(world)
    ours = report(world, make_adult(world))
    with acting_for(world.officer):
        assert set(Episode.objects.values_list("pk", flat=True)) == {ours.pk}
        assert not Person.objects.filter(pk=theirs.person_id).exists()
        # Tables without a force of their own follow the rows they belong to.
        assert not RiskAssessment.objects.filter(episode_id=theirs.pk).exists()
    with acting_for_every_force():
        assert Episode.objects.filter(pk=theirs.pk).exists()


def test_nobody_reaches_anything_without_a_scope(world: World):
    report(world, make_adult(world))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('homeward.forces', '', false)")
        try:
            for model in tenant_models():
                assert not model.objects.exists(), model._meta.db_table
        finally:
            cursor.execute("SELECT set_config('homeward.forces', '*', false)")


def test_a_row_for_another_force_cannot_be_written(world: World):
    force_z, _ = other_force(world)
    with (
        acting_for(world.officer),
        pytest.raises(ProgrammingError, match="row-level security"),
        transaction.atomic(),
    ):
        Person.objects.create(
            given_name="Not",
            family_name="Ours",
            force=force_z,
            sex="male",
            created_at=dt.datetime.now(dt.UTC),
        )


def test_updating_another_forces_row_changes_nothing(world: World):
    _, theirs = other_force(world)
    with acting_for(world.officer):
        assert Episode.objects.filter(pk=theirs.pk).update(circumstances="overwritten") == 0
    theirs.refresh_from_db()
    assert theirs.circumstances == "Did not come home from work."


def test_a_partner_reaches_the_forces_where_it_placed_a_child(world: World):
    """Council B placed Ruby; when she goes missing in Force Z's area, Council B may see that episode —
    and nothing else of Force Z's."""
    force_z, theirs = other_force(world)
    ruby = make_ruby(world)
    ours = report(world, ruby)
    assert forces_visible_to(world.outsider) in (NO_FORCE, str(world.council_c.pk))
    assert forces_visible_to(world.partner) == str(world.force.pk)
    with acting_for_every_force():
        Episode.objects.filter(pk=ours.pk).update(force=force_z)
    assert forces_visible_to(world.partner) == ",".join(str(f) for f in sorted({world.force.pk, force_z.pk}))
    with acting_for(world.partner):
        assert Episode.objects.filter(pk=ours.pk).exists()


def test_each_request_acts_for_its_user_and_leaves_the_connection_as_it_found_it(world: World):
    """A view that forgot its selector still meets the wall: the middleware narrows the connection."""
    _, theirs = other_force(world)
    seen: dict[str, object] = {}

    def careless_view(request: object) -> HttpResponse:
        seen["scope"] = current_scope()
        seen["episodes"] = set(Episode.objects.values_list("pk", flat=True))
        return HttpResponse("ok")

    middleware = RowSecurityMiddleware(careless_view)
    request = RequestFactory().get("/")
    request.user = world.officer
    middleware(request)
    assert seen["scope"] == str(world.force.pk)
    assert theirs.pk not in seen["episodes"]
    assert current_scope() == EVERY_FORCE

    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    middleware(request)
    assert seen["scope"] == NO_FORCE
    assert seen["episodes"] == set()


def test_an_api_token_narrows_the_request_to_its_user(world: World):
    """Bearer tokens are read by the API after the middleware ran (as anonymous): the token check
    narrows the connection itself."""
    from django.contrib.auth.models import AnonymousUser

    from homeward.api import TokenAuth

    _, plaintext = api_token_issue(actor=world.officer, name="test")
    seen: dict[str, object] = {}

    def api_view(request: object) -> HttpResponse:
        seen["before"] = current_scope()
        assert TokenAuth().authenticate(request, plaintext) == world.officer  # type: ignore[arg-type]
        seen["after"] = current_scope()
        return HttpResponse("ok")

    request = RequestFactory().get("/api/v1/episodes/")
    request.user = AnonymousUser()
    RowSecurityMiddleware(api_view)(request)
    assert seen == {"before": NO_FORCE, "after": str(world.force.pk)}
    assert current_scope() == EVERY_FORCE
