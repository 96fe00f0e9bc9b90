"""Who may see which episodes and people. The only place these rules are applied; selectors use it.

The rules themselves are data (identity.SharingRule, defaults loaded by migration): each grants an
organisation — or every organisation of a kind — a *basis* such as "children it placed". This module
turns an actor's bases into one query. Roles matter too: only roles that work on cases see any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from homeward.identity.models import OrganisationKind
from homeward.identity.roles import Capability
from homeward.identity.sharing_rules import Basis, SharingRule

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


def bases_for(org: Organisation) -> set[str]:
    """The sharing bases granted to an organisation: rules for its kind plus rules naming it."""
    return set(
        SharingRule.objects.filter(active=True)
        .filter(Q(organisation=org) | Q(organisation__isnull=True, organisation_kind=org.kind))
        .values_list("basis", flat=True)
    )


def _episode_q(org: Organisation, basis: str) -> Q:
    queries: dict[str, Q] = {
        Basis.FORCE_ALL: Q(force_id=org.pk),
        Basis.PLACING_AUTHORITY: Q(placing_authority_id=org.pk),
        Basis.HOST_AUTHORITY_CHILDREN: Q(is_child=True, district__council_id=org.pk),
        Basis.HOME_AUTHORITY_CHILDREN: Q(is_child=True, person__home_district__council_id=org.pk),
        Basis.MISSING_FROM_PREMISES: Q(premises_provider_id=org.pk),
    }
    return queries.get(basis, NOTHING)


def episode_visibility(actor: User) -> Q:
    org = _case_org(actor)
    if org is None:
        return NOTHING
    q = NOTHING
    for basis in sorted(bases_for(org)):
        q |= _episode_q(org, basis)
    return q


def person_visibility(actor: User) -> Q:
    org = _case_org(actor)
    if org is None:
        return NOTHING
    bases = bases_for(org)
    if Basis.FORCE_ALL in bases and org.is_police:
        return Q(force_id=org.pk)
    # FORCE_ALL granted to anyone else matches no record (episodes: force_id is a police force); it must
    # not hide the people its other bases show (found by homeward/security/tests/test_never_across_…).
    q = Q(owner_id=org.pk) | _has_visible_episode(actor)
    if Basis.PLACING_AUTHORITY in bases:
        q |= Q(placing_authority_id=org.pk)
    return q


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
    if Basis.FORCE_ALL in bases_for(org) and org.is_police:
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
