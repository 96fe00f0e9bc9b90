"""`homeward bench` (run by `make bench` on a scratch database): the speed and memory figures of issue 2.

- people search over 100,000 people: p50/p95 and how often the true record is in the top 5;
- dashboard and episode page render times with a year of force data, as a signed-in supervisor;
- peak resident memory of one gunicorn worker after serving those pages.
"""

from __future__ import annotations

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
        parser.add_argument("--json", dest="json_out", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        results: dict[str, Any] = {"database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]}
        results["episodes_in_database"] = Episode.objects.count()
        results["pages"] = self._pages(options["page_repeats"])
        results["worker_memory"] = self._worker_memory()
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
        client.force_login(self._supervisor())
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
            client.force_login(self._supervisor())
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
        if "search" in results:
            s = results["search"]
            lines.append(
                f"Search     p50 {s.get('p50_ms')} ms  p95 {s.get('p95_ms')} ms over {s.get('n_people')} people;"
                f" true record in top 5: {s.get('top5_recall')} (target p95 <= 50 ms)"
            )
        self.stdout.write("\n".join(lines))
