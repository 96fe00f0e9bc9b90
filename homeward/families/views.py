"""Family contact pages: thin views — parse a form, call one action or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from homeward.episodes.forms import local_now_input
from homeward.families import selectors
from homeward.families.actions import family_contact_log
from homeward.families.forms import FamilyContactForm, initial_from
from homeward.families.models import FamilyContact
from homeward.identity.models import User
from homeward.web import apply_action, parse_id


@login_required
def contact_new(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Add an entry to an episode's family contact log, or (with ?corrects=<id>) correct one.

    Someone who may not read the log gets the same 404 as for an episode that does not exist; a
    reader whose role may not add entries (a council missing officer) gets 403.
    """
    actor: User = request.user  # type: ignore[assignment]
    episode = selectors.family_log_episode_for(actor=actor, episode_id=episode_id)
    if not selectors.may_log_family_contact(actor, episode):
        raise PermissionDenied
    form = FamilyContactForm(request.POST or None)
    corrects: FamilyContact | None = None
    corrects_id = parse_id(
        request.POST.get("corrects") if request.method == "POST" else request.GET.get("corrects")
    )
    if corrects_id is not None:
        corrects = selectors.family_contact_for(actor=actor, episode=episode, pk=corrects_id)
    if not form.is_bound:
        if corrects is not None:
            form.initial.update(initial_from(corrects))
        else:
            form.initial["contacted_at"] = local_now_input()
    context: dict[str, Any] = {"episode": episode, "form": form, "corrects": corrects}
    if request.method == "POST" and form.is_valid():
        contact = apply_action(
            form,
            lambda: family_contact_log(
                actor=actor, episode=episode, data=form.contact_data(), corrects=corrects
            ),
            context,
        )
        if contact is not None:
            messages.success(
                request,
                "Correction added to the family contact log." if corrects else "Family contact logged.",
            )
            return redirect(reverse("episode_detail", args=[episode.pk]) + "#family-contacts")
    return render(request, "families/contact_new.html", context)
