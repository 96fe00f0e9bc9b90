"""`homeward report …` and `homeward export episodes` in every format, bad arguments, and the audit event."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from homeward.audit.models import AuditEvent, Operation
from homeward.insights.weekly import WEEKLY_LISTS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def test_weekly_json(march):
    s = march
    doc = json.loads(run("report", "weekly", "--as-of", "2025-03-30", "--format", "json"))
    for key in WEEKLY_LISTS:
        assert isinstance(doc[key], list)
    top = doc["most_frequent_3w_children"][0]
    assert {k: top[k] for k in ("rank", "person_id", "episodes", "latest_episode_id")} == {
        "rank": 1,
        "person_id": s.amy.pk,
        "episodes": 3,
        "latest_episode_id": s.a3.pk,
    }
    # Local time with its offset: 23:30 BST on D.
    assert top["latest_reported_at"] == "2025-03-30T23:30:00+01:00"
    assert top["markers"] == ["cse", "mental_health"]
    first = doc["first_time_children_month"]
    assert [(r["person_id"], r["episode_id"]) for r in first] == [(s.cara.pk, s.c1.pk), (s.ben.pk, s.b2.pk)]
    assert first[1]["reported_at"] == "2025-03-09T23:59:00+00:00"
    assert [r["episode_id"] for r in doc["hospital_12w"]] == [s.d2.pk, s.c2.pk]
    assert doc["periods"]["3w"]["from"] == "2025-03-10"

    event = last_event()
    assert (event.operation, event.event_type, event.object_type, event.actor_user_id) == (
        Operation.DISCLOSURE,
        "report.weekly.exported",
        "person",
        None,
    )
    # Every person in any list: Amy, Ben, Cara, Dan, Fay, Ed, Gus, Hana, Ivy.
    expected = {s.amy, s.ben, s.cara, s.dan, s.fay, s.ed, s.gus, s.hana, s.ivy}
    assert set(event.object_ids) == {str(p.pk) for p in expected}
    assert "--as-of 2025-03-30" in event.reason_text


def test_weekly_csv_is_one_table_tagged_by_dataset(march):
    rows = list(
        csv.DictReader(io.StringIO(run("report", "weekly", "--as-of", "2025-03-30", "--format", "csv")))
    )
    adults = [r for r in rows if r["dataset"] == "most_frequent_3w_adults"]
    assert [(r["rank"], r["person_id"], r["episodes"]) for r in adults] == [
        ("1", str(march.ed.pk), "2"),
        ("2", str(march.dan.pk), "2"),
        ("3", str(march.fay.pk), "2"),
        ("4", str(march.cara.pk), "1"),
    ]
    amy = next(r for r in rows if r["dataset"] == "most_frequent_3w_children")
    assert amy["markers"] == "cse;mental_health" and amy["looked_after"] == "true"
    lac = [r for r in rows if r["dataset"] == "lac_care_settings_12w"]
    assert len(lac) == 5 and lac[0]["episode_id"] == str(march.a3.pk)


def test_weekly_xlsx_one_sheet_per_list(march, tmp_path):
    path = tmp_path / "weekly.xlsx"
    run(
        "report",
        "weekly",
        "--as-of",
        "2025-03-30",
        "--format",
        "xlsx",
        "--out",
        str(path),
        "--district",
        "north",
    )
    book = load_workbook(path)
    assert book.sheetnames == [*WEEKLY_LISTS, "about"]
    sheet = book["most_frequent_3w_children"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["rank", "person_id", "name", "episodes"]
    # North only: Amy (3) then Cara (1).
    assert [(r[0], r[1], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        (1, march.amy.pk, 3),
        (2, march.cara.pk, 1),
    ]
    assert "--district North" in last_event().reason_text


def test_measures_json_csv_xlsx(week, tmp_path):
    doc = json.loads(
        run("report", "measures", "--from", "2025-10-20", "--to", "2025-10-26", "--format", "json")
    )
    for key in (
        "episodes",
        "individuals",
        "found_within_24h_share",
        "repeat_episodes",
        "persistent_people",
        "high_risk_share",
        "initiatives",
    ):
        assert key in doc
    assert (doc["episodes"], doc["individuals"], doc["repeat_episodes"], doc["persistent_people"]) == (
        6,
        3,
        4,
        1,
    )
    assert doc["previous"]["episodes"] == 1 and doc["change"]["episodes"]["direction"] == "up"
    assert last_event().event_type == "report.measures.exported"

    rows = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "report",
                    "measures",
                    "--from",
                    "2025-10-20",
                    "--to",
                    "2025-10-26",
                    "--format",
                    "csv",
                    "--district",
                    "South",
                )
            )
        )
    )
    by = {r["measure"]: r for r in rows}
    assert by["episodes"]["current"] == "2" and by["initiatives"]["current"] == "1"
    assert by["high_risk_share"]["current_denominator"] == "2" and by["episodes"]["district"] == "South"

    path = tmp_path / "m.xlsx"
    run(
        "report",
        "measures",
        "--from",
        "2025-10-20",
        "--to",
        "2025-10-26",
        "--format",
        "xlsx",
        "--out",
        str(path),
    )
    sheet = load_workbook(path)["measures"]
    values = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["episodes"][1:5] == (6, 1, 5, "up")


def test_quarterly_json(week):
    doc = json.loads(run("report", "quarterly", "--year", "2025", "--quarter", "4"))
    assert doc["force"]["totals"] == {"episodes": 7, "individuals": 3}


def test_export_episodes_csv(march, tmp_path):
    s = march
    path = tmp_path / "episodes.csv"
    run("export", "episodes", "--format", "csv", "--out", str(path))
    with path.open(newline="") as f:
        rows = {int(r["episode_id"]): r for r in csv.DictReader(f)}
    from homeward.episodes.models import Episode

    assert len(rows) == Episode.objects.count()  # every episode, "not recorded" included
    a3 = rows[s.a3.pk]
    assert a3["person_id"] == str(s.amy.pk)
    assert a3["reported_at"] == "2025-03-30T23:30:00+01:00"
    assert a3["found_at"] == "2025-03-31T01:30:00+01:00"
    assert (a3["date_of_birth"], a3["age_at_report"], a3["is_child"], a3["looked_after"]) == (
        "2010-01-01",
        "15",
        "true",
        "true",
    )
    assert a3["markers"] == "cse;mental_health" and a3["district"] == "North"
    assert a3["missing_from_category"] == "childrens_home" and a3["sex"] == "female"
    d2 = rows[s.d2.pk]  # still missing
    assert d2["found_at"] == "" and d2["status"] == "active" and d2["is_child"] == "false"
    g1 = rows[s.g1.pk]  # no date of birth
    assert (g1["date_of_birth"], g1["age_at_report"], g1["is_child"]) == ("", "", "")
    assert rows[s.e_nr.pk]["status"] == "not_recorded"

    event = last_event()
    assert (event.operation, event.event_type, event.object_ids, event.outcome) == (
        Operation.DISCLOSURE,
        "export.episodes.exported",
        [],
        "success",
    )
    assert f"{len(rows)} episode rows" in event.reason_text


def test_export_to_stdout_streams_the_same_rows(march):
    text = run("export", "episodes")
    lines = text.splitlines()
    assert lines[0].startswith("episode_id,reference,person_id,reported_at,found_at,status,district")
    # Header + every episode: Amy 5, Ben 3, Cara 2, Dan 3, Fay 2, Ed 3, Gus 1, Hana 3, Ivy 2 = 24.
    assert len(lines) == 1 + 24


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["report", "weekly", "--as-of", "2025-02-30"],
            "--as-of must be a date as YYYY-MM-DD, not '2025-02-30'",
        ),
        (["report", "weekly"], "--as-of is required"),
        (
            ["report", "weekly", "--as-of", "2025-03-30", "--format", "pdf"],
            "--format must be one of json, csv, xlsx, not 'pdf'",
        ),
        (
            ["report", "weekly", "--as-of", "2025-03-30", "--district", "Atlantis"],
            "Unknown district 'Atlantis'. Known districts: North, South",
        ),
        (["report", "weekly", "--as-of", "2025-03-30", "--format", "xlsx"], "--format xlsx needs --out FILE"),
        (
            ["report", "measures", "--from", "2025-03-30", "--to", "2025-03-01"],
            "--to (2025-03-01) is before --from (2025-03-30)",
        ),
        (["report", "measures", "--from", "yesterday", "--to", "2025-03-01"], "--from must be a date"),
        (
            ["report", "quarterly", "--year", "2025", "--quarter", "5"],
            "--quarter: quarter must be 1, 2, 3 or 4",
        ),
        (["export", "episodes", "--format", "xlsx"], "--format must be one of csv, not 'xlsx'"),
        (
            ["export", "episodes", "--out", "/no/such/folder/x.csv"],
            "the folder '/no/such/folder' does not exist",
        ),
    ],
)
def test_bad_arguments_are_refused_precisely_and_not_audited(world, args, message):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError) as excinfo:
        call_command(*args, stdout=io.StringIO())
    assert message in str(excinfo.value)
    assert AuditEvent.objects.count() == before


def test_an_unknown_report_is_refused(world):
    with pytest.raises(CommandError, match="invalid choice: 'weekley'"):
        call_command("report", "weekley", stdout=io.StringIO())
