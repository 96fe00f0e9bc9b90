"""One chronology per person across agencies (SPEC §3, issue 3): every app's entries, newest first.

Each source applies its own sharing rules (see each app's `chronology_entries_for`), so an entry is in
the list only if the viewer may see the record behind it. The page is one consultation, logged once
with every record it showed.

Field-level restriction (ACC-3): each source withholds the summary of a line whose record's
`shown_fields` lack what the summary says (`entries.shown_or_withheld`). The episode lines are given
by homeward.episodes, which applies only the record-level rules, so they are checked here against the
episode fields each kind of line reveals (`EPISODE_LINE_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeward.audit.log import audit_consultation
from homeward.chronology.entries import ChronologyEntry, shown_or_withheld
from homeward.episodes import selectors as episodes
from homeward.families import selectors as families
from homeward.identity.models import User
from homeward.identity.sharing_rules import shown_fields_for
from homeward.notifications import selectors as notifications
from homeward.people.models import Person
from homeward.prevention import selectors as prevention
from homeward.returns import selectors as returns

Source = Callable[..., list[ChronologyEntry]]

# (key, label, source): the filter on the page is by source.
SOURCES: list[tuple[str, str, Source]] = [
    ("episodes", "Episodes and risk", episodes.chronology_entries_for),
    ("notifications", "Notifications", notifications.chronology_entries_for),
    ("families", "Family contact", families.chronology_entries_for),
    ("returns", "Return interviews", returns.chronology_entries_for),
    ("prevention", "Plans, meetings and referrals", prevention.chronology_entries_for),
]
SOURCE_LABELS = {key: label for key, label, _ in SOURCES}


# The episode field an episode line's summary reveals, by the record it names ("app.model") and,
# for lines about the episode itself, its kind. Lines not listed say only what the timeline shows.
EPISODE_LINE_FIELDS: dict[tuple[str, str], str] = {
    # Every grading after the first, and the first one too, is the risk history.
    ("episodes.riskassessment", "Risk graded"): "risk_level_first",
    ("episodes.riskassessment", "Risk regraded"): "risk_level_highest",
    ("episodes.preventioninterview", "Prevention interview"): "prevention_interview",
    ("episodes.episode", "Missing persons unit told"): "police_clocks",
}


def _episode_line_restricted(actor: User, person: Person, entry: ChronologyEntry) -> ChronologyEntry:
    field = EPISODE_LINE_FIELDS.get((entry.record.split(":", 1)[0], entry.kind))
    if field is None:
        return entry
    return shown_or_withheld(entry, field in shown_fields_for(actor, "episode", force_id=person.force_id))


@dataclass(frozen=True)
class Line:
    entry: ChronologyEntry
    source: str


def chronology_for(*, actor: User, person: Person, sources: set[str] | None = None) -> list[Line]:
    lines = [
        Line(_episode_line_restricted(actor, person, entry) if key == "episodes" else entry, key)
        for key, _, source in SOURCES
        if not sources or key in sources
        for entry in source(actor=actor, person=person)
    ]
    lines.sort(key=lambda line: (line.entry.at, line.entry.record), reverse=True)
    audit_consultation(
        actor=actor,
        event_type="chronology.viewed",
        object_type="record",
        object_ids=[f"people.person:{person.pk}", *dict.fromkeys(line.entry.record for line in lines)],
    )
    return lines
