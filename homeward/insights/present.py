"""What the report pages show: labels and definitions, small-count suppression, and the tables of the
quarterly MI and the rolling average (with their CSV/XLSX). The numbers come from measures.py/weekly.py
unchanged; nothing here computes a measure."""

from __future__ import annotations

import copy
import csv
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import Workbook

from homeward.insights.access import SUPPRESS_BELOW
from homeward.insights.measures import MEASURE_KEYS

FEWER_THAN = f"fewer than {SUPPRESS_BELOW}"

MEASURE_LABELS = {
    "episodes": "Episodes",
    "individuals": "Individuals",
    "found_within_24h_share": "Found within 24 hours",
    "repeat_episodes": "Repeat episodes",
    "persistent_people": "Persistent people",
    "high_risk_share": "High risk at first grading",
    "prevention_interviews_done_share": "Prevention interviews done",
    "rhis_offered_within_72h_share": "Return home interviews offered within 72 hours",
    "initiatives": "Initiatives active",
}

MEASURE_DEFINITIONS = {
    "episodes": "Recorded episodes reported in the period (a decision not to record is not an episode).",
    "individuals": "Distinct person records with an episode reported in the period.",
    "found_within_24h_share": (
        "Episodes found (alive or dead) no later than 24 hours after the report, out of episodes reported "
        "in the period except those still open that were reported less than 24 hours before its end."
    ),
    "repeat_episodes": "Episodes whose person had another recorded episode in the 365 days before it.",
    "persistent_people": (
        "People who, at some report in the period, had at least 3 recorded episodes in the 90 days up to it."
    ),
    "high_risk_share": "Of episodes graded at all, the share whose first grade was high.",
    "prevention_interviews_done_share": (
        "Of episodes found alive, the share with a completed prevention interview (declined is not done)."
    ),
    "rhis_offered_within_72h_share": (
        "Of return home interviews for episodes in the period, the share offered by their 72-hour deadline; "
        "those not yet offered whose deadline is still ahead are left out."
    ),
    "initiatives": "Initiatives active on at least one day of the period (a district's own and force-wide).",
}

ROLLING_DEFINITION = (
    "For each calendar month, episodes of children (under 18 at report) reported in the 12 months ending "
    "with it, divided by 12: incidents, not distinct children. The latest month counts up to the chosen day "
    "and is marked incomplete unless that day is its last."
)

QUARTERLY_DEFINITION = (
    "Episodes and individuals reported in the quarter: totals, and by age group at report, sex, age band at "
    "report, self-defined ethnicity, CSE marker, mental-health marker and, for children only, looked after "
    "at report or not. Individuals are distinct people in each cell, so cells need not add up to the total."
)

DIMENSION_LABELS = {
    "age_group": "Age group at report",
    "sex": "Sex",
    "age_band": "Age band at report",
    "ethnicity": "Ethnicity (self-defined)",
    "cse_marker": "Child sexual exploitation marker",
    "mental_health_marker": "Mental health marker",
    "children_looked_after": "Children: looked after at report",
}

# Count measures that are about people or episodes (initiatives are not).
_COUNT_MEASURES = ("episodes", "individuals", "repeat_episodes", "persistent_people")


def is_small(value: Any) -> bool:
    """A count of 1 to 4: small enough to identify someone."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < SUPPRESS_BELOW


def _detail_key(measure: str) -> str:
    return measure.removesuffix("_share")


def _suppress_period(values: dict[str, Any]) -> set[str]:
    """Blank (None) small counts and shares built on them, in place; returns the measures blanked."""
    hidden = set()
    for key in _COUNT_MEASURES:
        if is_small(values.get(key)):
            values[key] = None
            hidden.add(key)
    for key in MEASURE_KEYS:
        if not key.endswith("_share"):
            continue
        detail = values.get(_detail_key(key)) or {}
        if is_small(detail.get("numerator")) or is_small(detail.get("denominator")):
            values[key] = None
            values[_detail_key(key)] = {"numerator": None, "denominator": None, "share": None}
            hidden.add(key)
    return hidden


def suppress_measures(measures: dict[str, Any]) -> tuple[dict[str, Any], dict[str, set[str]]]:
    """A copy of measures_for()'s result with small counts blanked in both periods and in "change"."""
    out = copy.deepcopy(measures)
    hidden = {"current": _suppress_period(out), "previous": _suppress_period(out["previous"])}
    for key in MEASURE_KEYS:
        change = out["change"][key]
        if key in hidden["current"]:
            change["current"] = None
        if key in hidden["previous"]:
            change["previous"] = None
        if key in hidden["current"] | hidden["previous"]:
            change["difference"] = None
            change["direction"] = None
    return out, hidden


def suppress_rolling(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        row = dict(row)
        row["suppressed_month"] = is_small(row["child_episodes_month"])
        row["suppressed_12m"] = is_small(row["child_episodes_12m"])
        if row["suppressed_month"]:
            row["child_episodes_month"] = None
        if row["suppressed_12m"]:
            row["child_episodes_12m"] = None
            row["rolling_average"] = None
        out.append(row)
    return out


def _suppress_cells(block: dict[str, Any]) -> None:
    for name, cells in block.items():
        targets = [cells] if name == "totals" else list(cells.values())
        for cell in targets:
            for key in ("episodes", "individuals"):
                if is_small(cell.get(key)):
                    cell[key] = None


def suppress_quarterly(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    _suppress_cells(out["force"])
    for block in out["districts"].values():
        _suppress_cells(block)
    return out


# --- Display ------------------------------------------------------------------------------------------


def show_count(value: int | None, suppressed: bool) -> str:
    if suppressed:
        return FEWER_THAN
    return "" if value is None else f"{value:,}"


def show_share(value: float | None, detail: dict[str, Any] | None, suppressed: bool) -> str:
    if suppressed:
        return FEWER_THAN
    if value is None:
        return "no value (nothing counted)"
    detail = detail or {}
    return f"{value:.1%} ({detail.get('numerator')} of {detail.get('denominator')})"


def direction_words(key: str, change: dict[str, Any], hidden: bool) -> str:
    """The direction against the previous period in words, with an arrow (never colour alone)."""
    if hidden:
        return "not shown (fewer than 5)"
    direction, difference = change["direction"], change["difference"]
    if direction is None:
        return "no comparison"
    if key.endswith("_share"):
        amount = f"{abs(difference) * 100:.1f} percentage points"
    elif isinstance(difference, float) and not difference.is_integer():
        amount = f"{abs(difference):.2f}"
    else:
        amount = f"{abs(int(difference)):,}"
    if direction == "up":
        return f"↑ up by {amount}"
    if direction == "down":
        return f"↓ down by {amount}"
    return "→ no change"


def measure_table(measures: dict[str, Any], hidden: dict[str, set[str]]) -> list[dict[str, str]]:
    previous = measures["previous"]
    rows = []
    for key in MEASURE_KEYS:
        now_hidden, prev_hidden = key in hidden["current"], key in hidden["previous"]
        if key.endswith("_share"):
            current = show_share(measures[key], measures.get(_detail_key(key)), now_hidden)
            before = show_share(previous[key], previous.get(_detail_key(key)), prev_hidden)
        else:
            current = show_count(measures[key], now_hidden)
            before = show_count(previous[key], prev_hidden)
        rows.append(
            {
                "key": key,
                "label": MEASURE_LABELS[key],
                "definition": MEASURE_DEFINITIONS[key],
                "current": current,
                "previous": before,
                "change": direction_words(key, measures["change"][key], now_hidden or prev_hidden),
            }
        )
    return rows


# --- Quarterly and rolling-average tables and files -------------------------------------------------------

QUARTERLY_COLUMNS = ["scope", "dimension", "category", "episodes", "individuals", "from", "to"]
ROLLING_COLUMNS = [
    "scope",
    "month",
    "child_episodes_month",
    "child_episodes_12m",
    "rolling_average",
    "complete",
]


def quarterly_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    """scope (force or a district), dimension, category, episodes, individuals, from, to."""
    scopes = [("force", data["force"])] if data["district"] is None else []
    scopes += list(data["districts"].items())
    for scope, block in scopes:
        yield [scope, "totals", "all", block["totals"]["episodes"], block["totals"]["individuals"]]
        for dimension in DIMENSION_LABELS:
            for category, cell in sorted(block.get(dimension, {}).items()):
                yield [scope, dimension, category, cell["episodes"], cell["individuals"]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def quarterly_csv(data: dict[str, Any], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(QUARTERLY_COLUMNS)
    period = data["period"]
    for row in quarterly_rows(data):
        writer.writerow([_text(v) for v in row] + [period["from"], period["to"]])


def quarterly_xlsx(data: dict[str, Any], path: str) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("quarterly")
    sheet.append(QUARTERLY_COLUMNS)
    period = data["period"]
    for row in quarterly_rows(data):
        sheet.append([*row, period["from"], period["to"]])
    about = book.create_sheet("about")
    about.append(["definition", QUARTERLY_DEFINITION])
    book.save(path)


def rolling_csv(series: dict[str, list[dict[str, Any]]], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(ROLLING_COLUMNS)
    for scope, rows in series.items():
        for row in rows:
            writer.writerow([scope] + [_text(row[c]) for c in ROLLING_COLUMNS[1:]])


def rolling_xlsx_sheet(book: Workbook, series: dict[str, list[dict[str, Any]]]) -> None:
    sheet = book.create_sheet("rolling_average_children")
    sheet.append(ROLLING_COLUMNS)
    for scope, rows in series.items():
        for row in rows:
            sheet.append([scope] + [row[c] for c in ROLLING_COLUMNS[1:]])
