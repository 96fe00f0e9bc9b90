"""Overdue clocks reach the supervisor's open dashboard on the next poll, without a manual refresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.episodes.clocks import escalate_overdue_clocks
from homeward.episodes.models import ClockAlert, Episode
from homeward.episodes.tests.factories import assess, make_ruby, report

pytestmark = pytest.mark.browser

# The dashboard polls every 5 s: one poll and a little slack.
POLL_WAIT_MS = 7_000


def test_an_overdue_sign_off_appears_without_refresh_and_the_supervisor_takes_it_on(
    world, sign_in, screenshot
):
    episode = assess(world, report(world, make_ruby(world)))
    supervisor = sign_in(world.supervisor)
    supervisor.goto("/dashboard/")
    expect(supervisor.locator(f'#active-episodes tr[data-episode="{episode.reference}"]')).to_be_visible()
    expect(supervisor.locator("#overdue-clocks")).to_have_count(0)

    # The sign-off clock runs out while the page is open; the worker's sweep escalates it.
    Episode.objects.filter(pk=episode.pk).update(sign_off_due=timezone.now() - dt.timedelta(minutes=1))
    escalate_overdue_clocks(now=timezone.now())
    row = supervisor.locator(
        f'#overdue-clocks tr[data-overdue="sign_off"][data-episode="{episode.reference}"]'
    )
    expect(row).to_be_visible(timeout=POLL_WAIT_MS)
    expect(row).to_contain_text("Supervisor sign-off")
    screenshot(supervisor, "dashboard-overdue")

    row.get_by_role("button", name=f"Take on supervisor sign-off for {episode.reference}").click()
    expect(supervisor.get_by_text("Acknowledged: supervisor sign-off overdue")).to_be_visible()
    expect(row).to_contain_text("Taken on by")
    assert ClockAlert.objects.get(episode=episode).acknowledged_by == world.supervisor
