"""`homeward demo`: load the deterministic synthetic demo world; `homeward demo accounts`: list its logins."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from homeward.demo.generator import DEMO_ACCOUNTS, DEMO_USERNAMES, demo_load
from homeward.demo.national import EPISODES_PER_YEAR, national_load
from homeward.identity.models import Organisation, User
from homeward.identity.roles import Role
from homeward.insights.periods import local_midnight


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {raw!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"must be a number, not {raw!r}") from exc
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, not {raw!r}") from exc


class Command(BaseCommand):
    help = (
        "Load deterministic synthetic demo data (one force, its partners, people and episodes) into an empty "
        "database, or with 'accounts' list the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["load", "accounts"], default="load")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed and as-of: same data)"
        )
        parser.add_argument("--years", type=_positive_int, default=1, help="years of history (default 1)")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="the data runs up to the start of this day, YYYY-MM-DD (default: today, London time)",
        )
        parser.add_argument(
            "--scale",
            type=_positive_float,
            default=1.0,
            help="multiplies volumes (default 1: about 10,500 a year)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the database already has organisations"
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help=(
                "load national volume in bulk for the reports' benchmark (43 forces, about 330,000 "
                "episodes a year; PostgreSQL recommended) instead of the casework demo"
            ),
        )
        parser.add_argument(
            "--episodes-per-year",
            type=_positive_int,
            default=None,
            help="with --national: episodes a year (default 330,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "accounts":
            self.print_accounts()
            return
        if Organisation.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already has data: demo data not loaded.")
                return
            raise CommandError(
                "The database already has organisations. Load the demo into an empty database "
                "(or pass --if-empty to skip loading when data exists)."
            )
        as_of: dt.date = options["as_of"] or timezone.localdate()
        if options["national"]:
            self.load_national(options, as_of)
            return
        began = time.monotonic()
        summary = demo_load(
            seed=options["seed"],
            years=options["years"],
            as_of=as_of,
            scale=options["scale"],
            progress=self.stdout.write,
        )
        elapsed = time.monotonic() - began
        counts, cal = summary.counts, summary.calibration
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {elapsed:.1f} s (seed {options['seed']}, as of {as_of})."
            )
        )
        self.stdout.write("Rows written:")
        for key in sorted(counts):
            self.stdout.write(f"  {key:<24}{counts[key]:>10,}")
        self.stdout.write("Calibration (episodes with a risk assessment):")
        self.stdout.write(f"  episodes {cal['episodes']:,.0f}; people {cal['people']:,.0f}")
        self.stdout.write(f"  children {cal['child_share']:.1%}")
        self.stdout.write(
            f"  first risk grade: high {cal['risk_high']:.1%}, medium {cal['risk_medium']:.1%}, "
            f"low {cal['risk_low']:.1%}, very low {cal['risk_very_low']:.1%}"
        )
        self.stdout.write(
            f"  found within 8 h {cal['found_within_8h']:.1%}, 24 h {cal['found_within_24h']:.1%}, "
            f"48 h {cal['found_within_48h']:.1%}; found dead {cal['found_dead']:.2%}"
        )
        self.stdout.write(
            f"  people with 2+ episodes {cal['repeat_people']:,.0f}; with 10+ {cal['people_10_plus']:,.0f}; "
            f"looked-after children missing from care settings (last 12 months): "
            f"{cal['lac_care_setting_episodes_per_child']:.1f} episodes each"
        )
        self.stdout.write(
            f"  still missing at the cut-off {cal['open']:,.0f}; not recorded {cal['not_recorded']:,.0f}"
        )
        self.stdout.write(
            f"  partners: {cal['notifications_unread']:,.0f} notifications unread at the cut-off; "
            f"return interviews {cal['rhis']:,.0f} ({cal['rhis_open']:,.0f} open), offered within the "
            f"deadline {cal['rhi_offered_in_time']:.1%}; findings awaiting a police decision "
            f"{cal['proposals_pending']:,.0f}"
        )
        self.stdout.write("")
        self.print_accounts()

    def load_national(self, options: dict[str, Any], as_of: dt.date) -> None:
        now = local_midnight(as_of)
        per_year = options["episodes_per_year"] or EPISODES_PER_YEAR
        self.stdout.write(
            f"Loading {options['years']} years of national volume ({per_year:,} episodes a year)…"
        )
        summary = national_load(
            seed=options["seed"],
            years=options["years"],
            now=now,
            episodes_per_year=per_year,
            progress=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"National demo loaded in {summary.seconds:.0f} s: {summary.forces} forces, "
                f"{summary.districts} districts, {summary.people:,} people, {summary.episodes:,} episodes "
                f"(peak memory of this process {summary.peak_memory_mb:,.0f} MB)."
            )
        )
        for name, count in summary.rows.items():
            self.stdout.write(f"  {name:<24}{count:>12,}")

    def print_accounts(self) -> None:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
                "organisation", "district"
            )
        }
        if not users:
            self.stdout.write("No demo accounts: run `homeward demo` first.")
            return
        labels = dict(Role.choices)
        rows = [("Username", "Role", "Organisation", "District", "Authenticator secret (TOTP)")]
        secrets = _authenticator_secrets(list(users.values()))
        for username, *_rest in DEMO_ACCOUNTS:
            user = users.get(username)
            if user is None:
                continue
            rows.append(
                (
                    user.username,
                    labels.get(user.role, user.role),
                    user.organisation.name if user.organisation else "",
                    user.district.name if user.district else "",
                    secrets.get(user.pk, "(set up at first sign-in)"),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("Demo accounts:")
        for i, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(f"Password for every demo account: {settings.HOMEWARD_DEMO_PASSWORD}")
        self.stdout.write(
            "Signing in also needs a 6-digit code: add the account's secret to any authenticator app "
            "(time-based, 30 s, 6 digits), or run `homeward totp_code USERNAME`."
        )


def _authenticator_secrets(users: list[User]) -> dict[int, str]:
    """Each demo account's TOTP secret in base32, as authenticator apps take it typed in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from homeward.identity.mfa import totp_secret_base32

    devices = TOTPDevice.objects.filter(user__in=users, confirmed=True).order_by("id")
    return {device.user_id: totp_secret_base32(device) for device in devices}
