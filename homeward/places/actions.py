from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.errors import InvalidInput, NotAllowed
from homeward.identity.models import District, Organisation
from homeward.identity.roles import Capability
from homeward.places.models import Location, LocationCategory

if TYPE_CHECKING:
    from homeward.identity.models import User


@transaction.atomic
def location_create(
    *,
    actor: User,
    name: str,
    category: str,
    district: District | None,
    address: str = "",
    postcode: str = "",
    provider: Organisation | None = None,
    registration_ref: str = "",
) -> Location:
    if not actor.can(Capability.MANAGE_LOCATIONS):
        raise NotAllowed("Your role cannot add locations")
    assert actor.organisation is not None
    force = actor.organisation.force or actor.organisation
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the name of the place"
    if category not in LocationCategory.values:
        errors["category"] = "Choose what kind of place it is"
    if district is not None and district.force_id != force.pk:
        errors["district"] = "Choose a district of your force"
    if provider is not None and provider.force_id != force.pk:
        errors["provider"] = "Choose a provider working in your force area"
    if errors:
        raise InvalidInput(errors)
    location = Location.objects.create(
        name=name.strip(),
        category=category,
        district=district,
        address=address.strip(),
        postcode=postcode.strip().upper(),
        provider=provider,
        registration_ref=registration_ref.strip(),
        force=force,
    )
    audit_record(
        actor=actor,
        operation=Operation.COLLECTION,
        event_type="location.created",
        object_type="location",
        object_ids=[location.pk],
    )
    return location
