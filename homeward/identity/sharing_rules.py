"""Sharing rules as data (SPEC §5): which organisations see which episodes, and why.

Each rule grants an organisation — every organisation of a kind, or one named organisation — one
*basis*: a well-defined relation between an organisation and an episode. The bases are code (each is
a precise query); which organisations get which bases is data, changed without a release.
"""

from __future__ import annotations

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

LEVEL_GROUPS: dict[FieldLevel, dict[str, frozenset[str]]] = {
    FieldLevel.FULL: {
        "episode": frozenset(EPISODE_FIELD_GROUPS),
        "person": frozenset(PERSON_FIELD_GROUPS),
    },
    FieldLevel.PARTNER: {
        "episode": frozenset({"identity", "risk_level", "risk_history", "timeline", "found", "placement"}),
        "person": frozenset({"identity", "placement", "timeline", "risk_history", "markers"}),
    },
    FieldLevel.CARER: {
        "episode": frozenset({"identity", "risk_level", "timeline", "found"}),
        "person": frozenset({"identity", "placement", "timeline"}),
    },
}

_GROUPS = {"episode": EPISODE_FIELD_GROUPS, "person": PERSON_FIELD_GROUPS}


def field_level_for(actor: object) -> FieldLevel:
    """The actor's organisation's level; an organisation of any other kind gets the least."""
    org = getattr(actor, "organisation", None)
    return FIELD_LEVEL_BY_KIND.get(getattr(org, "kind", ""), FieldLevel.CARER)


def fields_allowed(level: FieldLevel, record_type: str) -> frozenset[str]:
    groups = _GROUPS[record_type]
    return frozenset().union(*(groups[name] for name in LEVEL_GROUPS[level][record_type]))


def all_fields(record_type: str) -> frozenset[str]:
    return frozenset().union(*_GROUPS[record_type].values())


def shown_fields_for(actor: object, record_type: str, *, force_id: int | None = None) -> frozenset[str]:
    """The fields of one record type this actor may see. Police see everything of their own force's
    records; police of another force never reach them (the selectors' 404), so `force_id` only narrows."""
    level = field_level_for(actor)
    org = getattr(actor, "organisation", None)
    if level == FieldLevel.FULL and force_id is not None and getattr(org, "pk", None) != force_id:
        level = FieldLevel.PARTNER
    return fields_allowed(level, record_type)
