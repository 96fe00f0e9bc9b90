"""`homeward worker`: the background worker, restart-safe. Recovers abandoned tasks, then runs db_worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from homeward.worker import requeue_abandoned_tasks


class Command(BaseCommand):
    help = "Run the background worker, first requeueing tasks a stopped worker left running."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lease-seconds",
            type=float,
            default=None,
            help="Requeue tasks running longer than this (default HOMEWARD_TASK_LEASE_SECONDS). "
            "0 when this is the only worker, so anything still running was left by a stopped one.",
        )
        parser.add_argument("--batch", action="store_true", help="Exit when no task is waiting.")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["lease_seconds"]
        requeued = requeue_abandoned_tasks(
            older_than=None if seconds is None else dt.timedelta(seconds=seconds)
        )
        if requeued:
            self.stdout.write(f"Requeued {requeued} task(s) left running by a stopped worker.")
        worker_args = ["--queue-name", "*", "--interval", "1"]
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *worker_args)
