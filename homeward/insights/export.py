"""Serialising reports (JSON, CSV, XLSX) and streaming the episode export.

Times are ISO 8601 in local time with their offset (2025-03-30T00:30:00+00:00, 2025-03-30T02:30:00+01:00)
in JSON and CSV; XLSX cells hold the local wall-clock time (workbooks cannot store an offset) and the
header says so. Markers are semicolon-separated in CSV and XLSX, a list in JSON.

Weekly CSV layout: ONE table, one header row, every row tagged with its list in the first column
`dataset` (the JSON keys); the columns are the union of the lists' columns and a list leaves the others
empty. One file that a spreadsheet or `csv.DictReader` reads as is, and that can be filtered by list.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields
from itertools import islice
from typing import IO, Any

from openpyxl import Workbook

from homeward.episodes.models import Episode
from homeward.insights.base import markers_by_person
from homeward.insights.measures import MEASURE_KEYS
from homeward.insights.periods import local_zone
from homeward.insights.weekly import DEFINITIONS, EpisodeRow, MostFrequentRow, WeeklyDatasets

# --- Cell values ---------------------------------------------------------------------------------------


def iso(value: dt.datetime | None) -> str:
    return value.astimezone(local_zone()).isoformat() if value is not None else ""


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _text(value: Any) -> str:
    """A CSV cell: ISO times, semicolon-separated lists, true/false, empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def _cell(value: Any) -> Any:
    """An XLSX cell: local wall-clock datetimes, native numbers and booleans, joined lists."""
    if isinstance(value, dt.datetime):
        return value.astimezone(local_zone()).replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def _row_dict(row: Any) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in asdict(row).items()}


# --- Weekly datasets -----------------------------------------------------------------------------------

MOST_FREQUENT_COLUMNS = [f.name for f in fields(MostFrequentRow)]
EPISODE_COLUMNS = [f.name for f in fields(EpisodeRow)]
WEEKLY_CSV_COLUMNS = ["dataset"] + list(dict.fromkeys(MOST_FREQUENT_COLUMNS + EPISODE_COLUMNS))


def _columns_for(key: str) -> list[str]:
    return MOST_FREQUENT_COLUMNS if key.startswith("most_frequent") else EPISODE_COLUMNS


def weekly_json(data: WeeklyDatasets) -> str:
    doc: dict[str, Any] = {
        "as_of": data.as_of.isoformat(),
        "district": data.district,
        "periods": {k: p.as_dict() for k, p in data.periods.items()},
        "definitions": DEFINITIONS,
    }
    for key, rows in data.lists.items():
        doc[key] = [_row_dict(r) for r in rows]
    return json.dumps(doc, indent=2) + "\n"


def weekly_csv(data: WeeklyDatasets, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(WEEKLY_CSV_COLUMNS)
    for key, rows in data.lists.items():
        for row in rows:
            values = asdict(row)
            writer.writerow([key] + [_text(values.get(c)) for c in WEEKLY_CSV_COLUMNS[1:]])


def weekly_xlsx(data: WeeklyDatasets, path: str) -> None:
    """One sheet per list (named by its JSON key), then an "about" sheet with the periods and definitions."""
    book = Workbook(write_only=True)
    for key, rows in data.lists.items():
        sheet = book.create_sheet(key)
        columns = _columns_for(key)
        sheet.append([f"{c} (local time)" if c.endswith("_at") else c for c in columns])
        for row in rows:
            values = asdict(row)
            sheet.append([_cell(values[c]) for c in columns])
    about = book.create_sheet("about")
    about.append(["as_of", data.as_of])
    about.append(["district", data.district or "all districts"])
    for name, period in data.periods.items():
        about.append([f"period_{name}", f"{period.first.isoformat()} to {period.last.isoformat()}"])
    for name, text in DEFINITIONS.items():
        about.append([name, text])
    book.save(path)


# --- Measures ------------------------------------------------------------------------------------------

MEASURE_CSV_COLUMNS = [
    "measure",
    "current",
    "previous",
    "difference",
    "direction",
    "current_numerator",
    "current_denominator",
    "previous_numerator",
    "previous_denominator",
    "from",
    "to",
    "previous_from",
    "previous_to",
    "district",
]


def _detail_key(measure: str) -> str | None:
    """The numerator/denominator entry of a share measure (found_within_24h_share → found_within_24h)."""
    return measure.removesuffix("_share") if measure.endswith("_share") else None


def measure_rows(measures: dict[str, Any]) -> Iterator[list[Any]]:
    previous = measures["previous"]
    for key in MEASURE_KEYS:
        change = measures["change"][key]
        detail = _detail_key(key)
        now_detail = measures.get(detail, {}) if detail else {}
        prev_detail = previous.get(detail, {}) if detail else {}
        yield [
            key,
            change["current"],
            change["previous"],
            change["difference"],
            change["direction"],
            now_detail.get("numerator"),
            now_detail.get("denominator"),
            prev_detail.get("numerator"),
            prev_detail.get("denominator"),
            measures["period"]["from"],
            measures["period"]["to"],
            previous["period"]["from"],
            previous["period"]["to"],
            measures["district"] or "",
        ]


def measures_json(measures: dict[str, Any]) -> str:
    return json.dumps(measures, indent=2, default=_json_value) + "\n"


def measures_csv(measures: dict[str, Any], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(MEASURE_CSV_COLUMNS)
    for row in measure_rows(measures):
        writer.writerow([_text(v) for v in row])


def measures_xlsx(measures: dict[str, Any], path: str) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("measures")
    sheet.append(MEASURE_CSV_COLUMNS)
    for row in measure_rows(measures):
        sheet.append([_cell(v) for v in row])
    book.save(path)


# --- The episode export --------------------------------------------------------------------------------

EPISODE_EXPORT_COLUMNS = [
    "episode_id",
    "reference",
    "person_id",
    "reported_at",
    "found_at",
    "status",
    "district",
    "missing_from_category",
    "date_of_birth",
    "age_at_report",
    "is_child",
    "looked_after",
    "out_of_area",
    "sex",
    "ethnicity",
    "risk_level_first",
    "risk_level_highest",
    # Empty unless the episode was marked as reported in error: every report leaves those out, so an
    # analyst working from this raw list must be able to as well.
    "reported_in_error_at",
    "markers",
]
_EXPORT_FIELDS = (
    "id",
    "reference",
    "person_id",
    "reported_at",
    "found_at",
    "status",
    "district__name",
    "missing_from_category",
    "person__date_of_birth",
    "age_at_report",
    "is_child",
    "looked_after",
    "out_of_area",
    "person__sex",
    "person__ethnicity",
    "risk_level_first",
    "risk_level_highest",
    "reported_in_error_at",
)
EXPORT_CHUNK = 2000


def write_episodes_csv(out: IO[str], *, pseudonymised: bool = False) -> int:
    """Every episode (every status, "not recorded" included: filter on `status`; reported in error
    included: filter on `reported_in_error_at`), oldest id first, as CSV.

    Streams: the episode query runs through .iterator() and markers are fetched per chunk of 2,000 rows,
    so memory stays flat however many episodes there are. Returns the number of data rows written.

    `pseudonymised` (for analysts who may see rows but not identities): `person_id` holds the keyed-hash
    pseudonym of dataprotection.pseudonym and `date_of_birth` is left empty (`age_at_report` stays); the
    columns are the same, so one reader reads both.
    """
    if pseudonymised:
        from homeward.dataprotection.pseudonym import pseudonym

        _dob = _EXPORT_FIELDS.index("person__date_of_birth")
        return _write_episodes(
            out,
            lambda r: [
                _text(pseudonym(v)) if i == 2 else "" if i == _dob else _text(v) for i, v in enumerate(r)
            ],
        )
    return _write_episodes(out, lambda r: [_text(v) for v in r])


def _write_episodes(out: IO[str], cells: Callable[[tuple[Any, ...]], list[str]]) -> int:
    writer = csv.writer(out)
    writer.writerow(EPISODE_EXPORT_COLUMNS)
    rows = Episode.objects.order_by("id").values_list(*_EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    written = 0
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        markers = markers_by_person(r[2] for r in chunk)
        for r in chunk:
            writer.writerow(cells(r) + [";".join(markers.get(r[2], []))])
        written += len(chunk)
    return written


def episodes_csv_text() -> str:
    buffer = io.StringIO()
    write_episodes_csv(buffer)
    return buffer.getvalue()
