"""Breach response pages (P14, DPA 2018 s.67): the incident record with its 72-hour clock, "who saw what"
for its records, and "what did this user see" for a suspected account. Auditors only; each read is
logged, each download is a disclosure and needs step-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from homeward.audit import actions, selectors
from homeward.audit.downloads import EXPORT_LIMIT, audit_events_download
from homeward.audit.forms import (
    BreachCloseForm,
    BreachIncidentEditForm,
    BreachIncidentForm,
    BreachReportForm,
    ids_text,
    local_input,
)
from homeward.audit.models import AuditEvent, BreachIncident
from homeward.identity.auth_views import asks_for_download, require_recent_authentication
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.web import apply_action, parse_id, requires

EVENT_ROW_COLUMNS = [
    "actor_username",
    "actor_role",
    "actor_organisation",
    "recipient_organisation",
    "incident_records",
    "other_records",
]


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _form_page(
    request: HttpRequest,
    form: django_forms.Form,
    perform: Callable[[dict[str, Any]], BreachIncident],
    *,
    heading: str,
    caption: str,
    cancel_url: str,
    submit: str,
    message: str,
) -> HttpResponse:
    """One action on a valid POST; otherwise the form again, errors beside the fields, input kept."""
    context: dict[str, Any] = {
        "form": form,
        "heading": heading,
        "caption": caption,
        "cancel_url": cancel_url,
        "submit": submit,
    }
    if request.method == "POST" and form.is_valid():
        incident = apply_action(form, lambda: perform(form.cleaned_data), context)
        if incident is not None:
            messages.success(request, message)
            return redirect("audit:breach_detail", pk=incident.pk)
    return render(request, "audit/breach_form.html", context)


@requires(Capability.RESPOND_TO_BREACHES)
@require_GET
def breach_list(request: HttpRequest) -> HttpResponse:
    incidents = selectors.breach_incidents_for(actor=_actor(request))
    now = timezone.now()
    rows = [(i, i.deadline_text(now), i.is_overdue(now)) for i in incidents]
    return render(request, "audit/breach_list.html", {"rows": rows})


@requires(Capability.RESPOND_TO_BREACHES)
@require_http_methods(["GET", "POST"])
def breach_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = BreachIncidentForm(request.POST or None)

    def perform(data: dict[str, Any]) -> BreachIncident:
        return actions.breach_incident_open(actor=actor, **data)

    return _form_page(
        request,
        form,
        perform,
        heading="Record a personal data breach",
        caption="Breach response",
        cancel_url=reverse("audit:breach_list"),
        submit="Open the incident",
        message="Incident opened. The ICO must be told within 72 hours of discovery unless it is unlikely to "
        "result in a risk to people.",
    )


@requires(Capability.RESPOND_TO_BREACHES)
@require_GET
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.breach_incident_for(actor=actor, pk=pk)
    now = timezone.now()
    accounts = dict(User.objects.filter(pk__in=incident.suspected_user_ids).values_list("pk", "username"))
    context = {
        "incident": incident,
        "deadline_text": incident.deadline_text(now),
        "overdue": incident.is_overdue(now),
        "history": selectors.breach_incident_history(incident),
        "accounts": [(user_id, accounts.get(user_id, "")) for user_id in incident.suspected_user_ids],
    }
    return render(request, "audit/breach_detail.html", context)


@requires(Capability.RESPOND_TO_BREACHES)
@require_http_methods(["GET", "POST"])
def breach_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    # Not logged as a view: the form shows the incident to change it, and the change is logged.
    incident = selectors.breach_incident_for(actor=actor, pk=pk, log=False)
    form = BreachIncidentEditForm(request.POST or None)
    if not form.is_bound:
        form.initial.update(
            version=incident.version,
            discovered_at=local_input(incident.discovered_at),
            discovered_by=incident.discovered_by,
            description=incident.description,
            category=incident.category,
            person_ids=ids_text(incident.person_ids),
            episode_ids=ids_text(incident.episode_ids),
            suspected_user_ids=ids_text(incident.suspected_user_ids),
            window_start=local_input(incident.window_start),
            window_end=local_input(incident.window_end),
            containment=incident.containment,
            consequences=incident.consequences,
            ico_decision=incident.ico_decision,
            not_reported_reason=incident.not_reported_reason,
        )

    def perform(data: dict[str, Any]) -> BreachIncident:
        changes = {name: value for name, value in data.items() if name != "version"}
        return actions.breach_incident_update(
            actor=actor, incident=incident, expected_version=data["version"], **changes
        )

    return _form_page(
        request,
        form,
        perform,
        heading="Change the incident",
        caption=f"Breach incident {incident.pk}",
        cancel_url=reverse("audit:breach_detail", args=[incident.pk]),
        submit="Save",
        message="Incident saved.",
    )


@requires(Capability.RESPOND_TO_BREACHES)
@require_http_methods(["GET", "POST"])
def breach_report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.breach_incident_for(actor=actor, pk=pk, log=False)
    form = BreachReportForm(request.POST or None)
    if not form.is_bound:
        form.initial.update(version=incident.version, reported_at=local_input(timezone.now()))

    def perform(data: dict[str, Any]) -> BreachIncident:
        return actions.breach_incident_record_report(
            actor=actor,
            incident=incident,
            expected_version=data["version"],
            reported_at=data["reported_at"],
            ico_reference=data["ico_reference"],
            delay_reason=data["delay_reason"],
        )

    return _form_page(
        request,
        form,
        perform,
        heading="Record the report to the ICO",
        caption=f"Breach incident {incident.pk}",
        cancel_url=reverse("audit:breach_detail", args=[incident.pk]),
        submit="Record the report",
        message="Report recorded.",
    )


@requires(Capability.RESPOND_TO_BREACHES)
@require_http_methods(["GET", "POST"])
def breach_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.breach_incident_for(actor=actor, pk=pk, log=False)
    form = BreachCloseForm(request.POST or None)
    if not form.is_bound:
        form.initial["version"] = incident.version

    def perform(data: dict[str, Any]) -> BreachIncident:
        return actions.breach_incident_close(
            actor=actor,
            incident=incident,
            expected_version=data["version"],
            closing_note=data["closing_note"],
        )

    return _form_page(
        request,
        form,
        perform,
        heading="Close the incident",
        caption=f"Breach incident {incident.pk}",
        cancel_url=reverse("audit:breach_detail", args=[incident.pk]),
        submit="Close the incident",
        message="Incident closed.",
    )


def _download(
    request: HttpRequest,
    *,
    actor: User,
    events: list[AuditEvent],
    rows: list[selectors.EventRow],
    reason: str,
    filename_stem: str,
) -> HttpResponse:
    columns = {row.event.pk: row.as_columns() for row in rows}
    return audit_events_download(
        actor=actor,
        events=events,
        as_json=request.GET.get("format") == "json",
        reason=reason,
        filename_stem=filename_stem,
        extra=lambda event: columns[event.pk],
        extra_columns=EVENT_ROW_COLUMNS,
    )


def _too_many(count: int) -> HttpResponse:
    return HttpResponse(
        f"{count} events match: narrow the incident's window to export {EXPORT_LIMIT:,} or fewer.",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@requires(Capability.RESPOND_TO_BREACHES)
@require_GET
@require_recent_authentication(when=asks_for_download)
def breach_who_saw_what(request: HttpRequest, pk: int) -> HttpResponse:
    """Every event touching the incident's records in its window: the page, or ?format=csv|json."""
    actor = _actor(request)
    download = asks_for_download(request)
    incident = selectors.breach_incident_for(actor=actor, pk=pk, log=not download)
    if download:
        events = selectors.breach_events_touching(actor=actor, incident=incident)
        count = events.count()
        if count > EXPORT_LIMIT:
            return _too_many(count)
        listed = list(events)
        return _download(
            request,
            actor=actor,
            events=listed,
            rows=selectors.event_rows(listed, selectors.incident_records(incident)),
            reason=f"breach incident {incident.pk}: who saw what",
            filename_stem=f"breach-{incident.pk}-who-saw-what",
        )
    page_obj, rows = selectors.breach_who_saw_what_page_for(
        actor=actor, incident=incident, page=request.GET.get("page")
    )
    return render(
        request, "audit/breach_who_saw_what.html", {"incident": incident, "page_obj": page_obj, "rows": rows}
    )


@requires(Capability.RESPOND_TO_BREACHES)
@require_GET
@require_recent_authentication(when=asks_for_download)
def breach_account(request: HttpRequest, pk: int) -> HttpResponse:
    """What a suspected account (?user=ID) was shown or sent in the window: the page, or a download."""
    actor = _actor(request)
    download = asks_for_download(request)
    incident = selectors.breach_incident_for(actor=actor, pk=pk, log=not download)
    user_id = parse_id(request.GET.get("user"))
    if user_id is None:
        raise Http404("No such account in this incident")
    if download:
        events = selectors.breach_account_events(actor=actor, incident=incident, user_id=user_id)
        count = events.count()
        if count > EXPORT_LIMIT:
            return _too_many(count)
        listed = list(events)
        return _download(
            request,
            actor=actor,
            events=listed,
            rows=selectors.event_rows(listed),
            reason=f"breach incident {incident.pk}: what user {user_id} saw",
            filename_stem=f"breach-{incident.pk}-user-{user_id}",
        )
    records, rows = selectors.breach_account_activity_for(actor=actor, incident=incident, user_id=user_id)
    account = User.objects.filter(pk=user_id).select_related("organisation").first()
    return render(
        request,
        "audit/breach_account.html",
        {"incident": incident, "user_id": user_id, "account": account, "records": records, "rows": rows},
    )
