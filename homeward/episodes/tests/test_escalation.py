from __future__ import annotations

import pytest
from django.urls import reverse

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.episodes import actions
from homeward.episodes.models import Escalation, Status
from homeward.episodes.tests.factories import make_adult, make_ruby, report
from homeward.errors import IllegalTransition, InvalidInput, NotAllowed
from homeward.identity.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def declined(world):
    episode = report(world, make_ruby(world))
    return actions.episode_decide_not_recorded(
        actor=world.call_handler,
        episode=episode,
        expected_version=1,
        reason="Staff know she is at her boyfriend's; no risk identified",
    )


@pytest.fixture
def inspector(world):
    return make_user("ines_inspector", world.force, Role.SUPERVISOR, world.north)


def test_carer_appeals_and_a_senior_officer_overturns_into_an_episode(client, world, declined, inspector):
    client.force_login(world.care_staff)  # Oak House's provider sees the report it made
    response = client.post(
        reverse("escalation_new", args=[declined.pk]),
        {
            "raised_by_name": "Carys, Oak House manager",
            "grounds": "She has CSE markers and the boyfriend is 24.",
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert escalation.status == "open" and escalation.raised_by == world.care_staff
    client.force_login(inspector)
    assert declined.reference in client.get(reverse("escalation_list")).content.decode()
    declined.refresh_from_db()
    response = client.post(
        reverse("escalation_decide", args=[escalation.pk]),
        {
            "version": declined.version,
            "outcome": "overturn",
            "reasons": "CSE risk outweighs; record and assess now.",
        },
    )
    assert response.status_code == 302
    declined.refresh_from_db()
    escalation.refresh_from_db()
    assert declined.status == Status.REPORTED
    assert (escalation.status, escalation.decided_by) == ("overturned", inspector)
    assert escalation.decided_at >= escalation.raised_at
    assert declined.not_recorded_reason  # the original decision stays on the record
    assert AuditEvent.objects.filter(event_type="escalation.decided").exists()
    # Now it is a missing episode, it takes a risk assessment like any other.
    assert client.get(reverse("risk_new", args=[declined.pk])).status_code == 200


def test_upheld_appeal_leaves_the_decision(world, declined, inspector):
    escalation = actions.escalation_raise(
        actor=world.care_staff, episode=declined, grounds="Please reconsider this one"
    )
    actions.escalation_decide(
        actor=inspector,
        escalation=escalation,
        expected_version=declined.version,
        overturn=False,
        reasons="Confirmed at the boyfriend's by a patrol; he is 17.",
    )
    declined.refresh_from_db()
    escalation.refresh_from_db()
    assert declined.status == Status.NOT_RECORDED and escalation.status == "upheld"


def test_the_decider_cannot_judge_their_own_decision(world, declined):
    escalation = actions.escalation_raise(
        actor=world.care_staff, episode=declined, grounds="Please reconsider this"
    )
    world.call_handler.role = Role.SUPERVISOR  # even promoted, they made the original decision
    with pytest.raises(NotAllowed):
        actions.escalation_decide(
            actor=world.call_handler,
            escalation=escalation,
            expected_version=declined.version,
            overturn=True,
            reasons="I was wrong the first time",
        )


def test_appeal_rules(world, declined, inspector):
    with pytest.raises(InvalidInput):
        actions.escalation_raise(actor=world.care_staff, episode=declined, grounds="short")
    with pytest.raises(NotAllowed):
        actions.escalation_raise(actor=world.commissioner, episode=declined, grounds="Please reconsider this")
    escalation = actions.escalation_raise(
        actor=world.care_staff, episode=declined, grounds="Please reconsider this"
    )
    with pytest.raises(IllegalTransition, match="already waiting"):
        actions.escalation_raise(actor=world.partner, episode=declined, grounds="We agree with the home")
    with pytest.raises(InvalidInput):
        actions.escalation_decide(
            actor=inspector,
            escalation=escalation,
            expected_version=declined.version,
            overturn=True,
            reasons="ok",
        )
    active = report(world, make_adult(world), from_home=False)
    with pytest.raises(IllegalTransition, match="Only a decision not to record"):
        actions.escalation_raise(actor=world.care_staff, episode=active, grounds="Please reconsider this")


def test_outsider_cannot_see_or_decide_appeals(client, world, declined):
    escalation = actions.escalation_raise(
        actor=world.care_staff, episode=declined, grounds="Please reconsider this"
    )
    client.force_login(world.outsider)
    assert client.get(reverse("escalation_new", args=[declined.pk])).status_code == 404
    client.force_login(make_user("other_force_supervisor", world.council_c, Role.SUPERVISOR))
    assert client.get(reverse("escalation_decide", args=[escalation.pk])).status_code == 404


def test_the_dashboard_flags_waiting_appeals_without_a_reload(client, world, declined, inspector):
    client.force_login(inspector)
    assert 'data-alert="appeals"' not in client.get(reverse("dashboard_rows")).content.decode()
    actions.escalation_raise(actor=world.care_staff, episode=declined, grounds="Please reconsider this one")
    rows = client.get(reverse("dashboard_rows")).content.decode()
    assert 'data-alert="appeals"' in rows and "1 appeal against" in rows


def test_an_appeal_against_a_supervisors_decision_needs_a_more_senior_officer(world):
    episode = actions.episode_decide_not_recorded(
        actor=world.supervisor,
        episode=report(world, make_ruby(world)),
        expected_version=1,
        reason="Staff know she is at her boyfriend's; no risk identified",
    )
    escalation = actions.escalation_raise(
        actor=world.care_staff, episode=episode, grounds="She has CSE markers and the boyfriend is 24."
    )
    peer = make_user("pete_peer", world.force, Role.SUPERVISOR, world.north)
    with pytest.raises(NotAllowed, match="more senior officer"):
        actions.escalation_decide(
            actor=peer,
            escalation=escalation,
            expected_version=episode.version,
            overturn=True,
            reasons="Risky.",
        )
    escalation.refresh_from_db()
    assert escalation.status == "open"
    di = make_user("dina_di", world.force, Role.DETECTIVE_INSPECTOR, world.north)
    decided = actions.escalation_decide(
        actor=di,
        escalation=escalation,
        expected_version=episode.version,
        overturn=True,
        reasons="CSE markers and an adult boyfriend: record and grade.",
    )
    assert decided.status == "overturned" and decided.decided_by == di


def test_the_appeals_queue_says_who_may_not_decide_instead_of_offering_the_link(client, world):
    episode = actions.episode_decide_not_recorded(
        actor=world.supervisor,
        episode=report(world, make_ruby(world)),
        expected_version=1,
        reason="Staff know she is at her boyfriend's; no risk identified",
    )
    actions.escalation_raise(
        actor=world.care_staff, episode=episode, grounds="She has CSE markers and the boyfriend is 24."
    )
    peer = make_user("pete_peer", world.force, Role.SUPERVISOR, world.north)
    client.force_login(peer)
    page = client.get(reverse("escalation_list")).content.decode()
    assert "goes to a more senior officer" in page and ">Decide<" not in page
    client.force_login(make_user("dina_di", world.force, Role.DETECTIVE_INSPECTOR, world.north))
    page = client.get(reverse("escalation_list")).content.decode()
    assert ">Decide<" in page
