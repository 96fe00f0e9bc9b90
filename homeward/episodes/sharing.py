"""Who may see which episodes and people. The only place these rules live; selectors apply them.

Issue 2 keeps one rule per kind of organisation; the data-driven sharing rules of SPEC §5 replace this
module's body, not its callers.
- A police force sees every episode and person in its force.
- A local authority sees children placed by it, and children missing from its area.
- A care provider or NHS trust sees episodes of people missing from its premises.
- Everyone else (commissioner's office, auditors, RHI and voluntary services) sees no casework here,
  and neither does any role without the "see missing episodes" capability, whatever its organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from homeward.identity.models import OrganisationKind
from homeward.identity.roles import Capability

if TYPE_CHECKING:
    from homeward.identity.models import Organisation, User

NOTHING = Q(pk__in=[])


def _case_org(actor: User) -> Organisation | None:
    """The actor's organisation if their role works on cases at all; None otherwise.

    The role matters as well as the organisation: an auditor or administrator employed by the force
    sees no case content (SPEC §2), nor do roles whose casework pages are still to come.
    """
    org = actor.organisation
    if org is None or not actor.is_active or not actor.can(Capability.VIEW_CASES):
        return None
    return org


def episode_visibility(actor: User) -> Q:
    org = _case_org(actor)
    if org is None:
        return NOTHING
    if org.kind == OrganisationKind.POLICE_FORCE:
        return Q(force_id=org.pk)
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return Q(placing_authority_id=org.pk) | Q(is_child=True, district__council_id=org.pk)
    if org.kind in (OrganisationKind.CARE_PROVIDER, OrganisationKind.NHS_TRUST):
        return Q(missing_from__provider_id=org.pk)
    return NOTHING


def person_visibility(actor: User) -> Q:
    org = _case_org(actor)
    if org is None:
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
    """Partners see premises in their area or run by them — never a private home, unless it is where
    someone they may see went missing from."""
    from homeward.episodes.models import Episode

    org = _case_org(actor)
    if org is None:
        return NOTHING
    if org.kind == OrganisationKind.POLICE_FORCE:
        return Q(force_id=org.pk)
    missing_from_visible = Q(
        pk__in=Episode.objects.filter(episode_visibility(actor))
        .exclude(missing_from=None)
        .values("missing_from_id")
    )
    if org.kind in (OrganisationKind.CARE_PROVIDER, OrganisationKind.NHS_TRUST):
        own = Q(provider_id=org.pk)
    elif org.kind == OrganisationKind.LOCAL_AUTHORITY:
        own = (Q(district__council_id=org.pk) | Q(provider_id=org.pk)) & ~Q(category="private_home")
    else:
        return NOTHING
    return own | missing_from_visible
