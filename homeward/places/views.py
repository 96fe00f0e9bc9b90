from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from homeward.episodes.selectors import districts_for
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.places.actions import (
    locality_assessment_record,
    locality_review_days,
    location_create,
    may_assess_locality,
)
from homeward.places.forms import LocalityAssessmentForm, LocationForm
from homeward.places.models import LocationCategory
from homeward.places.selectors import (
    locality_assessments_for,
    location_episodes_for,
    location_for,
    locations_for,
)
from homeward.web import apply_action, parse_id, requires


@requires(Capability.VIEW_CASES)
def location_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    category = request.GET.get("category", "")
    if category not in LocationCategory.values:
        category = ""
    district_id = parse_id(request.GET.get("district"))
    district = str(district_id) if district_id else ""
    locations = locations_for(actor=actor, category=category, district_id=district_id)
    return render(
        request,
        "places/location_list.html",
        {
            "locations": locations.order_by("-episode_count", "name")[:300],
            "categories": [c for c in LocationCategory.choices if c[0] != LocationCategory.PRIVATE_HOME],
            "category": category,
            "districts": districts_for(actor=actor),
            "district": district,
            "can_add": actor.can(Capability.MANAGE_LOCATIONS),
            "today": timezone.localdate(),
        },
    )


@requires(Capability.VIEW_CASES)
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    location = location_for(actor=actor, pk=pk)
    episodes = location_episodes_for(actor=actor, location=location)
    locality = locality_assessments_for(actor=actor, location=location)
    today = timezone.localdate()
    context = {
        "location": location,
        "episodes": episodes,
        "locality": locality,
        "locality_overdue": bool(locality.latest and locality.latest.is_overdue(today)),
        "may_assess": may_assess_locality(actor, location),
        "today": today,
    }
    return render(request, "places/location.html", context)


@requires(Capability.MANAGE_LOCATIONS)
def location_new(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    form = LocationForm(request.POST or None, actor=actor)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        location = apply_action(form, lambda: location_create(actor=actor, **form.cleaned_data), context)
        if location is not None:
            messages.success(request, f"{location.name} added.")
            return redirect("location_detail", pk=location.pk)
    return render(request, "places/location_new.html", context)


@requires(Capability.ASSESS_LOCALITY)
def locality_assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    location = location_for(actor=actor, pk=pk)
    if not may_assess_locality(actor, location):
        raise PermissionDenied
    review_days = locality_review_days()
    form = LocalityAssessmentForm(request.POST or None, review_days=review_days)
    if not form.is_bound:
        form.initial["assessed_on"] = timezone.localdate()
    context: dict[str, Any] = {"form": form, "location": location}
    if request.method == "POST" and form.is_valid():
        assessment = apply_action(
            form,
            lambda: locality_assessment_record(actor=actor, location=location, **form.cleaned_data),
            context,
        )
        if assessment is not None:
            messages.success(request, f"Locality assessment for {location.name} recorded.")
            return redirect("location_detail", pk=location.pk)
    return render(request, "places/locality_assessment_new.html", context)
