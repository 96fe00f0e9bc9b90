"""`homeward audit verify` (AUD-7): an intact chain passes; a row changed behind the app's back is named."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from homeward.audit.log import audit_record
from homeward.audit.models import AuditEvent
from homeward.audit.tests.tampering import guard_removed

pytestmark = pytest.mark.django_db


def _events(actor, n=4):
    return [
        audit_record(actor=actor, operation="consultation", event_type="test.viewed", object_ids=[i])
        for i in range(n)
    ]


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_an_intact_chain_passes_and_is_counted(world):
    _events(world.officer)
    assert "Audit chain intact: 4 events" in _verify()


def test_an_empty_log_passes():
    assert "intact: 0 events" in _verify()


@pytest.mark.database_owner  # tampers as an owner could; the application's role cannot
def test_a_row_altered_by_raw_sql_is_reported(world):
    events = _events(world.officer)
    with guard_removed(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET reason_text = 'nothing to see' WHERE id = %s", [events[2].pk]
        )
    out = StringIO()
    with pytest.raises(CommandError, match=f"broken at event {events[2].pk} after 2 good events"):
        call_command("audit", "verify", stdout=out)
    assert "Audit events: 4" in out.getvalue()
    assert f"First broken link: event {events[2].pk}: its contents no longer match" in out.getvalue()


@pytest.mark.database_owner  # tampers as an owner could; the application's role cannot
def test_a_row_deleted_by_raw_sql_is_reported_at_the_next_event(world):
    events = _events(world.officer)
    with guard_removed(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    out = StringIO()
    with pytest.raises(CommandError, match=f"broken at event {events[2].pk} after 1 good events"):
        call_command("audit", "verify", stdout=out)
    assert f"expected previous hash {events[0].hash}" in out.getvalue()
    assert f"found previous hash    {events[1].hash}" in out.getvalue()
    assert AuditEvent.objects.count() == 3


@pytest.mark.database_owner  # tampers as an owner could; the application's role cannot
def test_a_broken_chain_exits_non_zero(world):
    """A CommandError ends `homeward audit verify` with its return code: what a nightly job checks."""
    events = _events(world.officer, 2)
    with guard_removed(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s", [events[0].pk])
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", stdout=StringIO())
    assert raised.value.returncode == 1
