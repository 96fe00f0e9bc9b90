"""The weekly datasets by subscription: subscribe, see the copies delivered, download one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from homeward.audit.log import audit_record
from homeward.audit.models import Operation
from homeward.identity.auth_views import require_recent_authentication
from homeward.identity.models import User
from homeward.insights.access import Report, report_access
from homeward.insights.models import DeliveredReport, ReportSubscription
from homeward.web import parse_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not report_access(user, Report.WEEKLY).allowed:
        raise PermissionDenied("Your role does not receive the weekly datasets")
    return user


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access = report_access(user, Report.WEEKLY)
    subscription = ReportSubscription.objects.filter(user=user, report=Report.WEEKLY).first()
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            if subscription is not None:
                subscription.delete()
                audit_record(
                    actor=user,
                    operation=Operation.ALTERATION,
                    event_type="report.subscription.stopped",
                    object_type="report_subscription",
                    object_ids=[subscription.pk],
                )
            messages.success(request, "You will no longer receive the weekly datasets.")
            return redirect("insights:subscriptions")
        raw = request.POST.get("district", "")
        district_id = parse_id(raw)
        district = access.districts.filter(pk=district_id).first() if district_id is not None else None
        if raw and district is None:
            error = "Choose a district from the list"
        elif district is None and not access.force_wide:
            error = "Choose your district"
        else:
            subscription, _ = ReportSubscription.objects.update_or_create(
                user=user,
                report=Report.WEEKLY,
                defaults={"district": district, "created_at": timezone.now()},
            )
            audit_record(
                actor=user,
                operation=Operation.ALTERATION,
                event_type="report.subscription.started",
                object_type="report_subscription",
                object_ids=[subscription.pk],
            )
            messages.success(request, "You will receive the weekly datasets every Monday morning.")
            return redirect("insights:subscriptions")
    deliveries = (
        list(DeliveredReport.objects.filter(subscription=subscription).defer("content")[:12])
        if subscription
        else []
    )
    return render(
        request,
        "insights/subscriptions.html",
        {
            "subscription": subscription,
            "deliveries": deliveries,
            "districts": access.districts,
            "force_wide": access.force_wide,
            "error": error,
            "chosen": request.POST.get("district", ""),
        },
    )


@login_required
@require_recent_authentication
def delivered(request: HttpRequest, pk: int) -> HttpResponse:
    """A delivered copy, for its subscriber only (anyone else: the same 404 as no such copy)."""
    user = _user(request)
    copy = DeliveredReport.objects.filter(pk=pk, subscription__user=user).first()
    if copy is None:
        raise Http404("No such report")
    DeliveredReport.objects.filter(pk=copy.pk, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )
    audit_record(
        actor=user,
        operation=Operation.CONSULTATION,
        event_type="report.weekly.downloaded",
        object_type="delivered_report",
        object_ids=[copy.pk],
        reason=f"weekly datasets as of {copy.as_of.isoformat()}",
    )
    response = HttpResponse(bytes(copy.content), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="weekly-{copy.as_of.isoformat()}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
