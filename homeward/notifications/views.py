"""Inbox pages: thin views — call one selector or action, render or redirect."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.notifications import actions, selectors
from homeward.web import parse_id, requires


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@requires(Capability.VIEW_CASES)
def inbox(request: HttpRequest) -> HttpResponse:
    """The organisation's inbox, and a home for a missing officer: who is missing now, then what came in."""
    actor = _actor(request)
    unread_only = request.GET.get("show") == "unread"
    inbox_page = selectors.inbox_page_for(
        actor=actor, page=parse_id(request.GET.get("page")) or 1, unread_only=unread_only
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "missing_now": selectors.missing_now_for(actor=actor),
            "rows": inbox_page.rows,
            "page_obj": inbox_page.page,
            "unread": inbox_page.unread,
            "unread_only": unread_only,
        },
    )


@requires(Capability.VIEW_CASES)
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go where the user asked: the episode ("open") or back to the inbox.

    `next` names a place, never a URL, so the form cannot be turned into an open redirect.
    """
    actor = _actor(request)
    notification = selectors.notification_for(actor=actor, pk=pk)
    actions.notification_mark_read(actor=actor, notification=notification)
    if request.POST.get("next") == "episode" and selectors.episode_is_visible(
        actor=actor, episode_id=notification.episode_id
    ):
        return redirect("episode_detail", pk=notification.episode_id)
    return redirect("notifications:inbox")
