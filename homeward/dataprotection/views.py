"""Data protection pages: the review queue, a person's data protection page (subject access export,
retain, erase) and marking an episode as reported in error. Parse → one selector or action → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from homeward.dataprotection import actions, forms, retention, selectors
from homeward.dataprotection.subject_access import subject_access_json
from homeward.identity.auth_views import require_recent_authentication
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.web import apply_action, parse_id, requires


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@requires(Capability.MANAGE_DATA_PROTECTION)
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    person_id = parse_id(request.GET.get("person"))
    if person_id is not None:
        return redirect("dataprotection:person", pk=person_id)
    rows = selectors.review_queue_for(actor=actor)
    return render(request, "dataprotection/queue.html", {"rows": rows, "schedule": retention.schedule()})


def _person_page(request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
    actor = _actor(request)
    person = selectors.dp_person_for(actor=actor, pk=pk)
    due, categories = retention.review_state(person)
    context = {
        "person": person,
        "due_on": due,
        "categories": categories,
        "episodes": selectors.episodes_of(person=person),
        "reviews": selectors.retention_reviews_of(person=person),
        "retain_form": forms.RetainForm(),
        "erase_form": forms.EraseForm(),
        "can_correct": actor.can(Capability.CORRECT_RECORDS),
        **extra,
    }
    return render(request, "dataprotection/person.html", context, status=400 if extra else 200)


@requires(Capability.MANAGE_DATA_PROTECTION)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk)


@requires(Capability.MANAGE_DATA_PROTECTION)
@require_recent_authentication
def subject_access_export(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.subject_access_export_for(actor=_actor(request), pk=pk)
    response = HttpResponse(subject_access_json(document), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.MANAGE_DATA_PROTECTION)
@require_POST
def retain(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    person = selectors.dp_person_for(actor=actor, pk=pk, log=False)
    form = forms.RetainForm(request.POST)
    context: dict[str, Any] = {}
    if form.is_valid():
        done = apply_action(
            form,
            lambda: actions.retention_retain(
                actor=actor,
                person=person,
                reason=form.cleaned_data["reason"],
                next_review_on=form.cleaned_data["next_review_on"],
            ),
            context,
        )
        if done is not None:
            messages.success(request, "Decision recorded: the record is retained.")
            return redirect("dataprotection:person", pk=pk)
    return _person_page(request, pk, retain_form=form, **context)


@requires(Capability.MANAGE_DATA_PROTECTION)
@require_http_methods(["GET", "POST"])
@require_recent_authentication
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    person = selectors.dp_person_for(actor=actor, pk=pk, log=False)
    if request.method == "GET":
        # Back from confirming password and code (step-up): the form is on the person's page.
        return redirect("dataprotection:person", pk=pk)
    form = forms.EraseForm(request.POST)
    context: dict[str, Any] = {}
    if form.is_valid():
        done = apply_action(
            form,
            lambda: actions.person_erase(
                actor=actor, person=person, erase_reason=form.cleaned_data["erase_reason"]
            ),
            context,
        )
        if done is not None:
            messages.success(request, "The record has been erased. A tombstone remains.")
            return redirect("dataprotection:person", pk=pk)
    return _person_page(request, pk, erase_form=form, **context)


@requires(Capability.CORRECT_RECORDS)
@require_http_methods(["GET", "POST"])
def episode_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for_correction(actor=actor, pk=pk)
    form = forms.InErrorForm(request.POST or None, initial={"version": episode.version})
    context: dict[str, Any] = {"episode": episode, "form": form}
    if request.method == "POST" and form.is_valid():
        done = apply_action(
            form,
            lambda: actions.episode_mark_reported_in_error(
                actor=actor,
                episode=episode,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
            context,
        )
        if done is not None:
            messages.success(request, f"{episode.reference} is marked as reported in error.")
            return redirect(reverse("episode_detail", args=[pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "dataprotection/in_error.html", context, status=status)
