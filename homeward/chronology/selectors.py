"""One chronology per person across agencies (SPEC §3, issue 3): every app's entries, newest first.

Each source applies its own sharing rules (see each app's `chronology_entries_for`), so an entry is in
the list only if the viewer may see the record behind it. The page is one consultation, logged once
with every record it showed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeward.audit.log import audit_consultation
from homeward.chronology.entries import ChronologyEntry
from homeward.episodes import selectors as episodes
from homeward.families import selectors as families
from homeward.identity.models import User
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


@dataclass(frozen=True)
class Line:
    entry: ChronologyEntry
    source: str


def chronology_for(*, actor: User, person: Person, sources: set[str] | None = None) -> list[Line]:
    lines = [
        Line(entry, key)
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
