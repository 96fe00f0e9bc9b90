"""Who may see which episodes and people. The only place these rules live; selectors apply them.

Issue 2 keeps one rule per kind of organisation; the data-driven sharing rules of SPEC §5 replace this
module's body, not its callers.
- A police force sees every episode and person in its force.
- A local authority sees children placed by it, and children missing from its area.
- A care provider or NHS trust sees episodes of people missing from its premises.
- Everyone else (commissioner's office, auditors, RHI and voluntary services) sees no casework here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from homeward.identity.models import OrganisationKind

if TYPE_CHECKING:
    from homeward.identity.models import User

NOTHING = Q(pk__in=[])


def episode_visibility(actor: User) -> Q:
    org = actor.organisation
    if org is None or not actor.is_active:
        return NOTHING
    if org.kind == OrganisationKind.POLICE_FORCE:
        return Q(force_id=org.pk)
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Q(placing_authority_id=org.pk) | Q(is_child=True, district__council_id=org.pk)
    if org.kind in (OrganisationKind.CARE_PROVIDER, OrganisationKind.NHS_TRUST):
        return Q(missing_from__provider_id=org.pk)
    return NOTHING


def person_visibility(actor: User) -> Q:
    org = actor.organisation
    if org is None or not actor.is_active:
        return NOTHING
    if org.kind == OrganisationKind.POLICE_FORCE:
        return Q(force_id=org.pk)
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Q(owner_id=org.pk) | Q(placing_authority_id=org.pk) | _has_visible_episode(actor)
    if org.kind in (OrganisationKind.CARE_PROVIDER, OrganisationKind.NHS_TRUST):
        return Q(owner_id=org.pk) | _has_visible_episode(actor)
    return NOTHING


def _has_visible_episode(actor: User) -> Q:
    from homeward.episodes.models import Episode

    return Q(pk__in=Episode.objects.filter(episode_visibility(actor)).values("person_id"))


def location_visibility(actor: User) -> Q:
    org = actor.organisation
    if org is None or not actor.is_active:
        return NOTHING
    if org.kind == OrganisationKind.POLICE_FORCE:
        return Q(force_id=org.pk)
    if org.kind in (OrganisationKind.CARE_PROVIDER, OrganisationKind.NHS_TRUST):
        return Q(provider_id=org.pk)
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Q(district__council_id=org.pk) | Q(provider_id=org.pk)
    return NOTHING
