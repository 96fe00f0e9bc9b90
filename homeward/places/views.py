from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.episodes.selectors import districts_for
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.places.models import LocationCategory
from homeward.places.selectors import location_episodes_for, location_for, locations_for
from homeward.web import requires


@requires(Capability.VIEW_CASES)
def location_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    category = request.GET.get("category", "")
    if category not in LocationCategory.values:
        category = ""
    district = request.GET.get("district", "")
    locations = locations_for(
        actor=actor, category=category, district_id=int(district) if district.isdigit() else None
    )
    return render(
        request,
        "places/location_list.html",
        {
            "locations": locations.order_by("-episode_count", "name")[:300],
            "categories": [c for c in LocationCategory.choices if c[0] != LocationCategory.PRIVATE_HOME],
            "category": category,
            "districts": districts_for(actor=actor),
            "district": district,
        },
    )


@requires(Capability.VIEW_CASES)
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    location = location_for(actor=actor, pk=pk)
    episodes = location_episodes_for(actor=actor, location=location)
    return render(request, "places/location.html", {"location": location, "episodes": episodes})
