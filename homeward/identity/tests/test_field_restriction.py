"""Field-level restriction (ACC-3): a partner sees only the fields its organisation's level allows
(homeward/identity/sharing_rules.py) — in the API, on the pages and in the downloads alike.

Per role: the police officer sees everything; Council B's missing officer (the partner level) sees
identity, risk level, timeline, found details and safeguarding markers, not intelligence; Care Provider
B's staff (the carer level) less again. The API output lacks the withheld keys (and names them); the
page HTML lacks the withheld values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.conftest import World
from homeward.episodes import actions
from homeward.identity.sharing_rules import (
    EPISODE_FIELD_GROUPS,
    FieldLevel,
    all_fields,
    field_level_for,
    fields_allowed,
)
from homeward.identity.tests.route_records import Records, build_records
from homeward.insights.weekly import EpisodeRow, MostFrequentRow
from homeward.people.actions import person_fact_add

pytestmark = pytest.mark.django_db

# What only the police may see, written into Ruby's open episode by build_records and below.
INTELLIGENCE_VALUES = {
    "circumstances": "Left after an argument and did not come back at curfew.",
    "call-handler answer": "Goes missing often",
    "reporting person": "Alex Manager",
    "enquiry": "Check the bus station CCTV",
    "update": "Jade says Ruby has a new older boyfriend",
    "sighting": "Seen at the Mill Street takeaway",
    "risk rationale": "Known CSE risk; seen with older men.",
}
ASSOCIATE = "Tez Whitlock"

PARTNER_WITHHELD = {
    "reporting_person",
    "last_seen_with",
    "circumstances",
    "reasonable_steps",
    "call_handler_answers",
    "risk_assessments",
    "closure_note",
    "prevention_not_done_reason",
    "reported_by",
    "next_review_due",
    "sign_off_due",
}
CARER_WITHHELD = PARTNER_WITHHELD | {
    "placing_authority",
    "out_of_area",
    "risk_level_first",
    "risk_level_highest",
}


@pytest.fixture
def records(world: World) -> Records:
    records = build_records(world)
    episode = records.episode
    actions.episode_update_add(actor=world.officer, episode=episode, text=INTELLIGENCE_VALUES["update"])
    actions.sighting_record(
        actor=world.officer,
        episode=episode,
        seen_at=timezone.now() - dt.timedelta(minutes=30),
        place=INTELLIGENCE_VALUES["sighting"],
        reported_by="A bus driver",
        details="",
    )
    person_fact_add(
        actor=world.officer,
        person=records.person,
        kind="associate",
        values={"value": ASSOCIATE, "detail": "Older male"},
        supplied_by="Oak House manager",
    )
    return records


def _level_users(world: World) -> dict[FieldLevel, object]:
    return {
        FieldLevel.FULL: world.officer,
        FieldLevel.PARTNER: world.partner,
        FieldLevel.CARER: world.care_staff,
    }


def test_each_level_allows_less_than_the_one_above_and_police_see_everything(world):
    assert fields_allowed(FieldLevel.FULL, "episode") == all_fields("episode")
    assert fields_allowed(FieldLevel.FULL, "person") == all_fields("person")
    for record_type in ("episode", "person"):
        carer = fields_allowed(FieldLevel.CARER, record_type)
        partner = fields_allowed(FieldLevel.PARTNER, record_type)
        assert carer < partner < all_fields(record_type)
    assert not EPISODE_FIELD_GROUPS["intelligence"] & fields_allowed(FieldLevel.PARTNER, "episode")
    assert [field_level_for(u) for u in _level_users(world).values()] == list(_level_users(world))


@pytest.mark.parametrize(
    ("who", "withheld"),
    [("officer", set()), ("partner", PARTNER_WITHHELD), ("care_staff", CARER_WITHHELD)],
)
def test_the_api_episode_lacks_the_withheld_keys(client, world, records, who, withheld):
    client.force_login(getattr(world, who))
    body = client.get(f"/api/v1/episodes/{records.episode.pk}").json()
    assert withheld.isdisjoint(body), withheld & set(body)
    assert set(body["withheld_fields"]) == withheld
    assert {"id", "reference", "person", "status", "risk_level", "reported_at", "last_seen_at"} <= set(body)
    text = str(body)
    for label, value in INTELLIGENCE_VALUES.items():
        if label in ("circumstances", "call-handler answer", "reporting person", "risk rationale"):
            assert (value in text) == (who == "officer"), (who, label)


@pytest.mark.parametrize(
    ("who", "clocks_shown"), [("officer", True), ("partner", False), ("care_staff", False)]
)
def test_the_api_episode_list_lacks_the_police_clocks_for_partners(client, world, records, who, clocks_shown):
    client.force_login(getattr(world, who))
    items = client.get("/api/v1/episodes").json()["items"]
    mine = [i["episode"] for i in items if i["episode"]["id"] == records.episode.pk]
    assert mine, who
    assert ("next_review_due" in mine[0]) is clocks_shown
    assert ("sign_off_due" in mine[0]) is clocks_shown


@pytest.mark.parametrize(
    ("who", "markers_shown"), [("officer", True), ("partner", True), ("care_staff", False)]
)
def test_the_api_person_lacks_markers_for_care_providers(client, world, records, who, markers_shown):
    client.force_login(getattr(world, who))
    body = client.get(f"/api/v1/people/{records.person.pk}").json()
    assert ("markers" in body) is markers_shown
    assert ("markers" in body["withheld_fields"]) is not markers_shown


@pytest.mark.parametrize("who", ["officer", "partner", "care_staff"])
def test_the_episode_page_lacks_the_withheld_values(client, world, records, who):
    client.force_login(getattr(world, who))
    html = client.get(reverse("episode_detail", args=[records.episode.pk])).content.decode()
    assert records.person.full_name in html and records.episode.reference in html
    for label, value in INTELLIGENCE_VALUES.items():
        assert (value in html) == (who == "officer"), (who, label)


@pytest.mark.parametrize(
    ("who", "associate_shown", "markers_shown"),
    [("officer", True, True), ("partner", False, True), ("care_staff", False, False)],
)
def test_the_person_page_lacks_the_withheld_values(
    client, world, records, who, associate_shown, markers_shown
):
    client.force_login(getattr(world, who))
    html = client.get(reverse("person_detail", args=[records.person.pk])).content.decode()
    assert records.person.full_name in html
    assert (ASSOCIATE in html) is associate_shown
    assert ("Child sexual exploitation" in html) is markers_shown


# The weekly datasets are the one download a partner receives (insights.access: a council's missing
# officer, rows cut to what it may see). Each column, and the allow-list field it shows.
WEEKLY_COLUMNS = {
    "episode_id": ("episode", "id"),
    "reference": ("episode", "reference"),
    "person_id": ("episode", "person"),
    "name": ("person", "full_name"),
    "reported_at": ("episode", "reported_at"),
    "found_at": ("episode", "found_at"),
    "status": ("episode", "status"),
    "age": ("episode", "age_at_report"),
    "is_child": ("episode", "is_child"),
    "district": ("episode", "district"),
    "looked_after": ("episode", "looked_after"),
    "missing_from_category": ("episode", "missing_from_category"),
    "missing_from": ("episode", "missing_from"),
    "placing_authority": ("episode", "placing_authority"),
    "out_of_area": ("episode", "out_of_area"),
    "markers": ("person", "markers"),
    "rank": ("episode", "history"),
    "episodes": ("episode", "history"),
    "latest_reported_at": ("episode", "reported_at"),
    "latest_episode_id": ("episode", "id"),
    "latest_reference": ("episode", "reference"),
}


def test_the_partners_download_holds_only_fields_its_level_allows():
    columns = {f.name for row in (EpisodeRow, MostFrequentRow) for f in dataclasses.fields(row)}
    unmapped = columns - set(WEEKLY_COLUMNS)
    assert not unmapped, f"classify the new weekly columns: {unmapped}"
    for column in columns:
        record_type, name = WEEKLY_COLUMNS[column]
        assert name in fields_allowed(FieldLevel.PARTNER, record_type), column
