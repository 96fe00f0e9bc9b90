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
        }
    ),
    Role.OFFICER: frozenset(
        _POLICE_CASEWORK
        | {Capability.REPORT, Capability.CREATE_PERSON, Capability.ASSESS_RISK, Capability.RECORD_FOUND}
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
        }
    ),
    Role.MFH_COORDINATOR: frozenset(_POLICE_CASEWORK | {Capability.MANAGE_LOCATIONS}),
    Role.ANALYST: frozenset({Capability.VIEW_CASES, Capability.VIEW_DASHBOARD}),
    Role.CSC_MISSING_OFFICER: frozenset({Capability.VIEW_CASES, Capability.RAISE_ESCALATION}),
    Role.RHI_WORKER: frozenset(),
    Role.CARE_STAFF: frozenset({Capability.VIEW_CASES, Capability.RAISE_ESCALATION}),
    Role.HEALTH_STAFF: frozenset({Capability.VIEW_CASES, Capability.RAISE_ESCALATION}),
    Role.VOLUNTARY_WORKER: frozenset(),
    Role.COMMISSIONER: frozenset(),
    Role.AUDITOR: frozenset({Capability.VIEW_SHARING_RULES}),
    Role.ADMINISTRATOR: frozenset({Capability.VIEW_SHARING_RULES}),
}


def role_can(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
