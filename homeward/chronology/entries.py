"""One line of a person's cross-agency chronology, as every app contributes it.

Each app that holds records about a person exposes, in its selectors module,

    def chronology_entries_for(*, actor: User, person: Person) -> list[ChronologyEntry]

returning only what the sharing rules let the actor see, and *without* logging: the chronology
selector logs the whole page once, as one consultation naming every record shown (`record`).

Field-level restriction (ACC-3) applies to the lines too: a source whose summary would show a field
the actor's level withholds for that record (`shown_fields`) gives the line with `withheld()` instead,
so the viewer sees that something happened and when, not what the record says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

# What a line says in place of a summary the viewer's organisation may not see.
WITHHELD = "Detail not shared with your organisation"


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
    # True when the summary was withheld (field-level restriction).
    withheld: bool = False

    def withheld_version(self) -> ChronologyEntry:
        """The same line, its summary replaced: when and by whom stay, what it says goes."""
        return replace(self, summary=WITHHELD, withheld=True)


def shown_or_withheld(entry: ChronologyEntry, shown: bool) -> ChronologyEntry:
    return entry if shown else entry.withheld_version()
