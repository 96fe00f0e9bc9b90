"""Profile pages: thin views — parse a form, call one action or selector, render.

Every page needs a signed-in user whose role works on cases; the selectors then answer 404 for a profile
the organisation may not see, the same as for one that does not exist. Finer rules (only the holder
edits, only the police start a report) live in the actions, which the views call.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from homeward.episodes.models import OPEN_STATUSES, Episode
from homeward.episodes.selectors import episodes_visible_to
from homeward.errors import DomainError
from homeward.identity.models import Organisation, User
from homeward.identity.roles import Capability
from homeward.people.actions import PersonData, resident_register
from homeward.people.forms import PersonSearchForm
from homeward.people.search import SearchQuery
from homeward.places.models import Location
from homeward.protocols import actions, forms, selectors
from homeward.protocols.models import (
    PART1_FIELDS,
    ProfileMissingReport,
    ProtocolProfile,
    ReportStatus,
    Scheme,
)
from homeward.security.uploads import EXTENSION_FOR
from homeward.web import apply_action, requires

# The session key the police report page reads its pre-fill from (see report_prefill_initial).
PREFILL_KEY = "report_prefill"
# Set by a search on the "start a profile" page; the new-resident form needs it (find before create).
RESIDENT_SEARCH_KEY = "resident_search"


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_keeper(actor: User) -> None:
    if not selectors.is_keeper(actor):
        raise PermissionDenied


# --- Lists and creation ---------------------------------------------------------------------------


@requires(Capability.VIEW_CASES)
def profile_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not selectors.can_see_profiles(actor):
        raise PermissionDenied
    # The name filter is posted, never put in the URL (security baseline DEP-3: no personal data in
    # URLs, browser history or access logs).
    name = request.POST.get("q", "")[:100] if request.method == "POST" else ""
    stale_only = (request.POST if request.method == "POST" else request.GET).get("stale") == "1"
    rows = selectors.profiles_for(actor=actor, name=name, stale_only=stale_only)
    context = {
        "rows": rows,
        "q": name,
        "stale_only": stale_only,
        "limit": selectors.LIST_LIMIT,
        "can_create": selectors.is_keeper(actor),
        "photo_days": selectors.photo_stale_days(),
        "review_days": selectors.review_days(),
    }
    return render(request, "protocols/list.html", context)


@requires(Capability.VIEW_CASES)
def profile_new(request: HttpRequest) -> HttpResponse:
    """Find the person first: the provider's residents without a profile, or a search."""
    actor = _actor(request)
    _require_keeper(actor)
    form = PersonSearchForm(request.POST or None)
    context: dict[str, Any] = {
        "form": form,
        "residents": selectors.residents_without_profile(actor=actor),
        "searched": False,
        "perms_register_resident": actor.can(Capability.REGISTER_RESIDENT),
    }
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        # Find before create: recording a new resident is offered only after a search.
        request.session[RESIDENT_SEARCH_KEY] = {
            "given_name": d["given_name"] or "",
            "family_name": d["family_name"] or "",
        }
        query = SearchQuery(
            given_name=d["given_name"] or "",
            family_name=d["family_name"] or "",
            birth_year=d["birth_year"],
            birth_month=d["birth_month"],
            birth_day=d["birth_day"],
            age=d["age"],
        )
        context["candidates"] = selectors.people_search_for_profile(actor=actor, query=query)
        context["searched"] = True
    return render(request, "protocols/new.html", context)


@requires(Capability.REGISTER_RESIDENT)
def resident_new(request: HttpRequest) -> HttpResponse:
    """A new resident with no record anywhere: the provider records her, then starts her profile."""
    actor = _actor(request)
    searched = request.session.get(RESIDENT_SEARCH_KEY)
    if searched is None:
        messages.error(request, "Search for the person first: they may already have a record.")
        return redirect("protocols:new")
    premises = Location.objects.filter(provider_id=actor.organisation_id).order_by("name")
    form = forms.ResidentForm(
        request.POST or None,
        premises=premises,
        initial={**searched, "since": timezone.localdate(), "location": premises.first()},
    )
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = PersonData(
            given_name=d["given_name"],
            family_name=d["family_name"],
            date_of_birth=d["date_of_birth"],
            estimated_age=d["estimated_age"],
            sex=d["sex"],
            gender=d["gender"],
            ethnicity=d["ethnicity"],
            officer_ethnicity=d["officer_ethnicity"],
            height_cm=d["height_cm"],
            build=d["build"],
            hair=d["hair"],
            eyes=d["eyes"],
            marks=d["marks"],
            first_language=d["first_language"],
            looked_after=d["looked_after"],
            placing_authority=d["placing_authority"],
            aliases=form.aliases_list(),
            markers=d["markers"],
        )
        person = apply_action(
            form,
            lambda: resident_register(
                actor=actor, data=data, supplied_by=d["supplied_by"], location=d["location"], since=d["since"]
            ),
            context,
        )
        if person is not None:
            request.session.pop(RESIDENT_SEARCH_KEY, None)
            messages.success(request, f"Record created for {person.full_name}. Now start their profile.")
            return redirect("protocols:create", person_id=person.pk)
    return render(request, "protocols/resident_form.html", context)


@requires(Capability.VIEW_CASES)
def profile_create(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
    _require_keeper(actor)
    person = selectors.person_for_new_profile(actor=actor, pk=person_id)
    existing = selectors.active_profile_for_person(actor=actor, person=person, log=False)
    if existing is not None:
        messages.error(request, f"{person.full_name} already has a profile: update it instead.")
        return redirect("protocols:detail", pk=existing.pk)
    age = person.age_on(timezone.localdate())
    child = age is not None and age < settings.HOMEWARD_ADULT_AGE
    default_scheme = Scheme.PHILOMENA if person.looked_after or child else Scheme.HERBERT
    form = forms.Part1Form(request.POST or None, initial={"scheme": default_scheme})
    context: dict[str, Any] = {"form": form, "person": person, "heading": "Start a profile"}
    if request.method == "POST" and form.is_valid():
        profile = apply_action(
            form,
            lambda: actions.profile_create(
                actor=actor, person=person, scheme=form.cleaned_data["scheme"], part1=form.part1()
            ),
            context,
        )
        if profile is not None:
            messages.success(request, f"Profile started for {person.full_name}. Add a recent photo next.")
            return redirect("protocols:detail", pk=profile.pk)
    return render(request, "protocols/part1_form.html", context)


# --- One profile ----------------------------------------------------------------------------------


@requires(Capability.VIEW_CASES)
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    profile = selectors.profile_for(actor=actor, pk=pk)
    reports = selectors.reports_for_profile(actor=actor, profile=profile)
    keeper = selectors.keeps(actor, profile) and profile.active
    context = {
        "profile": profile,
        "row": selectors.profile_row(profile),
        "sections": profile.part1_sections(),
        "events": selectors.profile_events_for(actor=actor, profile=profile),
        "reports": reports,
        "open_report": next(
            (r for r in reports if r.status in (ReportStatus.DRAFT, ReportStatus.SUBMITTED)), None
        ),
        "can_edit": keeper,
        "can_transfer": profile.active and selectors.may_transfer(actor, profile),
        "review_form": forms.VersionForm(initial={"version": profile.version}),
    }
    return render(request, "protocols/detail.html", context)


def _keeper_profile(request: HttpRequest, pk: int) -> tuple[User, ProtocolProfile]:
    actor = _actor(request)
    profile = selectors.profile_for(actor=actor, pk=pk)
    if not (selectors.keeps(actor, profile) and profile.active):
        raise PermissionDenied
    return actor, profile


@requires(Capability.VIEW_CASES)
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor, profile = _keeper_profile(request, pk)
    initial = {name: getattr(profile, name) for name in ("scheme", *PART1_FIELDS)}
    initial["version"] = profile.version
    form = forms.Part1EditForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {
        "form": form,
        "person": profile.person,
        "profile": profile,
        "heading": "Update part 1",
    }
    if request.method == "POST" and form.is_valid():
        saved = apply_action(
            form,
            lambda: actions.profile_update(
                actor=actor,
                profile=profile,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
            ),
            context,
        )
        if saved is not None:
            messages.success(request, "Profile saved.")
            return redirect("protocols:detail", pk=profile.pk)
    return render(request, "protocols/part1_form.html", context)


@requires(Capability.VIEW_CASES)
def profile_review(request: HttpRequest, pk: int) -> HttpResponse:
    actor, profile = _keeper_profile(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = forms.VersionForm(request.POST)
    context: dict[str, Any] = {}
    if form.is_valid():
        done = apply_action(
            form,
            lambda: actions.profile_mark_reviewed(
                actor=actor, profile=profile, expected_version=form.cleaned_data["version"]
            ),
            context,
        )
        if done is not None:
            messages.success(request, "Marked as reviewed today.")
        elif "conflict" in context:
            messages.error(
                request,
                "Someone changed the profile after you opened it: check it, then mark it reviewed again.",
            )
    return redirect("protocols:detail", pk=profile.pk)


@requires(Capability.VIEW_CASES)
def profile_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = selectors.profile_photo_for(actor=_actor(request), pk=pk)
    # DEP-4: as people.views.person_photo — an attachment with a generated name, never sniffed or run.
    response = FileResponse(
        photo.image.open("rb"),
        content_type=photo.content_type,
        as_attachment=True,
        filename=f"photo-{photo.pk}.{EXTENSION_FOR.get(photo.content_type, 'bin')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _simple_page(
    request: HttpRequest,
    profile: ProtocolProfile,
    form: Any,
    heading: str,
    perform: Any,
    success: str,
    **extra: Any,
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "profile": profile, "heading": heading, **extra}
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_action(form, lambda: perform(form.cleaned_data), context) is not None
    ):
        messages.success(request, success)
        return redirect("protocols:detail", pk=profile.pk)
    return render(request, "protocols/simple_form.html", context)


@requires(Capability.VIEW_CASES)
def profile_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor, profile = _keeper_profile(request, pk)
    form = forms.PhotoForm(request.POST or None, request.FILES or None)
    return _simple_page(
        request,
        profile,
        form,
        "Add a recent photo",
        lambda d: actions.profile_photo_add(
            actor=actor, profile=profile, upload=d["image"], taken_on=d["taken_on"], caption=d["caption"]
        ),
        "Photo added.",
        multipart=True,
    )


@requires(Capability.VIEW_CASES)
def profile_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    profile = selectors.profile_for(actor=actor, pk=pk)
    if not (profile.active and selectors.may_transfer(actor, profile)):
        raise PermissionDenied
    # Holders in the person's force area; the police do not hold profiles.
    holders = Organisation.objects.filter(kind__in=selectors.HOLDER_KINDS, force_id=profile.person.force_id)
    if profile.holder_id is not None:
        holders = holders.exclude(pk=profile.holder_id)
    form = forms.TransferForm(request.POST or None, holders=holders, initial={"version": profile.version})

    def perform(d: dict[str, Any]) -> Any:
        return actions.profile_transfer(
            actor=actor,
            profile=profile,
            new_holder=d["new_holder"],
            new_holder_name=d["new_holder_name"],
            expected_version=d["version"],
            reason=d["reason"],
        )

    context: dict[str, Any] = {
        "form": form,
        "profile": profile,
        "heading": "Move the profile to a new holder",
    }
    if request.method == "POST" and form.is_valid():
        moved = apply_action(form, lambda: perform(form.cleaned_data), context)
        if moved is not None:
            messages.success(request, f"Profile moved to {moved.holder_label}.")
            # The mover may no longer see the profile, so go to the list, not the profile.
            return redirect("protocols:list")
    return render(request, "protocols/simple_form.html", context)


@requires(Capability.VIEW_CASES)
def profile_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor, profile = _keeper_profile(request, pk)
    form = forms.CloseForm(request.POST or None, initial={"version": profile.version})
    return _simple_page(
        request,
        profile,
        form,
        "Close the profile",
        lambda d: actions.profile_close(
            actor=actor, profile=profile, expected_version=d["version"], reason=d["reason"]
        ),
        "Profile closed.",
    )


# --- Part 2: reported missing ---------------------------------------------------------------------


def _holder_premises(profile: ProtocolProfile) -> Any:
    return Location.objects.filter(provider_id=profile.holder_id).order_by("name")


def _report_form_page(
    request: HttpRequest,
    actor: User,
    profile: ProtocolProfile,
    report: ProfileMissingReport | None,
    initial: dict[str, Any],
) -> HttpResponse:
    # Only the "Save as draft" button saves a draft; anything else (Enter in a field) submits.
    submit = "save_draft" not in request.POST
    form = forms.MissingReportForm(
        request.POST or None, locations=_holder_premises(profile), initial=initial, draft=not submit
    )
    context: dict[str, Any] = {
        "form": form,
        "profile": profile,
        "report": report,
        "row": selectors.profile_row(profile),
    }
    if request.method == "POST" and form.is_valid():
        saved = apply_action(
            form,
            lambda: actions.profile_report_save(
                actor=actor, profile=profile, data=form.data_for_action(), submit=submit, report=report
            ),
            context,
        )
        if saved is not None:
            if submit:
                messages.success(
                    request,
                    "Part 2 sent to the police. Now ring 101, or 999 if they are in immediate danger, "
                    "and say you have sent a Philomena or Herbert form.",
                )
            else:
                messages.success(request, "Draft saved. Submit it to the police as soon as you can.")
            return redirect("protocols:report_detail", pk=saved.pk)
    return render(request, "protocols/report_form.html", context)


@requires(Capability.VIEW_CASES)
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor, profile = _keeper_profile(request, pk)
    open_report = selectors.open_report_for_profile(actor=actor, profile=profile)
    if open_report is not None:
        return redirect("protocols:report_detail", pk=open_report.pk)
    placement = selectors.current_placement(profile.person)
    initial: dict[str, Any] = {"reporter_name": actor.display_name}
    if (
        placement is not None
        and placement.location is not None
        and placement.location.provider_id == profile.holder_id
    ):
        initial["missing_from"] = placement.location_id
    return _report_form_page(request, actor, profile, None, initial)


def _open_episode(actor: User, report: ProfileMissingReport) -> Episode | None:
    return (
        episodes_visible_to(actor)
        .filter(person_id=report.profile.person_id, status__in=OPEN_STATUSES)
        .first()
    )


@requires(Capability.VIEW_CASES)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    report = selectors.report_for(actor=actor, pk=pk)
    profile = report.profile
    keeper = selectors.keeps(actor, profile) and profile.active
    if report.status == ReportStatus.DRAFT and keeper:
        initial = {name: getattr(report, name) for name in forms.MissingReportForm.base_fields}
        initial["missing_from"] = report.missing_from_id
        if report.last_seen_at is not None:
            initial["last_seen_at"] = forms.local_input(report.last_seen_at)
        return _report_form_page(request, actor, profile, report, initial)
    police = selectors.is_police_caseworker(actor) and actor.can(Capability.REPORT)
    context = {
        "report": report,
        "profile": profile,
        "row": selectors.profile_row(profile),
        "can_start": police and report.status == ReportStatus.SUBMITTED,
        "open_episode": _open_episode(actor, report)
        if police and report.status == ReportStatus.SUBMITTED
        else None,
        "can_withdraw": keeper and report.status == ReportStatus.SUBMITTED,
    }
    return render(request, "protocols/report.html", context)


def _police_report(request: HttpRequest, pk: int) -> tuple[User, ProfileMissingReport]:
    """The report first (404 for strangers, as everywhere), then the role, then the method."""
    actor = _actor(request)
    report = selectors.report_for(actor=actor, pk=pk)
    if not actor.can(Capability.REPORT):
        raise PermissionDenied
    return actor, report


@requires(Capability.VIEW_CASES)
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The call handler takes up a submitted part 2: the police report form opens already filled in."""
    actor, report = _police_report(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if _open_episode(actor, report) is not None:
        messages.error(
            request,
            f"{report.profile.person.full_name} is already missing: link this part 2 to the open episode.",
        )
        return redirect("protocols:report_detail", pk=report.pk)
    try:
        prefill = actions.profile_report_start(actor=actor, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("protocols:report_detail", pk=report.pk)
    request.session[PREFILL_KEY] = prefill
    return redirect("report_circumstances", person_id=report.profile.person_id)


@requires(Capability.VIEW_CASES)
def report_link(request: HttpRequest, pk: int) -> HttpResponse:
    """The person was already reported: attach this part 2 to the open episode instead."""
    actor, report = _police_report(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    episode = _open_episode(actor, report)
    linked = (
        actions.profile_report_link_episode(actor=actor, profile_report_id=report.pk, episode=episode)
        if episode is not None
        else None
    )
    if linked is None or episode is None:
        messages.error(request, "There is no open episode this part 2 can be linked to.")
        return redirect("protocols:report_detail", pk=report.pk)
    messages.success(request, f"Part 2 linked to {episode.reference}.")
    return redirect("episode_detail", pk=episode.pk)


@requires(Capability.VIEW_CASES)
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    report = selectors.report_for(actor=actor, pk=pk)
    if not selectors.keeps(actor, report.profile):
        raise PermissionDenied
    form = forms.WithdrawForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "profile": report.profile, "heading": "Withdraw part 2"}
    if request.method == "POST" and form.is_valid():
        done = apply_action(
            form,
            lambda: actions.profile_report_withdraw(
                actor=actor, report=report, reason=form.cleaned_data["reason"]
            ),
            context,
        )
        if done is not None:
            messages.success(
                request, "Part 2 withdrawn. Tell the police they are back if you have not already."
            )
            return redirect("protocols:detail", pk=report.profile_id)
    return render(request, "protocols/simple_form.html", context)


@requires(Capability.REPORT)
def submitted(request: HttpRequest) -> HttpResponse:
    """The police queue of part 2 reports from care providers, waiting for a police report."""
    actor = _actor(request)
    return render(
        request, "protocols/submitted.html", {"reports": selectors.reports_submitted_for(actor=actor)}
    )


# --- For the police report page (episodes.views.report_circumstances) -----------------------------


def report_prefill_initial(request: HttpRequest, person_id: int) -> dict[str, Any]:
    """The police report form's initial values, when the call handler came from a part 2 for this person."""
    prefill = request.session.get(PREFILL_KEY) or {}
    if prefill.get("person_id") != person_id:
        return {}
    return {k: v for k, v in prefill.items() if k not in ("person_id", "profile_report_id")}


def report_prefill_finish(
    request: HttpRequest, *, actor: User, episode: Episode
) -> ProfileMissingReport | None:
    """After the episode is saved: link the part 2 it came from, and forget the pre-fill."""
    prefill = request.session.get(PREFILL_KEY) or {}
    if prefill.get("person_id") != episode.person_id or not prefill.get("profile_report_id"):
        return None
    request.session.pop(PREFILL_KEY, None)
    return actions.profile_report_link_episode(
        actor=actor, profile_report_id=int(prefill["profile_report_id"]), episode=episode
    )
