"""`homeward bench` (run by `make bench` on a scratch database): the speed and memory figures of issue 2.

- people search over 100,000 people: p50/p95 and how often the true record is in the top 5;
- dashboard and episode page render times with a year of force data, as a signed-in supervisor;
- peak resident memory of one gunicorn worker after serving those pages;
- the reports of issue 4: the functions the report pages call; the report pages themselves rendered end
  to end through Django's test Client as a signed-in police analyst, and one CSV download of each
  (median and p95); and each `homeward report ...` command run through call_command with its output to a
  temporary file (median). The target for every one is a median under 200 ms at force scale.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.test import Client

from homeward.episodes.models import OPEN_STATUSES, Episode
from homeward.identity.models import Organisation, OrganisationKind, User
from homeward.identity.roles import Role


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def _timed(fn: Any, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


@dataclass(frozen=True)
class ReportDates:
    """What the report benchmarks ask for, as of the last local day with an episode reported."""

    as_of: dt.date
    year_first: dt.date  # a year ending on as_of
    month_first: dt.date  # the last whole month
    month_last: dt.date
    quarter_first: dt.date  # the last whole calendar quarter
    quarter_last: dt.date
    financial_year: int  # the start year of the last whole financial year
    authority: Organisation | None  # the local authority placing the most looked-after children

    @property
    def quarter_year(self) -> int:
        return self.quarter_first.year

    @property
    def quarter(self) -> int:
        return (self.quarter_first.month - 1) // 3 + 1


def _report_dates() -> ReportDates | None:
    from homeward.insights.periods import add_months, local_date

    last = Episode.objects.order_by("-reported_at").values_list("reported_at", flat=True).first()
    if last is None:
        return None
    as_of = local_date(last)
    quarter_end = add_months(as_of.replace(day=1), -((as_of.month - 1) % 3)) - dt.timedelta(days=1)
    month_first = add_months(as_of.replace(day=1), -1)
    busiest = (
        Episode.objects.filter(looked_after=True, placing_authority__isnull=False)
        .values("placing_authority")
        .annotate(n=Count("id"))
        .order_by("-n", "placing_authority")
        .values_list("placing_authority", flat=True)
        .first()
    )
    authority = (
        Organisation.objects.filter(pk=busiest, kind=OrganisationKind.LOCAL_AUTHORITY).first()
        if busiest is not None
        else None
    )
    return ReportDates(
        as_of=as_of,
        year_first=as_of - dt.timedelta(days=364),
        month_first=month_first,
        month_last=as_of.replace(day=1) - dt.timedelta(days=1),
        quarter_first=add_months(quarter_end.replace(day=1), -2),
        quarter_last=quarter_end,
        financial_year=as_of.year - 1 if as_of.month >= 4 else as_of.year - 2,
        authority=authority,
    )


class Command(BaseCommand):
    help = "Benchmarks: search, page renders, worker memory. Use a scratch database (make bench does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--queries", type=int, default=500)
        parser.add_argument("--page-repeats", type=int, default=60)
        parser.add_argument("--skip-search", action="store_true")
        parser.add_argument("--report-repeats", type=int, default=7)
        parser.add_argument("--report-page-repeats", type=int, default=15)
        parser.add_argument(
            "--reports-only", action="store_true", help="Only the reports (functions, pages, CLI): quicker"
        )
        parser.add_argument("--json", dest="json_out", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        results: dict[str, Any] = {"database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]}
        results["episodes_in_database"] = Episode.objects.count()
        if not options["reports_only"]:
            results["pages"] = self._pages(options["page_repeats"])
            results["worker_memory"] = self._worker_memory()
        results["insights"] = self._insights(options["report_repeats"])
        dates = _report_dates()
        if dates is not None:
            results["report_pages"] = self._report_pages(options["report_page_repeats"], dates)
            results["report_cli"] = self._report_cli(options["report_repeats"], dates)
        if not options["skip_search"] and not options["reports_only"]:
            from homeward.people.bench import bench_people_search

            results["search"] = bench_people_search(n_people=options["people"], n_queries=options["queries"])
        self.stdout.write(json.dumps(results, indent=2, default=str))
        self._summary(results)
        if options["json_out"]:
            with open(options["json_out"], "w") as fh:
                json.dump(results, fh, indent=2, default=str)

    def _supervisor(self) -> User:
        user = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
        if user is None:
            raise SystemExit("No supervisor: load the demo data first (homeward demo --seed 1 --years 1)")
        return user

    def _pages(self, repeat: int) -> dict[str, Any]:
        client = Client(HTTP_HOST="localhost")
        _sign_in_both_factors(client, self._supervisor())
        rng = random.Random(7)
        episode_ids = list(Episode.objects.values_list("pk", flat=True))
        open_count = Episode.objects.filter(status__in=OPEN_STATUSES).count()
        client.get("/dashboard/")  # warm caches and templates once
        dashboard = _timed(lambda: client.get("/dashboard/"), repeat)
        episode = _timed(lambda: client.get(f"/episodes/{rng.choice(episode_ids)}/"), repeat)
        return {
            "open_episodes_on_dashboard": open_count,
            "dashboard_p50_ms": round(statistics.median(dashboard), 1),
            "dashboard_p95_ms": round(_percentile(dashboard, 95), 1),
            "episode_p50_ms": round(statistics.median(episode), 1),
            "episode_p95_ms": round(_percentile(episode, 95), 1),
            "target_p95_ms": 100,
        }

    def _worker_memory(self) -> dict[str, Any]:
        """Start one gunicorn worker, sign in, serve pages, then read the worker's peak RSS (VmHWM)."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        proc = subprocess.Popen(
            [
                gunicorn,
                "homeward.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ},
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/login/", timeout=2)  # noqa: S310 - loopback only
                    break
                except OSError:
                    time.sleep(0.1)
            client = Client(HTTP_HOST="localhost")
            _sign_in_both_factors(client, self._supervisor())
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
            opener.addheaders = [("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")]
            ids = list(Episode.objects.values_list("pk", flat=True)[:200])
            for pk in ids:
                opener.open(f"{base}/episodes/{pk}/", timeout=10).read()
            for _ in range(5):
                opener.open(f"{base}/dashboard/", timeout=10).read()
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as fh:
                worker_pids = fh.read().split()
            peaks = []
            for pid in worker_pids:
                with open(f"/proc/{pid}/status") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            peaks.append(int(line.split()[1]) / 1024)
            return {
                "peak_rss_mb_per_worker": round(max(peaks), 1) if peaks else None,
                "pages_served": len(ids) + 5,
            }
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def _report_pages(self, repeat: int, dates: ReportDates) -> dict[str, Any]:
        """Each report page and one CSV download of it, rendered end to end (middleware, the view, its
        audit event, the template) through the test Client as the first police analyst: median and p95
        of `repeat` requests after one warm-up request. "rolling_average" is the measures page for the
        last whole month (its default view), whose main content is the rolling-average charts; its CSV is
        the rolling-average download (`part=rolling`)."""
        analyst = (
            User.objects.filter(
                role=Role.ANALYST, is_active=True, organisation__kind=OrganisationKind.POLICE_FORCE
            )
            .order_by("pk")
            .first()
        )
        if analyst is None:
            return {}
        client = Client(HTTP_HOST="localhost")
        _sign_in_both_factors(client, analyst)
        d = dates
        pages: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
            "weekly": ("/reports/weekly/", {"as_of": d.as_of.isoformat()}, {}),
            "measures_year": (
                "/reports/measures/",
                {"from": d.year_first.isoformat(), "to": d.as_of.isoformat()},
                {},
            ),
            "quarterly": (
                "/reports/quarterly/",
                {"year": str(d.quarter_year), "quarter": str(d.quarter)},
                {},
            ),
            "rolling_average": (
                "/reports/measures/",
                {"from": d.month_first.isoformat(), "to": d.month_last.isoformat()},
                {"part": "rolling"},
            ),
            "problem_profile_quarter": (
                "/reports/problem-profile/",
                {"from": d.quarter_first.isoformat(), "to": d.quarter_last.isoformat()},
                {},
            ),
            "national_returns_mpdr_year": (
                "/reports/national-returns/",
                {"return": "mpdr", "year": str(d.financial_year)},
                {},
            ),
        }
        if d.authority is not None:
            pages["national_returns_lac_year"] = (
                "/reports/national-returns/",
                {"return": "lac", "year": str(d.financial_year), "authority": str(d.authority.pk)},
                {},
            )
        out: dict[str, Any] = {}
        for name, (url, params, csv_extra) in pages.items():
            figures: dict[str, Any] = {"url": f"{url}?{urlencode(params)}"}
            for kind, query in (("page", params), ("csv", {**params, **csv_extra, "format": "csv"})):
                response = client.get(url, query)  # warm-up, and a check that it works
                if response.status_code != 200:
                    raise SystemExit(f"{url} {query} answered {response.status_code}")
                if kind == "csv" and not response.get("Content-Disposition", "").startswith("attachment"):
                    raise SystemExit(f"{url} {query} is not a download")
                times = _timed(lambda url=url, query=query: client.get(url, query), repeat)
                figures[f"{kind}_p50_ms"] = round(statistics.median(times), 1)
                figures[f"{kind}_p95_ms"] = round(_percentile(times, 95), 1)
            out[name] = figures
        return {
            "user": analyst.username,
            "repeats": repeat,
            "target_median_ms": 200,
            "as_of": d.as_of.isoformat(),
            "pages": out,
        }

    def _report_cli(self, repeat: int, dates: ReportDates) -> dict[str, Any]:
        """Each `homeward report ...` command through call_command, JSON to a temporary file: the median
        of `repeat` runs (each run also writes its export audit event, as the real command does)."""
        d = dates
        out: dict[str, Any] = {}
        with tempfile.TemporaryDirectory() as folder:
            commands = {
                "weekly": ["weekly", "--as-of", d.as_of.isoformat()],
                "measures": ["measures", "--from", d.year_first.isoformat(), "--to", d.as_of.isoformat()],
                "quarterly": ["quarterly", "--year", str(d.quarter_year), "--quarter", str(d.quarter)],
                "problem-profile": [
                    "problem-profile",
                    "--from",
                    d.quarter_first.isoformat(),
                    "--to",
                    d.quarter_last.isoformat(),
                ],
                "mpdr": ["mpdr", "--year", str(d.financial_year)],
            }
            if d.authority is not None:
                commands["lac-return"] = [
                    "lac-return",
                    "--year",
                    str(d.financial_year),
                    "--authority",
                    d.authority.name,
                ]
            for name, args in commands.items():
                target = os.path.join(folder, f"{name}.json")
                argv = [*args, "--format", "json", "--out", target]

                def run(argv: list[str] = argv) -> None:
                    call_command("report", *argv, stdout=io.StringIO(), stderr=io.StringIO())

                run()  # warm-up
                out[name] = round(statistics.median(_timed(run, repeat)), 1)
        return {"repeats": repeat, "target_median_ms": 200, "format": "json to a file", "median_ms": out}

    def _insights(self, repeat: int) -> dict[str, Any]:
        """The reports of issue 4 as the CLI computes them (median of `repeat` runs), as of the last
        day with data: the weekly datasets, a year's measures with the year before, the last whole
        quarter's management information and 36 months of the rolling average."""
        from homeward.insights.measures import children_missing_rolling_12m, measures_for, quarterly_mi
        from homeward.insights.national_returns import (
            financial_year,
            lac_missing_return,
            missing_persons_data_return,
        )
        from homeward.insights.periods import between
        from homeward.insights.problem_profile import problem_profile
        from homeward.insights.weekly import weekly_datasets

        dates = _report_dates()
        if dates is None:
            return {}
        as_of, quarter_start, quarter_end = dates.as_of, dates.quarter_first, dates.quarter_last
        fy_period = financial_year(dates.financial_year)
        fy = (fy_period.first, fy_period.last)
        runs = {
            "weekly_datasets": lambda: weekly_datasets(as_of),
            "measures_one_year": lambda: measures_for(as_of - dt.timedelta(days=364), as_of),
            "quarterly_mi": lambda: quarterly_mi(between(quarter_start, quarter_end)),
            "rolling_average_36_months": lambda: children_missing_rolling_12m(None, 36, until=as_of),
            "problem_profile_one_quarter": lambda: problem_profile(between(quarter_start, quarter_end)),
            "missing_persons_data_return_year": lambda: missing_persons_data_return(*fy),
        }
        if dates.authority is not None:
            authority = dates.authority
            runs["lac_missing_return_year"] = lambda: lac_missing_return(*fy, authority)
        return {name: round(statistics.median(_timed(fn, repeat)), 1) for name, fn in runs.items()} | {
            "as_of": as_of.isoformat()
        }

    def _summary(self, results: dict[str, Any]) -> None:
        lines = [""]
        if "pages" in results:
            pages = results["pages"]
            lines += [
                f"Dashboard  p50 {pages['dashboard_p50_ms']} ms  p95 {pages['dashboard_p95_ms']} ms"
                f"  ({pages['open_episodes_on_dashboard']} open episodes; target p95 <= 100 ms)",
                f"Episode    p50 {pages['episode_p50_ms']} ms  p95 {pages['episode_p95_ms']} ms"
                f"  ({results['episodes_in_database']} episodes in the database; target p95 <= 100 ms)",
                f"Worker peak memory {results['worker_memory']['peak_rss_mb_per_worker']} MB",
            ]
        if results.get("insights"):
            r = results["insights"]
            lines.append(
                "Reports    median ms (target < 200 at force scale): "
                + ", ".join(f"{k} {v}" for k, v in r.items() if k != "as_of")
            )
        if results.get("report_pages"):
            r = results["report_pages"]
            lines.append(
                f"Report pages as {r['user']} (police analyst), as of {r['as_of']}; ms over {r['repeats']} "
                f"requests; target median < {r['target_median_ms']} ms:"
            )
            lines.append(f"  {'page':<30} {'page p50':>9} {'page p95':>9} {'CSV p50':>9} {'CSV p95':>9}")
            for name, f in r["pages"].items():
                over = [k for k in ("page", "csv") if f[f"{k}_p50_ms"] >= r["target_median_ms"]]
                flag = f"  OVER TARGET ({', '.join(over)})" if over else ""
                lines.append(
                    f"  {name:<30} {f['page_p50_ms']:>9} {f['page_p95_ms']:>9} {f['csv_p50_ms']:>9} "
                    f"{f['csv_p95_ms']:>9}{flag}"
                )
        if results.get("report_cli"):
            c = results["report_cli"]
            lines.append(
                f"CLI reports (homeward report ..., JSON to a file), median ms of {c['repeats']} runs; "
                f"target < {c['target_median_ms']} ms:"
            )
            for name, ms in c["median_ms"].items():
                flag = "  OVER TARGET" if ms >= c["target_median_ms"] else ""
                lines.append(f"  {name:<30} {ms:>9}{flag}")
        if "search" in results:
            s = results["search"]
            lines.append(
                f"Search     p50 {s.get('p50_ms')} ms  p95 {s.get('p95_ms')} ms over {s.get('n_people')} people;"
                f" true record in top 5: {s.get('top5_recall')} (target p95 <= 50 ms)"
            )
        self.stdout.write("\n".join(lines))


def _sign_in_both_factors(client: Client, user: User) -> None:
    """A session as after password and authenticator code: the bench times pages, not signing in."""
    from homeward.identity.signin import session_mark_signed_in

    client.force_login(user)
    session = client.session
    session_mark_signed_in(session)
    session.save()
