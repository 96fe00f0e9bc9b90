"""The weekly datasets page's table rows as HTML, built in Python rather than by template tags.

A force's weekly lists run to thousands of rows; rendering each cell through `{% url %}`, `date` and
`yesno` took several times longer than computing the lists. Here each link is made from one reversed
URL and every value is escaped (html.escape, as Django's escape does)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from homeward.insights.periods import local_zone
from homeward.insights.weekly import EpisodeRow, MostFrequentRow

_ID = 987654321  # a placeholder no real id is reversed with; replaced by each row's id


def _link_for(name: str) -> Callable[[int, str], str]:
    pattern = reverse(name, args=[_ID])
    before, after = pattern.split(str(_ID), 1)

    def link(pk: int, text: str) -> str:
        return f'<a class="govuk-link" href="{before}{pk}{after}">{html.escape(text)}</a>'

    return link


def _when(moment: dt.datetime) -> str:
    """As the `date:"j M Y H:i"` filter shows it, in local time."""
    local = moment.astimezone(local_zone())
    return f"{local.day} {local:%b %Y %H:%M}"


def _td(content: str, css: str = "") -> str:
    return f'<td class="govuk-table__cell{css}">{content}</td>'


class WeeklyRows:
    """Row builders sharing their reversed links for one page."""

    def __init__(self) -> None:
        self.person = _link_for("person_detail")
        self.episode = _link_for("episode_detail")

    def most_frequent(self, r: MostFrequentRow) -> SafeString:
        cells = (
            _td(str(r.rank)),
            _td(self.person(r.person_id, r.name)),
            _td(str(r.episodes), " govuk-table__cell--numeric"),
            _td(
                f"{self.episode(r.latest_episode_id, r.latest_reference)} {_when(r.latest_reported_at)}",
                " hw-nowrap",
            ),
            _td("unknown" if r.age is None else str(r.age)),
            _td(html.escape(r.district)),
            _td("Yes" if r.looked_after else "No"),
            _td(html.escape(", ".join(r.markers))),
        )
        row = f'<tr class="govuk-table__row" data-person="{r.person_id}">{"".join(cells)}</tr>'
        return mark_safe(row)  # noqa: S308 - every value above is escaped or a number

    def episode_log(self, r: EpisodeRow) -> SafeString:
        placing = html.escape(r.placing_authority or "—") + (" (out of area)" if r.out_of_area else "")
        cells = (
            _td(self.episode(r.episode_id, r.reference), " hw-nowrap"),
            _td(self.person(r.person_id, r.name)),
            _td(_when(r.reported_at), " hw-nowrap"),
            _td(_when(r.found_at) if r.found_at else "Still missing", " hw-nowrap"),
            _td("unknown" if r.age is None else str(r.age)),
            _td(html.escape(r.district)),
            _td(html.escape(r.missing_from or r.missing_from_category)),
            _td(placing),
            _td(html.escape(", ".join(r.markers))),
        )
        row = f'<tr class="govuk-table__row" data-episode="{r.episode_id}">{"".join(cells)}</tr>'
        return mark_safe(row)  # noqa: S308 - every value above is escaped or a number
