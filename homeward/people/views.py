"""Person pages and the find-before-create search that starts every report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from homeward.episodes.patterns import pattern_for
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.people import actions, forms
from homeward.people.search import SearchQuery
from homeward.people.selectors import (
    active_markers_of,
    addresses_of,
    aliases_of,
    associates_of,
    contacts_of,
    latest_photo_of,
    people_search_for,
    person_for,
    person_history_for,
    person_merge_side_for,
    person_photo_for,
    places_of,
    risk_history_of,
)
from homeward.places.selectors import locations_visible_to
from homeward.security.uploads import EXTENSION_FOR
from homeward.web import apply_action, requires

# The search typed at step 1 is carried to "create a new person" in the session, never in the URL.
SESSION_SEARCH_KEY = "report_search"


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _search(request: HttpRequest, template: str, extra: dict[str, Any]) -> HttpResponse:
    form = forms.PersonSearchForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "searched": False, **extra}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        query = SearchQuery(
            given_name=data["given_name"] or "",
            family_name=data["family_name"] or "",
            birth_year=data["birth_year"],
            birth_month=data["birth_month"],
            birth_day=data["birth_day"],
            age=data["age"],
        )
        context["candidates"] = people_search_for(actor=_actor(request), query=query)
        context["searched"] = True
        request.session[SESSION_SEARCH_KEY] = {k: v for k, v in data.items() if v not in (None, "")}
    return render(request, template, context)


@requires(Capability.REPORT)
def report_start(request: HttpRequest) -> HttpResponse:
    """Step 1 of a report: search for the person first; a new record only after seeing the candidates."""
    return _search(request, "people/report_search.html", {})


@requires(Capability.VIEW_CASES)
def person_search(request: HttpRequest) -> HttpResponse:
    return _search(request, "people/search.html", {})


@requires(Capability.CREATE_PERSON)
def person_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    searched = request.session.get(SESSION_SEARCH_KEY)
    if searched is None:
        messages.error(request, "Search for the person first: they may already have a record.")
        return redirect("report_start")
    initial = {"given_name": searched.get("given_name", ""), "family_name": searched.get("family_name", "")}
    if searched.get("age") is not None:
        initial["estimated_age"] = searched["age"]
    form = forms.PersonCreateForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = actions.PersonData(
            given_name=d["given_name"],
            family_name=d["family_name"],
            date_of_birth=d["date_of_birth"],
            estimated_age=d["estimated_age"],
            sex=d["sex"],
            gender=d["gender"],
            ethnicity=d["ethnicity"],
            officer_ethnicity=d["officer_ethnicity"],
            height_cm=d["height_cm"],
            build=d["build"],
            hair=d["hair"],
            eyes=d["eyes"],
            marks=d["marks"],
            first_language=d["first_language"],
            looked_after=d["looked_after"],
            placing_authority=d["placing_authority"],
            aliases=form.aliases_list(),
            markers=d["markers"],
        )
        person = apply_action(
            form, lambda: actions.person_create(actor=actor, data=data, supplied_by=d["supplied_by"]), context
        )
        if person is not None:
            request.session.pop(SESSION_SEARCH_KEY, None)
            messages.success(request, f"Record created for {person.full_name}.")
            return redirect("report_circumstances", person_id=person.pk)
    return render(request, "people/person_new.html", context)


@requires(Capability.VIEW_CASES)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    person = person_for(actor=actor, pk=pk)
    history = person_history_for(actor=actor, person=person)
    photo = latest_photo_of(person=person)
    context = {
        "person": person,
        "history": history,
        "risk_history": risk_history_of(person=person, history=history),
        "markers": active_markers_of(actor=actor, person=person),
        "aliases": aliases_of(person=person),
        "photo": photo,
        "photo_is_stale": photo is not None
        and (timezone.localdate() - photo.taken_on).days > settings.HOMEWARD_PROFILE_PHOTO_STALE_DAYS,
        "associates": associates_of(person=person),
        "places": places_of(person=person),
        "addresses": addresses_of(person=person),
        "pattern": pattern_for(history.latest_counted, actor=actor) if history.latest_counted else None,
        # A merged record is a tombstone: it only points at the record it was merged into.
        "can_report": actor.can(Capability.REPORT) and not person.is_merged,
        "can_add": _can_add_to_records(actor) and not person.is_merged,
        "can_merge": actor.can(Capability.MERGE_PEOPLE) and not person.is_merged,
        "contacts": contacts_of(person=person),
    }
    return render(request, "people/person.html", context)


@requires(Capability.VIEW_CASES)
def person_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = person_photo_for(actor=_actor(request), pk=pk)
    # DEP-4: an attachment with a name made here, never sniffed, never run as a document if opened
    # directly; an <img> still shows it. no-store comes from homeward.security.middleware.
    extension = EXTENSION_FOR.get(photo.content_type, "bin")
    response = FileResponse(
        photo.image.open("rb"),
        content_type=photo.content_type,
        as_attachment=True,
        filename=f"photo-{photo.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _can_add_to_records(user: User) -> bool:
    return user.can(Capability.INVESTIGATE) or user.can(Capability.CREATE_PERSON)


@requires(Capability.VIEW_CASES)
def person_add_fact(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    if not _can_add_to_records(actor):
        raise PermissionDenied
    person = person_for(actor=actor, pk=pk)
    form = forms.FactForm(request.POST or None)
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "heading": f"Add to {person.full_name}'s record",
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = apply_action(
            form,
            lambda: (
                actions.person_fact_add(
                    actor=actor,
                    person=person,
                    kind=d["kind"],
                    supplied_by=d["supplied_by"],
                    values={"value": d["value"], "detail": d["detail"], "marker": d["marker"]},
                )
                or True
            ),
            context,
        )
        if done:
            messages.success(request, "Added to the record.")
            return redirect("person_detail", pk=person.pk)
    return render(request, "people/person_form.html", context)


@requires(Capability.VIEW_CASES)
def person_add_photo(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    if not _can_add_to_records(actor):
        raise PermissionDenied
    person = person_for(actor=actor, pk=pk)
    form = forms.PhotoForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "heading": f"Add a photo of {person.full_name}",
        "multipart": True,
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        photo = apply_action(
            form,
            lambda: actions.person_photo_add(
                actor=actor,
                person=person,
                upload=d["image"],
                taken_on=d["taken_on"],
                supplied_by=d["supplied_by"],
                caption=d["caption"],
            ),
            context,
        )
        if photo is not None:
            messages.success(request, "Photo added.")
            return redirect("person_detail", pk=person.pk)
    return render(request, "people/person_form.html", context)


@requires(Capability.VIEW_CASES)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    if not _can_add_to_records(actor):
        raise PermissionDenied
    person = person_for(actor=actor, pk=pk)
    initial = {name: getattr(person, name) for name in forms.PersonEditForm.FACTS}
    initial["placing_authority"] = person.placing_authority_id
    initial["version"] = person.version
    form = forms.PersonEditForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "heading": f"Change {person.full_name}'s details",
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        updated = apply_action(
            form,
            lambda: actions.person_update(
                actor=actor,
                person=person,
                expected_version=d["version"],
                changes=form.changes(),
                supplied_by=d["supplied_by"],
            ),
            context,
        )
        if updated is not None:
            messages.success(request, "Details saved.")
            return redirect("person_detail", pk=person.pk)
    return render(request, "people/person_form.html", context)


@requires(Capability.VIEW_CASES)
def person_add_address(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    if not _can_add_to_records(actor):
        raise PermissionDenied
    person = person_for(actor=actor, pk=pk)
    form = forms.AddressForm(request.POST or None, locations=locations_visible_to(actor).order_by("name"))
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "heading": f"New address or placement for {person.full_name}",
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        record = apply_action(
            form, lambda: actions.person_address_add(actor=actor, person=person, **d), context
        )
        if record is not None:
            messages.success(request, "Address recorded.")
            return redirect("person_detail", pk=person.pk)
    return render(request, "people/person_form.html", context)


@requires(Capability.VIEW_CASES)
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a duplicate record into this one: find the other record, confirm side by side, merge.

    The record is looked up before the capability check, so an outsider gets the same 404 as for any
    record it may not see; a police role without the capability gets 403.
    """
    actor = _actor(request)
    keep = person_for(actor=actor, pk=pk)
    if not actor.can(Capability.MERGE_PEOPLE):
        raise PermissionDenied
    if keep.is_merged:
        return redirect("person_detail", pk=keep.pk)
    confirming = request.method == "POST" and "confirm" in request.POST
    form = forms.MergeForm(request.POST or None, confirming=confirming)
    context: dict[str, Any] = {
        "person": keep,
        "form": form,
        "heading": f"Merge a duplicate record into {keep}",
    }
    template = "people/person_merge.html"
    if request.method != "POST":
        return render(request, template, context)
    valid = form.is_valid()
    other = form.cleaned_data.get("other_record")
    if other is None:
        return render(request, template, context)
    try:
        duplicate = person_for(actor=actor, pk=other)
    except Http404:
        form.add_error("other_record", "There is no record with that reference that you may see")
        return render(request, template, context)
    refusal = actions.merge_refusal(actor=actor, keep=keep, duplicate=duplicate)
    if refusal:
        form.add_error("other_record", refusal)
        return render(request, template, context)

    def show_both() -> None:
        context.update(
            duplicate=duplicate,
            sides=[person_merge_side_for(actor=actor, person=p) for p in (keep, duplicate)],
        )

    def at_current_versions() -> None:
        data = form.data.copy()  # type: ignore[attr-defined]
        data["keep_version"], data["duplicate_version"] = str(keep.version), str(duplicate.version)
        form.data = data

    show_both()
    if not confirming:
        # The confirmation step: both records side by side, at the versions shown now.
        at_current_versions()
        return render(request, template, context)
    if not valid:
        return render(request, template, context)
    d = form.cleaned_data
    result = apply_action(
        form,
        lambda: actions.merge_person_records(
            actor=actor,
            keep=keep,
            duplicate=duplicate,
            reason=d["reason"],
            expected_keep_version=d["keep_version"],
            expected_duplicate_version=d["duplicate_version"],
        ),
        context,
    )
    if result is None:
        if context.get("conflict") is not None:
            # Shown again as they are now; confirming again merges the records as shown.
            keep.refresh_from_db()
            duplicate.refresh_from_db()
            at_current_versions()
            show_both()
        return render(request, template, context)
    messages.success(request, f"Record {duplicate.pk} was merged into this record.")
    return redirect("person_detail", pk=keep.pk)
