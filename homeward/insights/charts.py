"""Charts drawn on the server as SVG, without a library or script (SPEC §7: every chart has a data table
beside it, which the templates always render; the chart is a picture of that table, not a replacement).

Every label is escaped here before the SVG is marked safe; callers pass plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)
_BAR_FILL = "#1d70b8"  # GOV.UK blue; the value is also written beside every bar
_TEXT = "#0b0c0c"
_AXIS = "#505a5f"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: nothing to draw (suppressed or no value)
    text: str = ""  # what to write for the value; defaults to the number

    @property
    def shown(self) -> str:
        if self.text:
            return self.text
        if self.value is None:
            return "no value"
        return f"{self.value:g}" if float(self.value).is_integer() else f"{self.value:.2f}"


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _open(title: str, width: int, height: int, summary: str) -> tuple[str, str]:
    uid = f"hw-chart-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hw-chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{escape(title)}: {escape(summary)}" '
        f'font-family="Arial, sans-serif" font-size="14">'
        f'<title id="{uid}-title">{escape(title)}</title>'
    )
    return head, uid


def _summary(points: Sequence[Point]) -> str:
    return "; ".join(f"{p.label} {p.shown}" for p in points) or "no data"


def bar_chart(title: str, points: Sequence[Point], *, label_width: int = 180, width: int = 640) -> SafeString:
    """Horizontal bars, one per category, with the value written at the end of each bar."""
    bar, gap, top = 22, 8, 8
    height = max(top * 2 + len(points) * (bar + gap), 40)
    head, _ = _open(title, width, height, _summary(points))
    values = [p.value for p in points if p.value is not None]
    scale_max = max(values, default=0) or 1
    room = width - label_width - 110
    parts = [head]
    if not points:
        parts.append(f'<text x="0" y="24" fill="{_TEXT}">No data</text>')
    for i, p in enumerate(points):
        y = top + i * (bar + gap)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end" fill="{_TEXT}">'
            f"{escape(p.label)}</text>"
        )
        length = 0.0 if p.value is None else max(p.value / scale_max * room, 0)
        if length:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="{_BAR_FILL}"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar * 0.7:.1f}" fill="{_TEXT}">'
            f"{escape(p.shown)}</text>"
        )
    parts.append(f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height}" stroke="{_AXIS}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and value above is escaped


def line_chart(title: str, points: Sequence[Point], *, width: int = 720, height: int = 260) -> SafeString:
    """A line over the points in order (months, oldest first); a None value breaks the line."""
    left, right, top, bottom = 56, 16, 16, 48
    head, _ = _open(title, width, height, _summary(points))
    values = [p.value for p in points if p.value is not None]
    scale_max = max(values, default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - value / scale_max * plot_h

    parts = [head]
    # Axes and the two y labels (0 and the maximum).
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{_AXIS}"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{_AXIS}"/>'
        f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end" fill="{_TEXT}">0</text>'
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" fill="{_TEXT}">{escape(_fmt(scale_max))}</text>'
    )
    segments: list[list[tuple[float, float]]] = [[]]
    for i, p in enumerate(points):
        if p.value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(xy(i, p.value))
    for segment in segments:
        if len(segment) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{_BAR_FILL}" stroke-width="3"/>')
        for x, y in segment:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_BAR_FILL}"/>')
    every = max(1, -(-len(points) // 8))  # at most about 8 x labels
    for i, p in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            x = left + i * step
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 20}" text-anchor="middle" fill="{_TEXT}" '
                f'font-size="12">{escape(p.label)}</text>'
            )
    if not points:
        parts.append(f'<text x="{left + 8}" y="{top + 20}" fill="{_TEXT}">No data</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and value above is escaped


def _open_described(title: str, desc: str, width: int, height: int) -> tuple[list[str], str]:
    """The opening of a chart named by its <title> and described by its <desc> (aria-labelledby both),
    for the charts below, whose description says in words what every bar shows."""
    uid = f"hw-chart-{next(_ids)}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hw-chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="Arial, sans-serif" font-size="14">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
    ], uid


def column_chart(
    title: str, points: Sequence[Point], *, desc: str = "", width: int = 720, height: int = 260
) -> SafeString:
    """Vertical columns in order (months, oldest first), the value written above each column and every
    label below it. `desc` defaults to every label and value in words."""
    left, right, top, bottom = 16, 16, 24, 40
    parts, _ = _open_described(title, desc or _summary(points), width, height)
    values = [p.value for p in points if p.value is not None]
    scale_max = max(values, default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(points), 1)
    bar = max(min(slot * 0.7, 48), 2)
    base = top + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{_AXIS}"/>')
    for i, p in enumerate(points):
        centre = left + slot * i + slot / 2
        length = 0.0 if p.value is None else max(p.value / scale_max * plot_h, 0)
        if length:
            parts.append(
                f'<rect x="{centre - bar / 2:.1f}" y="{base - length:.1f}" width="{bar:.1f}" '
                f'height="{length:.1f}" fill="{_BAR_FILL}"/>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{base - length - 6:.1f}" text-anchor="middle" fill="{_TEXT}" '
            f'font-size="12">{escape(p.shown)}</text>'
            f'<text x="{centre:.1f}" y="{base + 18}" text-anchor="middle" fill="{_TEXT}" font-size="12">'
            f"{escape(p.label)}</text>"
        )
    if not points:
        parts.append(f'<text x="{left + 8}" y="{top + 20}" fill="{_TEXT}">No data</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and value above is escaped


# Series colours for stacked bars, told apart by the legend and the description as well as the colour.
_SERIES_FILLS = ("#1d70b8", "#f47738", "#505a5f", "#85994b", "#912b88")


@dataclass(frozen=True)
class Stack:
    label: str
    parts: tuple[float, ...]  # one value per series, in the series' order

    @property
    def total(self) -> float:
        return sum(self.parts)


def stacked_bar_chart(
    title: str,
    series: Sequence[str],
    stacks: Sequence[Stack],
    *,
    desc: str = "",
    label_width: int = 220,
    width: int = 720,
) -> SafeString:
    """Horizontal bars split into `series` (e.g. children, adults, age unknown), a legend above and the
    total written at the end of each bar. `desc` defaults to every bar's total and parts in words."""
    bar, gap, legend = 22, 8, 30
    height = max(legend + 8 + len(stacks) * (bar + gap), 60)
    if not desc:
        desc = (
            "; ".join(
                f"{s.label} {_number(s.total)} ("
                + ", ".join(f"{name} {_number(v)}" for name, v in zip(series, s.parts, strict=True))
                + ")"
                for s in stacks
            )
            or "no data"
        )
    parts, _ = _open_described(title, desc, width, height)
    scale_max = max((s.total for s in stacks), default=0) or 1
    room = width - label_width - 70
    x = 0.0
    for k, name in enumerate(series):
        fill = _SERIES_FILLS[k % len(_SERIES_FILLS)]
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="14" height="14" fill="{fill}"/>'
            f'<text x="{x + 20:.1f}" y="16" fill="{_TEXT}" font-size="13">{escape(name)}</text>'
        )
        x += 20 + 8 * len(name) + 24
    for i, s in enumerate(stacks):
        y = legend + i * (bar + gap)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end" fill="{_TEXT}">'
            f"{escape(s.label)}</text>"
        )
        start = float(label_width)
        for k, value in enumerate(s.parts):
            length = max(value / scale_max * room, 0)
            if length:
                parts.append(
                    f'<rect x="{start:.1f}" y="{y}" width="{length:.1f}" height="{bar}" '
                    f'fill="{_SERIES_FILLS[k % len(_SERIES_FILLS)]}"/>'
                )
            start += length
        parts.append(
            f'<text x="{start + 6:.1f}" y="{y + bar * 0.7:.1f}" fill="{_TEXT}">{escape(_number(s.total))}</text>'
        )
    parts.append(
        f'<line x1="{label_width}" y1="{legend}" x2="{label_width}" y2="{height}" stroke="{_AXIS}"/>'
    )
    if not stacks:
        parts.append(f'<text x="0" y="{legend + 20}" fill="{_TEXT}">No data</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and value above is escaped


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"
