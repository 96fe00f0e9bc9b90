"""Sharing rules as data (SPEC §5): which organisations see which episodes, and why.

Each rule grants an organisation — every organisation of a kind, or one named organisation — one
*basis*: a well-defined relation between an organisation and an episode. The bases are code (each is
a precise query); which organisations get which bases is data, changed without a release.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models

from homeward.identity.models import OrganisationKind


class Basis(models.TextChoices):
    FORCE_ALL = "force_all", "Every episode and person in its own force"
    PLACING_AUTHORITY = "placing_authority", "Children and adults it placed (placing authority)"
    HOST_AUTHORITY_CHILDREN = "host_authority_children", "Children missing in its area (host authority)"
    HOME_AUTHORITY_CHILDREN = "home_authority_children", "Children who live in its area"
    MISSING_FROM_PREMISES = "missing_from_premises", "People missing from premises it runs"


class SharingRule(models.Model):
    organisation_kind = models.CharField(max_length=32, choices=OrganisationKind.choices, blank=True)
    organisation = models.ForeignKey(
        "identity.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="sharing_rules"
    )
    basis = models.CharField(max_length=32, choices=Basis.choices)
    active = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        app_label = "identity"
        ordering = ["organisation_kind", "organisation_id", "basis"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(organisation_kind="") | models.Q(organisation__isnull=False),
                name="sharing_rule_names_a_kind_or_an_organisation",
            )
        ]

    def __str__(self) -> str:
        who = (
            self.organisation.name
            if self.organisation_id and self.organisation
            else self.get_organisation_kind_display()
        )
        return f"{who}: {self.get_basis_display()}"


# The defaults every new installation starts with (loaded by migration identity.0004).
DEFAULT_RULES: list[tuple[str, str]] = [
    (OrganisationKind.POLICE_FORCE, Basis.FORCE_ALL),
    (OrganisationKind.LOCAL_AUTHORITY, Basis.PLACING_AUTHORITY),
    (OrganisationKind.LOCAL_AUTHORITY, Basis.HOST_AUTHORITY_CHILDREN),
    (OrganisationKind.LOCAL_AUTHORITY, Basis.HOME_AUTHORITY_CHILDREN),
    (OrganisationKind.CARE_PROVIDER, Basis.MISSING_FROM_PREMISES),
    (OrganisationKind.NHS_TRUST, Basis.MISSING_FROM_PREMISES),
]


def sharing_rules_ensure_defaults() -> None:
    """Create any missing default rule. Migrations load them once; tests whose database is flushed
    between them (browser tests) call this to get them back."""
    for kind, basis in DEFAULT_RULES:
        SharingRule.objects.get_or_create(organisation_kind=kind, organisation=None, basis=basis)


# --- Field-level restriction (issue 5, ACC-3) ---------------------------------------------------------
#
# The rules above decide WHICH records an organisation sees; these decide WHICH PARTS of them. Each
# organisation kind gets a level, and each level an explicit allow-list of field groups: anything not
# listed is withheld. Groups are named by what they hold; each group lists the keys it covers, which
# are the API's output keys and the names the page templates test (`"circumstances" in
# episode.shown_fields`). The selectors attach the allowed set to each record they return
# (`shown_fields`), so the page, the API and the downloads read the same decision.


class FieldLevel(models.TextChoices):
    FULL = "full", "Everything (the police force holding the case)"
    PARTNER = "partner", "A council: identity, risk level, timeline, found details and safeguarding markers"
    CARER = "carer", "A care provider or health trust: identity, current risk level, timeline, found details"


FIELD_LEVEL_BY_KIND: dict[str, FieldLevel] = {
    OrganisationKind.POLICE_FORCE: FieldLevel.FULL,
    OrganisationKind.LOCAL_AUTHORITY: FieldLevel.PARTNER,
    OrganisationKind.CARE_PROVIDER: FieldLevel.CARER,
    OrganisationKind.NHS_TRUST: FieldLevel.CARER,
}

EPISODE_FIELD_GROUPS: dict[str, frozenset[str]] = {
    # Who is missing: needed by anyone looking for them.
    "identity": frozenset(
        {"id", "reference", "version", "person", "age_at_report", "is_child", "looked_after", "clothing"}
    ),
    "risk_level": frozenset({"risk_level"}),
    "risk_history": frozenset({"risk_level_first", "risk_level_highest"}),
    # When and from where; the episode's state.
    "timeline": frozenset(
        {
            "status",
            "status_label",
            "district",
            "missing_from",
            "missing_from_address",
            "missing_from_category",
            "reported_at",
            "last_seen_at",
            "last_seen_place",
            "found_at",
            "closed_at",
            "updated_at",
            "history",
        }
    ),
    "found": frozenset({"found"}),
    "placement": frozenset({"placing_authority", "out_of_area"}),
    # The police's own workflow: clocks, who reported, the missing persons unit.
    "police_workflow": frozenset({"next_review_due", "sign_off_due", "reported_by", "police_clocks"}),
    # Intelligence: free text, third parties, police actions and enquiries, call-handler answers.
    "intelligence": frozenset(
        {
            "reporting_person",
            "last_seen_with",
            "circumstances",
            "reasonable_steps",
            "call_handler_answers",
            "risk_assessments",
            "closure_note",
            "prevention_not_done_reason",
            "prevention_interview",
            "enquiries",
            "sightings",
            "updates",
            "events",
        }
    ),
}

PERSON_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset(
        {
            "id",
            "given_name",
            "family_name",
            "full_name",
            "date_of_birth",
            "estimated_age",
            "age",
            "sex",
            "gender",
            "ethnicity",
            "officer_ethnicity",
            "height_cm",
            "build",
            "hair",
            "eyes",
            "facial_hair",
            "glasses",
            "marks",
            "first_language",
            "aliases",
            "photo",
            "version",
            "created_at",
            "updated_at",
            "merged_into_id",
        }
    ),
    "placement": frozenset({"looked_after", "placing_authority", "home_district", "addresses"}),
    "timeline": frozenset({"history"}),
    "risk_history": frozenset({"risk_history"}),
    # Safeguarding markers (CSE, CCE, trafficking...): a council safeguards on them.
    "markers": frozenset({"markers"}),
    # Intelligence: who they associate with, where they go, their phones and accounts.
    "intelligence": frozenset({"associates", "places", "contacts", "fact_sources"}),
}

# --- The other record types partners reach (issue: ACC-3 beyond episodes and people) ---------------
#
# The same rule: each group names what it holds, each level an allow-list. The organisation that owns
# a record (holds the profile, made or received the referral, keeps the plan, took part in the
# meeting, runs the interview service it was referred to, logged the contact) always sees all of it:
# restriction is about partners reading records owned by others (`owner_ids` below).

RETURN_INTERVIEW_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset({"id", "person", "episode", "version", "status", "status_label"}),
    # Who has it and the 72-hour offer clock.
    "referral": frozenset(
        {
            "referred_to",
            "referred_at",
            "assigned_to",
            "assigned_at",
            "offer_due_at",
            "offered_at",
            "offer_note",
            "offered_in_time",
        }
    ),
    # The episode facts a worker needs to do the interview.
    "essentials": frozenset({"age", "missing_from", "found_at"}),
    "placement": frozenset({"looked_after_by"}),
    # The reporting person's name and phone: episode intelligence, given to the interviewer.
    "contact": frozenset({"who_to_contact"}),
    "outcome": frozenset({"outcome", "completed_at", "carer_account", "not_possible_reason"}),
    # What the child needs next: what the people caring for them act on.
    "follow_up": frozenset({"support_needed", "referrals"}),
    # The child's account: why they went, where, with whom, in their own words.
    "account": frozenset(
        {"push_factors", "pull_factors", "where_went", "with_whom", "how_travelled", "child_voice"}
    ),
    # Disclosures (exploitation, abuse) and harm: safeguarding content.
    "disclosures": frozenset({"disclosures", "harm"}),
    # Findings proposed for the person's record, and the interview's own history.
    "findings": frozenset({"proposals", "events"}),
}

PROFILE_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset(
        {"id", "person", "scheme", "holder", "active", "closed_reason", "version", "photo", "date_of_birth"}
    ),
    # Whether the form is current.
    "upkeep": frozenset({"last_reviewed_on", "last_reviewed_by", "updated_at", "updated_by", "staleness"}),
    "description": frozenset(
        {"description", "significant_places", "missing_history", "routines", "transport"}
    ),
    "medical": frozenset({"medical"}),
    # Who they are with and where they go: the person's intelligence group holds the same facts.
    "associates": frozenset({"associates", "places_frequented"}),
    # The means of finding someone: phones, accounts, bank cards, a locator's monitoring centre.
    "search_aids": frozenset({"phones", "social_media", "financial", "locator"}),
    "reports": frozenset({"reports"}),
    "history": frozenset({"events"}),
}

PROFILE_REPORT_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset(
        {
            "id",
            "profile",
            "status",
            "status_label",
            "reporting_org",
            "submitted_at",
            "episode",
            "withdrawn_reason",
        }
    ),
    # As the episode's timeline and identity groups: where from, when, what they wore.
    "timeline": frozenset({"missing_from", "last_seen_at", "last_seen_place", "clothing"}),
    # As the episode's intelligence: the reporter, who they were with, what happened, the carer's steps.
    "intelligence": frozenset({"reporter", "last_seen_with", "circumstances", "reasonable_steps"}),
}

PLAN_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset(
        {"id", "kind", "subject", "organisation", "status", "review_on", "created_at", "closed_at", "version"}
    ),
    # What everyone agreed to do.
    "approach": frozenset({"approach", "meetings"}),
    # The actions given to the viewer's own organisation.
    "own_actions": frozenset({"own_actions"}),
    # Every agency's actions, with their outcomes.
    "actions": frozenset({"actions"}),
    # Triggers and concerns (exploitation, associates): safeguarding content.
    "concerns": frozenset({"concerns"}),
    "outcome": frozenset({"outcome"}),
    "history": frozenset({"events"}),
}

MEETING_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset(
        {"id", "held_at", "chair", "organisation", "subject", "plan", "attending_organisations", "version"}
    ),
    "own_actions": frozenset({"own_actions"}),
    "actions": frozenset({"actions"}),
    # Who else was there by name, what was discussed, what was decided.
    "attendees": frozenset({"other_attendees"}),
    "discussion": frozenset({"summary"}),
    "outcome": frozenset({"outcome"}),
}

REFERRAL_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset(
        {
            "id",
            "person",
            "episode",
            "referred_by_organisation",
            "referred_to",
            "status",
            "status_label",
            "made_at",
            "changed_at",
        }
    ),
    # Why the child was referred, and what the service did.
    "reason": frozenset({"reason"}),
    "outcome": frozenset({"outcome_notes", "status_changed_by"}),
}

FAMILY_CONTACT_FIELD_GROUPS: dict[str, frozenset[str]] = {
    "identity": frozenset(
        {
            "id",
            "episode",
            "contacted_at",
            "method",
            "direction",
            "organisation",
            "recorded_by",
            "recorded_at",
            "corrects",
        }
    ),
    # Whether the family was signposted to support (SPEC §3): what the log exists to show.
    "signposting": frozenset({"signposted", "signposted_to", "signposted_at"}),
    # Which relative, by name.
    "contact": frozenset({"contact_name", "relationship"}),
    # What was said: as the episode's updates, police intelligence.
    "conversation": frozenset({"summary"}),
}

LEVEL_GROUPS: dict[FieldLevel, dict[str, frozenset[str]]] = {
    FieldLevel.FULL: {
        "episode": frozenset(EPISODE_FIELD_GROUPS),
        "person": frozenset(PERSON_FIELD_GROUPS),
        "return_interview": frozenset(RETURN_INTERVIEW_FIELD_GROUPS),
        "profile": frozenset(PROFILE_FIELD_GROUPS),
        "profile_report": frozenset(PROFILE_REPORT_FIELD_GROUPS),
        "plan": frozenset(PLAN_FIELD_GROUPS),
        "meeting": frozenset(MEETING_FIELD_GROUPS),
        "referral": frozenset(REFERRAL_FIELD_GROUPS),
        "family_contact": frozenset(FAMILY_CONTACT_FIELD_GROUPS),
    },
    FieldLevel.PARTNER: {
        "episode": frozenset({"identity", "risk_level", "risk_history", "timeline", "found", "placement"}),
        "person": frozenset({"identity", "placement", "timeline", "risk_history", "markers"}),
        # A council leads on safeguarding a returned child: the whole interview, but not the reporting
        # person's details, which the episode withholds from it too.
        "return_interview": frozenset(RETURN_INTERVIEW_FIELD_GROUPS) - {"contact"},
        # A placing authority: the child as their carers describe them, not the means of searching.
        "profile": frozenset({"identity", "upkeep", "description", "medical", "reports"}),
        "profile_report": frozenset({"identity", "timeline"}),
        # Multi-agency safeguarding: the concerns and what everyone does, not the keeper's edit history.
        "plan": frozenset(PLAN_FIELD_GROUPS) - {"history"},
        "meeting": frozenset(MEETING_FIELD_GROUPS),
        "referral": frozenset(REFERRAL_FIELD_GROUPS),
        "family_contact": frozenset({"identity", "signposting", "contact"}),
    },
    FieldLevel.CARER: {
        "episode": frozenset({"identity", "risk_level", "timeline", "found"}),
        "person": frozenset({"identity", "placement", "timeline"}),
        # What the child needs from those caring for them; not what they disclosed or where they went.
        "return_interview": frozenset({"identity", "referral", "essentials", "outcome", "follow_up"}),
        "profile": frozenset({"identity", "upkeep", "description", "medical"}),
        "profile_report": frozenset({"identity", "timeline"}),
        # What to do and its own actions; not the concerns behind the plan.
        "plan": frozenset({"identity", "approach", "own_actions"}),
        "meeting": frozenset({"identity", "own_actions"}),
        "referral": frozenset({"identity"}),
        "family_contact": frozenset({"identity", "signposting"}),
    },
}

_GROUPS: dict[str, dict[str, frozenset[str]]] = {
    "episode": EPISODE_FIELD_GROUPS,
    "person": PERSON_FIELD_GROUPS,
    "return_interview": RETURN_INTERVIEW_FIELD_GROUPS,
    "profile": PROFILE_FIELD_GROUPS,
    "profile_report": PROFILE_REPORT_FIELD_GROUPS,
    "plan": PLAN_FIELD_GROUPS,
    "meeting": MEETING_FIELD_GROUPS,
    "referral": REFERRAL_FIELD_GROUPS,
    "family_contact": FAMILY_CONTACT_FIELD_GROUPS,
}
RECORD_TYPES: tuple[str, ...] = tuple(_GROUPS)


def field_level_for(actor: object) -> FieldLevel:
    """The actor's organisation's level; an organisation of any other kind gets the least."""
    org = getattr(actor, "organisation", None)
    return FIELD_LEVEL_BY_KIND.get(getattr(org, "kind", ""), FieldLevel.CARER)


def fields_allowed(level: FieldLevel, record_type: str) -> frozenset[str]:
    groups = _GROUPS[record_type]
    return frozenset().union(*(groups[name] for name in LEVEL_GROUPS[level][record_type]))


def all_fields(record_type: str) -> frozenset[str]:
    return frozenset().union(*_GROUPS[record_type].values())


def shown_fields_for(
    actor: object,
    record_type: str,
    *,
    force_id: int | None = None,
    owner_ids: Iterable[int | None] = (),
) -> frozenset[str]:
    """The fields of one record this actor may see.

    Police see everything of their own force's records; police of another force never reach them (the
    selectors' 404), so `force_id` only narrows. `owner_ids` are the organisations the record belongs
    to (its holder, keeper, participants or service): they see all of it, whatever their kind."""
    org = getattr(actor, "organisation", None)
    org_id = getattr(org, "pk", None)
    if org_id is not None and org_id in set(owner_ids):
        return all_fields(record_type)
    level = field_level_for(actor)
    if level == FieldLevel.FULL and force_id is not None and org_id != force_id:
        level = FieldLevel.PARTNER
    return fields_allowed(level, record_type)


M = TypeVar("M", bound=models.Model)


def part_shown(record: object, key: str, rows: models.QuerySet[M]) -> models.QuerySet[M]:
    """`rows`, a part of `record`, if the record's `shown_fields` include `key`; otherwise nothing is
    read at all. A record without `shown_fields` did not come from a selector and gets no part."""
    return rows if key in getattr(record, "shown_fields", frozenset()) else rows.none()
