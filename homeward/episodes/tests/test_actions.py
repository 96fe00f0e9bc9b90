from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from homeward.audit.models import AuditEvent
from homeward.episodes import actions
from homeward.episodes.models import Episode, EpisodeEvent, RiskAssessment, Status
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.errors import EditConflict, IllegalTransition, InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


def test_report_snapshots_the_person_and_waits_for_a_risk_assessment(world):
    ruby = make_ruby(world)
    episode = report(world, ruby)
    assert episode.status == Status.REPORTED
    assert episode.reference == f"MP-{timezone.localdate().year}-{episode.pk:06d}"
    assert episode.age_at_report == 15
    assert episode.is_child is True
    assert episode.looked_after is True
    assert episode.placing_authority == world.council_b
    assert episode.out_of_area is False  # Council B is North's council
    assert episode.missing_from_category == "childrens_home"
    assert AuditEvent.objects.filter(event_type="episode.reported", object_ids=[str(episode.pk)]).count() == 1


def test_out_of_area_placement_is_flagged(world):
    ruby = make_ruby(world)
    episode = report(world, ruby, from_home=False)  # South has no council B
    assert episode.out_of_area is True


def test_report_from_a_childrens_home_requires_reasonable_steps_and_writes_nothing(world):
    ruby = make_ruby(world)
    with pytest.raises(InvalidInput) as excinfo:
        report(world, ruby, reasonable_steps="")
    assert "reasonable_steps" in excinfo.value.errors
    assert Episode.objects.count() == 0


def test_a_person_cannot_have_two_open_episodes(world):
    ruby = make_ruby(world)
    report(world, ruby)
    with pytest.raises(InvalidInput, match="already missing"):
        report(world, ruby)


def test_full_lifecycle_reported_active_found_closed(world):
    ruby = make_ruby(world)
    episode = assess(world, report(world, ruby), "high")
    assert episode.status == Status.ACTIVE
    assert episode.risk_level == episode.risk_level_first == episode.risk_level_highest == "high"
    assert episode.next_review_due is not None
    assert abs((episode.next_review_due - timezone.now()) - dt.timedelta(hours=2)) < dt.timedelta(minutes=1)
    ra = episode.risk_assessments.get()
    actions.risk_assessment_sign_off(
        actor=world.supervisor, assessment=ra, expected_version=episode.version, note="Agreed"
    )
    episode.refresh_from_db()
    assert episode.sign_off_due is None
    episode = find(world, episode)
    assert episode.status == Status.FOUND and episode.found_at is not None
    actions.prevention_interview_record(
        actor=world.officer,
        episode=episode,
        expected_version=episode.version,
        data=actions.InterviewData(
            outcome="completed", conducted_at=timezone.now(), push_factors="Rows at home"
        ),
    )
    episode.refresh_from_db()
    episode = actions.episode_close(actor=world.supervisor, episode=episode, expected_version=episode.version)
    assert episode.status == Status.CLOSED
    kinds = list(
        EpisodeEvent.objects.filter(episode=episode).order_by("version").values_list("kind", flat=True)
    )
    assert kinds == [
        "reported",
        "risk_assessed",
        "risk_signed_off",
        "found",
        "prevention_interview",
        "closed",
    ]
    assert set(AuditEvent.objects.filter(object_type="episode").values_list("event_type", flat=True)) >= {
        "episode.reported",
        "risk.assessed",
        "risk.signed_off",
        "episode.found",
        "prevention_interview.recorded",
        "episode.closed",
    }


def test_regrading_adds_an_assessment_and_keeps_history(world):
    episode = assess(world, report(world, make_ruby(world)), "medium")
    episode = assess(world, episode, "high")
    episode = assess(world, episode, "medium")
    assert list(
        RiskAssessment.objects.filter(episode=episode).order_by("sequence").values_list("level", flat=True)
    ) == ["medium", "high", "medium"]
    assert (episode.risk_level, episode.risk_level_first, episode.risk_level_highest) == (
        "medium",
        "medium",
        "high",
    )


def test_children_cannot_be_graded_very_low(world):
    episode = report(world, make_ruby(world))
    with pytest.raises(InvalidInput) as excinfo:
        assess(world, episode, "very_low")
    assert "child" in excinfo.value.errors["level"]
    assert RiskAssessment.objects.count() == 0


def test_adults_can_be_graded_very_low(world):
    episode = assess(world, report(world, make_adult(world), from_home=False), "very_low")
    assert episode.risk_level == "very_low"
    assert abs((episode.next_review_due - timezone.now()) - dt.timedelta(hours=24)) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("rationale", ["", "   ", "too short"])
def test_rationale_is_required(world, rationale):
    episode = report(world, make_ruby(world))
    with pytest.raises(InvalidInput) as excinfo:
        actions.risk_assessment_record(
            actor=world.supervisor,
            episode=episode,
            expected_version=1,
            data=actions.RiskData(level="high", rationale=rationale),
        )
    assert "rationale" in excinfo.value.errors


def test_illegal_transitions_are_refused_with_a_clear_message(world):
    episode = report(world, make_ruby(world))
    with pytest.raises(IllegalTransition, match="first risk assessment"):
        find(world, episode)
    episode = assess(world, episode)
    with pytest.raises(IllegalTransition, match="still missing"):
        actions.episode_close(actor=world.supervisor, episode=episode, expected_version=episode.version)
    with pytest.raises(IllegalTransition, match="already recorded as a missing episode"):
        actions.episode_decide_not_recorded(
            actor=world.supervisor,
            episode=episode,
            expected_version=episode.version,
            reason="Not missing at all really",
        )


def test_closing_needs_the_prevention_interview_or_a_reason(world):
    episode = find(world, assess(world, report(world, make_ruby(world))))
    with pytest.raises(InvalidInput) as excinfo:
        actions.episode_close(actor=world.supervisor, episode=episode, expected_version=episode.version)
    assert "prevention_not_done_reason" in excinfo.value.errors
    closed = actions.episode_close(
        actor=world.supervisor,
        episode=episode,
        expected_version=episode.version,
        prevention_not_done_reason="Moved to a secure unit out of force the same night",
    )
    assert closed.status == Status.CLOSED


def test_found_deceased_is_its_own_outcome(world):
    episode = assess(world, report(world, make_adult(world), from_home=False), "high")
    episode = actions.episode_mark_found(
        actor=world.officer,
        episode=episode,
        expected_version=episode.version,
        data=actions.FoundData(
            found_at=timezone.now(), found_place="Canal", how_found="police", condition="deceased"
        ),
    )
    assert episode.status == Status.FOUND_DECEASED


def test_not_recorded_decision_keeps_who_when_why(world):
    episode = report(world, make_adult(world), from_home=False)
    episode = actions.episode_decide_not_recorded(
        actor=world.supervisor,
        episode=episode,
        expected_version=1,
        reason="Known to be at his brother's, spoke to him",
    )
    assert episode.status == Status.NOT_RECORDED
    assert episode.not_recorded_by == world.supervisor and episode.not_recorded_at is not None


def test_roles_without_the_capability_are_refused(world):
    ruby = make_ruby(world)
    with pytest.raises(NotAllowed):
        actions.episode_report(actor=world.partner, person=ruby, data=None)  # type: ignore[arg-type]
    episode = assess(world, report(world, ruby))
    with pytest.raises(NotAllowed):
        actions.episode_close(actor=world.officer, episode=episode, expected_version=episode.version)
    with pytest.raises(NotAllowed):
        actions.risk_assessment_sign_off(
            actor=world.call_handler,
            assessment=episode.risk_assessments.get(),
            expected_version=episode.version,
        )


def test_concurrent_edit_is_refused_and_shows_what_changed(world):
    episode = report(world, make_ruby(world))
    seen_version = episode.version
    # Two people open the episode; the first saves a grading.
    stale = Episode.objects.get(pk=episode.pk)
    assess(world, episode, "medium")
    with pytest.raises(EditConflict) as excinfo:
        actions.risk_assessment_record(
            actor=world.officer,
            episode=stale,
            expected_version=seen_version,
            data=actions.RiskData(level="low", rationale="Thinks she is at a friend's house."),
        )
    assert excinfo.value.current_version == seen_version + 1
    assert [c["summary"] for c in excinfo.value.changes] == ["Graded medium risk"]
    # Nothing of the second save was written.
    assert RiskAssessment.objects.filter(episode=episode).count() == 1
    episode.refresh_from_db()
    assert episode.risk_level == "medium"


def test_audit_event_is_in_the_same_transaction_as_the_change(world):
    episode = report(world, make_ruby(world))
    before = AuditEvent.objects.count()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        assess(world, episode, "high")
        raise Boom
    assert AuditEvent.objects.count() == before
    episode.refresh_from_db()
    assert episode.risk_level == "" and episode.status == Status.REPORTED


def test_enquiries_updates_and_sightings(world):
    episode = assess(world, report(world, make_ruby(world)))
    enquiry = actions.enquiry_add(
        actor=world.officer, episode=episode, description="Check the bus station CCTV", owner=world.officer
    )
    with pytest.raises(InvalidInput):
        actions.enquiry_update(
            actor=world.officer, enquiry=enquiry, expected_version=1, status="done", result=""
        )
    actions.enquiry_update(
        actor=world.officer, enquiry=enquiry, expected_version=1, status="done", result="Seen 14:02"
    )
    with pytest.raises(EditConflict):
        actions.enquiry_update(
            actor=world.supervisor, enquiry=enquiry, expected_version=1, status="cancelled", result="x"
        )
    actions.episode_update_add(actor=world.officer, episode=episode, text="Spoke to her friend Jade.")
    actions.sighting_record(
        actor=world.officer,
        episode=episode,
        seen_at=timezone.now() - dt.timedelta(minutes=30),
        place="Leeds bus station",
        reported_by="Security guard",
        details="Alone",
    )
    with pytest.raises(InvalidInput):
        actions.sighting_record(
            actor=world.officer,
            episode=episode,
            seen_at=timezone.now() + dt.timedelta(days=1),
            place="x",
            reported_by="y",
            details="",
        )
    assert episode.sightings.count() == 1 and episode.updates.count() == 1
    with pytest.raises(InvalidInput):
        actions.enquiry_add(actor=world.officer, episode=episode, description="x", owner=world.partner)
