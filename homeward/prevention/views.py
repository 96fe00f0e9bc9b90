"""Prevention pages: thin views — parse a form, call one action or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from homeward.episodes.forms import as_aware
from homeward.identity.models import Organisation, User
from homeward.identity.roles import Capability
from homeward.prevention import actions, forms, selectors
from homeward.prevention.models import REFERRAL_TRANSITIONS, Initiative, Plan, ReferralStatus
from homeward.web import apply_action, parse_id, requires


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_planner(actor: User) -> None:
    if not selectors.may_plan(actor):
        raise PermissionDenied


def _form_page(
    request: HttpRequest,
    form: django_forms.Form,
    perform: Callable[[dict[str, Any]], Any],
    *,
    heading: str,
    caption: str,
    cancel_url: str,
    success: Callable[[Any], str],
    message: str,
    submit: str = "Save",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The shared shape of every form page: one action on a valid POST, errors beside the fields."""
    context: dict[str, Any] = {
        "form": form,
        "heading": heading,
        "caption": caption,
        "cancel_url": cancel_url,
        "submit": submit,
        **(extra or {}),
    }
    if request.method == "POST" and form.is_valid():
        result = apply_action(form, lambda: perform(form.cleaned_data), context)
        if result is not None:
            messages.success(request, message)
            return redirect(success(result))
    return render(request, "prevention/form.html", context)


def _subject_label(obj: Any) -> str:
    person = getattr(obj, "person", None)
    return person.full_name if person is not None else str(getattr(obj, "location", ""))


# --- Plans ----------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.sees_prevention(actor):
        raise PermissionDenied
    rows = selectors.plans_open_for(actor=actor)
    return render(
        request,
        "prevention/plans.html",
        {
            "rows": rows,
            "may_plan": selectors.may_plan(actor),
            "overdue_total": sum(r.overdue_actions for r in rows),
        },
    )


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_planner(actor)
    person_id, location_id = parse_id(request.GET.get("person")), parse_id(request.GET.get("location"))
    person = location = None
    if person_id is not None:
        person = selectors.person_for_planning(actor=actor, pk=person_id)
        caption = person.full_name
    elif location_id is not None:
        location = selectors.location_for_planning(actor=actor, pk=location_id)
        caption = location.name
    else:
        raise Http404("Start a plan from a person's or a location's page")
    form = forms.PlanForm(
        request.POST or None, kinds=actions.plan_kind_choices(for_location=location is not None)
    )

    def perform(data: dict[str, Any]) -> Plan:
        return actions.plan_create(
            actor=actor,
            kind=data["kind"],
            concerns=data["concerns"],
            approach=data["approach"],
            review_on=data["review_on"],
            person=person,
            location=location,
        )

    back = (
        reverse("person_detail", args=[person.pk])
        if person is not None
        else reverse("location_detail", args=[location.pk])  # type: ignore[union-attr]
    )
    return _form_page(
        request,
        form,
        perform,
        heading="Start a plan" if person is not None else "Start a location record",
        caption=caption,
        cancel_url=back,
        success=lambda plan: reverse("prevention:plan_detail", args=[plan.pk]),
        message="Plan opened.",
        submit="Open the plan",
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_for(actor=actor, pk=pk)
    page = selectors.plan_page_for(actor=actor, plan=plan)
    return render(
        request,
        "prevention/plan_detail.html",
        {
            "plan": plan,
            "page": page,
            "today": timezone.localdate(),
            "may_plan": selectors.may_plan(actor) and plan.is_open,
            "user_id": actor.pk,
        },
    )


def _plan_versioned(request: HttpRequest, pk: int) -> tuple[User, Plan]:
    actor = _actor(request)
    plan = selectors.plan_for(actor=actor, pk=pk)
    _require_planner(actor)
    return actor, plan


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor, plan = _plan_versioned(request, pk)
    form = forms.PlanEditForm(request.POST or None)
    if not form.is_bound:
        form.initial.update(
            version=plan.version, concerns=plan.concerns, approach=plan.approach, review_on=plan.review_on
        )

    def perform(data: dict[str, Any]) -> Plan:
        return actions.plan_update(
            actor=actor,
            plan=plan,
            expected_version=data["version"],
            concerns=data["concerns"],
            approach=data["approach"],
            review_on=data["review_on"],
        )

    return _form_page(
        request,
        form,
        perform,
        heading=f"Change the {plan.get_kind_display().lower()}",
        caption=_subject_label(plan),
        cancel_url=reverse("prevention:plan_detail", args=[plan.pk]),
        success=lambda p: reverse("prevention:plan_detail", args=[p.pk]),
        message="Plan saved.",
    )


@login_required
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor, plan = _plan_versioned(request, pk)
    form = forms.PlanCloseForm(request.POST or None)
    if not form.is_bound:
        form.initial["version"] = plan.version

    def perform(data: dict[str, Any]) -> Plan:
        return actions.plan_close(
            actor=actor, plan=plan, expected_version=data["version"], outcome=data["outcome"]
        )

    return _form_page(
        request,
        form,
        perform,
        heading=f"Close the {plan.get_kind_display().lower()}",
        caption=_subject_label(plan),
        cancel_url=reverse("prevention:plan_detail", args=[plan.pk]),
        success=lambda p: reverse("prevention:plan_detail", args=[p.pk]),
        message="Plan closed.",
        submit="Close the plan",
    )


# --- Actions --------------------------------------------------------------------------------------


@login_required
def plan_action_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor, plan = _plan_versioned(request, pk)
    form = forms.ActionForm(request.POST or None, owners=selectors.owner_choices(actor, plan=plan))

    def perform(data: dict[str, Any]) -> Any:
        return actions.action_add(
            actor=actor,
            plan=plan,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        )

    back = reverse("prevention:plan_detail", args=[plan.pk])
    return _form_page(
        request,
        form,
        perform,
        heading="Add an action",
        caption=_subject_label(plan),
        cancel_url=back,
        success=lambda _a: back,
        message="Action added.",
        submit="Add the action",
    )


@login_required
def meeting_action_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    meeting = selectors.meeting_for(actor=actor, pk=pk)
    _require_planner(actor)
    owners = selectors.owner_choices(
        actor, person=meeting.person, location=meeting.location, plan=meeting.plan
    )
    form = forms.ActionForm(request.POST or None, owners=owners)

    def perform(data: dict[str, Any]) -> Any:
        return actions.action_add(
            actor=actor,
            meeting=meeting,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        )

    back = reverse("prevention:meeting_detail", args=[meeting.pk])
    return _form_page(
        request,
        form,
        perform,
        heading="Add an action from the meeting",
        caption=_subject_label(meeting),
        cancel_url=back,
        success=lambda _a: back,
        message="Action added.",
        submit="Add the action",
    )


@login_required
def action_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    action = selectors.action_for(actor=actor, pk=pk)
    if not selectors.may_record_outcome(actor, action):
        raise PermissionDenied
    form = forms.ActionOutcomeForm(request.POST or None)
    if not form.is_bound:
        form.initial.update(version=action.version, status="done")
    back = (
        reverse("prevention:plan_detail", args=[action.plan_id])
        if action.plan_id
        else reverse("prevention:meeting_detail", args=[action.meeting_id])
    )

    def perform(data: dict[str, Any]) -> Any:
        return actions.action_record_outcome(
            actor=actor,
            action=action,
            expected_version=data["version"],
            status=data["status"],
            outcome=data["outcome"],
        )

    return _form_page(
        request,
        form,
        perform,
        heading="Record the action's outcome",
        caption=action.description,
        cancel_url=reverse("prevention:mine") if action.owner_id == actor.pk else back,
        success=lambda _a: reverse("prevention:mine") if action.owner_id == actor.pk else back,
        message="Outcome recorded.",
        extra={"action": action},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own actions, overdue ones marked."""
    actor = _actor(request)
    show_all = request.GET.get("show") == "all"
    rows = selectors.actions_mine(actor=actor, include_finished=show_all)
    today = timezone.localdate()
    return render(
        request,
        "prevention/mine.html",
        {
            "actions": rows,
            "today": today,
            "show_all": show_all,
            "overdue": sum(1 for a in rows if a.is_overdue(today)),
            "user_id": actor.pk,
        },
    )


# --- Meetings -------------------------------------------------------------------------------------


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_planner(actor)
    plan = person = location = None
    if (plan_id := parse_id(request.GET.get("plan"))) is not None:
        plan = selectors.plan_for(actor=actor, pk=plan_id)
        person, location = plan.person, plan.location
        back = reverse("prevention:plan_detail", args=[plan.pk])
    elif (person_id := parse_id(request.GET.get("person"))) is not None:
        person = selectors.person_for_planning(actor=actor, pk=person_id)
        back = reverse("person_detail", args=[person.pk])
    elif (location_id := parse_id(request.GET.get("location"))) is not None:
        location = selectors.location_for_planning(actor=actor, pk=location_id)
        back = reverse("location_detail", args=[location.pk])
    else:
        raise Http404("Arrange a meeting from a plan, a person or a location")
    form = forms.MeetingForm(request.POST or None, organisations=selectors.attendee_choices(actor, person))
    if not form.is_bound and actor.organisation_id:
        form.initial["attending_organisations"] = [actor.organisation_id]

    def perform(data: dict[str, Any]) -> Any:
        meeting_data = actions.MeetingData(
            held_at=as_aware(data["held_at"]),
            chair=data["chair"],
            attending_organisations=list(data["attending_organisations"]),
            other_attendees=data["other_attendees"],
            summary=data["summary"],
            outcome=data["outcome"],
        )
        if plan is not None:
            return actions.meeting_create(actor=actor, data=meeting_data, plan=plan)
        return actions.meeting_create(actor=actor, data=meeting_data, person=person, location=location)

    return _form_page(
        request,
        form,
        perform,
        heading="Record a multi-agency meeting",
        caption=person.full_name if person is not None else str(location),
        cancel_url=back,
        success=lambda m: reverse("prevention:meeting_detail", args=[m.pk]),
        message="Meeting recorded.",
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    meeting = selectors.meeting_for(actor=actor, pk=pk)
    return render(
        request,
        "prevention/meeting_detail.html",
        {
            "meeting": meeting,
            "actions": selectors.meeting_actions_for(actor=actor, meeting=meeting),
            "today": timezone.localdate(),
            "may_plan": selectors.may_plan(actor),
            "user_id": actor.pk,
            "held": meeting.held_at <= timezone.now(),
        },
    )


@login_required
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    meeting = selectors.meeting_for(actor=actor, pk=pk)
    _require_planner(actor)
    form = forms.MeetingRecordForm(request.POST or None)
    if not form.is_bound:
        form.initial.update(version=meeting.version, summary=meeting.summary, outcome=meeting.outcome)

    def perform(data: dict[str, Any]) -> Any:
        return actions.meeting_record(
            actor=actor,
            meeting=meeting,
            expected_version=data["version"],
            summary=data["summary"],
            outcome=data["outcome"],
        )

    back = reverse("prevention:meeting_detail", args=[meeting.pk])
    return _form_page(
        request,
        form,
        perform,
        heading="Record what the meeting decided",
        caption=_subject_label(meeting),
        cancel_url=back,
        success=lambda _m: back,
        message="Meeting saved.",
    )


# --- Early help referrals ------------------------------------------------------------------------


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.sees_prevention(actor):
        raise PermissionDenied
    direction = request.GET.get("direction", "all")
    if direction not in ("all", "to", "by"):
        direction = "all"
    return render(
        request,
        "prevention/referrals.html",
        {
            "referrals": selectors.referrals_for(actor=actor, direction=direction),
            "direction": direction,
            "directions": [("all", "All"), ("to", "Made to us"), ("by", "Made by us")],
        },
    )


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_planner(actor)
    episode = None
    if (episode_id := parse_id(request.GET.get("episode"))) is not None:
        episode = selectors.episode_for_referral(actor=actor, pk=episode_id)
        person = selectors.person_for_planning(actor=actor, pk=episode.person_id)
        back = reverse("episode_detail", args=[episode.pk])
    elif (person_id := parse_id(request.GET.get("person"))) is not None:
        person = selectors.person_for_planning(actor=actor, pk=person_id)
        back = reverse("person_detail", args=[person.pk])
    else:
        raise Http404("Make a referral from an episode or a person")
    form = forms.ReferralForm(request.POST or None, recipients=selectors.referral_recipients(actor, person))
    if not form.is_bound:
        form.initial["referred_to"] = selectors.default_recipient(person, episode)
        if episode is not None:
            form.initial["reason"] = (
                f"First time missing ({episode.reference}, reported "
                f"{timezone.localtime(episode.reported_at):%d %b %Y}). "
            )

    def perform(data: dict[str, Any]) -> Any:
        return actions.referral_make(
            actor=actor,
            person=person,
            episode=episode,
            referred_to=data["referred_to"],
            reason=data["reason"],
        )

    return _form_page(
        request,
        form,
        perform,
        heading="Refer to early help",
        caption=person.full_name,
        cancel_url=back,
        success=lambda r: reverse("prevention:referral_detail", args=[r.pk]),
        message="Referral made.",
        submit="Make the referral",
    )


def _referral_statuses(actor: User, referral: Any) -> list[str]:
    """The changes the actor may make now (the action re-checks)."""
    if not selectors.may_plan(actor):
        return []
    receiving = actor.organisation_id == referral.referred_to_id
    referring = actor.organisation_id == referral.referred_by_organisation_id
    may = {
        ReferralStatus.ACCEPTED: receiving,
        ReferralStatus.DECLINED: receiving,
        ReferralStatus.CLOSED: receiving or referring,
    }
    return [s for s in REFERRAL_TRANSITIONS.get(referral.status, ()) if may.get(ReferralStatus(s), False)]


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    referral = selectors.referral_for(actor=actor, pk=pk)
    statuses = _referral_statuses(actor, referral)
    form = forms.ReferralStatusForm(request.POST or None, statuses=statuses) if statuses else None
    context: dict[str, Any] = {"referral": referral, "form": form}
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            result = apply_action(
                form,
                lambda: actions.referral_change_status(
                    actor=actor, referral=referral, status=data["status"], notes=data["notes"]
                ),
                context,
            )
            if result is not None:
                messages.success(request, f"Referral {result.get_status_display().lower()}.")
                return redirect("prevention:referral_detail", pk=referral.pk)
    return render(request, "prevention/referral_detail.html", context)


# --- Initiatives ----------------------------------------------------------------------------------


@login_required
def initiative_list(request: HttpRequest) -> HttpResponse:
    """The register: not personal data, so anyone signed in may read it."""
    actor = _actor(request)
    districts = selectors.districts_for(actor)
    form = forms.InitiativeFilterForm(request.GET or None, districts=districts)
    district_id = active_on = None
    if form.is_bound and form.is_valid():
        district = form.cleaned_data["district"]
        district_id = district.pk if district else None
        active_on = form.cleaned_data["active_on"]
    initiatives = list(selectors.initiatives_for(actor=actor, district_id=district_id, active_on=active_on))
    return render(
        request,
        "prevention/initiatives.html",
        {
            "form": form,
            "initiatives": initiatives,
            "total": sum(i.amount for i in initiatives),
            "may_manage": actor.can(Capability.MANAGE_INITIATIVES),
        },
    )


def _providers(actor: User) -> Any:
    force_id = selectors.force_id_of(actor.organisation)
    if force_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(force_id=force_id).exclude(pk=force_id).order_by("name")


def _initiative_data(data: dict[str, Any]) -> actions.InitiativeData:
    return actions.InitiativeData(
        name=data["name"],
        amount=data["amount"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        aims=data["aims"],
        provider_name=data["provider_name"],
        provider=data["provider"],
        district=data["district"],
        outcome_notes=data["outcome_notes"],
    )


@requires(Capability.MANAGE_INITIATIVES)
def initiative_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.InitiativeForm(
        request.POST or None, providers=_providers(actor), districts=selectors.districts_for(actor)
    )
    return _form_page(
        request,
        form,
        lambda data: actions.initiative_create(actor=actor, data=_initiative_data(data)),
        heading="Add an initiative",
        caption="Initiatives register",
        cancel_url=reverse("prevention:initiatives"),
        success=lambda _i: reverse("prevention:initiatives"),
        message="Initiative added.",
    )


@requires(Capability.MANAGE_INITIATIVES)
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    initiative: Initiative = selectors.initiative_for(actor=actor, pk=pk)
    form = forms.InitiativeEditForm(
        request.POST or None, providers=_providers(actor), districts=selectors.districts_for(actor)
    )
    if not form.is_bound:
        form.initial.update(
            version=initiative.version,
            name=initiative.name,
            provider=initiative.provider_id,
            provider_name=initiative.provider_name,
            district=initiative.district_id,
            amount=initiative.amount,
            starts_on=initiative.starts_on,
            ends_on=initiative.ends_on,
            aims=initiative.aims,
            outcome_notes=initiative.outcome_notes,
        )
    return _form_page(
        request,
        form,
        lambda data: actions.initiative_update(
            actor=actor, initiative=initiative, expected_version=data["version"], data=_initiative_data(data)
        ),
        heading=f"Change {initiative.name}",
        caption="Initiatives register",
        cancel_url=reverse("prevention:initiatives"),
        success=lambda _i: reverse("prevention:initiatives"),
        message="Initiative saved.",
    )
