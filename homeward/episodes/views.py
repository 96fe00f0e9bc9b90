"""Episode pages: thin views — parse a form, call one action or selector, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from homeward.episodes import actions, clocks, forms, selectors
from homeward.episodes.actions import CALL_HANDLER_QUESTIONS, RISK_FACTORS, SYSTEMS
from homeward.episodes.models import Episode
from homeward.episodes.patterns import pattern_for
from homeward.errors import NotAllowed
from homeward.identity.middleware import passive_request
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.people.selectors import active_markers_of, person_for, person_history_for
from homeward.protocols.views import report_prefill_finish, report_prefill_initial
from homeward.web import apply_action, parse_id, requires


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@requires(Capability.VIEW_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "episodes/dashboard.html", _dashboard_context(request))


@passive_request  # polled by the open dashboard: not activity, so the idle limit still applies
@requires(Capability.VIEW_DASHBOARD)
def dashboard_rows(request: HttpRequest) -> HttpResponse:
    """The table alone, polled by htmx so new and regraded cases appear without a manual refresh."""
    return render(request, "episodes/_dashboard_rows.html", _dashboard_context(request))


def _dashboard_context(request: HttpRequest) -> dict[str, Any]:
    actor = _actor(request)
    districts = selectors.districts_for(actor=actor)
    district_id = parse_id(request.GET.get("district"))
    district = districts.filter(pk=district_id).first() if district_id else None
    rows = selectors.episodes_active_for(actor=actor, district=district)
    return {
        "rows": rows,
        "districts": districts,
        "district": district,
        "poll_seconds": settings.HOMEWARD_DASHBOARD_POLL_SECONDS,
        "alerts": selectors.dashboard_alerts_for(actor=actor),
        "overdue": (overdue := selectors.overdue_for(actor=actor)),
        "overdue_summary": selectors.overdue_summary(overdue),
        # The banner shows the first few (the viewer's own first); the rest are a click away.
        "overdue_limit": OVERDUE_BANNER_ROWS,
        "counts": {
            "open": len(rows),
            "high": sum(1 for r in rows if r.episode.risk_level == "high"),
            "review_overdue": sum(1 for r in rows if r.review_overdue),
            "sign_off_pending": sum(1 for r in rows if r.sign_off_pending),
            "unassessed": sum(1 for r in rows if not r.episode.risk_level),
        },
    }


OVERDUE_BANNER_ROWS = 10


@requires(Capability.VIEW_DASHBOARD)
def overdue_list(request: HttpRequest) -> HttpResponse:
    """Every overdue clock, when the dashboard banner has more than it shows."""
    overdue = selectors.overdue_for(actor=_actor(request))
    return render(
        request,
        "episodes/overdue.html",
        {"overdue": overdue, "overdue_summary": selectors.overdue_summary(overdue), "overdue_limit": 0},
    )


@requires(Capability.VIEW_CASES)
def partner_home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    rows = selectors.episodes_active_for(actor=actor)
    overdue = selectors.overdue_for(actor=actor)
    return render(
        request,
        "episodes/partner_home.html",
        {"rows": rows, "overdue": overdue, "overdue_summary": selectors.overdue_summary(overdue)},
    )


@requires(Capability.REPORT)
def report_circumstances(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
    person = person_for(actor=actor, pk=person_id)
    form = forms.ReportForm(request.POST or None, actor=actor)
    if not form.is_bound:
        form.initial["last_seen_at"] = forms.local_now_input()
        # Coming from a carer's Philomena/Herbert part 2: start from what the carer already told us.
        form.initial.update(report_prefill_initial(request, person.pk))
    context: dict[str, Any] = {"person": person, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = actions.ReportData(
            district=data["district"],
            missing_from=data["missing_from"],
            missing_from_address=data["missing_from_address"],
            missing_from_category=data["missing_from_category"],
            reporting_person_name=data["reporting_person_name"],
            reporting_person_relationship=data["reporting_person_relationship"],
            reporting_person_phone=data["reporting_person_phone"],
            last_seen_at=forms.as_aware(data["last_seen_at"]),
            last_seen_place=data["last_seen_place"],
            last_seen_with=data["last_seen_with"],
            clothing=data["clothing"],
            circumstances=data["circumstances"],
            call_handler_answers=form.answers(),
            reasonable_steps=data["reasonable_steps"],
        )
        episode = apply_action(
            form, lambda: actions.episode_report(actor=actor, person=person, data=report), context
        )
        if episode is not None:
            report_prefill_finish(request, actor=actor, episode=episode)
            messages.success(
                request, f"Report {episode.reference} recorded. Now record the first risk assessment."
            )
            return redirect("risk_new", pk=episode.pk)
    return render(request, "episodes/report_circumstances.html", context)


@login_required
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Any signed-in user: the selector answers 404 for an episode the organisation may not see.
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    context = {
        "episode": episode,
        "assessments": selectors.risk_assessments_of(episode=episode),
        "enquiries": selectors.enquiries_of(episode=episode),
        "updates": selectors.updates_of(episode=episode)[:50],
        "sightings": selectors.sightings_of(episode=episode),
        "events": selectors.events_of(episode=episode)[:100],
        "found": selectors.found_record_for(actor=actor, episode=episode),
        "interview": selectors.prevention_interview_for(episode=episode),
        "history": person_history_for(actor=actor, person=episode.person),
        "questions": CALL_HANDLER_QUESTIONS,
        "factor_labels": dict(RISK_FACTORS),
        "system_labels": dict(SYSTEMS),
        "update_form": forms.UpdateForm(),
        "enquiry_form": forms.EnquiryForm(force_id=episode.force_id),
        "can": {c.value: actor.can(c) for c in Capability},
        "pattern": pattern_for(episode, actor=actor),
        "mpu_due": clocks.mpu_due(episode),
        "prevention_due": clocks.prevention_interview_due(episode),
        "mpu_form": forms.MpuNotifiedForm(initial={"version": episode.version}),
        "now": timezone.now(),
    }
    escalations = selectors.escalations_of(episode=episode)
    context["escalations"] = escalations
    context["open_escalation"] = next((e for e in escalations if e.status == "open"), None)
    return render(request, "episodes/episode.html", context)


def _versioned_page(
    request: HttpRequest,
    episode: Episode,
    form: forms.VersionedForm,
    template: str,
    perform: Any,
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The shared shape of every lifecycle page: a form carrying the episode version, one action."""
    if not form.is_bound:
        form.initial["version"] = episode.version
    context: dict[str, Any] = {"episode": episode, "form": form, **(extra or {})}
    if request.method == "POST" and form.is_valid():
        result = apply_action(form, lambda: perform(form.cleaned_data), context)
        if result is not None:
            messages.success(request, success)
            return redirect("episode_detail", pk=episode.pk)
    return render(request, template, context)


@requires(Capability.ASSESS_RISK)
def risk_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.RiskForm(request.POST or None, is_child=episode.is_child)
    history = person_history_for(actor=actor, person=episode.person)
    # Only counted episodes feed the grading: an interview from a report made in error is not this person's.
    previous_interview = selectors.latest_prevention_interview_among(
        episodes=[e for e in history.counted_episodes if e.pk != episode.pk]
    )

    def perform(data: dict[str, Any]) -> Any:
        risk = actions.RiskData(
            level=data["level"],
            rationale=data["rationale"],
            factors=form.factors(),
            systems_checked=form.systems_checked(),
        )
        return actions.risk_assessment_record(
            actor=actor, episode=episode, expected_version=data["version"], data=risk
        )

    return _versioned_page(
        request,
        episode,
        form,
        "episodes/risk_form.html",
        perform,
        "Risk assessment recorded.",
        {
            "history": history,
            "assessments": selectors.risk_assessments_of(episode=episode),
            "previous_interview": previous_interview,
            "markers": active_markers_of(actor=actor, person=episode.person),
            "questions": CALL_HANDLER_QUESTIONS,
            "child_rule": settings.HOMEWARD_FORBIDDEN_CHILD_LEVELS if episode.is_child is not False else [],
        },
    )


@requires(Capability.SIGN_OFF)
def risk_sign_off(request: HttpRequest, pk: int, assessment_id: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    assessment = selectors.risk_assessment_for(actor=actor, pk=assessment_id, episode=episode)
    form = forms.SignOffForm(request.POST or None)

    def perform(data: dict[str, Any]) -> Any:
        due = forms.as_aware(data["next_review_due"]) if data.get("next_review_due") else None
        return actions.risk_assessment_sign_off(
            actor=actor,
            assessment=assessment,
            expected_version=data["version"],
            note=data["note"],
            next_review_due=due,
        )

    return _versioned_page(
        request,
        episode,
        form,
        "episodes/sign_off_form.html",
        perform,
        "Risk assessment signed off.",
        {"assessment": assessment, "factor_labels": dict(RISK_FACTORS), "system_labels": dict(SYSTEMS)},
    )


@requires(Capability.RECORD_FOUND)
def found_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.FoundForm(request.POST or None)
    if not form.is_bound:
        form.initial["found_at"] = forms.local_now_input()

    def perform(data: dict[str, Any]) -> Any:
        found = actions.FoundData(
            found_at=forms.as_aware(data["found_at"]),
            found_place=data["found_place"],
            found_location_category=data["found_location_category"],
            how_found=data["how_found"],
            condition=data["condition"],
            harm_details=data["harm_details"],
            victim_of_offence=data["victim_of_offence"],
            suspect_of_offence=data["suspect_of_offence"],
            exploitation_indicators=data["exploitation_indicators"],
            where_been=data["where_been"],
            with_whom=data["with_whom"],
            withhold_whereabouts=data["withhold_whereabouts"],
        )
        return actions.episode_mark_found(
            actor=actor, episode=episode, expected_version=data["version"], data=found
        )

    return _versioned_page(request, episode, form, "episodes/found_form.html", perform, "Recorded as found.")


@requires(Capability.INVESTIGATE)
def interview_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.InterviewForm(request.POST or None)
    if not form.is_bound:
        form.initial["conducted_at"] = forms.local_now_input()

    def perform(data: dict[str, Any]) -> Any:
        fields = {
            k: data[k]
            for k in (
                "outcome",
                "face_to_face",
                "push_factors",
                "pull_factors",
                "disclosures",
                "harm",
                "support_needed",
                "referrals",
                "carer_account",
            )
        }
        interview = actions.InterviewData(conducted_at=forms.as_aware(data["conducted_at"]), **fields)
        return actions.prevention_interview_record(
            actor=actor, episode=episode, expected_version=data["version"], data=interview
        )

    return _versioned_page(
        request, episode, form, "episodes/interview_form.html", perform, "Prevention interview recorded."
    )


@requires(Capability.CLOSE)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.CloseForm(request.POST or None)

    def perform(data: dict[str, Any]) -> Any:
        return actions.episode_close(
            actor=actor,
            episode=episode,
            expected_version=data["version"],
            note=data["note"],
            prevention_not_done_reason=data["prevention_not_done_reason"],
        )

    return _versioned_page(
        request,
        episode,
        form,
        "episodes/close_form.html",
        perform,
        "Episode closed.",
        {"interview": selectors.prevention_interview_for(episode=episode)},
    )


@requires(Capability.DECIDE_NOT_RECORDED)
def not_recorded(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.NotRecordedForm(request.POST or None)

    def perform(data: dict[str, Any]) -> Any:
        return actions.episode_decide_not_recorded(
            actor=actor, episode=episode, expected_version=data["version"], reason=data["reason"]
        )

    return _versioned_page(
        request,
        episode,
        form,
        "episodes/not_recorded_form.html",
        perform,
        "Recorded as not a missing episode.",
    )


@requires(Capability.INVESTIGATE)
@require_POST
def update_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.UpdateForm(request.POST)
    context: dict[str, Any] = {"episode": episode, "form": form}
    if form.is_valid() and apply_action(
        form,
        lambda: actions.episode_update_add(actor=actor, episode=episode, text=form.cleaned_data["text"]),
        context,
    ):
        messages.success(request, "Update added.")
        return redirect("episode_detail", pk=episode.pk)
    return render(request, "episodes/simple_form.html", {**context, "heading": "Add an update"}, status=400)


@requires(Capability.INVESTIGATE)
@require_POST
def enquiry_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.EnquiryForm(request.POST, force_id=episode.force_id)
    context: dict[str, Any] = {"episode": episode, "form": form}
    if form.is_valid():
        data = form.cleaned_data
        due = forms.as_aware(data["due_at"]) if data.get("due_at") else None
        if apply_action(
            form,
            lambda: actions.enquiry_add(
                actor=actor, episode=episode, description=data["description"], owner=data["owner"], due_at=due
            ),
            context,
        ):
            messages.success(request, "Action added.")
            return redirect("episode_detail", pk=episode.pk)
    return render(request, "episodes/simple_form.html", {**context, "heading": "Add an action"}, status=400)


@requires(Capability.INVESTIGATE)
def enquiry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    enquiry = selectors.enquiry_for(actor=actor, pk=pk)
    form = forms.EnquiryUpdateForm(
        request.POST or None,
        initial={"version": enquiry.version, "status": enquiry.status, "result": enquiry.result},
    )
    context: dict[str, Any] = {
        "episode": enquiry.episode,
        "form": form,
        "enquiry": enquiry,
        "heading": f"Update action: {enquiry.description}",
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply_action(
            form,
            lambda: actions.enquiry_update(
                actor=actor,
                enquiry=enquiry,
                expected_version=data["version"],
                status=data["status"],
                result=data["result"],
            ),
            context,
        ):
            messages.success(request, "Action updated.")
            return redirect("episode_detail", pk=enquiry.episode_id)
    return render(request, "episodes/simple_form.html", context)


@requires(Capability.INVESTIGATE)
def sighting_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.SightingForm(request.POST or None)
    context: dict[str, Any] = {"episode": episode, "form": form, "heading": "Record a sighting"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply_action(
            form,
            lambda: actions.sighting_record(
                actor=actor,
                episode=episode,
                seen_at=forms.as_aware(data["seen_at"]),
                place=data["place"],
                reported_by=data["reported_by"],
                details=data["details"],
                status=data["status"],
            ),
            context,
        ):
            messages.success(request, "Sighting recorded.")
            return redirect("episode_detail", pk=episode.pk)
    return render(request, "episodes/simple_form.html", context)


@requires(Capability.SIGN_OFF)
@require_POST
def long_term(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.VersionedForm(request.POST)
    context: dict[str, Any] = {}
    if form.is_valid() and apply_action(
        form,
        lambda: actions.episode_mark_long_term(
            actor=actor, episode=episode, expected_version=form.cleaned_data["version"]
        ),
        context,
    ):
        messages.success(request, "Marked as long-term missing.")
    else:
        messages.error(
            request,
            "; ".join(str(e) for e in form.non_field_errors()) or "Could not mark as long-term missing.",
        )
    return redirect("episode_detail", pk=episode.pk)


@requires(Capability.INVESTIGATE)
@require_POST
def mpu_notified(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.MpuNotifiedForm(request.POST)
    context: dict[str, Any] = {}
    if form.is_valid() and apply_action(
        form,
        lambda: actions.episode_record_mpu_notified(
            actor=actor,
            episode=episode,
            expected_version=form.cleaned_data["version"],
            reference=form.cleaned_data["reference"],
        ),
        context,
    ):
        messages.success(request, "Recorded that the missing persons unit has been told.")
    else:
        errors = [str(e) for e in form.non_field_errors()] + [
            f"{form.fields[name].label}: {', '.join(str(e) for e in errs)}"
            for name, errs in form.errors.items()
            if name in form.fields and name != "version"
        ]
        if "conflict" in context:
            errors.append(context["conflict"].message)
        messages.error(request, "; ".join(errors) or "Could not record the notification.")
    return redirect("episode_detail", pk=episode.pk)


@login_required
@require_POST
def clock_alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager an overdue clock was escalated to takes it on; back to where they were."""
    actor = _actor(request)
    alert = selectors.clock_alert_for(actor=actor, pk=pk)
    try:
        actions.clock_alert_acknowledge(actor=actor, alert=alert)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(
        request, f"Acknowledged: {alert.get_clock_display().lower()} overdue on {alert.episode}."
    )
    return redirect("dashboard" if actor.can(Capability.VIEW_DASHBOARD) else "partner_home")


@requires(Capability.RAISE_ESCALATION)
def escalation_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    episode = selectors.episode_for(actor=actor, pk=pk)
    form = forms.EscalationForm(request.POST or None, initial={"raised_by_name": actor.display_name})
    context: dict[str, Any] = {
        "episode": episode,
        "form": form,
        "heading": "Appeal the decision not to record",
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        raised = apply_action(
            form,
            lambda: actions.escalation_raise(
                actor=actor, episode=episode, grounds=d["grounds"], raised_by_name=d["raised_by_name"]
            ),
            context,
        )
        if raised is not None:
            messages.success(request, "Appeal sent to a senior officer.")
            return redirect("episode_detail", pk=episode.pk)
    return render(request, "episodes/simple_form.html", context)


@requires(Capability.DECIDE_ESCALATION)
def escalation_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    escalations = selectors.escalations_for(actor=actor)
    rows = [(e, actions.appeal_refusal(actor, e.episode)) for e in escalations]
    return render(request, "episodes/escalations.html", {"rows": rows})


@requires(Capability.DECIDE_ESCALATION)
def escalation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    escalation = selectors.escalation_for(actor=actor, pk=pk)
    episode = escalation.episode

    def perform(data: dict[str, Any]) -> Any:
        return actions.escalation_decide(
            actor=actor,
            escalation=escalation,
            expected_version=data["version"],
            overturn=data["outcome"] == "overturn",
            reasons=data["reasons"],
        )

    return _versioned_page(
        request,
        episode,
        forms.EscalationDecisionForm(request.POST or None),
        "episodes/escalation_decide.html",
        perform,
        "Appeal decided.",
        {"escalation": escalation},
    )
