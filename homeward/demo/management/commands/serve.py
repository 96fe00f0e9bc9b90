"""`homeward serve`: what `make run` runs — migrate, load the demo if empty, then gunicorn plus the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from homeward.episodes.tasks import clocks_sweep
from homeward.identity.models import Organisation


class Command(BaseCommand):
    help = "Serve Homeward with gunicorn and the background worker (loads demo data into an empty database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("HOMEWARD_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("HOMEWARD_WEB_WORKERS", "2")))
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not load demo data into an empty database"
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        empty = not Organisation.objects.exists()
        if empty and not options["no_demo"]:
            # Loading prints the demo accounts at the end.
            call_command("demo", "--seed", "1", "--years", "1")
        elif not settings.PRODUCTION:
            call_command("demo", "accounts")
        bin_dir = os.path.dirname(sys.executable)
        children = [
            subprocess.Popen(
                [
                    os.path.join(bin_dir, "gunicorn"),
                    "homeward.wsgi:application",
                    "--bind",
                    options["bind"],
                    "--workers",
                    str(options["workers"]),
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--timeout",
                    "60",
                ],
                env={**os.environ, "HOMEWARD_WEB_PROCESS": "1"},
            )
        ]
        if not options["no_worker"]:
            children.append(
                # The only worker: anything left running was left by a stopped one.
                subprocess.Popen([sys.executable, "-m", "homeward.cli", "worker", "--lease-seconds", "0"])
            )
        self.stdout.write(
            self.style.SUCCESS(f"Homeward is running on http://{options['bind']}/ — Ctrl-C stops it.")
        )

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        every = float(os.environ.get("HOMEWARD_CLOCKS_EVERY_SECONDS", "60"))
        next_sweep = time.monotonic()
        try:
            while all(child.poll() is None for child in children):
                if not options["no_worker"] and time.monotonic() >= next_sweep:
                    # The worker does the sweep; this process only keeps time.
                    clocks_sweep.enqueue()
                    next_sweep = time.monotonic() + every
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
