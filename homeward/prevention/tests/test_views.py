"""The pages, through full requests: who gets which status, what the forms write, overdue actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.episodes.tests.factories import make_ruby
from homeward.prevention.models import Action, EarlyHelpReferral, Meeting, Plan
from homeward.prevention.navigation import nav_items
from homeward.prevention.tests.helpers import action_on, meeting_for, plan_for, ruby_missing_once

pytestmark = pytest.mark.django_db


def world_with_records(pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    plan = plan_for(w.supervisor, person=ruby)
    meeting = meeting_for(w.supervisor, plan, [w.force, w.council_b])
    action = action_on(w.supervisor, plan, w.partner)
    return ruby, episode, plan, meeting, action


def all_urls(ruby, episode, plan, meeting, action, w) -> dict[str, str]:
    return {
        "plans": reverse("prevention:plans"),
        "plan_new_person": f"{reverse('prevention:plan_new')}?person={ruby.pk}",
        "plan_new_location": f"{reverse('prevention:plan_new')}?location={w.oak_house.pk}",
        "plan_detail": reverse("prevention:plan_detail", args=[plan.pk]),
        "plan_edit": reverse("prevention:plan_edit", args=[plan.pk]),
        "plan_close": reverse("prevention:plan_close", args=[plan.pk]),
        "plan_action_new": reverse("prevention:plan_action_new", args=[plan.pk]),
        "meeting_new": f"{reverse('prevention:meeting_new')}?plan={plan.pk}",
        "meeting_detail": reverse("prevention:meeting_detail", args=[meeting.pk]),
        "meeting_record": reverse("prevention:meeting_record", args=[meeting.pk]),
        "meeting_action_new": reverse("prevention:meeting_action_new", args=[meeting.pk]),
        "mine": reverse("prevention:mine"),
        "action_outcome": reverse("prevention:action_outcome", args=[action.pk]),
        "referrals": reverse("prevention:referrals"),
        "referral_new": f"{reverse('prevention:referral_new')}?episode={episode.pk}",
        "initiatives": reverse("prevention:initiatives"),
        "initiative_new": reverse("prevention:initiative_new"),
    }


def test_planners_get_every_page(client, pw):
    w = pw.world
    records = world_with_records(pw)
    urls = all_urls(*records, w)
    client.force_login(w.supervisor)
    for name, url in urls.items():
        expected = 403 if name == "initiative_new" else 200
        assert client.get(url).status_code == expected, name
    # Council B's missing officer plans too, and owns the action.
    client.force_login(w.partner)
    for name in (
        "plans",
        "plan_detail",
        "plan_edit",
        "meeting_detail",
        "action_outcome",
        "mine",
        "referrals",
    ):
        assert client.get(urls[name]).status_code == 200, name


def test_the_outsider_gets_404_and_others_403(client, pw):
    w = pw.world
    urls = all_urls(*world_with_records(pw), w)
    client.force_login(w.outsider)
    for name in (
        "plan_new_person", "plan_new_location", "plan_detail", "plan_edit", "plan_close", "plan_action_new",
        "meeting_new", "meeting_detail", "meeting_record", "meeting_action_new", "action_outcome", "referral_new",
    ):  # fmt: skip
        assert client.get(urls[name]).status_code == 404, name
    # An officer sees the plan but may not change it or start one.
    client.force_login(w.officer)
    assert client.get(urls["plan_detail"]).status_code == 200
    for name in (
        "plan_new_person",
        "plan_edit",
        "plan_close",
        "plan_action_new",
        "meeting_new",
        "action_outcome",
    ):
        assert client.get(urls[name]).status_code == 403, name
    # Roles without casework: no plan pages at all.
    for user in (pw.analyst, w.commissioner, pw.auditor):
        client.force_login(user)
        assert client.get(urls["plans"]).status_code == 403
        assert client.get(urls["plan_detail"]).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, pw):
    urls = all_urls(*world_with_records(pw), pw.world)
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_starting_a_plan_from_the_person_page(client, pw):
    w = pw.world
    ruby, _ = ruby_missing_once(w)
    client.force_login(w.supervisor)
    url = f"{reverse('prevention:plan_new')}?person={ruby.pk}"
    # Bad input: the message is beside the field, what was typed is kept, nothing is written.
    page = client.post(url, {"kind": "trigger_plan", "concerns": "", "approach": "Weekly key-work"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="id_concerns-error"' in html and "Describe the triggers and concerns" in html
    assert "Weekly key-work" in html
    assert not Plan.objects.exists()
    # A kind meant for locations is refused for a person.
    page = client.post(url, {"kind": "problem_solving", "concerns": "x"})
    assert page.status_code == 200 and not Plan.objects.exists()
    response = client.post(url, {"kind": "trigger_plan", "concerns": "Older males", "approach": ""})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "prevention:plan_detail", args=[plan.pk]
    )
    assert plan.person == ruby and plan.organisation == w.force and plan.created_by == w.supervisor
    assert AuditEvent.objects.filter(
        event_type="prevention_plan.created", actor_user_id=w.supervisor.pk
    ).exists()


def test_an_edit_conflict_shows_what_changed_and_keeps_the_input(client, pw):
    w = pw.world
    ruby, _ = ruby_missing_once(w)
    plan = plan_for(w.supervisor, person=ruby)
    url = reverse("prevention:plan_edit", args=[plan.pk])
    client.force_login(w.partner)
    assert client.post(url, {"version": 1, "concerns": "Council B's update"}).status_code == 302
    client.force_login(w.supervisor)
    page = client.post(url, {"version": 1, "concerns": "My stale edit", "approach": "Mine"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Changed by someone else" in html and w.partner.display_name in html
    assert "My stale edit" in html and 'name="version" value="2"' in html
    plan.refresh_from_db()
    assert plan.concerns == "Council B's update"
    # Submitting again, having seen the change, saves over it deliberately.
    assert client.post(url, {"version": 2, "concerns": "My stale edit"}).status_code == 302
    plan.refresh_from_db()
    assert plan.concerns == "My stale edit" and plan.version == 3


def test_overdue_actions_are_shown_on_the_plan_my_actions_and_the_list(client, pw):
    w = pw.world
    _, _, plan, _, action = world_with_records(pw)
    on_time = action_on(w.supervisor, plan, w.partner, due_in_days=3)
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(w.partner)
    html = client.get(reverse("prevention:plan_detail", args=[plan.pk])).content.decode()
    assert f'data-action="{action.pk}" data-overdue="true"' in html
    assert f'data-action="{on_time.pk}">' in html
    assert "1 overdue" in html
    mine = client.get(reverse("prevention:mine")).content.decode()
    assert "1 of your actions is overdue" in mine and f'data-action="{action.pk}" data-overdue="true"' in mine
    listing = client.get(reverse("prevention:plans")).content.decode()
    assert 'data-overdue-count="1"' in listing
    # Done, it is no longer overdue or on the open list.
    client.post(
        reverse("prevention:action_outcome", args=[action.pk]),
        {"version": 1, "status": "done", "outcome": "Done"},
    )
    assert 'data-overdue="true"' not in client.get(reverse("prevention:mine")).content.decode()


def test_recording_a_meeting_and_its_action(client, pw):
    w = pw.world
    _, _, plan, _, _ = world_with_records(pw)
    client.force_login(w.supervisor)
    url = f"{reverse('prevention:meeting_new')}?plan={plan.pk}"
    page = client.post(url, {"held_at": "", "chair": "DS Clarke"})
    assert page.status_code == 200 and "Enter the date and time of the meeting" in page.content.decode()
    assert Meeting.objects.count() == 1
    held = timezone.localtime() - dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "held_at": held.strftime("%Y-%m-%dT%H:%M"),
            "chair": "DS Clarke",
            "attending_organisations": [w.force.pk, w.provider_b.pk],
            "outcome": "Agreed",
        },
    )
    meeting = Meeting.objects.latest("pk")
    assert response.status_code == 302 and meeting.plan == plan
    assert set(meeting.attending_organisations.all()) == {w.force, w.provider_b}
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("prevention:meeting_action_new", args=[meeting.pk]),
        {"description": "Visit", "owner": w.care_staff.pk, "due_on": due},
    )
    assert response.status_code == 302
    assert Action.objects.filter(
        meeting=meeting, owner=w.care_staff, owner_organisation=w.provider_b
    ).exists()


def test_referring_from_the_episode_prefills_and_the_recipient_decides(client, pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    client.force_login(w.supervisor)
    url = f"{reverse('prevention:referral_new')}?episode={episode.pk}"
    page = client.get(url).content.decode()
    assert episode.reference in page and "Ruby Hartley" in page
    response = client.post(
        url, {"referred_to": w.council_b.pk, "reason": "First time missing; family asked."}
    )
    referral = EarlyHelpReferral.objects.get()
    assert response.status_code == 302 and referral.episode == episode and referral.person == ruby
    detail = reverse("prevention:referral_detail", args=[referral.pk])
    # The referrer may close it but not accept it; the recipient accepts.
    assert 'value="accepted"' not in client.get(detail).content.decode()
    client.force_login(w.partner)
    assert 'value="accepted"' in client.get(detail).content.decode()
    page = client.post(detail, {"status": "declined", "notes": ""})
    assert page.status_code == 200 and "Say why the referral is declined" in page.content.decode()
    assert client.post(detail, {"status": "accepted"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.accepted_at is not None
    listing = client.get(f"{reverse('prevention:referrals')}?direction=to").content.decode()
    assert f'data-referral="{referral.pk}"' in listing
    assert (
        f'data-referral="{referral.pk}"'
        not in client.get(f"{reverse('prevention:referrals')}?direction=by").content.decode()
    )


def test_menu_entries(pw):
    w = pw.world
    assert nav_items(w.supervisor) == [
        ("Plans", "prevention:plans"),
        ("My actions", "prevention:mine"),
        ("Initiatives", "prevention:initiatives"),
    ]
    assert nav_items(w.partner)[0] == ("Plans", "prevention:plans")
    assert nav_items(w.officer) == [("Initiatives", "prevention:initiatives")]
    assert nav_items(w.commissioner) == [("Initiatives", "prevention:initiatives")]
    assert nav_items(pw.analyst) == [("Initiatives", "prevention:initiatives")]
    assert nav_items(pw.auditor) == []
    # Someone who cannot plan finds "My actions" once an action is given to them.
    plan = plan_for(pw.coordinator, person=make_ruby(w))
    action_on(pw.coordinator, plan, owner=w.officer)
    assert nav_items(w.officer) == [
        ("My actions", "prevention:mine"),
        ("Initiatives", "prevention:initiatives"),
    ]
