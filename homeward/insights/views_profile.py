"""The problem profile page (SPEC §7): filters, each section with a chart, its data table and definition,
and CSV/XLSX downloads of every section, audited as `report.problem_profile.exported`."""

from __future__ import annotations

from itertools import count
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from homeward.identity.auth_views import asks_for_download, require_recent_authentication
from homeward.identity.models import District, User
from homeward.insights.access import Report
from homeward.insights.charts import Point, bar_chart
from homeward.insights.commands import audit_export
from homeward.insights.forms import MeasuresFilter, previous_month
from homeward.insights.measures import local_today
from homeward.insights.periods import between
from homeward.insights.present import FEWER_THAN
from homeward.insights.problem_profile import (
    DAYS,
    SECTIONS,
    Section,
    problem_profile,
    profile_csv,
    profile_xlsx,
    suppress_small_counts,
)
from homeward.insights.views import _actor, _attachment, _download_format, _form_data, _query

LABELS = {
    "location": "Location",
    "category": "Kind of place",
    "episodes": "Episodes",
    "people": "People",
    "hours": "Local time",
    "total": "Total",
    "age_band": "Age band at report",
    "sex": "Sex",
    "marker": "Marker",
    "of_people": "Of people",
    "share": "Share",
    "term": "Term",
    "keywords": "Keywords",
    "push": "Push factors",
    "pull": "Pull factors",
    "either": "Either",
    "of_interviews": "Of completed interviews",
    "found_at": "Found at",
    "placing_authority": "Placing authority",
    "ethnicity": "Ethnicity (self-defined)",
    "graded": "Graded",
    "high_first": "High at first grading",
    "high_share": "High share",
    "overall_high_share": "All groups",
    "high_share_ratio": "Ratio",
    "rhis": "RHIs",
    "rhis_due": "RHIs due",
    "offered_in_time": "Offered in time",
    "offer_rate": "Offer rate",
    "overall_offer_rate": "All groups",
    "offer_rate_ratio": "Ratio",
    "outcomes": "With an outcome",
    "completed": "Completed",
    "completed_rate": "Completed rate",
    "overall_completed_rate": "All groups",
    "completed_rate_ratio": "Ratio",
    "declined": "Declined",
    "declined_rate": "Declined rate",
    "overall_declined_rate": "All groups",
    "declined_rate_ratio": "Ratio",
    "not_possible": "Not possible",
}

# The ethnicity section is shown as three narrower tables.
ETHNICITY_TABLES = (
    (
        "Risk grading",
        (
            "ethnicity",
            "episodes",
            "graded",
            "high_first",
            "high_share",
            "overall_high_share",
            "high_share_ratio",
        ),
    ),
    (
        "Return home interview offers",
        (
            "ethnicity",
            "rhis",
            "rhis_due",
            "offered_in_time",
            "offer_rate",
            "overall_offer_rate",
            "offer_rate_ratio",
        ),
    ),
    (
        "Return home interview outcomes",
        (
            "ethnicity",
            "outcomes",
            "completed",
            "completed_rate",
            "overall_completed_rate",
            "completed_rate_ratio",
            "declined",
            "declined_rate",
            "overall_declined_rate",
            "declined_rate_ratio",
            "not_possible",
        ),
    ),
)

# Which column each section's bar chart draws, and the column that labels the bars.
CHART_OF = {
    "top_locations": ("location", "episodes"),
    "repeat_locations": ("location", "episodes"),
    "age_sex": ("age_band", "episodes"),
    "markers": ("marker", "people"),
    "push_pull": ("term", "either"),
    "found_locations": ("found_at", "episodes"),
    "out_of_area": ("placing_authority", "episodes"),
    "ethnicity": ("ethnicity", "high_share"),
}


def show(row: dict[str, Any], column: str) -> str:
    """A cell as text: "fewer than 5" when suppressed, rates as percentages, ratios to 2 places."""
    if column in row.get("suppressed", ()):
        return FEWER_THAN
    value = row.get(column)
    if value is None:
        return "no value"
    if isinstance(value, float):
        if column.endswith("_ratio"):
            return f"{value:.2f}"
        return f"{value:.1%}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(caption: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "caption": caption,
        "headers": [{"label": LABELS.get(c, c), "numeric": c not in _TEXT_COLUMNS} for c in columns],
        "rows": [[{"text": show(r, c), "numeric": c not in _TEXT_COLUMNS} for c in columns] for r in rows],
    }


_TEXT_COLUMNS = frozenset(
    {"location", "category", "hours", "age_band", "sex", "marker", "term", "keywords", "found_at"}
    | {"placing_authority", "ethnicity"}
)

_ids = count(1)
_SHADES = ("#ffffff", "#d2e2f1", "#a5c6e3", "#5694ca", "#1d70b8")  # light to dark GOV.UK blues


def heatmap(title: str, rows: list[dict[str, Any]]) -> SafeString:
    """Time bands (rows) × days (columns) as shaded cells with the count written in each: the shade is
    never the only carrier of the value."""
    cell_w, cell_h, left, top = 74, 30, 110, 26
    width, height = left + cell_w * len(DAYS) + 4, top + cell_h * len(rows) + 4
    values = [r[d] for r in rows for d in DAYS if r[d] is not None]
    peak = max(values, default=0) or 1
    summary = "; ".join(f"{r['hours']} {d} {show(r, d)}" for r in rows for d in DAYS)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hw-chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{escape(title)}: {escape(summary)}" font-family="Arial, sans-serif" font-size="13">'
        f'<title id="hw-heat-{next(_ids)}">{escape(title)}</title>'
    ]
    for j, day in enumerate(DAYS):
        x = left + j * cell_w + cell_w / 2
        parts.append(f'<text x="{x:.0f}" y="18" text-anchor="middle" fill="#0b0c0c">{escape(day[:3])}</text>')
    for i, row in enumerate(rows):
        y = top + i * cell_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 20}" text-anchor="end" fill="#0b0c0c">{escape(row["hours"])}</text>'
        )
        for j, day in enumerate(DAYS):
            value = row[day]
            shade = 0 if not value else min(4, 1 + int(3 * value / peak))
            x = left + j * cell_w
            text_fill = "#ffffff" if shade >= 3 else "#0b0c0c"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{_SHADES[shade]}" '
                f'stroke="#b1b4b6"/><text x="{x + cell_w / 2:.0f}" y="{y + 19}" text-anchor="middle" '
                f'fill="{text_fill}">{escape(show(row, day) if value is not None else "<5")}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and value above is escaped


def _chart(section: Section, rows: list[dict[str, Any]]) -> SafeString:
    if section.key == "time_of_day":
        return heatmap(section.title, rows)
    label, column = CHART_OF[section.key]
    if section.key == "age_sex":
        totals: dict[str, int | None] = {}
        for r in rows:
            band = r["age_band"]
            if r["episodes"] is None or totals.get(band, 0) is None:
                totals[band] = None
            else:
                totals[band] = (totals.get(band) or 0) + r["episodes"]
        points = [Point(b, v, FEWER_THAN if v is None else "") for b, v in totals.items()]
        return bar_chart(f"{section.title}: episodes by age band", points)
    points = []
    for r in rows:
        value = r.get(column)
        points.append(Point(str(r[label]), value, show(r, column)))
    return bar_chart(f"{section.title}: {LABELS.get(column, column).lower()}", points, label_width=260)


def _sections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for section in SECTIONS:
        rows = profile["sections"][section.key]
        if section.key == "ethnicity":
            tables = [_table(f"{section.title}: {name}", cols, rows) for name, cols in ETHNICITY_TABLES]
        else:
            tables = [_table(section.title, section.columns, rows)]
        out.append(
            {
                "key": section.key,
                "title": section.title,
                "definition": section.definition,
                "svg": _chart(section, rows),
                "tables": tables,
            }
        )
    return out


@login_required
@require_recent_authentication(when=asks_for_download)
def page(request: HttpRequest) -> HttpResponse:
    user, access = _actor(request, Report.PROBLEM_PROFILE)
    first, last = previous_month(local_today())
    form = MeasuresFilter(
        _form_data(request, {"from": first.isoformat(), "to": last.isoformat()}, access),
        districts=access.districts,
        force_wide=access.force_wide,
    )
    profile: dict[str, Any] | None = None
    sections: list[dict[str, Any]] = []
    if form.is_valid():
        district = form.chosen_district()
        profile = problem_profile(
            between(form.cleaned_data["date_from"], form.cleaned_data["date_to"]), district
        )
        if access.suppress_small_counts:
            profile = suppress_small_counts(profile)
        fmt = _download_format(request)
        if fmt is not None:
            return _download(request, user, profile, fmt, district)
        sections = _sections(profile)
    params = {
        "from": form.data.get("from", ""),
        "to": form.data.get("to", ""),
        "district": form.data.get("district", ""),
    }
    return render(
        request,
        "insights/problem_profile.html",
        {
            "form": form,
            "profile": profile,
            "sections": sections,
            "suppressed": access.suppress_small_counts,
            "csv_query": _query(params, format="csv"),
            "xlsx_query": _query(params, format="xlsx"),
        },
    )


def _download(
    request: HttpRequest, user: User, profile: dict[str, Any], fmt: str, district: District | None
) -> HttpResponse:
    period = profile["period"]
    response = _attachment(
        request,
        fmt,
        f"problem-profile-{period['from']}-to-{period['to']}",
        lambda out: profile_csv(profile, out),
        lambda path: profile_xlsx(profile, path),
    )
    audit_export(
        event_type="report.problem_profile.exported",
        object_type="aggregate",
        object_ids=(),
        reason=(
            f"/reports/problem-profile/ from {period['from']} to {period['to']} format {fmt}"
            f"{f' district {district.name}' if district else ''}"
        ),
        actor=user,
    )
    return response
