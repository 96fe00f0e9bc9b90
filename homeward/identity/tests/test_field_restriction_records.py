"""Field-level restriction (ACC-3) beyond episodes and people: return interviews, Philomena/Herbert
profiles and their part 2, prevention plans, meetings and early-help referrals, the family contact
log, and the chronology that gathers them (homeward/identity/sharing_rules.py).

Per role and organisation kind: Force A's officer sees everything; Council B's missing officer (the
partner level) the safeguarding content but not police intelligence; Care Provider B's staff (the
carer level) what concerns its care. The organisation a record belongs to — the interview service it
was referred to, the profile's holder, a meeting's attendees — sees all of it. The pages lack the
withheld values; the chronology shows the line, with its detail withheld.

These record types have no JSON API and no download: pages and the chronology are where they are
read, so those are what is checked here (the episode and person API: test_field_restriction.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homeward.chronology.entries import WITHHELD
from homeward.chronology.selectors import chronology_for
from homeward.conftest import World
from homeward.episodes.actions import InterviewData, prevention_interview_record
from homeward.episodes.models import Episode
from homeward.episodes.tests.factories import assess, find, report
from homeward.families.actions import ContactData, family_contact_log
from homeward.identity.sharing_rules import (
    RECORD_TYPES,
    FieldLevel,
    all_fields,
    fields_allowed,
    shown_fields_for,
)
from homeward.people.models import Person
from homeward.prevention import actions as prevention
from homeward.prevention.models import Action, EarlyHelpReferral, Meeting, Plan
from homeward.prevention.tests.helpers import PreventionWorld, pw  # noqa: F401
from homeward.protocols.models import ProfileMissingReport, ProtocolProfile
from homeward.protocols.tests.helpers import make_profile, ruby_at_oak_house, submit_report
from homeward.returns import actions as returns
from homeward.returns.models import ReturnInterview
from homeward.returns.tests.helpers import COMPLETED, RhiWorld, assigned, completed, offered, rw  # noqa: F401

pytestmark = pytest.mark.django_db


def page(client: Client, user: object, url: str) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(url)
    assert response.status_code == 200, (user, url, response.status_code)
    return response.content.decode()


def chronology_summaries(user: object, person: Person) -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {}
    for line in chronology_for(actor=user, person=person):  # type: ignore[arg-type]
        by_kind.setdefault(line.entry.kind, []).append(line.entry.summary)
    return by_kind


# --- The allow-lists --------------------------------------------------------------------------------


def test_every_record_type_allows_carers_no_more_than_partners_and_police_everything():
    for record_type in RECORD_TYPES:
        full = fields_allowed(FieldLevel.FULL, record_type)
        assert full == all_fields(record_type), record_type
        carer = fields_allowed(FieldLevel.CARER, record_type)
        partner = fields_allowed(FieldLevel.PARTNER, record_type)
        assert carer <= partner <= full, record_type
        assert "id" in carer, record_type


@pytest.mark.parametrize(
    ("record_type", "carer_sees", "carer_lacks", "partner_lacks"),
    [
        (
            "return_interview",
            {"support_needed", "referrals", "outcome"},
            {"disclosures", "harm", "child_voice", "where_went", "with_whom", "pull_factors"},
            {"who_to_contact"},
        ),
        ("profile", {"description", "medical"}, {"associates", "phones", "locator"}, {"phones", "events"}),
        ("profile_report", {"clothing", "last_seen_at"}, {"circumstances", "reporter"}, {"reasonable_steps"}),
        ("plan", {"approach", "own_actions"}, {"concerns", "actions", "outcome"}, {"events"}),
        ("meeting", {"own_actions"}, {"summary", "outcome", "other_attendees"}, set()),
        ("referral", {"status"}, {"reason", "outcome_notes"}, set()),
        ("family_contact", {"signposted", "signposted_to"}, {"contact_name", "summary"}, {"summary"}),
    ],
)
def test_each_level_gets_what_it_needs_and_not_what_it_does_not(
    record_type, carer_sees, carer_lacks, partner_lacks
):
    carer = fields_allowed(FieldLevel.CARER, record_type)
    partner = fields_allowed(FieldLevel.PARTNER, record_type)
    assert carer_sees <= carer
    assert not carer_lacks & carer
    assert not partner_lacks & partner


def test_the_organisation_a_record_belongs_to_sees_all_of_it(world):
    # Care Provider B is at the carer level, but a profile it holds is its own.
    assert shown_fields_for(world.care_staff, "profile", owner_ids=[world.provider_b.pk]) == all_fields(
        "profile"
    )
    assert shown_fields_for(world.care_staff, "profile", owner_ids=[world.council_b.pk]) == fields_allowed(
        FieldLevel.CARER, "profile"
    )
    # Police of another force would read at the partner level (they never reach the record anyway).
    assert shown_fields_for(world.officer, "plan", force_id=world.force.pk + 999) == fields_allowed(
        FieldLevel.PARTNER, "plan"
    )


# --- Return interviews ------------------------------------------------------------------------------


@dataclass
class Interview:
    episode: Episode
    rhi: ReturnInterview


@pytest.fixture
def interview(rw: RhiWorld) -> Interview:  # noqa: F811
    """Ruby, missing from Oak House (Care Provider B) and back; the service's worker has done the
    interview; one finding (an associate) was added to her record by the police."""
    world = rw.world
    episode = find(world, assess(world, report(world, ruby_at_oak_house(world))))
    rhi = completed(rw, offered(rw, assigned(rw, ReturnInterview.objects.get(episode=episode))))
    proposal = returns.rhi_finding_propose(
        actor=rw.worker, rhi=rhi, kind="associate", value="Jay Mercer", detail="Older boyfriend"
    )
    returns.rhi_finding_decide(actor=world.officer, proposal=proposal, accept=True)
    return Interview(episode=episode, rhi=rhi)


CHILDS_ACCOUNT = ("pull_factors", "where_went", "disclosures", "child_voice")


@pytest.mark.parametrize(
    ("who", "account_shown", "contact_shown"),
    [
        ("officer", True, True),
        ("worker", True, True),  # the service the interview was referred to: its own record
        ("partner", True, False),  # a council: the safeguarding content, not the reporting person
        ("care_staff", False, False),  # the home she ran from: the follow-up only
    ],
)
def test_the_return_interview_page_lacks_what_the_level_withholds(
    client,
    rw,  # noqa: F811
    interview,
    who,
    account_shown,
    contact_shown,  # noqa: F811
):
    user = rw.worker if who == "worker" else getattr(rw.world, who)
    html = page(client, user, reverse("returns:detail", args=[interview.rhi.pk]))
    assert COMPLETED["support_needed"] in html  # every reader may act on what she needs
    for field in CHILDS_ACCOUNT:
        assert (COMPLETED[field] in html) is account_shown, (who, field)
    assert ("Who to contact" in html) is contact_shown, who
    assert ("Jay Mercer" in html) is account_shown, who  # the proposals go with the account


def test_care_staff_see_the_follow_up_on_the_episode_and_person_pages_not_the_disclosures(
    client,
    rw,  # noqa: F811
    interview,  # noqa: F811
):
    care = rw.world.care_staff
    episode_html = page(client, care, reverse("episode_detail", args=[interview.episode.pk]))
    assert 'id="return-interview-panel"' in episode_html
    assert COMPLETED["support_needed"] in episode_html
    person_html = page(client, care, reverse("person_detail", args=[interview.rhi.person_id]))
    assert COMPLETED["support_needed"] in person_html
    for html in (episode_html, person_html):
        for field in CHILDS_ACCOUNT:
            assert COMPLETED[field] not in html, field
    # The council's person page carries the findings, disclosures included.
    council_html = page(client, rw.world.partner, reverse("person_detail", args=[interview.rhi.person_id]))
    assert COMPLETED["disclosures"] in council_html


def test_the_police_prevention_interview_is_not_in_a_partners_findings(client, rw, interview):  # noqa: F811
    episode = Episode.objects.get(pk=interview.episode.pk)
    prevention_interview_record(
        actor=rw.world.officer,
        episode=episode,
        expected_version=episode.version,
        data=InterviewData(
            outcome="completed",
            conducted_at=timezone.now(),
            disclosures="Said Jay drives her to parties in Leeds",
        ),
    )
    officer_html = page(client, rw.world.officer, reverse("person_detail", args=[interview.rhi.person_id]))
    assert "Said Jay drives her to parties in Leeds" in officer_html
    council_html = page(client, rw.world.partner, reverse("person_detail", args=[interview.rhi.person_id]))
    assert "Said Jay drives her to parties in Leeds" not in council_html


def test_the_chronology_withholds_an_interview_finding_the_level_may_not_see(rw, interview):  # noqa: F811
    person = interview.rhi.person
    finding = "Interview finding added to profile"
    assert chronology_summaries(rw.world.officer, person)[finding] == ["Associate: Jay Mercer"]
    # Associates are police intelligence on the person: a council and a carer see that a finding was
    # added, and when, not who.
    for user in (rw.world.partner, rw.world.care_staff):
        assert chronology_summaries(user, person)[finding] == [WITHHELD], user


# --- Profiles and part 2 ----------------------------------------------------------------------------


@dataclass
class Profile:
    profile: ProtocolProfile
    report: ProfileMissingReport


@pytest.fixture
def profile(world: World) -> Profile:
    """Ruby's Philomena profile, held by Care Provider B (Oak House); placed by Council B; part 2 sent
    to the police, so the force sees it too."""
    held = make_profile(world, medical="Asthma: blue inhaler", locator="None")
    return Profile(profile=held, report=submit_report(world, held))


@pytest.mark.parametrize(
    ("who", "search_aids_shown", "associates_shown", "history_shown"),
    [
        ("officer", True, True, True),
        ("care_staff", True, True, True),  # the holder: its own form
        ("partner", False, False, False),  # the placing authority
    ],
)
def test_the_profile_page_lacks_what_the_level_withholds(
    client, world, profile, who, search_aids_shown, associates_shown, history_shown
):
    html = page(client, getattr(world, who), reverse("protocols:detail", args=[profile.profile.pk]))
    assert "Asthma: blue inhaler" in html  # medical: every reader of the profile
    assert ("07700 900123" in html) is search_aids_shown, who
    assert ("older male, 20s" in html) is associates_shown, who
    assert ('id="history"' in html) is history_shown, who


@pytest.mark.parametrize(
    ("who", "intelligence_shown"), [("officer", True), ("care_staff", True), ("partner", False)]
)
def test_the_part_2_page_lacks_the_intelligence_for_a_partner(
    client, world, profile, who, intelligence_shown
):
    html = page(client, getattr(world, who), reverse("protocols:report_detail", args=[profile.report.pk]))
    assert "Black puffer jacket" in html  # what she wore: everyone looking for her
    for value in ("Left after an argument about her phone", "rang her phone four times", "01632 960001"):
        assert (value in html) is intelligence_shown, (who, value)


def test_the_episode_panel_shows_a_partner_the_profile_without_the_means_of_search(client, world, profile):
    episode = report(world, profile.profile.person)
    html = page(client, world.partner, reverse("episode_detail", args=[episode.pk]))
    assert 'id="protocol-panel"' in html and "Asthma: blue inhaler" in html
    assert "07700 900123" not in html and "older male, 20s" not in html
    officer_html = page(client, world.officer, reverse("episode_detail", args=[episode.pk]))
    assert "07700 900123" in officer_html


# --- Prevention -------------------------------------------------------------------------------------


@dataclass
class Prevention:
    person: Person
    plan: Plan
    meeting: Meeting
    carers_action: Action
    councils_action: Action
    referral: EarlyHelpReferral


CONCERNS = "Goes missing after family contact; seen with older males."
APPROACH = "Carers to ring friends first; weekly key-work."
DISCUSSION = "Police shared that Ruby was seen getting into cars outside the takeaway."
MEETING_OUTCOME = "Refer to the exploitation panel."
REASON = "First time missing; disclosed cannabis use with older peers."


def _prevention(pw: PreventionWorld, attending: list[object]) -> Prevention:  # noqa: F811
    world = pw.world
    ruby = report(world, ruby_at_oak_house(world)).person
    plan = prevention.plan_create(
        actor=pw.coordinator,
        kind="trigger_plan",
        concerns=CONCERNS,
        approach=APPROACH,
        review_on=timezone.localdate() + dt.timedelta(days=28),
        person=ruby,
    )
    meeting = prevention.meeting_create(
        actor=pw.coordinator,
        plan=plan,
        data=prevention.MeetingData(
            held_at=timezone.now() - dt.timedelta(days=1),
            chair="DS Amy Clarke",
            attending_organisations=attending,  # type: ignore[arg-type]
            other_attendees="Jo Smith, Oak House manager",
            summary=DISCUSSION,
            outcome=MEETING_OUTCOME,
        ),
    )
    due = timezone.localdate() + dt.timedelta(days=7)
    carers_action = prevention.action_add(
        actor=pw.coordinator,
        plan=plan,
        description="Key-work session on safe adults",
        owner=world.care_staff,
        due_on=due,
    )
    councils_action = prevention.action_add(
        actor=pw.coordinator,
        plan=plan,
        description="Exploitation screening by social worker",
        owner=world.partner,
        due_on=due,
    )
    referral = prevention.referral_make(
        actor=pw.coordinator, person=ruby, referred_to=world.council_b, reason=REASON
    )
    plan.refresh_from_db()
    return Prevention(ruby, plan, meeting, carers_action, councils_action, referral)


@pytest.fixture
def plans(pw: PreventionWorld) -> Prevention:  # noqa: F811
    """A police trigger plan for Ruby, a meeting under it only the police attended, one action each
    for Care Provider B and Council B, and an early-help referral to Council B."""
    return _prevention(pw, attending=[pw.world.force])


@pytest.mark.parametrize(
    ("who", "concerns_shown", "all_actions_shown", "history_shown"),
    [("coordinator", True, True, True), ("partner", True, True, False), ("care_staff", False, False, False)],
)
def test_the_plan_page_lacks_what_the_level_withholds(
    client,
    pw,  # noqa: F811
    plans,
    who,
    concerns_shown,
    all_actions_shown,
    history_shown,  # noqa: F811
):
    user = pw.coordinator if who == "coordinator" else getattr(pw.world, who)
    html = page(client, user, reverse("prevention:plan_detail", args=[plans.plan.pk]))
    assert APPROACH in html
    assert (CONCERNS in html) is concerns_shown, who
    # Each reader sees its own organisation's action; every agency's only at the partner level.
    own = plans.carers_action if who == "care_staff" else plans.councils_action
    assert own.description in html
    assert ("Key-work session on safe adults" in html) is (all_actions_shown or who == "care_staff")
    assert ("Exploitation screening by social worker" in html) is all_actions_shown, who
    assert ("Plan created" in html or "History" in html) is history_shown, who


@pytest.mark.parametrize(("who", "shown"), [("coordinator", True), ("partner", True), ("care_staff", False)])
def test_the_meeting_and_referral_pages_lack_what_a_carer_may_not_see(client, pw, plans, who, shown):  # noqa: F811
    user = pw.coordinator if who == "coordinator" else getattr(pw.world, who)
    html = page(client, user, reverse("prevention:meeting_detail", args=[plans.meeting.pk]))
    assert "DS Amy Clarke" in html
    for value in (DISCUSSION, MEETING_OUTCOME, "Jo Smith, Oak House manager"):
        assert (value in html) is shown, (who, value)
    html = page(client, user, reverse("prevention:referral_detail", args=[plans.referral.pk]))
    assert "Council B" in html
    assert (REASON in html) is shown, who


def test_a_care_provider_that_attended_the_meeting_sees_what_was_discussed(client, pw):  # noqa: F811
    attended = _prevention(pw, attending=[pw.world.force, pw.world.provider_b])
    html = page(client, pw.world.care_staff, reverse("prevention:meeting_detail", args=[attended.meeting.pk]))
    assert DISCUSSION in html and MEETING_OUTCOME in html
    # Taking part in the plan's meeting makes it a participant in the plan too.
    html = page(client, pw.world.care_staff, reverse("prevention:plan_detail", args=[attended.plan.pk]))
    assert CONCERNS in html and "Exploitation screening by social worker" in html


def test_the_chronology_withholds_plan_meeting_and_action_detail_from_a_carer(pw, plans):  # noqa: F811
    carer = chronology_summaries(pw.world.care_staff, plans.person)
    assert carer["Trigger plan opened"] == [WITHHELD]
    assert carer["Multi-agency meeting held"] == [WITHHELD]
    assert sorted(carer["Action due"]) == sorted(["Key-work session on safe adults", WITHHELD])
    council = chronology_summaries(pw.world.partner, plans.person)
    assert council["Trigger plan opened"] == [CONCERNS]
    assert council["Multi-agency meeting held"] == [MEETING_OUTCOME]
    assert WITHHELD not in council["Action due"]


# --- Family contact log -----------------------------------------------------------------------------

CONVERSATION = "Mum says Ruby mentioned a man called Jay who picks her up from school."


@pytest.fixture
def contact(world: World) -> Episode:
    episode = report(world, ruby_at_oak_house(world))
    now = timezone.now()
    family_contact_log(
        actor=world.officer,
        episode=episode,
        data=ContactData(
            contacted_at=now - dt.timedelta(hours=1),
            contact_name="Dawn Hartley",
            relationship="Mother",
            method="phone",
            direction="outbound",
            summary=CONVERSATION,
            signposted=True,
            signposted_to=["missing_people"],
            signposted_at=now - dt.timedelta(minutes=50),
        ),
    )
    return episode


@pytest.mark.parametrize(("who", "conversation_shown"), [("officer", True), ("partner", False)])
def test_the_family_contact_log_lacks_the_conversation_for_a_council(
    client, world, contact, who, conversation_shown
):
    html = page(client, getattr(world, who), reverse("episode_detail", args=[contact.pk]))
    assert 'id="family-contacts"' in html
    assert "Dawn Hartley" in html and "Missing People" in html
    assert (CONVERSATION in html) is conversation_shown, who


# --- Episode lines of the chronology ------------------------------------------------------------------


def test_the_chronology_withholds_episode_lines_a_level_may_not_see(world):
    ruby = ruby_at_oak_house(world)
    assess(world, report(world, ruby), level="high")
    officer = chronology_summaries(world.officer, ruby)
    assert WITHHELD not in officer["Risk graded"]
    # Risk history: a council sees it, a care provider sees the current level on the episode only.
    assert WITHHELD not in chronology_summaries(world.partner, ruby)["Risk graded"]
    assert chronology_summaries(world.care_staff, ruby)["Risk graded"] == [WITHHELD]


def test_the_chronology_page_marks_a_withheld_line(client, world):
    ruby = ruby_at_oak_house(world)
    assess(world, report(world, ruby), level="high")
    html = page(client, world.care_staff, reverse("chronology:person", args=[ruby.pk]))
    assert 'data-withheld="true"' in html and WITHHELD in html
    assert "High risk" not in html
    assert "High risk" in page(client, world.officer, reverse("chronology:person", args=[ruby.pk]))
