"""Roles (SPEC §2) and what each may do. Capabilities are checked in actions, never in templates alone."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CALL_HANDLER = "call_handler", "Call handler"
    OFFICER = "officer", "Officer / investigator"
    SUPERVISOR = "supervisor", "Supervisor (sergeant) / duty inspector"
    DETECTIVE_INSPECTOR = "detective_inspector", "Detective inspector (safeguarding)"
    MFH_COORDINATOR = "mfh_coordinator", "Missing from home coordinator"
    ANALYST = "analyst", "Analyst"
    CSC_MISSING_OFFICER = "csc_missing_officer", "Children's social care missing officer"
    RHI_WORKER = "rhi_worker", "Return interview worker"
    CARE_STAFF = "care_staff", "Care provider staff"
    HEALTH_STAFF = "health_staff", "Health staff"
    VOLUNTARY_WORKER = "voluntary_worker", "Voluntary sector worker"
    COMMISSIONER = "commissioner", "Commissioner's office (scrutiny)"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class Capability(models.TextChoices):
    VIEW_CASES = "view_cases", "See missing episodes"
    REPORT = "report", "Take a missing report"
    CREATE_PERSON = "create_person", "Create a person record"
    ASSESS_RISK = "assess_risk", "Record a risk assessment"
    SIGN_OFF = "sign_off", "Sign off risk assessments"
    INVESTIGATE = "investigate", "Record actions, sightings and updates"
    RECORD_FOUND = "record_found", "Record found / return"
    CLOSE = "close", "Close an episode"
    DECIDE_NOT_RECORDED = "decide_not_recorded", "Decide a report is not recorded as missing"
    VIEW_DASHBOARD = "view_dashboard", "See the force dashboard"
    MANAGE_LOCATIONS = "manage_locations", "Add and edit locations"
    VIEW_SHARING_RULES = "view_sharing_rules", "See the sharing rules"
    RAISE_ESCALATION = "raise_escalation", "Appeal a decision not to record"
    DECIDE_ESCALATION = "decide_escalation", "Decide appeals against decisions not to record"
    PLAN_PREVENTION = "plan_prevention", "Keep trigger plans, meetings and early-help referrals"
    MANAGE_INITIATIVES = "manage_initiatives", "Keep the initiatives register"
    ASSESS_LOCALITY = "assess_locality", "Record locality risk assessments for premises"
    LOG_FAMILY_CONTACT = "log_family_contact", "Log contact with the missing person's family"
    REGISTER_RESIDENT = "register_resident", "Record a new resident of the organisation's premises"
    MERGE_PEOPLE = "merge_people", "Merge two records of the same person"
    # Data protection (homeward.dataprotection): subject access, retention review and erasure.
    MANAGE_DATA_PROTECTION = "manage_data_protection", "Answer subject access requests, review and erase"
    CORRECT_RECORDS = "correct_records", "Mark an episode as reported in error"
    READ_AUDIT_LOG = "read_audit_log", "Search and export the audit log"
    # Accounts of the administrator's own organisation (homeward.identity.account_admin).
    MANAGE_ACCOUNTS = "manage_accounts", "Create accounts, change roles, deactivate and reset sign-in"
    # Breach response (P14) reads the audit log around the records involved, so it stays with auditors.
    RESPOND_TO_BREACHES = "respond_to_breaches", "Record personal data breaches and see who saw what"


_POLICE_CASEWORK = {
    Capability.VIEW_CASES,
    Capability.INVESTIGATE,
    Capability.VIEW_DASHBOARD,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CALL_HANDLER: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.REPORT,
            Capability.CREATE_PERSON,
            Capability.ASSESS_RISK,
            Capability.VIEW_DASHBOARD,
            Capability.DECIDE_NOT_RECORDED,
            Capability.RAISE_ESCALATION,
            Capability.LOG_FAMILY_CONTACT,
        }
    ),
    Role.OFFICER: frozenset(
        _POLICE_CASEWORK
        | {
            Capability.REPORT,
            Capability.CREATE_PERSON,
            Capability.ASSESS_RISK,
            Capability.RECORD_FOUND,
            Capability.LOG_FAMILY_CONTACT,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _POLICE_CASEWORK
        | {
            Capability.REPORT,
            Capability.CREATE_PERSON,
            Capability.ASSESS_RISK,
            Capability.SIGN_OFF,
            Capability.RECORD_FOUND,
            Capability.CLOSE,
            Capability.DECIDE_NOT_RECORDED,
            Capability.DECIDE_ESCALATION,
            Capability.PLAN_PREVENTION,
            Capability.LOG_FAMILY_CONTACT,
            Capability.MERGE_PEOPLE,
        }
    ),
    Role.DETECTIVE_INSPECTOR: frozenset(
        _POLICE_CASEWORK
        | {
            Capability.ASSESS_RISK,
            Capability.SIGN_OFF,
            Capability.RECORD_FOUND,
            Capability.CLOSE,
            Capability.DECIDE_ESCALATION,
            Capability.PLAN_PREVENTION,
            Capability.LOG_FAMILY_CONTACT,
            Capability.MERGE_PEOPLE,
        }
    ),
    Role.MFH_COORDINATOR: frozenset(
        _POLICE_CASEWORK
        | {
            Capability.MANAGE_LOCATIONS,
            Capability.PLAN_PREVENTION,
            Capability.MANAGE_INITIATIVES,
            Capability.ASSESS_LOCALITY,
            Capability.LOG_FAMILY_CONTACT,
            Capability.MERGE_PEOPLE,
        }
    ),
    Role.ANALYST: frozenset({Capability.VIEW_CASES, Capability.VIEW_DASHBOARD}),
    Role.CSC_MISSING_OFFICER: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.RAISE_ESCALATION,
            Capability.PLAN_PREVENTION,
            Capability.ASSESS_LOCALITY,
        }
    ),
    Role.RHI_WORKER: frozenset(),
    # Care staff record a new resident themselves, so her profile can be started the day she arrives.
    Role.CARE_STAFF: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.RAISE_ESCALATION,
            Capability.ASSESS_LOCALITY,
            Capability.REGISTER_RESIDENT,
        }
    ),
    Role.HEALTH_STAFF: frozenset({Capability.VIEW_CASES, Capability.RAISE_ESCALATION}),
    Role.VOLUNTARY_WORKER: frozenset(),
    # The commissioner's office funds community safety initiatives and keeps their register.
    Role.COMMISSIONER: frozenset({Capability.MANAGE_INITIATIVES}),
    Role.AUDITOR: frozenset(
        {Capability.VIEW_SHARING_RULES, Capability.READ_AUDIT_LOG, Capability.RESPOND_TO_BREACHES}
    ),
    Role.ADMINISTRATOR: frozenset({Capability.VIEW_SHARING_RULES, Capability.MANAGE_ACCOUNTS}),
}


# Data protection (homeward.dataprotection). There is no data protection officer role: the force's MFH
# coordinator answers subject access requests and decides retention reviews; supervisors, detective
# inspectors and the coordinator may mark an episode as reported in error.
for _role, _extra in (
    (Role.MFH_COORDINATOR, {Capability.MANAGE_DATA_PROTECTION, Capability.CORRECT_RECORDS}),
    (Role.SUPERVISOR, {Capability.CORRECT_RECORDS}),
    (Role.DETECTIVE_INSPECTOR, {Capability.CORRECT_RECORDS}),
):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _extra


# Police rank for appeals against a decision not to record: the appeal goes to someone senior to
# whoever decided (SPEC §3 "assigned to a senior officer"). Roles not listed hold no rank.
POLICE_RANK: dict[str, int] = {
    Role.CALL_HANDLER: 1,
    Role.OFFICER: 1,
    Role.MFH_COORDINATOR: 1,
    Role.SUPERVISOR: 2,
    Role.DETECTIVE_INSPECTOR: 3,
}


def outranks(role: str, other: str) -> bool:
    return POLICE_RANK.get(role, 0) > POLICE_RANK.get(other, 0)


def role_can(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


# Which roles an account may hold in each kind of organisation (SPEC §2, "Organisation" column). Auditor
# and administrator belong to any organisation. An analyst belongs to the police or a partner agency (a
# partner's analyst sees pseudonymised lists: insights.access); not to the commissioner's office, which
# sees aggregate measures only and has its own role. Keys are OrganisationKind values, written out here
# because identity.models imports this module.
_ANY_ORGANISATION = (Role.AUDITOR, Role.ADMINISTRATOR)
ROLES_BY_ORGANISATION_KIND: dict[str, tuple[str, ...]] = {
    "police_force": (
        Role.CALL_HANDLER,
        Role.OFFICER,
        Role.SUPERVISOR,
        Role.DETECTIVE_INSPECTOR,
        Role.MFH_COORDINATOR,
        Role.ANALYST,
        *_ANY_ORGANISATION,
    ),
    "local_authority": (Role.CSC_MISSING_OFFICER, Role.ANALYST, *_ANY_ORGANISATION),
    "nhs_trust": (Role.HEALTH_STAFF, Role.ANALYST, *_ANY_ORGANISATION),
    "care_provider": (Role.CARE_STAFF, Role.ANALYST, *_ANY_ORGANISATION),
    "rhi_service": (Role.RHI_WORKER, Role.ANALYST, *_ANY_ORGANISATION),
    "charity": (Role.VOLUNTARY_WORKER, Role.ANALYST, *_ANY_ORGANISATION),
    "commissioner": (Role.COMMISSIONER, *_ANY_ORGANISATION),
}


def roles_for_organisation_kind(kind: str) -> tuple[str, ...]:
    """The roles an account of this kind of organisation may hold, in the order Role lists them."""
    allowed = set(ROLES_BY_ORGANISATION_KIND.get(kind, _ANY_ORGANISATION))
    return tuple(role for role in Role.values if role in allowed)
