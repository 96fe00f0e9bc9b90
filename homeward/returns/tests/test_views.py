"""The pages, through full requests: who sees what, the forms, and what they write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.conftest import make_user
from homeward.identity.roles import Role
from homeward.people.models import PersonAssociate
from homeward.returns import actions
from homeward.returns.models import FindingProposal, ProposalStatus, ReturnInterview, RhiStatus
from homeward.returns.navigation import nav_items
from homeward.returns.tests.helpers import COMPLETED, assigned, completed, found_ruby, offered

pytestmark = pytest.mark.django_db


def local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def detail_url(rhi: ReturnInterview) -> str:
    return reverse("returns:detail", args=[rhi.pk])


# --- Who sees what ------------------------------------------------------------------------------------


def test_a_worker_sees_their_interviews_with_the_offer_clock(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    client.force_login(rw.worker)
    page = client.get(reverse("returns:mine"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ruby Hartley" in html and 'data-clock="due"' in html
    assert AuditEvent.objects.filter(event_type="rhi.listed", actor_user_id=rw.worker.pk).exists()
    # Past the deadline and not offered: shown as overdue.
    ReturnInterview.objects.filter(pk=rhi.pk).update(offer_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert 'data-clock="overdue"' in client.get(reverse("returns:mine")).content.decode()


def test_the_worker_gets_the_minimum_to_do_the_interview(client, rw):
    episode, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    client.force_login(rw.worker)
    page = client.get(detail_url(rhi))
    html = page.content.decode()
    assert page.status_code == 200
    for needed in ("Ruby Hartley", "Oak House", "Council B", "Alex Manager", "Care home manager"):
        assert needed in html, needed
    # Not the police record: circumstances, where she was found, risk, the episode page.
    for withheld in (episode.circumstances, "Friend's flat", reverse("episode_detail", args=[episode.pk])):
        assert withheld not in html, withheld
    assert AuditEvent.objects.filter(
        event_type="rhi.viewed", actor_user_id=rw.worker.pk, object_ids=[str(rhi.pk)]
    ).exists()


def test_another_worker_the_outsider_and_the_commissioner_get_404(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    for user in (rw.other_worker, rw.world.outsider, rw.world.commissioner):
        client.force_login(user)
        for name in ("detail", "offer", "outcome", "propose", "assign"):
            assert client.get(reverse(f"returns:{name}", args=[rhi.pk])).status_code == 404, (user, name)
    # Care staff of the home Ruby went missing from follow the interview (at the carer level), and
    # may not change it.
    client.force_login(rw.world.care_staff)
    assert client.get(reverse("returns:detail", args=[rhi.pk])).status_code == 200
    for name in ("offer", "outcome", "propose", "assign"):
        assert client.get(reverse(f"returns:{name}", args=[rhi.pk])).status_code == 403, name
    client.force_login(rw.other_worker)
    assert "Ruby Hartley" not in client.get(reverse("returns:mine")).content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, rw):
    _, rhi = found_ruby(rw.world)
    for url in (
        reverse("returns:mine"),
        reverse("returns:list"),
        reverse("returns:findings"),
        detail_url(rhi),
        reverse("returns:offer", args=[rhi.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_a_worker_sees_no_name_until_taking_a_referral_on(client, rw):
    episode, rhi = found_ruby(rw.world)
    client.force_login(rw.other_worker)
    page = client.get(reverse("returns:mine")).content.decode()
    assert f'data-claimable="{rhi.pk}"' in page and episode.reference in page
    assert "Ruby Hartley" not in page and "Oak House" not in page
    assert client.get(detail_url(rhi)).status_code == 404
    assert client.get(reverse("returns:assign", args=[rhi.pk])).status_code == 404
    response = client.post(reverse("returns:claim", args=[rhi.pk]))
    assert response.status_code == 302 and response["Location"] == detail_url(rhi)
    rhi.refresh_from_db()
    assert rhi.assigned_to == rw.other_worker and rhi.status == RhiStatus.ASSIGNED
    assert "Ruby Hartley" in client.get(detail_url(rhi)).content.decode()
    # Taken: nobody else can take it, and another worker still sees nothing of it.
    client.force_login(rw.worker)
    assert client.post(reverse("returns:claim", args=[rhi.pk])).status_code == 404
    assert client.get(detail_url(rhi)).status_code == 404


def test_police_and_the_placing_authority_follow_the_interview(client, rw):
    episode, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    for user in (rw.world.officer, rw.world.partner):
        client.force_login(user)
        listing = client.get(reverse("returns:list") + "?status=all").content.decode()
        assert f'data-rhi="{rhi.pk}"' in listing
        html = client.get(detail_url(rhi)).content.decode()
        assert COMPLETED["disclosures"] in html and reverse("episode_detail", args=[episode.pk]) in html
    client.force_login(rw.world.outsider)
    assert f'data-rhi="{rhi.pk}"' not in client.get(reverse("returns:list") + "?status=all").content.decode()
    client.force_login(rw.world.care_staff)
    assert client.get(reverse("returns:list")).status_code == 403


def test_roles_without_interview_work_are_refused_the_lists(client, rw):
    client.force_login(rw.world.commissioner)
    assert client.get(reverse("returns:list")).status_code == 403
    assert client.get(reverse("returns:mine")).status_code == 403
    assert client.get(reverse("returns:findings")).status_code == 403
    client.force_login(rw.world.officer)
    assert client.get(reverse("returns:mine")).status_code == 403


# --- Forms --------------------------------------------------------------------------------------------


def test_the_worker_records_the_offer_and_the_outcome(client, rw):
    episode, rhi = found_ruby(rw.world)
    rhi = assigned(rw, rhi)
    client.force_login(rw.worker)
    assert client.get(reverse("returns:offer", args=[rhi.pk])).status_code == 200
    response = client.post(
        reverse("returns:offer", args=[rhi.pk]),
        {"version": rhi.version, "offered_at": local(timezone.now()), "note": "By phone to Ruby"},
    )
    assert response.status_code == 302
    rhi.refresh_from_db()
    assert rhi.status == RhiStatus.OFFERED and rhi.offer_note == "By phone to Ruby"
    response = client.post(
        reverse("returns:outcome", args=[rhi.pk]),
        {"version": rhi.version, "outcome": "completed", "completed_at": local(timezone.now()), **COMPLETED},
    )
    assert response.status_code == 302
    rhi.refresh_from_db()
    assert rhi.status == RhiStatus.COMPLETED and rhi.child_voice == COMPLETED["child_voice"]


def test_declined_without_the_carers_account_is_refused_beside_the_field_and_keeps_the_typing(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = offered(rw, assigned(rw, rhi))
    client.force_login(rw.worker)
    response = client.post(
        reverse("returns:outcome", args=[rhi.pk]),
        {
            "version": rhi.version,
            "outcome": "declined",
            "completed_at": local(timezone.now()),
            "push_factors": "Carer thinks it was about curfew",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_carer_account-error"' in html and "record the carer&#x27;s account" in html
    assert "Carer thinks it was about curfew" in html
    rhi.refresh_from_db()
    assert rhi.status == RhiStatus.OFFERED and rhi.outcome == ""


def test_a_stale_outcome_form_shows_the_conflict_and_saves_nothing(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = offered(rw, assigned(rw, rhi))
    seen = rhi.version
    completed(rw, rhi)
    client.force_login(rw.worker)
    response = client.post(
        reverse("returns:outcome", args=[rhi.pk]),
        {
            "version": seen,
            "outcome": "not_possible",
            "completed_at": local(timezone.now()),
            "not_possible_reason": "Could not reach her",
        },
    )
    # Finished in the meantime: refused with a message, nothing overwritten.
    assert response.status_code == 200
    assert "already recorded" in response.content.decode()
    rhi.refresh_from_db()
    assert rhi.status == RhiStatus.COMPLETED


def test_findings_flow_back_through_the_police_review(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    client.force_login(rw.worker)
    response = client.post(
        reverse("returns:propose", args=[rhi.pk]),
        {"kind": "associate", "value": "Jay Marsh", "detail": "Boyfriend"},
    )
    assert response.status_code == 302
    proposal = FindingProposal.objects.get(rhi=rhi)
    # The worker may not decide it.
    assert client.get(reverse("returns:decide", args=[proposal.pk])).status_code in (403, 404)

    client.force_login(rw.world.officer)
    assert "1 finding from interviews to review" in client.get(reverse("returns:list")).content.decode()
    listing = client.get(reverse("returns:findings")).content.decode()
    assert f'data-proposal="{proposal.pk}"' in listing and "Jay Marsh" in listing
    person_page = client.get(reverse("person_detail", args=[rhi.person_id])).content.decode()
    assert "to review" in person_page
    response = client.post(reverse("returns:decide", args=[proposal.pk]), {"decision": "accept"})
    assert response.status_code == 302
    jay = PersonAssociate.objects.get(person=rhi.person)
    assert jay.supplied_by == f"Return interview {rhi.pk} by {rw.service.name}"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    # Decided: no longer listed, and the outsider never could open it.
    assert f'data-proposal="{proposal.pk}"' not in client.get(reverse("returns:findings")).content.decode()
    client.force_login(rw.world.outsider)
    assert client.get(reverse("returns:decide", args=[proposal.pk])).status_code == 404


def test_an_already_recorded_marker_is_explained_on_the_decision_page(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    proposal = actions.rhi_finding_propose(actor=rw.worker, rhi=rhi, kind="marker", value="cse")
    client.force_login(rw.world.officer)
    response = client.post(reverse("returns:decide", args=[proposal.pk]), {"decision": "accept"})
    assert response.status_code == 200 and "already on the record" in response.content.decode()


# --- Navigation -----------------------------------------------------------------------------------------


def test_menu_entries(rw):
    assert nav_items(rw.worker) == [("My interviews", "returns:mine")]
    for user in (rw.world.officer, rw.world.partner, rw.world.call_handler):
        assert nav_items(user) == [("Return interviews", "returns:list")]
    for user in (rw.world.commissioner, rw.world.care_staff):
        assert nav_items(user) == []
    auditor = make_user("audrey_auditor", rw.world.force, Role.AUDITOR)
    assert nav_items(auditor) == []


def test_a_stale_assignment_shows_what_changed_and_saves_nothing(client, rw):
    manager = make_user("mona_manager", rw.service, Role.CSC_MISSING_OFFICER)
    _, rhi = found_ruby(rw.world)
    seen = rhi.version
    assigned(rw, rhi)  # someone else allocates it first
    client.force_login(manager)
    response = client.post(
        reverse("returns:assign", args=[rhi.pk]), {"version": seen, "worker": rw.other_worker.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Changed by someone else" in html and f"Assigned to {rw.worker.display_name}" in html
    rhi.refresh_from_db()
    assert rhi.assigned_to == rw.worker


def test_unanswered_questions_get_plain_messages(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = offered(rw, assigned(rw, rhi))
    client.force_login(rw.worker)
    html = client.post(reverse("returns:outcome", args=[rhi.pk]), {"version": rhi.version}).content.decode()
    assert "Choose whether the interview was completed, declined or not possible" in html
    assert "Enter when this happened" in html
    offer_url = reverse("returns:offer", args=[rhi.pk])
    html = client.post(offer_url, {"version": rhi.version}).content.decode()
    assert "Enter when the interview was offered" in html
    html = client.post(
        offer_url, {"version": rhi.version, "offered_at": local(timezone.now())}
    ).content.decode()
    assert "The offer is already recorded" in html  # refused, not recorded twice
