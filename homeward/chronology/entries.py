"""One line of a person's cross-agency chronology, as every app contributes it.

Each app that holds records about a person exposes, in its selectors module,

    def chronology_entries_for(*, actor: User, person: Person) -> list[ChronologyEntry]

returning only what the sharing rules let the actor see, and *without* logging: the chronology
selector logs the whole page once, as one consultation naming every record shown (`record`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ChronologyEntry:
    at: dt.datetime
    # What happened, as a short label: "Reported missing", "Risk regraded", "Plan agreed".
    kind: str
    # One line saying what the record says, without more personal data than the record page shows.
    summary: str
    # The agency that recorded it (organisation name).
    organisation: str
    # "app_label.model:pk" of the record, for the consultation's audit event.
    record: str
    # Where the viewer can open it, if anywhere.
    url: str = ""
