"""Background work for return interviews, run by the database-backed worker.

The 72-hour offer clock (SPEC §4): interviews not offered by the time they were due. This sweep only
finds them; escalating them to a manager and the dashboard comes with the escalation work.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from homeward.returns.selectors import rhis_overdue


def overdue_ids(now: dt.datetime | None = None) -> list[int]:
    return list(rhis_overdue(now=now).values_list("pk", flat=True))


@task()
def rhi_overdue_sweep() -> list[int]:
    """The ids of interviews past their offer deadline and not yet offered. Reads only: safe to repeat."""
    return overdue_ids()
