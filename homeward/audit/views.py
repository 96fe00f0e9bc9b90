"""The auditor's pages (AUD-8): search the log, page through it, export it. Each read is logged."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from homeward.audit.downloads import EXPORT_LIMIT, audit_events_download
from homeward.audit.forms import AuditSearchForm
from homeward.audit.log import audit_record
from homeward.audit.models import AuditAnomalyReport, Operation
from homeward.audit.selectors import audit_events_for, audit_object_types
from homeward.identity.auth_views import require_recent_authentication
from homeward.identity.models import User
from homeward.identity.roles import Capability, Role
from homeward.web import requires

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _form(request: HttpRequest) -> AuditSearchForm:
    data = request.GET if any(k in request.GET for k in AuditSearchForm.base_fields) else None
    return AuditSearchForm(data, object_types=audit_object_types())


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@requires(Capability.READ_AUDIT_LOG)  # first: a signed-out visitor is sent to sign in, whatever the method
@require_GET
def audit_search(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = _form(request)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        search = form.search()
        page = Paginator(audit_events_for(actor=actor, search=search), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        events = list(page.object_list)
        usernames = dict(
            User.objects.filter(pk__in={e.actor_user_id for e in events if e.actor_user_id}).values_list(
                "pk", "username"
            )
        )
        context.update(
            searched=True,
            page_obj=page,
            rows=[(e, usernames.get(e.actor_user_id or 0, "")) for e in events],
            query=_query_without_page(request),
        )
        # Reading the log is processing too: log which events were shown, and what was asked (AUD-8).
        audit_record(
            actor=actor,
            operation=Operation.CONSULTATION,
            event_type="audit_log.viewed",
            object_type="audit_event",
            object_ids=[e.pk for e in events],
            reason=search.describe(),
        )
    return render(request, "audit/search.html", context)


@requires(Capability.READ_AUDIT_LOG)
@require_GET
@require_recent_authentication
def audit_export(request: HttpRequest) -> HttpResponse:
    """The search's results as CSV (or JSON with ?format=json): a disclosure of the log to the auditor's organisation (AUD-3, AUD-8)."""
    actor = _actor(request)
    form = _form(request)
    if not form.is_bound:
        form = AuditSearchForm({}, object_types=audit_object_types())
    if not form.is_valid():
        return render(request, "audit/search.html", {"form": form, "searched": False}, status=400)
    search = form.search()
    events = audit_events_for(actor=actor, search=search)
    count = events.count()
    if count > EXPORT_LIMIT:
        form.add_error(
            None, f"{count} events match: narrow the search to {EXPORT_LIMIT:,} or fewer to export"
        )
        return render(request, "audit/search.html", {"form": form, "searched": False}, status=400)
    return audit_events_download(
        actor=actor,
        events=list(events),
        as_json=request.GET.get("format") == "json",
        reason=f"export {search.describe()}",
        filename_stem="audit-log",
    )


ANOMALY_READERS = {Role.AUDITOR, Role.SUPERVISOR}


@login_required
@require_GET
def audit_anomalies(request: HttpRequest) -> HttpResponse:
    """The latest weekly audit review of the user's force (P13): auditors and supervisors only."""
    actor = _actor(request)
    if actor.role not in ANOMALY_READERS:
        raise PermissionDenied
    force_id = actor.organisation.force_id if actor.organisation is not None else None
    report = AuditAnomalyReport.objects.filter(force_id=force_id).order_by("-week_ending").first()
    rows: list[tuple[dict[str, Any], str]] = []
    if report is not None:
        usernames = dict(
            User.objects.filter(pk__in={f["user_id"] for f in report.findings}).values_list("pk", "username")
        )
        rows = [(f, usernames.get(f["user_id"], "")) for f in report.findings]
        audit_record(
            actor=actor,
            operation=Operation.CONSULTATION,
            event_type="audit_anomalies.viewed",
            object_type="audit_anomaly_report",
            object_ids=[report.pk],
        )
    return render(request, "audit/anomalies.html", {"report": report, "rows": rows})
