"""The panels on the person, episode and location pages, and the chronology entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.prevention import actions
from homeward.prevention.models import Action
from homeward.prevention.selectors import chronology_entries_for
from homeward.prevention.tests.helpers import (
    action_on,
    daniel_missing_once,
    meeting_for,
    persistent_ruby,
    plan_for,
    ruby_missing_once,
)

pytestmark = pytest.mark.django_db

START_PLAN = "Start a trigger plan"
ARRANGE = "Arrange a multi-agency meeting"


def test_a_persistent_person_prompts_a_trigger_plan_until_there_is_one(client, pw):
    w = pw.world
    ruby, _ = persistent_ruby(w)
    url = reverse("person_detail", args=[ruby.pk])
    client.force_login(w.supervisor)
    html = client.get(url).content.decode()
    assert 'id="prevention-prompt"' in html and "Persistently missing" in html
    assert START_PLAN in html and f"?person={ruby.pk}" in html and ARRANGE in html
    # An officer is told, but cannot start one.
    client.force_login(w.officer)
    html = client.get(url).content.decode()
    assert "Persistently missing" in html and START_PLAN not in html
    plan = plan_for(w.supervisor, person=ruby)
    meeting = actions.meeting_create(
        actor=w.supervisor,
        plan=plan,
        data=actions.MeetingData(
            held_at=timezone.now() + dt.timedelta(days=3),
            chair="DS Clarke",
            attending_organisations=[w.force],
        ),
    )
    client.force_login(w.partner)
    html = client.get(url).content.decode()
    assert 'id="prevention-prompt"' not in html
    assert reverse("prevention:plan_detail", args=[plan.pk]) in html
    assert reverse("prevention:meeting_detail", args=[meeting.pk]) in html  # the next meeting
    assert AuditEvent.objects.filter(
        event_type="prevention_plan.viewed", actor_user_id=w.partner.pk, object_ids=[str(plan.pk)]
    ).exists()


def test_a_person_seen_once_and_not_high_risk_gets_no_prompt(client, pw):
    w = pw.world
    daniel, _ = daniel_missing_once(w)
    client.force_login(w.supervisor)
    html = client.get(reverse("person_detail", args=[daniel.pk])).content.decode()
    assert "prevention-prompt" not in html and START_PLAN not in html


def test_a_first_time_missing_child_prompts_an_early_help_referral(client, pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    url = reverse("episode_detail", args=[episode.pk])
    client.force_login(w.supervisor)
    html = client.get(url).content.decode()
    assert 'id="early-help-prompt"' in html
    assert f"{reverse('prevention:referral_new')}?episode={episode.pk}" in html
    referral = actions.referral_make(
        actor=w.supervisor, person=ruby, episode=episode, referred_to=w.council_b, reason="First time."
    )
    html = client.get(url).content.decode()
    assert 'id="early-help-prompt"' not in html
    assert reverse("prevention:referral_detail", args=[referral.pk]) in html
    # An adult is not prompted.
    _, adult_episode = daniel_missing_once(w)
    assert "early-help" not in client.get(reverse("episode_detail", args=[adult_episode.pk])).content.decode()


def test_the_location_panel_lists_problem_solving_and_offers_to_start_one(client, pw):
    w = pw.world
    url = reverse("location_detail", args=[w.oak_house.pk])
    client.force_login(pw.coordinator)
    html = client.get(url).content.decode()
    assert f"{reverse('prevention:plan_new')}?location={w.oak_house.pk}" in html
    plan = plan_for(pw.coordinator, location=w.oak_house)
    meeting = meeting_for(pw.coordinator, plan, [w.force, w.provider_b])
    for user in (pw.coordinator, w.care_staff):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert reverse("prevention:plan_detail", args=[plan.pk]) in html, user
        assert reverse("prevention:meeting_detail", args=[meeting.pk]) in html, user
    # Care staff see the record but cannot start one.
    assert f"?location={w.oak_house.pk}" not in html


def test_chronology_entries_are_scoped_and_not_logged(pw):
    w = pw.world
    ruby, episode = ruby_missing_once(w)
    plan = plan_for(w.supervisor, person=ruby)
    meeting_for(w.supervisor, plan, [w.force])
    due = action_on(w.supervisor, plan, w.supervisor)
    done = action_on(w.supervisor, plan, w.supervisor)
    actions.action_record_outcome(
        actor=w.supervisor, action=done, expected_version=1, status="done", outcome="ok"
    )
    referral = actions.referral_make(
        actor=w.supervisor, person=ruby, episode=episode, referred_to=w.council_b, reason="First time."
    )
    actions.referral_change_status(actor=w.partner, referral=referral, status="accepted")
    actions.plan_close(actor=w.supervisor, plan=plan, expected_version=plan.version, outcome="Settled")
    logged = AuditEvent.objects.filter(operation="consultation").count()

    entries = chronology_entries_for(actor=w.partner, person=ruby)
    kinds = [e.kind for e in entries]
    for kind in (
        "Trigger plan opened",
        "Trigger plan closed",
        "Multi-agency meeting held",
        "Action due",
        "Action done",
        "Early help referral made",
        "Early help referral accepted",
    ):
        assert kind in kinds, kind
    assert f"prevention.action:{due.pk}" in {e.record for e in entries}
    assert entries == sorted(entries, key=lambda e: e.at)
    assert AuditEvent.objects.filter(operation="consultation").count() == logged
    assert chronology_entries_for(actor=w.outsider, person=ruby) == []
    assert chronology_entries_for(actor=pw.analyst, person=ruby) == []
    assert Action.objects.count() == 2
