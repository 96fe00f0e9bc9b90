"""`homeward clocks`: run the episode clocks now (`--enqueue` hands them to the worker instead)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homeward.episodes.tasks import clocks_sweep


class Command(BaseCommand):
    help = "Run the episode clocks: open episodes past the long-term threshold become long-term missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the sweep for the background worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = clocks_sweep.enqueue()
            self.stdout.write(f"Queued clocks sweep {result.id}")
            return
        moved = clocks_sweep.call()
        self.stdout.write(f"{moved} episode(s) now long-term missing")
