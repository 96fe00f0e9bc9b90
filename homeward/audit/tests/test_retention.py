"""Audit retention and archive (P12, AUD-9): old events go to a verified file, verify still passes."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from homeward.audit.log import audit_chain_check, audit_record
from homeward.audit.models import AuditArchive, AuditEvent
from homeward.audit.retention import ArchiveError, archive_before, file_sha256

# The archive runs as the tables' owner (docs/audit.md): the application's role cannot delete events.
pytestmark = [pytest.mark.django_db, pytest.mark.database_owner]

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def _event_at(when: dt.datetime, actor, n: int) -> AuditEvent:
    with time_machine.travel(when, tick=False):
        return audit_record(actor=actor, operation="consultation", event_type="test.viewed", object_ids=[n])


@pytest.fixture
def history(world):
    """Three events eight years ago, two last month."""
    old = [_event_at(NOW - dt.timedelta(days=2922 + i), world.officer, i) for i in (2, 1, 0)]
    recent = [_event_at(NOW - dt.timedelta(days=30 - i), world.officer, 10 + i) for i in range(2)]
    return old, recent


def _archive(tmp_path: Path, before: str = "2019-01-01") -> tuple[Path, str]:
    out = tmp_path / "audit-2018.jsonl"
    stdout = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("audit", "archive", "--before", before, "--out", str(out), stdout=stdout)
    return out, stdout.getvalue()


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_archive_removes_the_old_events_and_verify_still_passes(history, tmp_path):
    old, recent = history
    out, printed = _archive(tmp_path)
    assert f"Archived 3 events ({old[0].pk}..{old[-1].pk})" in printed
    assert list(AuditEvent.objects.filter(pk__in=[e.pk for e in old])) == []
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    archive = AuditArchive.objects.get()
    assert (archive.archived_through_id, archive.anchor_hash, archive.count) == (old[-1].pk, old[-1].hash, 3)
    assert archive.file_sha256 == file_sha256(out)
    # two recent events and the archive's own event
    assert "Audit chain intact: 3 events" in _verify()
    lines = out.read_text().splitlines()
    assert len(lines) == 5
    assert json.loads(lines[-1])["anchor_hash"] == old[-1].hash


def test_the_archive_is_logged_as_an_erasure_without_content(history, tmp_path):
    old, _ = history
    out, _ = _archive(tmp_path)
    event = AuditEvent.objects.get(event_type="audit_log.archived")
    assert event.operation == "erasure"
    assert event.object_ids == [str(old[0].pk), str(old[-1].pk)]
    assert "archived 3 events" in event.reason_text
    assert file_sha256(out) in event.reason_text
    assert "test.viewed" not in event.reason_text


def test_verify_archive_passes_an_untouched_file_and_detects_tampering(history, tmp_path):
    out, _ = _archive(tmp_path)
    stdout = StringIO()
    call_command("audit", "verify-archive", str(out), stdout=stdout)
    assert "Audit archive intact: 3 events" in stdout.getvalue()

    lines = out.read_text().splitlines()
    row = json.loads(lines[2])
    row["object_ids"] = ["999"]
    lines[2] = json.dumps(row, sort_keys=True, separators=(",", ":"))
    out.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="contents no longer match its hash"):
        call_command("audit", "verify-archive", str(out), stdout=StringIO())


def test_a_removed_line_is_detected(history, tmp_path):
    out, _ = _archive(tmp_path)
    lines = out.read_text().splitlines()
    del lines[2]
    out.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="link to the previous event does not match"):
        call_command("audit", "verify-archive", str(out), stdout=StringIO())


def test_a_cut_off_inside_one_year_is_refused(history, tmp_path):
    with override_settings(HOMEWARD_AUDIT_RETENTION_DAYS=365), time_machine.travel(NOW, tick=False):
        with pytest.raises(ArchiveError, match="inside the retention period of 365 days"):
            archive_before(timezone.localdate() - dt.timedelta(days=100), tmp_path / "a.jsonl")
        with pytest.raises(CommandError, match="Not archived"):
            call_command("audit", "archive", "--before", "2026-06-01", "--out", str(tmp_path / "b.jsonl"))
    assert AuditEvent.objects.count() == 5
    assert not (tmp_path / "a.jsonl").exists()


def test_a_cut_off_inside_the_configured_retention_is_refused(history, tmp_path):
    # the default keeps seven years online: two years back is too recent
    with time_machine.travel(NOW, tick=False), pytest.raises(ArchiveError, match="2557 days"):
        archive_before(dt.date(2024, 11, 1), tmp_path / "a.jsonl")


def test_a_broken_chain_is_not_archived(history, tmp_path):
    from django.db import connection

    from homeward.audit.tests.tampering import guard_removed

    old, _ = history
    with guard_removed(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason_text = 'x' WHERE id = %s", [old[1].pk])
    with pytest.raises(CommandError, match="chain is broken"):
        _archive(tmp_path)
    assert AuditEvent.objects.count() == 5


def test_verify_after_archive_still_catches_a_removed_event(history, tmp_path):
    from django.db import connection

    from homeward.audit.tests.tampering import guard_removed

    _, recent = history
    _archive(tmp_path)
    with guard_removed(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [recent[0].pk])
    assert not audit_chain_check().intact


def test_a_forged_anchor_is_detected(history, tmp_path):
    old, _ = history
    AuditArchive.objects.create(
        archived_through_id=old[-1].pk,
        anchor_hash=old[-1].hash,
        count=3,
        file_sha256="0" * 64,
        created_at=timezone.now(),
    )
    result = audit_chain_check()
    assert not result.intact
    assert "not named by any audit_log.archived event" in result.problem


def test_two_archives_in_a_row_keep_the_chain_verifiable(history, tmp_path):
    _archive(tmp_path)
    later = tmp_path / "later"
    later.mkdir()
    # the first archive's event and the recent events are now old enough
    stdout = StringIO()
    with time_machine.travel(NOW + dt.timedelta(days=3000), tick=False):
        call_command(
            "audit", "archive", "--before", "2027-01-01", "--out", str(later / "a.jsonl"), stdout=stdout
        )
    assert "Archived 3 events" in stdout.getvalue()
    assert AuditArchive.objects.count() == 2
    assert "Audit chain intact: 1 events" in _verify()
    call_command("audit", "verify-archive", str(later / "a.jsonl"), stdout=StringIO())


@pytest.mark.parametrize(("days", "fails"), [(364, True), (365, False), (2557, False)])
def test_the_system_check_refuses_less_than_a_year(days, fails):
    with override_settings(HOMEWARD_AUDIT_RETENTION_DAYS=days):
        ids = [message.id for message in run_checks(tags=["security"])]
    assert ("homeward.E301" in ids) is fails


def test_a_truncated_file_or_one_not_an_archive_is_detected(history, tmp_path):
    out, _ = _archive(tmp_path)
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:-1]) + "\n")  # the footer lost
    with pytest.raises(CommandError, match="footer"):
        call_command("audit", "verify-archive", str(out), stdout=StringIO())
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    with pytest.raises(CommandError, match="not an audit archive"):
        call_command("audit", "verify-archive", str(other), stdout=StringIO())


def test_a_recomputed_file_no_longer_matches_the_database_record(history, tmp_path):
    """Someone rewrites an event and recomputes every hash after it: the file is consistent but is not
    the one the database recorded."""
    from homeward.audit.log import event_digest
    from homeward.audit.retention import _event_from, _line

    out, _ = _archive(tmp_path)
    lines = out.read_text().splitlines()
    prev = json.loads(lines[0])["starts_after_hash"]
    for index in range(1, len(lines) - 1):
        event = _event_from(json.loads(lines[index]))
        if index == 2:
            event.object_ids = ["999"]
        event.prev_hash = prev
        event.hash = event_digest(event)
        prev = event.hash
        lines[index] = _line(event)
    footer = json.loads(lines[-1])
    footer["anchor_hash"] = prev
    lines[-1] = json.dumps(footer, sort_keys=True)
    out.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="differs from the archive recorded in the database"):
        call_command("audit", "verify-archive", str(out), stdout=StringIO())
