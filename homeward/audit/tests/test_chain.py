from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from homeward.audit.log import GENESIS_HASH, audit_chain_verify, audit_record
from homeward.audit.models import AuditEvent
from homeward.audit.tests.tampering import guard_removed

pytestmark = pytest.mark.django_db


def _three_events(actor):
    for i in range(3):
        audit_record(
            actor=actor, operation="consultation", event_type="test.viewed", object_type="x", object_ids=[i]
        )


def test_events_are_chained_and_verify(world):
    _three_events(world.officer)
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit_chain_verify() == (True, 3, None)
    call_command("audit", "verify")


@pytest.mark.database_owner  # tampers as an owner could; the application's role cannot
def test_an_altered_row_breaks_the_chain(world):
    _three_events(world.officer)
    middle = AuditEvent.objects.order_by("id")[1]
    with guard_removed():
        AuditEvent.objects.filter(pk=middle.pk).update(object_ids=["tampered"])
    intact, checked, bad = audit_chain_verify()
    assert (intact, checked, bad) == (False, 1, middle.pk)
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify")


@pytest.mark.database_owner  # tampers as an owner could; the application's role cannot
def test_a_deleted_row_breaks_the_chain(world):
    _three_events(world.officer)
    with guard_removed():
        AuditEvent.objects.order_by("id")[1].delete()
    assert audit_chain_verify()[0] is False


def test_control_characters_are_encoded(world):
    event = audit_record(
        actor=world.officer, operation="alteration", event_type="t", reason="line one\nFAKE: admin logged in"
    )
    assert "\n" not in event.reason_text and "\\x0a" in event.reason_text


def test_actor_and_agency_are_recorded(world):
    event = audit_record(actor=world.partner, operation="consultation", event_type="t")
    assert (event.actor_user_id, event.actor_agency_id, event.acting_as) == (
        world.partner.pk,
        world.council_b.pk,
        "csc_missing_officer",
    )
