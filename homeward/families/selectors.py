"""Reads of the family contact log, scoped to who may see it and logged as consultations.

Who reads an episode's family contact log (SPEC §2, §5): users who may see the episode under the
episode sharing rules AND whose organisation is either
- the police force the episode belongs to, or
- a local authority (children's social care works with families).
Care providers, health, return interview workers, the commissioner's office and auditors see none,
even of episodes they may otherwise follow. "Not yours" and "not there" are the same 404.

Which parts of each entry a reader sees is `homeward.identity.sharing_rules` ("family_contact"): the
organisation that logged it sees all; a council sees who was contacted, when and how, and whether they
were signposted to support, not the conversation (police intelligence, as an episode's updates).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from homeward.audit.log import audit_consultation
from homeward.chronology.entries import ChronologyEntry
from homeward.episodes.models import Episode
from homeward.episodes.sharing import episode_visibility
from homeward.families.models import FamilyContact
from homeward.identity.models import OrganisationKind, User
from homeward.identity.roles import Capability
from homeward.identity.sharing_rules import shown_fields_for
from homeward.people.models import Person

NOTHING = Q(pk__in=[])


def family_log_episode_visibility(actor: User) -> Q:
    """The episodes whose family contact log the actor may read, as a filter on Episode."""
    org = actor.organisation
    if org is None or not actor.is_active:
        return NOTHING
    visible = episode_visibility(actor)
    if org.kind == OrganisationKind.LOCAL_AUTHORITY:
        return visible
    if org.kind == OrganisationKind.POLICE_FORCE:
        return visible & Q(force_id=org.pk)
    return NOTHING


def episodes_with_family_log_for(actor: User) -> QuerySet[Episode]:
    return Episode.objects.filter(family_log_episode_visibility(actor))


def may_read_family_log(actor: User, episode: Episode) -> bool:
    return episodes_with_family_log_for(actor).filter(pk=episode.pk).exists()


def may_log_family_contact(actor: User, episode: Episode) -> bool:
    """Adding entries: the capability, on an episode whose log the actor may read."""
    return actor.can(Capability.LOG_FAMILY_CONTACT) and may_read_family_log(actor, episode)


def family_log_episode_for(*, actor: User, episode_id: int) -> Episode:
    """An episode whose log the actor may read, for the add-an-entry page (not logged: the page shows
    only the episode's reference and the person's name, which the episode page has already shown)."""
    episode = episodes_with_family_log_for(actor).select_related("person").filter(pk=episode_id).first()
    if episode is None:
        raise Http404("No such episode")
    return episode


def with_shown_fields(
    actor: User, contacts: list[FamilyContact], force_id: int | None
) -> list[FamilyContact]:
    """Attach the fields of each entry the actor may see: all of it for the organisation that logged it."""
    for contact in contacts:
        contact.shown_fields = shown_fields_for(
            actor, "family_contact", force_id=force_id, owner_ids=[contact.organisation_id]
        )
    return contacts


def family_contacts_visible_to(actor: User) -> QuerySet[FamilyContact]:
    return FamilyContact.objects.filter(episode__in=episodes_with_family_log_for(actor).values("pk"))


def family_contact_for(*, actor: User, episode: Episode, pk: int) -> FamilyContact:
    """One entry of this episode's log, for correcting it (its values fill the form: logged)."""
    contact = family_contacts_visible_to(actor).filter(episode=episode, pk=pk).first()
    if contact is None:
        raise Http404("No such family contact")
    audit_consultation(
        actor=actor, event_type="family_contact.viewed", object_type="family_contact", object_ids=[contact.pk]
    )
    return with_shown_fields(actor, [contact], episode.force_id)[0]


@dataclass(frozen=True)
class FamilyLog:
    """An episode's family contact log, newest contact first."""

    entries: list[FamilyContact]

    @property
    def current(self) -> list[FamilyContact]:
        """The entries that stand: those not corrected by a later entry."""
        corrected = {e.corrects_id for e in self.entries if e.corrects_id}
        return [e for e in self.entries if e.pk not in corrected]

    @property
    def signposted_count(self) -> int:
        """Contacts where the family was signposted to support, counting a corrected entry once
        (by its correction)."""
        return sum(1 for e in self.current if e.signposted)

    @property
    def corrected_ids(self) -> set[int]:
        return {e.corrects_id for e in self.entries if e.corrects_id}


def family_contacts_for_episode(*, actor: User, episode: Episode) -> FamilyLog | None:
    """The episode's log if the actor may read it (None otherwise), logged as a consultation."""
    if not may_read_family_log(actor, episode):
        return None
    entries = list(
        FamilyContact.objects.filter(episode=episode)
        .select_related("recorded_by", "organisation", "corrects")
        .order_by("-contacted_at", "-pk")
    )
    if entries:
        audit_consultation(
            actor=actor,
            event_type="family_contact.listed",
            object_type="family_contact",
            object_ids=[e.pk for e in entries],
        )
    return FamilyLog(entries=with_shown_fields(actor, entries, episode.force_id))


def chronology_entries_for(*, actor: User, person: Person) -> list[ChronologyEntry]:
    """One chronology line per family contact the actor may see for the person's episodes (not logged:
    the chronology logs the page it shows)."""
    contacts = (
        family_contacts_visible_to(actor)
        .filter(episode__person=person)
        .select_related("episode", "organisation")
        .order_by("contacted_at", "pk")
    )
    entries = []
    for c in contacts:
        shown = with_shown_fields(actor, [c], c.episode.force_id)[0].shown_fields
        # Each part of the line shows only if the reader may see the field it comes from.
        summary = f"{c.get_method_display()}, {c.get_direction_display().lower()}"
        if "contact_name" in shown:
            summary = (
                f"{c.get_method_display()} with {c.contact_name} ({c.relationship}), "
                f"{c.get_direction_display().lower()}"
            )
        if c.signposted and "signposted_to" in shown:
            summary += f"; signposted to {', '.join(c.service_labels)}"
        if c.corrects_id:
            summary += " (correction of an earlier entry)"
        entries.append(
            ChronologyEntry(
                at=c.contacted_at,
                kind="Family contact",
                summary=summary,
                organisation=c.organisation.name,
                record=f"families.familycontact:{c.pk}",
                url=reverse("episode_detail", args=[c.episode_id]) + "#family-contacts",
            )
        )
    return entries
