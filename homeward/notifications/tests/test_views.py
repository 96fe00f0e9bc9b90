"""The inbox, marking read and the episode panel, through full requests."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.audit.models import AuditEvent, Operation
from homeward.conftest import TEST_PASSWORD
from homeward.episodes.tests.factories import assess, find, make_adult, make_ruby, report
from homeward.notifications.models import DeliveryStatus, Event, Notification, Reason
from homeward.notifications.navigation import nav_items

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_anonymous_users_are_sent_to_sign_in(client, world):
    episode = report(world, make_ruby(world))
    notification = Notification.objects.filter(episode=episode).first()
    for url in (reverse("notifications:inbox"), reverse("notifications:mark_read", args=[notification.pk])):
        response = client.post(url) if url.endswith("/read/") else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.PENDING


def test_roles_without_casework_have_no_inbox(client, world):
    login(client, world.commissioner)
    assert client.get(reverse("notifications:inbox")).status_code == 403
    assert nav_items(world.commissioner) == []


def test_the_partner_sees_its_notification_with_the_name_and_the_reason(client, world):
    episode = report(world, make_ruby(world))
    body = login(client, world.partner).get(reverse("notifications:inbox")).content.decode()
    assert episode.reference in body
    assert "Ruby Hartley" in body
    assert "A child missing in your area" in body
    assert "Care Provider B" not in body
    assert (
        reverse("notifications:mark_read", args=[Notification.objects.get(recipient=world.council_b).pk])
        in body
    )
    assert 'data-unread="1"' in body
    # Every listing that showed a name is a logged consultation.
    listed = AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, event_type="notification.listed", actor_user_id=world.partner.pk
    ).get()
    assert listed.object_ids == [str(episode.pk)]


def test_the_outsider_sees_nothing(client, world):
    episode = report(world, make_ruby(world))
    body = login(client, world.outsider).get(reverse("notifications:inbox")).content.decode()
    assert episode.reference not in body
    assert "Ruby" not in body
    assert 'data-unread="0"' in body
    assert nav_items(world.outsider) == [("Inbox (0)", "notifications:inbox")]


def test_a_care_provider_sees_the_notification_for_its_home(client, world):
    episode = report(world, make_ruby(world))
    body = login(client, world.care_staff).get(reverse("notifications:inbox")).content.decode()
    assert episode.reference in body and "Missing from premises you run" in body


def test_a_notification_never_shows_a_name_the_sharing_rules_withhold(client, world):
    # However it came about, a notification to an organisation that may not open the episode shows
    # the reference and the reason, never the person.
    episode = report(world, make_ruby(world))
    Notification.objects.create(
        episode=episode,
        recipient=world.council_c,
        reason=Reason.CHILD_MISSING_CSC,
        event=Event.REPORTED,
        created_at=timezone.now(),
    )
    body = login(client, world.outsider).get(reverse("notifications:inbox")).content.decode()
    assert episode.reference in body
    assert "Ruby" not in body and "Hartley" not in body and "Oak House" not in body
    assert reverse("episode_detail", args=[episode.pk]) not in body
    assert "Not shared with your organisation" in body


def test_the_menu_counts_unread_notifications(client, world):
    report(world, make_ruby(world))
    assert nav_items(world.partner) == [("Inbox (1)", "notifications:inbox")]
    body = login(client, world.partner).get(reverse("notifications:inbox")).content.decode()
    assert "Inbox (1)" in body
    assert nav_items(world.officer) == [("Inbox (0)", "notifications:inbox")]


def test_missing_now_lists_notified_episodes_until_found(client, world):
    episode = assess(world, report(world, make_ruby(world)))
    login(client, world.partner)
    response = client.get(reverse("notifications:inbox"))
    assert [row.episode.pk for row in response.context["missing_now"]] == [episode.pk]
    assert reverse("episode_detail", args=[episode.pk]) in response.content.decode()
    find(world, episode)
    response = client.get(reverse("notifications:inbox"))
    assert response.context["missing_now"] == []
    # The found notification is the newest, at the top.
    rows = response.context["rows"]
    assert [r.notification.event for r in rows] == [Event.FOUND, Event.REPORTED]


def test_mark_read_records_who_and_when_and_is_audited(client, world):
    report(world, make_ruby(world))
    notification = Notification.objects.get(recipient=world.council_b)
    response = login(client, world.partner).post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:inbox")
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.READ
    assert notification.read_by == world.partner and notification.read_at is not None
    assert AuditEvent.objects.filter(
        operation=Operation.ALTERATION, event_type="notification.read", object_ids=[str(notification.pk)]
    ).exists()
    assert nav_items(world.partner) == [("Inbox (0)", "notifications:inbox")]
    # Marking it again changes nothing and logs nothing.
    client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert AuditEvent.objects.filter(event_type="notification.read").count() == 1


def test_open_marks_read_and_goes_to_the_episode(client, world):
    episode = report(world, make_ruby(world))
    notification = Notification.objects.get(recipient=world.council_b)
    response = login(client, world.partner).post(
        reverse("notifications:mark_read", args=[notification.pk]), {"next": "episode"}
    )
    assert response["Location"] == reverse("episode_detail", args=[episode.pk])
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.READ


def test_another_organisation_cannot_mark_it_read(client, world):
    report(world, make_ruby(world))
    notification = Notification.objects.get(recipient=world.council_b)
    for user in (world.outsider, world.care_staff, world.officer):
        client.logout()
        response = login(client, user).post(reverse("notifications:mark_read", args=[notification.pk]))
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.PENDING and notification.read_by is None


def test_mark_read_only_accepts_post(client, world):
    report(world, make_ruby(world))
    notification = Notification.objects.get(recipient=world.council_b)
    response = login(client, world.partner).get(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 405


def test_unread_filter_and_bad_page_numbers(client, world):
    report(world, make_ruby(world))
    report(world, make_adult(world))  # from Oak House: the provider only
    read = Notification.objects.get(recipient=world.council_b)
    login(client, world.partner).post(reverse("notifications:mark_read", args=[read.pk]))
    response = client.get(reverse("notifications:inbox"), {"show": "unread"})
    assert response.status_code == 200 and response.context["rows"] == []
    response = client.get(reverse("notifications:inbox"), {"page": "9999x"})
    assert response.status_code == 200 and len(response.context["rows"]) == 1


def test_the_force_sees_every_partner_told_on_the_episode_page(client, world):
    episode = report(world, make_ruby(world))
    body = login(client, world.officer).get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "Partners notified" in body
    assert "Council B" in body and "Care Provider B" in body
    assert "Children&#x27;s social care for the area" in body
    assert "Waiting to send" in body


def test_a_partner_sees_only_its_own_notification_on_the_episode_page(client, world):
    episode = report(world, make_ruby(world))
    body = login(client, world.partner).get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert "Your organisation was notified" in body
    assert "Care Provider B" not in body
    notification = Notification.objects.get(recipient=world.council_b)
    assert reverse("notifications:mark_read", args=[notification.pk]) in body


def test_the_outsider_still_cannot_open_the_episode(client, world):
    episode = report(world, make_ruby(world))
    response = login(client, world.outsider).get(reverse("episode_detail", args=[episode.pk]))
    assert response.status_code == 404
