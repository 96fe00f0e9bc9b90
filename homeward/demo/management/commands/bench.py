"""`homeward bench` (run by `make bench` on a scratch database): the speed and memory figures of issue 2.

- people search over 100,000 people: p50/p95 and how often the true record is in the top 5;
- dashboard and episode page render times with a year of force data, as a signed-in supervisor;
- peak resident memory of one gunicorn worker after serving those pages.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.test import Client

from homeward.episodes.models import OPEN_STATUSES, Episode
from homeward.identity.models import User
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


class Command(BaseCommand):
    help = "Benchmarks: search, page renders, worker memory. Use a scratch database (make bench does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--queries", type=int, default=500)
        parser.add_argument("--page-repeats", type=int, default=60)
        parser.add_argument("--skip-search", action="store_true")
        parser.add_argument("--report-repeats", type=int, default=7)
        parser.add_argument("--json", dest="json_out", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        results: dict[str, Any] = {"database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]}
        results["episodes_in_database"] = Episode.objects.count()
        results["pages"] = self._pages(options["page_repeats"])
        results["worker_memory"] = self._worker_memory()
        results["insights"] = self._insights(options["report_repeats"])
        if not options["skip_search"]:
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

    def _insights(self, repeat: int) -> dict[str, Any]:
        """The reports of issue 4 as the CLI computes them (median of `repeat` runs), as of the last
        day with data: the weekly datasets, a year's measures with the year before, the last whole
        quarter's management information and 36 months of the rolling average."""
        from homeward.insights.measures import children_missing_rolling_12m, measures_for, quarterly_mi
        from homeward.insights.national_returns import financial_year, missing_persons_data_return
        from homeward.insights.periods import add_months, between, local_date
        from homeward.insights.problem_profile import problem_profile
        from homeward.insights.weekly import weekly_datasets

        last = Episode.objects.order_by("-reported_at").values_list("reported_at", flat=True).first()
        if last is None:
            return {}
        as_of = local_date(last)
        quarter_end = add_months(as_of.replace(day=1), -((as_of.month - 1) % 3)) - dt.timedelta(days=1)
        quarter_start = add_months(quarter_end.replace(day=1), -2)
        fy_period = financial_year(as_of.year - 1 if as_of.month >= 4 else as_of.year - 2)
        fy = (fy_period.first, fy_period.last)
        runs = {
            "weekly_datasets": lambda: weekly_datasets(as_of),
            "measures_one_year": lambda: measures_for(as_of - dt.timedelta(days=364), as_of),
            "quarterly_mi": lambda: quarterly_mi(between(quarter_start, quarter_end)),
            "rolling_average_36_months": lambda: children_missing_rolling_12m(None, 36, until=as_of),
            "problem_profile_one_quarter": lambda: problem_profile(between(quarter_start, quarter_end)),
            "missing_persons_data_return_year": lambda: missing_persons_data_return(*fy),
        }
        return {name: round(statistics.median(_timed(fn, repeat)), 1) for name, fn in runs.items()} | {
            "as_of": as_of.isoformat()
        }

    def _summary(self, results: dict[str, Any]) -> None:
        pages = results["pages"]
        lines = [
            "",
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
