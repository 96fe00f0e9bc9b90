"""`homeward export episodes --format csv [--out FILE]`: one row per episode, streamed, audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homeward.insights.commands import audit_export, check_out, open_text, parse_format
from homeward.insights.export import write_episodes_csv


class Command(BaseCommand):
    help = "Export personal data for analysts. `episodes`: every episode as CSV (see docs/definitions.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        exports = parser.add_subparsers(dest="export", required=True, metavar="{episodes}")
        episodes = exports.add_parser("episodes", help="One row per episode")
        episodes.add_argument("--format", default="csv", help="csv")
        episodes.add_argument("--out", help="Write to this file instead of stdout")
        episodes.add_argument(
            "--pseudonymised",
            action="store_true",
            help="Person ids as keyed-hash pseudonyms, no dates of birth (docs/data-protection.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = parse_format(options["format"], ("csv",))
        out = options["out"]
        check_out(fmt, out)
        target, handle = open_text(out, self.stdout)
        rows = 0
        outcome = "failure"
        try:
            rows = write_episodes_csv(target, pseudonymised=options["pseudonymised"])  # type: ignore[arg-type]
            outcome = "success"
        finally:
            if handle is not None:
                handle.close()
            # One event whether or not the export finished: a partial file is still a disclosure.
            audit_export(
                event_type="export.episodes.exported",
                object_type="episode",
                object_ids=(),
                reason=f"homeward export episodes --format {fmt}"
                f"{' --pseudonymised' if options['pseudonymised'] else ''}; {rows} episode rows; to {out or 'stdout'}",
                outcome=outcome,
            )
