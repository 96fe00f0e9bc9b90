from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homeward.episodes.selectors import districts_for
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.places.actions import location_create
from homeward.places.forms import LocationForm
from homeward.places.models import LocationCategory
from homeward.places.selectors import location_episodes_for, location_for, locations_for
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
        },
    )


@requires(Capability.VIEW_CASES)
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    location = location_for(actor=actor, pk=pk)
    episodes = location_episodes_for(actor=actor, location=location)
    return render(request, "places/location.html", {"location": location, "episodes": episodes})


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
