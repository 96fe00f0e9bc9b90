"""Every kind of processing DPA 2018 s.62 names is logged, by the action that does it, in its transaction.

- The Operation enum holds all six kinds, plus auth and admin (AUD-1).
- Table-driven: each main write action writes its kind of event, about the record it touched, with
  the recipient for a disclosure (AUD-3) — and when the action fails *after* writing its event, neither
  the event nor the change is left behind (AUD-4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from homeward.audit import log
from homeward.audit.models import AuditEvent, Operation
from homeward.episodes.tests.factories import make_ruby, report
from homeward.people.actions import PersonData, merge_person_records, person_create, person_update
from homeward.people.models import Person
from homeward.people.selectors import person_for

pytestmark = pytest.mark.django_db

S62 = {"collection", "alteration", "consultation", "disclosure", "combination", "erasure"}


def test_the_operation_enum_holds_every_kind_of_processing():
    assert S62 | {"auth", "admin"} == set(Operation.values)


def _kai(world, family="Brennan", **facts):
    return person_create(
        actor=world.call_handler,
        data=PersonData(given_name="Kai", family_name=family, **facts),
        supplied_by="Mum",
    )


@dataclass
class Case:
    operation: str
    event_type: str
    # Where the action's module looks up audit_record: patched to fail just after the insert.
    module: str
    prepare: Callable[[Any], Any]
    act: Callable[[Any, Any], Any]
    # The object ids (as strings) the event must name, and the recipient organisation if any.
    expect_ids: Callable[[Any, Any], list[str]]
    recipient: Callable[[Any], int | None] = lambda world: None


def _merge(world, pair):
    keep, dup = pair
    return merge_person_records(
        actor=world.supervisor,
        keep=keep,
        duplicate=dup,
        reason="Same child: same school and mother",
        expected_keep_version=keep.version,
        expected_duplicate_version=dup.version,
    )


CASES = [
    Case(
        "collection",
        "person.created",
        "homeward.people.actions",
        prepare=lambda world: None,
        act=lambda world, _: _kai(world),
        expect_ids=lambda world, _: [str(Person.objects.get().pk)],
    ),
    Case(
        "alteration",
        "person.updated",
        "homeward.people.actions",
        prepare=_kai,
        act=lambda world, kai: person_update(
            actor=world.officer,
            person=kai,
            expected_version=kai.version,
            changes={"hair": "Red"},
            supplied_by="Mum",
        ),
        expect_ids=lambda world, kai: [str(kai.pk)],
    ),
    Case(
        "disclosure",
        "notification.sent",
        "homeward.notifications.services",
        prepare=make_ruby,
        act=lambda world, ruby: report(world, ruby),
        expect_ids=lambda world, ruby: [str(ruby.episodes.get().pk)],
        recipient=lambda world: world.council_b.pk,
    ),
    Case(
        "combination",
        "person.merged",
        "homeward.people.actions",
        prepare=lambda world: (_kai(world), _kai(world, family="Brenan", hair="Brown")),
        act=_merge,
        expect_ids=lambda world, pair: sorted(str(p.pk) for p in pair),
    ),
]


def _data_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every Homeward table (small in a test): 'no data change' means this is equal."""
    return {
        model._meta.label: sorted(map(tuple, model.objects.values_list()), key=repr)
        for model in apps.get_models()
        if model.__module__.startswith("homeward.") and model is not AuditEvent
    }


@pytest.mark.parametrize("case", CASES, ids=[c.operation for c in CASES])
def test_the_action_logs_its_kind_of_processing(world, case):
    subject = case.prepare(world)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    case.act(world, subject)
    events = AuditEvent.objects.filter(id__gt=before, event_type=case.event_type)
    assert events.exists(), case.event_type
    event = events.first()
    assert event.operation == case.operation
    assert sorted(event.object_ids) == sorted(case.expect_ids(world, subject))
    assert event.recipient_agency_id == case.recipient(world)
    assert event.actor_user_id is not None


class _AfterAudit(Exception):
    pass


@pytest.mark.parametrize("case", CASES, ids=[c.operation for c in CASES])
def test_a_failure_after_the_audit_insert_leaves_neither_event_nor_change(world, case, monkeypatch):
    subject = case.prepare(world)
    events_before = AuditEvent.objects.count()
    data_before = _data_snapshot()
    real = log.audit_record
    written: list[AuditEvent] = []

    def record_then_fail(**kwargs: Any) -> AuditEvent:
        event = real(**kwargs)
        if kwargs["event_type"] == case.event_type:
            written.append(event)
            raise _AfterAudit
        return event

    monkeypatch.setattr(f"{case.module}.audit_record", record_then_fail)
    with pytest.raises(_AfterAudit):
        case.act(world, subject)
    assert written, "the event was inserted before the failure"
    assert AuditEvent.objects.count() == events_before
    assert _data_snapshot() == data_before


def test_a_consultation_is_logged_with_the_ids_shown(world):
    ruby = make_ruby(world)
    before = AuditEvent.objects.count()
    person_for(actor=world.officer, pk=ruby.pk)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.operation, event.event_type, event.object_ids) == (
        "consultation",
        "person.viewed",
        [str(ruby.pk)],
    )


def test_an_event_written_inside_a_transaction_that_rolls_back_is_gone(world):
    """The plain case, with a small function of our own: audit_record joins the caller's transaction."""

    @transaction.atomic
    def collect_then_fail() -> None:
        _kai(world)
        log.audit_record(actor=world.officer, operation="collection", event_type="test.collected")
        raise _AfterAudit

    with pytest.raises(_AfterAudit):
        collect_then_fail()
    assert not AuditEvent.objects.exists() and not Person.objects.exists()


def test_erasure_is_a_kind_the_log_accepts_and_carries_no_content(world):
    """No erasure action exists yet (data protection, issue 5): the log is ready for one (AUD-5 is its
    action's test to make). An erasure event names ids and fields, never the values erased."""
    event = log.audit_record(
        actor=world.supervisor,
        operation=Operation.ERASURE,
        event_type="person.erased",
        object_type="person",
        object_ids=[1],
        changed_fields=["given_name", "family_name"],
    )
    assert event.operation == "erasure" and event.changed_fields == ["family_name", "given_name"]
