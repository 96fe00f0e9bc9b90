"""`homeward bench_national`: the reports at national scale against the pandas baseline (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max

from homeward.demo.national_bench import TARGET_SECONDS, run_national_bench
from homeward.episodes.models import Episode
from homeward.insights.periods import local_date, local_midnight


class Command(BaseCommand):
    help = (
        "Time the weekly datasets and the measures on the loaded data (normally `homeward demo --national` "
        "on PostgreSQL) beside a pandas baseline over the episode export, and check both agree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is shown")
        parser.add_argument("--json", dest="json_out", default="", help="also write the figures here")
        parser.add_argument(
            "--export",
            default="",
            help="where the episode export is written (default var/bench/episodes.csv)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        latest = Episode.objects.aggregate(m=Max("reported_at"))["m"]
        if latest is None:
            raise CommandError("No episodes: load data first (`homeward demo --national`).")
        as_of = local_date(latest)
        # "Now" for the 24-hour rule: the start of the day after the last report (the load's cut-off).
        now = local_midnight(as_of + dt.timedelta(days=1))
        export = Path(options["export"] or Path(settings.VAR_DIR) / "bench" / "episodes.csv")
        export.parent.mkdir(parents=True, exist_ok=True)
        results = run_national_bench(
            as_of=as_of, now=now, export_path=export, repeat=options["repeat"], say=self.stdout.write
        )
        results["database"] = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write("")
        self.stdout.write(
            f"National scale: {results['episodes_in_database']:,} episodes, as of {as_of} "
            f"({results['database']}); median of {options['repeat']} runs"
        )
        header = f"  {'Report':<92}{'Homeward':>10}{'pandas':>10}{'ratio':>8}  same?  target"
        self.stdout.write(header)
        for row in results["results"]:
            base = row["baseline_median_s"]
            ratio = row["baseline_over_ours"]
            same = {True: "yes", False: "NO", None: "—"}[row["same_result"]]
            ok = "ok" if row["ours_median_s"] < TARGET_SECONDS else "OVER"
            self.stdout.write(
                f"  {row['label']:<92}{row['ours_median_s']:>9.2f}s"
                f"{'' if base is None else f'{base:.2f}s':>10}{'' if ratio is None else f'{ratio:.1f}x':>8}"
                f"  {same:<5}  < {TARGET_SECONDS:.0f} s {ok}"
            )
        self.stdout.write(
            f"  (baseline inputs, not in its times: export {results['export_seconds']} s, "
            f"CSV load {results['pandas_load_seconds']} s)"
        )
        if options["json_out"]:
            Path(options["json_out"]).write_text(json.dumps(results, indent=2))
        if any(row["same_result"] is False for row in results["results"]):
            raise CommandError("The baseline and Homeward disagree: see the rows marked NO")
