"""Return interview pages: thin views — parse a form, call one action or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from homeward.episodes.forms import as_aware, local_now_input
from homeward.errors import DomainError
from homeward.identity.models import User
from homeward.identity.roles import Capability
from homeward.returns import actions, forms, selectors
from homeward.returns.models import FindingKind, ReturnInterview, RhiStatus
from homeward.web import apply_action


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _today_age(rhi: ReturnInterview) -> int | None:
    age = rhi.person.age_on(timezone.localdate())
    return age if age is not None else rhi.episode.age_at_report


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A worker's own interviews with the 72-hour offer clock, and the referrals waiting for a worker."""
    actor = _actor(request)
    if not selectors.is_rhi_worker(actor):
        raise PermissionDenied
    context = {
        "rows": selectors.rhis_assigned_to(actor=actor),
        "waiting": selectors.rhis_awaiting_assignment_for(actor=actor),
        "claimable": selectors.rhis_claimable_for(actor=actor),
        "now": timezone.now(),
    }
    return render(request, "returns/mine.html", context)


@login_required
def rhi_list(request: HttpRequest) -> HttpResponse:
    """Police and councils: the interviews of the episodes they may see; services: their referrals."""
    actor = _actor(request)
    if not (selectors.sees_cases(actor) or selectors.is_assigner(actor)):
        raise PermissionDenied
    status = request.GET.get("status", "open")
    if status not in ("open", "all", *RhiStatus.values):
        status = "open"
    now = timezone.now()
    rows = selectors.rhis_for(actor=actor, status="" if status == "all" else status)
    may_decide = actor.can(Capability.INVESTIGATE) or actor.can(Capability.CREATE_PERSON)
    context = {
        "rows": rows,
        "now": now,
        "status": status,
        "statuses": [("open", "Open"), *RhiStatus.choices, ("all", "All")],
        "overdue_count": sum(1 for r in rows if r.offer_overdue(now)),
        "pending_proposals": len(selectors.proposals_pending_for(actor=actor)) if may_decide else 0,
    }
    return render(request, "returns/list.html", context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    rhi = selectors.rhi_for(actor=actor, pk=pk)
    # Which parts the page shows is rhi.shown_fields (identity.sharing_rules, "return_interview").
    findings = "proposals" in rhi.shown_fields
    context: dict[str, Any] = {
        "rhi": rhi,
        # The episode page itself is only for those who follow the case (police, councils).
        "episode_link": selectors.sees_cases(actor),
        "is_worker": actions.is_assigned_worker(actor, rhi),
        "may_assign": actions.may_assign(actor, rhi),
        "age": _today_age(rhi),
        "now": timezone.now(),
        "proposals": selectors.proposals_of(rhi) if findings else [],
        "events": rhi.events.select_related("actor")[:50] if findings else [],
    }
    return render(request, "returns/detail.html", context)


def _versioned_page(
    request: HttpRequest,
    rhi: ReturnInterview,
    form: forms.VersionedForm,
    template: str,
    perform: Callable[[dict[str, Any]], Any],
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The shared shape of every interview page: a form carrying the interview version, one action."""
    if not form.is_bound:
        form.initial["version"] = rhi.version
    context: dict[str, Any] = {"rhi": rhi, "form": form, "age": _today_age(rhi), **(extra or {})}
    if request.method == "POST" and form.is_valid():
        result = apply_action(form, lambda: perform(form.cleaned_data), context)
        if result is not None:
            messages.success(request, success)
            return redirect("returns:detail", pk=rhi.pk)
    return render(request, template, context)


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    rhi = selectors.rhi_for(actor=actor, pk=pk)
    if not actions.may_assign(actor, rhi):
        raise PermissionDenied
    form = forms.AssignForm(request.POST or None, workers=selectors.workers_for(rhi))

    def perform(data: dict[str, Any]) -> Any:
        return actions.rhi_assign(
            actor=actor, rhi=rhi, expected_version=data["version"], worker=data["worker"]
        )

    return _versioned_page(request, rhi, form, "returns/assign_form.html", perform, "Interview assigned.")


@login_required
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    rhi = selectors.rhi_for(actor=actor, pk=pk)
    if not actions.is_assigned_worker(actor, rhi):
        raise PermissionDenied
    form = forms.OfferForm(request.POST or None)
    if not form.is_bound:
        form.initial["offered_at"] = local_now_input()

    def perform(data: dict[str, Any]) -> Any:
        return actions.rhi_record_offer(
            actor=actor,
            rhi=rhi,
            expected_version=data["version"],
            offered_at=as_aware(data["offered_at"]),
            note=data["note"],
        )

    return _versioned_page(request, rhi, form, "returns/offer_form.html", perform, "Offer recorded.")


@login_required
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    rhi = selectors.rhi_for(actor=actor, pk=pk)
    if not actions.is_assigned_worker(actor, rhi):
        raise PermissionDenied
    form = forms.OutcomeForm(request.POST or None)
    if not form.is_bound:
        form.initial["completed_at"] = local_now_input()

    def perform(data: dict[str, Any]) -> Any:
        fields = {k: v for k, v in data.items() if k not in ("version", "completed_at")}
        result = actions.OutcomeData(completed_at=as_aware(data["completed_at"]), **fields)
        return actions.rhi_record_outcome(actor=actor, rhi=rhi, expected_version=data["version"], data=result)

    return _versioned_page(request, rhi, form, "returns/outcome_form.html", perform, "Outcome recorded.")


@login_required
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    rhi = selectors.rhi_for(actor=actor, pk=pk)
    if not actions.is_assigned_worker(actor, rhi):
        raise PermissionDenied
    form = forms.ProposalForm(request.POST or None)
    context: dict[str, Any] = {"rhi": rhi, "form": form, "age": _today_age(rhi)}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proposal = apply_action(
            form,
            lambda: actions.rhi_finding_propose(
                actor=actor, rhi=rhi, kind=data["kind"], value=form.proposal_value(), detail=data["detail"]
            ),
            context,
        )
        if proposal is not None:
            messages.success(
                request,
                f"{proposal.get_kind_display()} proposed. The agency that holds "
                f"{rhi.person.given_name}'s record decides whether to add it.",
            )
            return redirect("returns:detail", pk=rhi.pk)
    return render(request, "returns/propose_form.html", context)


def _may_decide_any(actor: User) -> bool:
    return actor.can(Capability.INVESTIGATE) or actor.can(Capability.CREATE_PERSON)


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    """Proposals from completed interviews waiting for the owning agency's decision."""
    actor = _actor(request)
    if not _may_decide_any(actor):
        raise PermissionDenied
    proposals = selectors.proposals_pending_for(actor=actor)
    return render(request, "returns/findings.html", {"proposals": proposals})


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    proposal = selectors.proposal_for(actor=actor, pk=pk)
    form = forms.DecisionForm(request.POST or None)
    context: dict[str, Any] = {
        "proposal": proposal,
        "rhi": proposal.rhi,
        "form": form,
        # A person's owning agency need not be one that may open the interview itself.
        "rhi_visible": selectors.rhis_visible_to(actor).filter(pk=proposal.rhi_id).exists(),
    }
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        result = apply_action(
            form,
            lambda: actions.rhi_finding_decide(
                actor=actor, proposal=proposal, accept=accept, note=form.cleaned_data["note"]
            ),
            context,
        )
        if result is not None:
            noun = "Marker" if proposal.kind == FindingKind.MARKER else proposal.get_kind_display()
            messages.success(
                request,
                f"{noun} added to {proposal.rhi.person.full_name}'s record."
                if accept
                else "Recorded as not added.",
            )
            return redirect("returns:findings")
    return render(request, "returns/decide_form.html", context)


@login_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    rhi = selectors.rhi_claimable_for(actor=actor, pk=pk)
    try:
        actions.rhi_claim(actor=actor, rhi=rhi)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("returns:mine")
    messages.success(request, "The interview is yours.")
    return redirect("returns:detail", pk=rhi.pk)
