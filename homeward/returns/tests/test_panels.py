"""The panels other pages show: the episode page, the person page and the risk assessment."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from homeward.returns.tests.helpers import COMPLETED, assigned, completed, found_ruby, offered

pytestmark = pytest.mark.django_db


def render(tag: str, user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load returns_tags %}" + tag).render(Context({"request": request, **context}))


def test_the_risk_panel_shows_the_latest_return_interview(rw):
    _, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    html = render("{% returns_risk_panel person %}", rw.world.supervisor, person=rhi.person)
    assert "Latest return interview" in html
    for text in ("push_factors", "pull_factors", "disclosures", "support_needed"):
        assert COMPLETED[text] in html, text
    assert f"{rhi.completed_at:%-d %b %Y}" in html or rhi.completed_at.strftime("%b %Y") in html
    # Nothing for those who may not see it.
    assert render("{% returns_risk_panel person %}", rw.world.outsider, person=rhi.person).strip() == ""
    assert render("{% returns_risk_panel person %}", AnonymousUser(), person=rhi.person).strip() == ""


def test_the_risk_panel_is_empty_before_any_interview(rw):
    _, rhi = found_ruby(rw.world)
    assert render("{% returns_risk_panel person %}", rw.world.supervisor, person=rhi.person).strip() == ""


def test_the_episode_page_shows_the_interview_and_its_clock(client, rw):
    episode, rhi = found_ruby(rw.world)
    client.force_login(rw.world.officer)
    html = client.get(reverse("episode_detail", args=[episode.pk])).content.decode()
    assert 'id="return-interview-panel"' in html
    assert 'data-rhi-status="referred"' in html and 'data-clock="due"' in html
    assert reverse("returns:detail", args=[rhi.pk]) in html
    # The outsider sees nothing (and cannot open the episode at all); care staff, who follow the
    # episode, see the interview's status and clock (what else they see: test_field_restriction_records).
    client.force_login(rw.world.care_staff)
    page = client.get(reverse("episode_detail", args=[episode.pk]))
    assert page.status_code == 200 and 'data-rhi-status="referred"' in page.content.decode()


def test_the_person_page_shows_interviews_and_latest_findings(client, rw):
    _, rhi = found_ruby(rw.world)
    rhi = completed(rw, offered(rw, assigned(rw, rhi)))
    client.force_login(rw.world.officer)
    html = client.get(reverse("person_detail", args=[rhi.person_id])).content.decode()
    assert 'id="return-interviews-panel"' in html
    assert COMPLETED["support_needed"] in html and 'data-rhi-status="completed"' in html
    panel = render("{% returns_person_panel person %}", rw.world.outsider, person=rhi.person)
    assert panel.strip() == ""
