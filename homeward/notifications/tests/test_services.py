"""Who is told when an episode is reported or found, the audit trail, and the email."""

from __future__ import annotations

import pytest
from django.core import mail

from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import make_user
from homeward.episodes import hooks
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.identity.roles import Role
from homeward.notifications.models import DeliveryStatus, Event, Notification, Reason
from homeward.notifications.services import notify_found, notify_reported
from homeward.notifications.tasks import send_notification_email
from homeward.people.models import Person

pytestmark = pytest.mark.django_db


def told(episode: Episode, event: str = Event.REPORTED) -> dict[str, str]:
    return {
        n.recipient.name: n.reason
        for n in Notification.objects.filter(episode=episode, event=event).select_related("recipient")
    }


def test_child_missing_from_a_childrens_home_tells_the_council_and_the_provider(world):
    episode = report(world, make_ruby(world))
    assert not episode.out_of_area
    assert told(episode) == {
        "Council B": Reason.CHILD_MISSING_CSC,
        "Care Provider B": Reason.MISSING_FROM_PROVIDER,
    }
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert Notification.objects.filter(created_by=world.call_handler).count() == 2


def test_child_missing_from_a_private_home_tells_the_districts_council_only(world):
    world.south.council = world.council_c
    world.south.save()
    child = make_ruby(world)
    Person.objects.filter(pk=child.pk).update(looked_after=False, placing_authority=None)
    child.refresh_from_db()
    episode = report(world, child, from_home=False)
    assert episode.is_child and episode.missing_from == world.family_home
    assert told(episode) == {"Council C": Reason.CHILD_MISSING_CSC}


def test_out_of_area_placement_tells_the_placing_and_the_host_authority(world):
    ruby = make_ruby(world)
    Person.objects.filter(pk=ruby.pk).update(placing_authority=world.council_c)
    ruby.refresh_from_db()
    episode = report(world, ruby)
    assert episode.out_of_area
    assert told(episode) == {
        "Council C": Reason.OUT_OF_AREA_PLACING_AUTHORITY,
        "Council B": Reason.OUT_OF_AREA_HOST_AUTHORITY,
        "Care Provider B": Reason.MISSING_FROM_PROVIDER,
    }


def test_adult_missing_from_a_private_home_tells_nobody(world):
    episode = report(world, make_adult(world), from_home=False)
    assert told(episode) == {}
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSURE).exists()


def test_adult_missing_from_a_providers_premises_tells_the_provider_only(world):
    episode = report(world, make_adult(world))
    assert told(episode) == {"Care Provider B": Reason.MISSING_FROM_PROVIDER}


def test_a_district_without_a_council_tells_no_council(world):
    child = make_ruby(world)
    Person.objects.filter(pk=child.pk).update(looked_after=False, placing_authority=None)
    child.refresh_from_db()
    episode = report(world, child, from_home=False)  # South has no council in the test world
    assert told(episode) == {}


def test_each_organisation_is_told_once_per_event(world):
    episode = report(world, make_ruby(world))
    notify_reported(episode=episode, actor=world.call_handler)
    notify_reported(episode=episode, actor=world.officer)
    assert Notification.objects.filter(episode=episode).count() == 2
    assert AuditEvent.objects.filter(event_type="notification.sent").count() == 2


def test_found_tells_everyone_told_at_report_time_again(world):
    episode = find(world, assess(world, report(world, make_ruby(world))))
    assert told(episode, Event.FOUND) == told(episode, Event.REPORTED)
    assert Notification.objects.filter(episode=episode).count() == 4
    found = Notification.objects.filter(event=Event.FOUND)
    assert {n.created_by for n in found} == {world.officer}
    notify_found(episode=episode, actor=world.officer)
    assert Notification.objects.filter(episode=episode, event=Event.FOUND).count() == 2


def test_found_reaches_an_organisation_the_rules_no_longer_pick(world):
    episode = assess(world, report(world, make_ruby(world)))
    world.oak_house.provider = None  # the home changed hands while she was missing
    world.oak_house.save()
    episode = find(world, Episode.objects.get(pk=episode.pk))
    assert "Care Provider B" in told(episode, Event.FOUND)


def test_every_disclosure_is_audited_with_its_recipient(world):
    episode = report(world, make_ruby(world))
    events = AuditEvent.objects.filter(operation=Operation.DISCLOSURE, event_type="notification.sent")
    assert sorted(e.recipient_agency_id for e in events) == sorted([world.council_b.pk, world.provider_b.pk])
    for event in events:
        assert event.object_type == "episode"
        assert event.object_ids == [str(episode.pk)]
        assert event.actor_user_id == world.call_handler.pk


def test_email_goes_after_commit_to_the_organisation_and_its_case_workers(
    world, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    world.council_b.email = "missing.team@council-b.example.org"
    world.council_b.save()
    world.partner.email = "pat@council-b.example.org"
    world.partner.save()
    rhi_worker = make_user("rhian_rhi", world.council_b, Role.RHI_WORKER)
    rhi_worker.email = "rhi@council-b.example.org"  # no casework role: not emailed
    rhi_worker.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        episode = report(world, make_ruby(world))
        assert DBTaskResult.objects.count() == 0  # nothing queued before commit
    assert len(callbacks) == 2
    assert DBTaskResult.objects.filter(task_path__endswith="send_notification_email").count() == 2

    notification = Notification.objects.get(recipient=world.council_b)
    assert notification.email_addresses == ["missing.team@council-b.example.org", "pat@council-b.example.org"]
    assert send_notification_email.call(notification.pk) == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["missing.team@council-b.example.org", "pat@council-b.example.org"]
    text = f"{message.subject}\n{message.body}"
    assert episode.reference in text
    assert "sign in to see it" in message.body
    for personal in ("Ruby", "Hartley", "Rubes", "Oak House", "Alex Manager", "argument"):
        assert personal not in text
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.SENT and notification.sent_at is not None
    # Run twice (a retried task): no second email.
    assert send_notification_email.call(notification.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_without_an_address_the_notification_is_delivered_to_the_inbox_alone(world):
    report(world, make_ruby(world))
    notification = Notification.objects.get(recipient=world.provider_b)
    assert notification.email_to == ""
    assert send_notification_email.call(notification.pk) == "sent"
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.SENT


def test_a_failed_email_is_recorded_not_raised(world, monkeypatch):
    world.council_b.email = "missing.team@council-b.example.org"
    world.council_b.save()
    report(world, make_ruby(world))
    notification = Notification.objects.get(recipient=world.council_b)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("homeward.notifications.tasks.send_mail", refuse)
    assert send_notification_email.call(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.FAILED
    assert "ConnectionRefusedError" in notification.email_error


def test_a_notification_read_before_the_worker_runs_stays_read_and_is_not_emailed(world):
    from homeward.notifications.actions import notification_mark_read

    world.council_b.email = "missing.team@council-b.example.org"
    world.council_b.save()
    report(world, make_ruby(world))
    notification = Notification.objects.get(recipient=world.council_b)
    notification_mark_read(actor=world.partner, notification=notification)
    assert send_notification_email.call(notification.pk) == "skipped"
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.READ and mail.outbox == []


def test_a_report_that_fails_after_notifying_rolls_its_notifications_back(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    ruby = make_ruby(world)
    real = hooks.after_reported
    before = AuditEvent.objects.count()

    def notify_then_fail(episode, actor):
        real(episode, actor)
        assert Notification.objects.filter(episode=episode).count() == 2  # they were written…
        raise RuntimeError("something later in the report failed")

    monkeypatch.setattr(hooks, "after_reported", notify_then_fail)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        report(world, ruby)
    # …and went with the report: no episode, no notification, no disclosure logged, no email queued.
    assert Episode.objects.count() == 0
    assert Notification.objects.count() == 0
    assert not AuditEvent.objects.filter(operation=Operation.DISCLOSURE).exists()
    assert AuditEvent.objects.count() == before
    assert callbacks == []
    assert mail.outbox == []


def test_the_council_where_a_child_lives_is_told_too(world):
    from homeward.episodes.tests.factories import make_ruby, report
    from homeward.identity.models import District, Organisation, OrganisationKind
    from homeward.notifications.models import Notification

    home_council = Organisation.objects.create(
        name="Council East", kind=OrganisationKind.LOCAL_AUTHORITY, force=world.force
    )
    east = District.objects.create(force=world.force, name="East", council=home_council)
    ruby = make_ruby(world)
    ruby.home_district = east
    ruby.save()
    episode = report(world, ruby)
    reasons = dict(Notification.objects.filter(episode=episode).values_list("recipient__name", "reason"))
    assert reasons["Council East"] == "child_home_authority"
    assert reasons["Council B"] == "child_missing_csc"


def test_a_switched_off_sharing_rule_stops_the_notification_too(world):
    from homeward.episodes.tests.factories import make_ruby, report
    from homeward.identity.models import OrganisationKind
    from homeward.identity.sharing_rules import SharingRule
    from homeward.notifications.models import Notification

    SharingRule.objects.filter(organisation_kind=OrganisationKind.LOCAL_AUTHORITY).update(active=False)
    episode = report(world, make_ruby(world))
    recipients = set(Notification.objects.filter(episode=episode).values_list("recipient__name", flat=True))
    assert recipients == {"Care Provider B"}


def test_partners_hear_when_a_report_is_not_recorded_and_when_an_appeal_overturns_it(world):
    from homeward.conftest import make_user
    from homeward.episodes import actions
    from homeward.episodes.tests.factories import make_ruby, report
    from homeward.identity.roles import Role
    from homeward.notifications.models import Notification

    episode = report(world, make_ruby(world))
    episode = actions.episode_decide_not_recorded(
        actor=world.call_handler,
        episode=episode,
        expected_version=1,
        reason="Known to be with her aunt nearby",
    )
    events = set(Notification.objects.filter(episode=episode).values_list("recipient__name", "event"))
    assert {("Council B", "not_recorded"), ("Care Provider B", "not_recorded")} <= events
    escalation = actions.escalation_raise(
        actor=world.care_staff, episode=episode, grounds="The aunt says she is not there"
    )
    senior = make_user("sid_senior", world.force, Role.DETECTIVE_INSPECTOR)
    actions.escalation_decide(
        actor=senior,
        escalation=escalation,
        expected_version=episode.version,
        overturn=True,
        reasons="The aunt has not seen her: record now.",
    )
    told = set(
        Notification.objects.filter(episode=episode, event="recorded_on_appeal").values_list(
            "recipient__name", flat=True
        )
    )
    assert told == {"Council B", "Care Provider B"}
